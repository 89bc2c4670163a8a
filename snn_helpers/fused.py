"""The fused IF engine: the whole time axis in one autograd Function.

Introduced in notebook 06 (a fused engine). The post's loop records every step
in autograd (several graph nodes per step). Here the recurrence over all steps is
one ``torch.autograd.Function`` whose backward is written by hand:

With ``a_t = dL/dv_t`` (total), ``e_t`` the gradient arriving from outside (on the
spikes and on the membrane), ``g`` the surrogate derivative and ``theta`` the threshold,
going back from ``t = T-1`` to ``0`` (``a_T = 0``)::

    dL/ds_t = e^s_t + a_{t+1} * dv_{t+1}/ds_t      dv_{t+1}/ds_t = -v_t  (reset "zero")
                                                                   = -theta (reset "subtract")
                                                                   = 0   (detach_reset)
    a_t     = e^v_t + a_{t+1} * dv_{t+1}/dv_t + dL/ds_t * g(v_t - theta)
                                                   dv_{t+1}/dv_t = 1 - s_t (zero), 1 (subtract)

and ``dL/dI_t = a_t``. The products are taken as autograd takes them through the
loop (``a * (1 - s)``, never a ``where``), so an exploding gradient explodes and turns
to NaN exactly where it does there. Only the membrane ``v`` is saved; spikes and ``g``
are recomputed from it one step at a time, on slices small enough to stay in cache.

On the CPU, a compiled kernel (``csrc/if_kernel.cpp``, see :mod:`snn_helpers.kernel`)
runs both loops in C++ when it could be built; elsewhere, and without it, torch ops do.
"""

from __future__ import annotations

import torch

from . import kernel
from .spike import _grad

_EMPTY = torch.empty(0)


# Below this many neurons per step (batch x neurons), the per-step Python overhead dominates
# and whole-sequence precomputation pays; above it, per-step slices that stay in cache win.
SMALL_STEP = 16_384


def _forward(current: torch.Tensor, threshold: float, reset: str) -> tuple[torch.Tensor, torch.Tensor]:
    v_all = torch.empty_like(current)
    v_all[0].copy_(current[0])
    if reset == "zero":
        # keep_{t-1} = 1 - s_{t-1} = [v_{t-1} <= theta] (a NaN membrane gives 0 instead of 1, but
        # NaN * 0 and NaN * 1 are both NaN: the same v_t). v_{t-1} * keep is exact: one fused op.
        keep = torch.empty_like(current[0])
        for t in range(1, current.shape[0]):
            torch.le(v_all[t - 1], threshold, out=keep)
            torch.addcmul(current[t], v_all[t - 1], keep, out=v_all[t])
    else:
        spikes = torch.empty_like(current[0])
        for t in range(1, current.shape[0]):
            torch.gt(v_all[t - 1], threshold, out=spikes)
            torch.sub(v_all[t - 1], spikes, alpha=threshold, out=v_all[t]).add_(current[t])
    s_all = torch.empty_like(current)
    torch.gt(v_all, threshold, out=s_all)
    return s_all, v_all


def _backward(
    v_all: torch.Tensor,
    grad_spikes: torch.Tensor | None,
    grad_membrane: torch.Tensor | None,
    config: tuple[float, str, str, float | None, bool],
) -> torch.Tensor:
    # Every product and sum is its own rounded operation, in the C++ kernel's order (no fused
    # multiply-add): with or without the kernel, the same gradients to the last bit.
    threshold, reset, surrogate, slope, detach_reset = config
    n_time = v_all.shape[0]
    grad_current = torch.empty_like(v_all)
    if grad_spikes is None:
        grad_spikes = torch.zeros_like(v_all)
    g_all = None if surrogate == "post" else _grad(v_all - threshold, surrogate, slope)
    small = v_all[0].numel() <= SMALL_STEP
    if small:  # spikes and keep for all steps at once (few large ops)
        spikes_all = (v_all > threshold).to(v_all.dtype)
        keep_all = 1 - spikes_all
    else:  # one step at a time, in buffers that stay in cache
        spikes, keep = torch.empty_like(v_all[0]), torch.empty_like(v_all[0])
    product = torch.empty_like(v_all[0])
    for t in range(n_time - 1, -1, -1):
        v, a = v_all[t], grad_current[t]
        if small:
            spikes, keep = spikes_all[t], keep_all[t]
        else:
            torch.gt(v, threshold, out=spikes)
            torch.sub(1.0, spikes, out=keep)
        g = spikes if g_all is None else g_all[t]
        if t == n_time - 1:
            torch.mul(grad_spikes[t], g, out=a)
        else:
            a_next, gs = grad_current[t + 1], grad_spikes[t]
            if not detach_reset:  # dL/ds_t gets a_{t+1} * dv_{t+1}/ds_t: -v_t (zero), -theta (subtract)
                torch.mul(a_next, v if reset == "zero" else threshold, out=product)
                gs = gs - product
            if reset == "zero":
                torch.mul(a_next, keep, out=a)
            else:
                a.copy_(a_next)
            a.add_(torch.mul(gs, g, out=product))
        if grad_membrane is not None:
            a.add_(grad_membrane[t])
    return grad_current


class IFSequence(torch.autograd.Function):
    """IF recurrence over ``[time, ...]`` input currents; returns ``(spikes, membrane)``."""

    @staticmethod
    def forward(
        ctx,
        current: torch.Tensor,
        threshold: float,
        reset: str,
        surrogate: str,
        slope: float | None,
        detach_reset: bool,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        compiled = kernel.load() if current.device.type == "cpu" else None
        if compiled is not None:
            flat = current.contiguous().reshape(current.shape[0], -1)
            s_all, v_all = (
                t.view(current.shape) for t in compiled.if_forward(flat, threshold, reset == "zero")
            )
        else:
            s_all, v_all = _forward(current, threshold, reset)
        ctx.compiled = compiled
        ctx.save_for_backward(v_all)
        ctx.config = (threshold, reset, surrogate, slope, detach_reset)
        ctx.set_materialize_grads(False)
        return s_all, v_all

    @staticmethod
    def backward(ctx, grad_spikes: torch.Tensor | None, grad_membrane: torch.Tensor | None):
        (v_all,) = ctx.saved_tensors
        if ctx.compiled is None:
            return _backward(v_all, grad_spikes, grad_membrane, ctx.config), None, None, None, None, None
        threshold, reset, surrogate, slope, detach_reset = ctx.config
        g_all = _EMPTY if surrogate == "post" else _grad(v_all - threshold, surrogate, slope)
        args = [t.contiguous() if t is not None else _EMPTY for t in (grad_spikes, grad_membrane)]
        grad = ctx.compiled.if_backward(
            v_all, *args, g_all.contiguous(), threshold, reset == "zero", detach_reset
        )
        return grad, None, None, None, None, None


def if_sequence(
    current: torch.Tensor,
    threshold: float = 1.0,
    reset: str = "zero",
    surrogate: str = "post",
    slope: float | None = None,
    detach_reset: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the IF neuron over a whole sequence of input currents at once.

    Args:
        current: input currents ``[time, (batch,) neurons]`` (float, threshold units).
        threshold, reset, surrogate, slope, detach_reset: as in :class:`snn_helpers.IF`
            (not checked here: :class:`snn_helpers.Model` checks them).

    Returns:
        ``(spikes, membrane)``, each the shape of ``current``: the same values and, in the
        backward, the same gradients as stepping :class:`snn_helpers.IF` through time.
        Introduced in notebook 06.
    """
    return IFSequence.apply(current, threshold, reset, surrogate, slope, detach_reset)
