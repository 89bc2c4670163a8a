"""The ensemble's own IF autograd Function before it moved onto the fused engine (test reference only).

Kept as it was in snn_helpers/course/ensemble.py at a2720d0 (issue 26, part 3), so that
tests/test_ensemble.py can show that the ensemble on :func:`snn_helpers.if_sequence` trains to the same
losses, accuracies and weights, to the last bit. ``surrogates`` is the ensemble's ``_Surrogates``.
"""

import torch


class EnsembleIFReference(torch.autograd.Function):
    """IF recurrence over ``[time, members, ...]``, returning the spikes; each member's own surrogate
    in the backward.

    The arithmetic of :class:`snn_helpers.fused.IFSequence`, in the same order (so the same spikes
    and, with one member, the same gradients to the last bit), on torch ops: the forward one time
    step at a time (a step's slice of all members stays in cache), the backward with the surrogate
    computed once over the whole sequence and, with a detached reset, one multiply-add per step. The
    membrane is this function's own (not returned), so with a detached reset the backward reuses its
    memory: a second backward through the same graph then raises autograd's in-place error instead of
    giving wrong values.
    """

    @staticmethod
    def forward(ctx, current, threshold, reset, detach_reset, surrogates):
        current = current.contiguous()
        v_all = torch.empty_like(current)
        v_all[0].copy_(current[0])
        step = torch.empty_like(current[0])
        for t in range(1, current.shape[0]):
            if reset == "zero":  # v_t = v_{t-1} * (1 - s_{t-1}) + I_t, with 1 - s = [v <= theta]
                torch.le(v_all[t - 1], threshold, out=step)
                torch.addcmul(current[t], v_all[t - 1], step, out=v_all[t])
            else:  # v_t = (v_{t-1} - theta * s_{t-1}) + I_t
                torch.gt(v_all[t - 1], threshold, out=step)
                torch.sub(v_all[t - 1], step, alpha=threshold, out=v_all[t]).add_(current[t])
        spikes = torch.gt(v_all, threshold, out=torch.empty_like(v_all))  # 0.0 / 1.0
        ctx.config, ctx.surrogates = (threshold, reset, detach_reset), surrogates
        ctx.save_for_backward(v_all)
        return spikes

    @staticmethod
    def backward(ctx, grad_spikes):
        (v_all,) = ctx.saved_tensors
        threshold, reset, detach_reset = ctx.config
        n_time = v_all.shape[0]
        # a_t = dL/dv_t = a_{t+1} * dv_{t+1}/dv_t + gs_t * g_t; dv_{t+1}/dv_t = 1 - s_t = [v_t <= theta]
        # (zero reset) or 1 (subtract)
        if detach_reset:
            x = v_all.sub_(threshold)  # v - theta, in the membrane's memory
            # a clone: today's _Surrogates.grad writes over its argument (the old one did not)
            grad = ctx.surrogates.grad(x.clone()).mul_(grad_spikes)  # [T, M, ...]: gs_t * g_t
            keep = torch.le(x, 0.0, out=x) if reset == "zero" else None
            for t in range(n_time - 2, -1, -1):
                if keep is not None:
                    grad[t].addcmul_(grad[t + 1], keep[t])
                else:
                    grad[t].add_(grad[t + 1])
            return grad, None, None, None, None
        g = ctx.surrogates.grad(v_all - threshold)
        grad = torch.empty_like(v_all)
        for t in range(n_time - 1, -1, -1):  # the reset's own path too: dv_{t+1}/ds_t = -v_t or -theta
            gs = grad_spikes[t]
            if t == n_time - 1:
                torch.mul(gs, g[t], out=grad[t])
            else:
                a_next = grad[t + 1]
                v = v_all[t]
                gs = gs - a_next * (v if reset == "zero" else threshold)
                if reset == "zero":
                    torch.mul(a_next, (v <= threshold).to(v.dtype), out=grad[t])
                else:
                    grad[t].copy_(a_next)
                grad[t].add_(gs * g[t])
        return grad, None, None, None, None
