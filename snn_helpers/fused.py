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

and ``dL/dI_t = a_t``. The products are taken in the same order as autograd takes
them through the loop, so an exploding gradient explodes (and turns to NaN) exactly
as it does there. Only the membrane ``v`` is saved; the spikes and ``g`` are
recomputed from it in the backward.
"""

from __future__ import annotations

import torch

from .spike import _grad


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
        v_all = torch.empty_like(current)
        s_all = torch.empty_like(current)
        torch.gt(current[0], threshold, out=s_all[0])
        v_all[0].copy_(current[0])
        for t in range(1, current.shape[0]):
            v, v_prev, s_prev = v_all[t], v_all[t - 1], s_all[t - 1]
            if reset == "zero":
                torch.mul(v_prev, 1 - s_prev, out=v)
            else:
                torch.sub(v_prev, s_prev, alpha=threshold, out=v)
            v.add_(current[t])
            torch.gt(v, threshold, out=s_all[t])
        ctx.save_for_backward(v_all)
        ctx.config = (threshold, reset, surrogate, slope, detach_reset)
        ctx.set_materialize_grads(False)
        return s_all, v_all

    @staticmethod
    def backward(ctx, grad_spikes: torch.Tensor, grad_membrane: torch.Tensor):
        (v_all,) = ctx.saved_tensors
        if grad_spikes is None:
            grad_spikes = torch.zeros_like(v_all)
        threshold, reset, surrogate, slope, detach_reset = ctx.config
        x = v_all - threshold
        g_all = _grad(x, surrogate, slope)
        keep_all = 1 - (x > 0).to(x.dtype) if reset == "zero" else None
        grad_current = torch.empty_like(v_all)
        n_time = v_all.shape[0]
        for t in range(n_time - 1, -1, -1):
            a = grad_current[t]
            if t == n_time - 1:
                torch.mul(grad_spikes[t], g_all[t], out=a)
            else:
                a_next = grad_current[t + 1]
                if detach_reset:
                    gs = grad_spikes[t]
                elif reset == "zero":
                    gs = grad_spikes[t] - a_next * v_all[t]
                else:
                    gs = grad_spikes[t] - a_next * threshold
                if reset == "zero":
                    torch.mul(a_next, keep_all[t], out=a)
                else:
                    a.copy_(a_next)
                a.addcmul_(gs, g_all[t])
            if grad_membrane is not None:
                a.add_(grad_membrane[t])
        return grad_current, None, None, None, None, None


def if_sequence(
    current: torch.Tensor,
    threshold: float = 1.0,
    reset: str = "zero",
    surrogate: str = "seed",
    slope: float | None = None,
    detach_reset: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the IF neuron over a whole sequence of input currents at once.

    Args:
        current: input currents ``[time, (batch,) neurons]`` (float).
        threshold, reset, surrogate, slope, detach_reset: as in :class:`snn_helpers.IF`
            (already checked: call through :class:`snn_helpers.Model` or check them).

    Returns:
        ``(spikes, membrane)``, each the shape of ``current``: the same values and, in the
        backward, the same gradients as stepping :class:`snn_helpers.IF` through time.
    """
    return IFSequence.apply(current, threshold, reset, surrogate, slope, detach_reset)
