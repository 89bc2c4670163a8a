"""The fused IF engine: the whole time axis in one autograd Function.

Introduced in notebook 06 (a fused engine); the leak ``beta`` in notebook 09. The post's loop
records every step in autograd (several graph nodes per step). Here the recurrence over all
steps is one ``torch.autograd.Function`` whose backward is written by hand.

The forward is :class:`snn_helpers.IF`'s step, rounded the same way::

    reset "zero":      v_t = v_{t-1} * (beta * (1 - s_{t-1})) + I_t
    reset "subtract":  v_t = beta * (v_{t-1} - theta * s_{t-1}) + I_t,     s_t = [v_t > theta]

With ``a_t = dL/dv_t`` (total), ``e_t`` the gradient arriving from outside (on the
spikes and on the membrane), ``g`` the surrogate derivative and ``theta`` the threshold,
going back from ``t = T-1`` to ``0`` (``a_T = 0``)::

    dL/ds_t = e^s_t + a_{t+1} * dv_{t+1}/ds_t   dv_{t+1}/ds_t = -beta * v_t  (reset "zero")
                                                              = -beta * theta (reset "subtract")
                                                              = 0   (detach_reset)
    a_t     = e^v_t + a_{t+1} * dv_{t+1}/dv_t + dL/ds_t * g(v_t - theta)
                                      dv_{t+1}/dv_t = beta * (1 - s_t) (zero), beta (subtract)

and ``dL/dI_t = a_t``. The products are taken as autograd takes them through the
loop (``a * (beta * (1 - s))``, never a ``where``), so an exploding gradient explodes and turns
to NaN exactly where it does there. Only the membrane ``v`` is saved; spikes and ``g``
are recomputed from it one step at a time, on slices small enough to stay in cache.

The surrogate is a name of :data:`snn_helpers.SURROGATES` or, for callers that need another
derivative, a function of ``v - theta`` over the whole sequence (notebook 08's ensemble gives
each member its own surrogate, :class:`snn_helpers.course.ensemble.Member`).

On the CPU, for float32 and float64, a compiled kernel (``csrc/if_kernel.cpp``, see
:mod:`snn_helpers.kernel`) runs both loops in C++ when it is built; elsewhere (other
dtypes, other devices) and without it, torch ops do, with the same results to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import torch

from . import kernel
from ._checks import check_tensor
from .neuron import neuron_spec
from .spike import _grad

SurrogateFn = Callable[[torch.Tensor], torch.Tensor]
"""A surrogate derivative as a function: ``g(v - theta)``, the shape of its argument ``[time, ...]``."""

_EMPTY = torch.empty(0)
KERNEL_DTYPES = (torch.float32, torch.float64)
"""The dtypes the C++ kernel is compiled for; others run on torch ops (the same results)."""


# Below this many neurons per step (batch x neurons), the per-step Python overhead dominates
# and whole-sequence precomputation pays; above it, per-step slices that stay in cache win.
SMALL_STEP = 16_384


def _forward(
    current: torch.Tensor, threshold: float, reset: str, beta: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    v_all = torch.empty_like(current)
    v_all[0].copy_(current[0])
    if reset == "zero":
        # keep_{t-1} = beta * (1 - s_{t-1}) = beta * [v_{t-1} <= theta] (a NaN membrane gives 0
        # instead of beta, but NaN * 0 and NaN * beta are both NaN: the same v_t).
        keep = torch.empty_like(current[0])
        for t in range(1, current.shape[0]):
            torch.le(v_all[t - 1], threshold, out=keep)
            if beta == 1:  # v_{t-1} * keep is exact: one fused op rounds as two would
                torch.addcmul(current[t], v_all[t - 1], keep, out=v_all[t])
            else:
                keep.mul_(beta)
                torch.mul(v_all[t - 1], keep, out=v_all[t]).add_(current[t])
    else:
        spikes = torch.empty_like(current[0])
        for t in range(1, current.shape[0]):
            torch.gt(v_all[t - 1], threshold, out=spikes)
            torch.sub(v_all[t - 1], spikes, alpha=threshold, out=v_all[t])
            if beta != 1:  # a product by 1 is exact: skipped
                v_all[t].mul_(beta)
            v_all[t].add_(current[t])
    s_all = torch.empty_like(current)
    torch.gt(v_all, threshold, out=s_all)
    return s_all, v_all


def _surrogate_grad(
    v_all: torch.Tensor, threshold: float, surrogate: str | SurrogateFn, slope: float | None
) -> torch.Tensor | None:
    """``g(v - theta)`` over the whole sequence; None for "post", whose ``g`` is the spikes."""
    if callable(surrogate):
        return surrogate(v_all - threshold)
    return None if surrogate == "post" else _grad(v_all - threshold, surrogate, slope)


def _backward(
    v_all: torch.Tensor,
    grad_spikes: torch.Tensor | None,
    grad_membrane: torch.Tensor | None,
    config: tuple[float, str, str | SurrogateFn, float | None, bool, float],
) -> torch.Tensor:
    # Every product and sum is its own rounded operation, in the C++ kernel's order (no fused
    # multiply-add): with or without the kernel, the same gradients to the last bit. A product
    # by beta = 1 is exact, so it is skipped.
    threshold, reset, surrogate, slope, detach_reset, beta = config
    n_time = v_all.shape[0]
    grad_current = torch.empty_like(v_all)
    if grad_spikes is None:
        grad_spikes = torch.zeros_like(v_all)
    g_all = _surrogate_grad(v_all, threshold, surrogate, slope)
    small = v_all[0].numel() <= SMALL_STEP
    if small:  # spikes and keep = beta * (1 - s) for all steps at once (few large ops)
        spikes_all = (v_all > threshold).to(v_all.dtype)
        keep_all = 1 - spikes_all
        if beta != 1:
            keep_all.mul_(beta)
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
            if beta != 1:
                keep.mul_(beta)
        g = spikes if g_all is None else g_all[t]
        if t == n_time - 1:
            torch.mul(grad_spikes[t], g, out=a)
        else:
            a_next, gs = grad_current[t + 1], grad_spikes[t]
            if reset == "zero":
                if not detach_reset:  # dL/ds_t gets a_{t+1} * dv_{t+1}/ds_t = -beta * (a_{t+1} * v_t)
                    torch.mul(a_next, v, out=product)
                    gs = gs - (product.mul_(beta) if beta != 1 else product)
                torch.mul(a_next, keep, out=a)
            else:
                carried = a_next if beta == 1 else torch.mul(a_next, beta, out=a)
                if not detach_reset:  # dL/ds_t gets -(beta * a_{t+1}) * theta
                    gs = gs - torch.mul(carried, threshold, out=product)
                if carried is not a:
                    a.copy_(carried)
            a.add_(torch.mul(gs, g, out=product))
        if grad_membrane is not None:
            a.add_(grad_membrane[t])
    return grad_current


def _compiled(current: torch.Tensor) -> ModuleType | None:
    """The C++ kernel where it applies (a float32/float64 CPU tensor) and is built, else None."""
    if current.device.type != "cpu" or current.dtype not in KERNEL_DTYPES:
        return None
    return kernel.load()


class IFSequence(torch.autograd.Function):
    """IF (LIF) recurrence over ``[time, ...]`` input currents; returns ``(spikes, membrane)``.

    Call it through :func:`if_sequence`, which checks the arguments.

    Introduced in notebook 06.
    """

    @staticmethod
    def forward(
        ctx,
        current: torch.Tensor,
        threshold: float,
        reset: str,
        surrogate: str | SurrogateFn,
        slope: float | None,
        detach_reset: bool,
        beta: float = 1.0,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        compiled = _compiled(current)
        if compiled is not None:
            flat = current.contiguous().reshape(current.shape[0], -1)
            s_all, v_all = (
                t.view(current.shape)
                for t in compiled.if_forward(flat, threshold, reset == "zero", float(beta))
            )
        else:
            s_all, v_all = _forward(current, threshold, reset, beta)
        ctx.compiled = compiled
        ctx.save_for_backward(v_all)
        ctx.config = (threshold, reset, surrogate, slope, detach_reset, beta)
        ctx.set_materialize_grads(False)
        return s_all, v_all

    @staticmethod
    def backward(ctx, grad_spikes: torch.Tensor | None, grad_membrane: torch.Tensor | None):
        (v_all,) = ctx.saved_tensors
        nones = (None,) * 6
        if ctx.compiled is None:
            return _backward(v_all, grad_spikes, grad_membrane, ctx.config), *nones
        threshold, reset, surrogate, slope, detach_reset, beta = ctx.config
        # g over the sequence, in a buffer of its own: the kernel overwrites it with the gradient
        g_all = _surrogate_grad(v_all, threshold, surrogate, slope)
        g_all = _EMPTY if g_all is None else g_all.contiguous()
        args = [t.contiguous() if t is not None else _EMPTY for t in (grad_spikes, grad_membrane)]
        grad = ctx.compiled.if_backward(
            v_all, *args, g_all, threshold, reset == "zero", detach_reset, float(beta)
        )
        return grad, *nones


def if_sequence(
    current: torch.Tensor,
    *,
    threshold: float = 1.0,
    reset: str = "zero",
    beta: float = 1.0,
    surrogate: str | SurrogateFn = "post",
    slope: float | None = None,
    detach_reset: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the IF neuron (leaky if ``beta < 1``) over a whole sequence of input currents at once.

    Args:
        current: input currents ``[time, (batch,) neurons]`` (float, threshold units; at least
            one step). NaN is allowed: it propagates as in the loop.
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, as in
            :class:`snn_helpers.IF` (the fields of :class:`snn_helpers.core.neuron.NeuronSpec`), checked the
            same way (``slope=None`` takes the surrogate's default). ``surrogate`` may also be a
            function ``g(v - theta)`` of the membrane's distance to threshold over the whole
            sequence, returning a new tensor of that shape, which the engine may overwrite (then
            ``slope`` must be None): notebook 08 gives each member of an ensemble its own derivative so.

    Returns:
        ``(spikes, membrane)``, each the shape of ``current``: the same values and, in the
        backward, the same gradients (up to the order of a sum) as stepping
        :class:`snn_helpers.IF` through time. Introduced in notebook 06.

    Raises:
        TypeError, ValueError: an argument of the wrong type or out of range, naming it.
    """
    check_tensor("current", current, allow_nan=True)
    if current.dim() == 0 or current.shape[0] == 0:
        raise ValueError(
            "current must be [time, (batch,) neurons] with at least one step; "
            f"got shape {tuple(current.shape)}"
        )
    function = callable(surrogate)
    if function and slope is not None:
        raise ValueError(f"slope must be None when surrogate is a function; got slope={slope!r}")
    n = neuron_spec(
        threshold=threshold,
        reset=reset,
        beta=beta,
        surrogate="post" if function else surrogate,
        slope=slope,
        detach_reset=detach_reset,
    )
    if function:
        n = n._replace(surrogate=surrogate)
    return IFSequence.apply(current, n.threshold, n.reset, n.surrogate, n.slope, n.detach_reset, n.beta)
