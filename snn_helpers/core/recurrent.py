"""A recurrent layer of leaky integrate-and-fire (LIF) neurons, and its fused engine.

Introduced in notebook 12 (time matters: a temporal task and a recurrent layer); the adaptive
threshold in notebook 14 (memory).

One step, with ``s`` the spikes (0/1), ``theta`` the threshold, ``beta`` the leak factor
(``exp(-dt / tau)``; 1 is the IF neuron of notebook 02), ``I_t = W_in x_t + b`` the input
current and ``W_rec`` the recurrent weight (``[hidden, hidden]``, row ``i`` the synapses onto
neuron ``i``)::

    reset "zero":      v_t = beta * v_{t-1} * (1 - s_{t-1}) + I_t + W_rec s_{t-1}
    reset "subtract":  v_t = beta * (v_{t-1} - theta * s_{t-1}) + I_t + W_rec s_{t-1}
    s_t = H(v_t - theta)   (step forward, surrogate backward)

The neuron is :class:`snn_helpers.IF`'s, with the same subtract rule (the reset acts at the step
after the spike, then what is left leaks); without recurrent weights the layer computes exactly
:func:`snn_helpers.if_sequence` (tests/test_parity.py). ``detach_reset`` stops the gradient through
the reset term only (the recurrent synapses still carry it). The state starts at ``v = 0, s = 0``.

**The adaptive threshold** (notebook 14; the LSNN of Bellec et al. 2018, "Long short-term memory and
learning-to-learn in networks of spiking neurons"): with ``adapt_decay`` ``rho = exp(-dt / tau_a)`` in
(0, 1) and ``adapt_strength`` ``beta_a >= 0``, each neuron also keeps an adaptation ``a``
(``a_0 = 0``) that every spike raises and that decays with its own time constant ``tau_a``::

    a_t = rho * a_{t-1} + (1 - rho) * s_{t-1}
    A_t = theta + beta_a * a_t                  (the threshold, theta at t = 0)
    reset "zero":      v_t as above
    reset "subtract":  v_t = beta * (v_{t-1} - A_{t-1} * s_{t-1}) + I_t + W_rec s_{t-1}
    s_t = H(v_t - A_t)   (surrogate backward on v_t - A_t)

so the subtract reset removes the threshold the spike crossed. The gradient flows through ``a``
(full BPTT); ``detach_reset`` detaches the spike in the reset term only, so ``A_{t-1}`` in the
subtract reset and the adaptation keep theirs. With ``adapt_strength`` 0 (or ``adapt_decay`` None)
the layer runs the plain neurons' code: bit for bit the layer without adaptation.

Two engines give the same spikes and gradients equal up to rounding:

- ``"loop"``: the steps above with plain autograd (the reference; torch records every step);
- ``"fused"``: the input Linear leaves the loop (one matrix product over all steps), the
  recurrence runs in one ``torch.autograd.Function`` whose backward through time is written by
  hand. With ``p_t = dL/dv_t``, ``e_t`` the gradient arriving on the spikes, ``g_t`` the
  surrogate derivative, from ``t = T-1`` down to 0 (``p_T = 0``)::

      dL/ds_t = e_t + p_{t+1} W_rec + p_{t+1} * dv_{t+1}/ds_t|reset
                dv_{t+1}/ds_t|reset = -beta v_t (zero), -beta theta (subtract), 0 (detach_reset)
      p_t     = p_{t+1} * beta (1 - s_t) (zero) or p_{t+1} * beta (subtract)  + dL/ds_t * g_t

  ``dL/dI_t = p_t``; ``dL/dW_rec = sum_t p_t^T s_{t-1}``, one matrix product over all steps
  after the loop. The recurrent product ``p_{t+1} W_rec`` needs ``p_{t+1}``, so it cannot leave
  the loop (nor can ``W_rec s_{t-1}`` in the forward, which needs the previous step's spikes).
  Only the membrane is saved; spikes and ``g`` are recomputed from it.

  With adaptation (:class:`AdaptiveLIFSequence`) a second adjoint ``q_t = dL/da_t`` runs beside
  ``p_t`` (``q_T = 0``). ``s_t`` depends on ``v_t - A_t``, so ``ds_t/dv_t = g_t`` and
  ``ds_t/da_t = -beta_a g_t``; ``s_t`` feeds ``a_{t+1}`` with weight ``1 - rho``; ``A_t`` feeds
  ``s_t`` and, under the subtract reset, ``v_{t+1}`` with weight ``-beta s_t``. With ``h_t`` the
  gradient arriving on the returned thresholds::

      dL/ds_t = e_t + p_{t+1} W_rec + p_{t+1} * dv_{t+1}/ds_t|reset + q_{t+1} (1 - rho)
                dv_{t+1}/ds_t|reset = -beta v_t (zero), -beta A_t (subtract), 0 (detach_reset)
      p_t     = as above, with this dL/ds_t
      dL/dA_t = h_t - dL/ds_t * g_t  [- p_{t+1} beta s_t (subtract, even with detach_reset)]
      q_t     = rho q_{t+1} + beta_a dL/dA_t

  ``dL/dI_t`` and ``dL/dW_rec`` as above (with ``s_{t-1} = H(v_{t-1} - A_{t-1})``). Membranes and
  thresholds are saved (``2 x [time, batch, hidden]``); spikes and ``g`` are recomputed.

On the CPU, a compiled kernel (``csrc/recurrent_kernel.cpp``, see
:mod:`snn_helpers.recurrent_kernel`) runs both loops in C++ when it could be built (the adaptive
ones too: ``forward_adaptive``, ``backward_adaptive``); it calls the same matrix product as torch
and rounds every other operation as the torch-ops path does, so the results are the same to the
last bit with or without it. On other devices (CUDA) and in half precision (bfloat16, float16),
torch ops run.
"""

from __future__ import annotations

import math
from types import ModuleType

import torch
from torch import nn

from . import recurrent_kernel
from ._checks import check_bool, check_choice, check_positive, check_tensor
from .neuron import NeuronSpec, neuron_spec
from .spike import _grad, spike

ENGINES = ("loop", "fused")
KERNEL_DTYPES = (torch.float32, torch.float64)
RECURRENT_INITS = ("uniform", "zero")
_EMPTY = torch.empty(0)


def _check_sequence_args(current: object, weight: object, **neuron: object) -> NeuronSpec:
    """Check the current and the recurrent weight; the neuron's fields as :func:`neuron_spec` does."""
    check_tensor("current", current, allow_nan=True)
    if current.dim() != 3:
        raise ValueError(
            f"current must have 3 dims [time, batch, hidden]; got {current.dim()} dims, "
            f"shape {tuple(current.shape)}"
        )
    if weight is not None:
        check_tensor("weight", weight)
        hidden = current.shape[-1]
        if tuple(weight.shape) != (hidden, hidden):
            raise ValueError(
                f"weight must have shape [hidden, hidden] = ({hidden}, {hidden}); got {tuple(weight.shape)}"
            )
        if weight.dtype != current.dtype or weight.device != current.device:
            raise ValueError(
                f"weight must have current's dtype and device ({current.dtype}, {current.device}); "
                f"got {weight.dtype}, {weight.device}"
            )
    return neuron_spec(**neuron)


def check_adaptation(adapt_decay: object, adapt_strength: object) -> tuple[float | None, float]:
    """Check the adaptive threshold's two numbers; return them as ``(float or None, float)``.

    ``adapt_decay`` (``rho = exp(-dt / tau_a)``) is None (no adaptation) or a number in (0, 1);
    ``adapt_strength`` (``beta_a``, threshold units per unit of adaptation) a finite number >= 0,
    and above 0 only with an ``adapt_decay``. TypeError/ValueError naming the argument otherwise.
    Introduced in notebook 14.
    """
    if adapt_decay is not None:
        if isinstance(adapt_decay, bool) or not isinstance(adapt_decay, int | float):
            raise TypeError(
                "adapt_decay must be None or a number in (0, 1) (rho = exp(-dt/tau_a)); "
                f"got {type(adapt_decay).__name__} {adapt_decay!r}"
            )
        if not 0 < adapt_decay < 1:  # NaN fails this too
            raise ValueError(
                f"adapt_decay must be None or a number in (0, 1) (rho = exp(-dt/tau_a)); got {adapt_decay!r}"
            )
        adapt_decay = float(adapt_decay)
    if isinstance(adapt_strength, bool) or not isinstance(adapt_strength, int | float):
        raise TypeError(
            f"adapt_strength must be a number >= 0; got {type(adapt_strength).__name__} {adapt_strength!r}"
        )
    if not (adapt_strength >= 0 and math.isfinite(adapt_strength)):
        raise ValueError(f"adapt_strength must be a finite number >= 0; got {adapt_strength!r}")
    if adapt_strength > 0 and adapt_decay is None:
        raise ValueError(
            f"adapt_strength={adapt_strength!r} needs adapt_decay, the adaptation's decay in (0, 1); "
            "got adapt_decay=None"
        )
    return adapt_decay, float(adapt_strength)


def _compiled(current: torch.Tensor) -> ModuleType | None:
    """The C++ kernel where it applies (a float32/float64 CPU tensor) and is built, else None
    (half precision and other devices run on torch ops, with or without a compiler)."""
    if current.device.type != "cpu" or current.dtype not in KERNEL_DTYPES:
        return None
    return recurrent_kernel.load()


def _forward(
    current: torch.Tensor, weight: torch.Tensor | None, beta: float, threshold: float, zero: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Torch ops in the kernel's order: ``((beta v) * keep + I) + s W^T`` (zero reset),
    ``(beta (v - theta s) + I) + s W^T`` (subtract)."""
    v_all = torch.empty_like(current)
    s_all = torch.empty_like(current)
    v_all[0].copy_(current[0])
    torch.gt(v_all[0], threshold, out=s_all[0])
    decayed = torch.empty_like(current[0])
    w_t = weight.t() if weight is not None else None
    for t in range(1, current.shape[0]):
        v, s_prev = v_all[t], s_all[t - 1]
        if zero:  # keep = 1 - s is 0 or 1, so decayed * keep is exact: one fused op rounds the same
            torch.mul(v_all[t - 1], beta, out=decayed)
            torch.addcmul(current[t], decayed, 1 - s_prev, out=v)
        else:  # theta * s is exact (s is 0 or 1): v - theta s, then the leak, then the input
            torch.sub(v_all[t - 1], s_prev, alpha=threshold, out=v).mul_(beta).add_(current[t])
        if w_t is not None:
            v.add_(torch.mm(s_prev, w_t))
        torch.gt(v, threshold, out=s_all[t])
    return s_all, v_all


def _backward(
    v_all: torch.Tensor,
    weight: torch.Tensor | None,
    grad_spikes: torch.Tensor | None,
    grad_membrane: torch.Tensor | None,
    g_all: torch.Tensor,
    config: tuple[float, float, bool, bool],
) -> torch.Tensor:
    """dL/dI over all steps (``a_t`` here is the docstring's ``p_t = dL/dv_t``); every product and
    sum rounded separately, in the kernel's order."""
    beta, threshold, zero, detach = config
    n_time = v_all.shape[0]
    grad_current = torch.empty_like(v_all)
    spikes_all = (v_all > threshold).to(v_all.dtype)
    keep_beta = (1 - spikes_all) * beta  # beta or 0: exact
    if grad_spikes is None:
        grad_spikes = torch.zeros_like(v_all)
    for t in range(n_time - 1, -1, -1):
        a, g = grad_current[t], g_all[t]
        if t == n_time - 1:
            torch.mul(grad_spikes[t], g, out=a)
        else:
            a_next, gs = grad_current[t + 1], grad_spikes[t]
            if not detach:  # the reset term: -beta v_t (zero) or -(beta a_{t+1}) theta (subtract)
                gs = gs - (a_next * (v_all[t] * beta) if zero else (a_next * beta) * threshold)
            if weight is not None:
                gs = gs + torch.mm(a_next, weight)
            torch.mul(a_next, keep_beta[t] if zero else beta, out=a)
            a.add_(gs * g)
        if grad_membrane is not None:
            a.add_(grad_membrane[t])
    return grad_current


class RecurrentLIFSequence(torch.autograd.Function):
    """The recurrence over ``[time, batch, hidden]`` input currents; returns ``(spikes, membrane)``.

    Introduced in notebook 12.
    """

    @staticmethod
    def forward(
        ctx,
        current: torch.Tensor,
        weight: torch.Tensor | None,
        beta: float,
        threshold: float,
        reset: str,
        surrogate: str,
        slope: float | None,
        detach_reset: bool,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        zero = reset == "zero"
        compiled = _compiled(current)
        if compiled is not None:
            w = weight.contiguous() if weight is not None else _EMPTY
            s_all, v_all = compiled.forward(current.contiguous(), w, beta, threshold, zero)
        else:
            s_all, v_all = _forward(current, weight, beta, threshold, zero)
        ctx.compiled = compiled
        ctx.save_for_backward(v_all, weight)
        ctx.config = (beta, threshold, zero, detach_reset, surrogate, slope)
        ctx.set_materialize_grads(False)
        return s_all, v_all

    @staticmethod
    def backward(ctx, grad_spikes: torch.Tensor | None, grad_membrane: torch.Tensor | None):
        v_all, weight = ctx.saved_tensors
        beta, threshold, zero, detach, surrogate, slope = ctx.config
        g_all = _grad(v_all - threshold, surrogate, slope)
        if ctx.compiled is None:
            grad = _backward(
                v_all, weight, grad_spikes, grad_membrane, g_all, (beta, threshold, zero, detach)
            )
        else:
            args = [t.contiguous() if t is not None else _EMPTY for t in (weight, grad_spikes, grad_membrane)]
            grad = ctx.compiled.backward(v_all, *args, g_all.contiguous(), beta, threshold, zero, detach)
        grad_weight = None
        if weight is not None and ctx.needs_input_grad[1]:
            hidden = v_all.shape[-1]
            spikes_before = (v_all[:-1] > threshold).to(v_all.dtype).reshape(-1, hidden)
            grad_weight = torch.mm(grad[1:].reshape(-1, hidden).t(), spikes_before)
        return grad, grad_weight, None, None, None, None, None, None


def _forward_adaptive(
    current: torch.Tensor,
    weight: torch.Tensor | None,
    config: tuple[float, float, bool, float, float],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Torch ops in the kernel's order: ``a_t = rho a_{t-1} + (1 - rho) s_{t-1}``,
    ``A_t = theta + beta_a a_t``, then the membrane as :func:`_forward` with ``A_{t-1}`` in the
    subtract reset; ``s_t = v_t > A_t``. Returns spikes, membranes and thresholds."""
    beta, threshold, zero, rho, strength = config
    rise = 1 - rho  # (1 - rho) s is exact (s is 0 or 1): one fused multiply-add rounds the same
    v_all = torch.empty_like(current)
    s_all = torch.empty_like(current)
    a_all = torch.empty_like(current)
    adapt = torch.zeros_like(current[0])  # a_0 = 0
    torch.mul(adapt, strength, out=a_all[0]).add_(threshold)  # A_0 = theta + beta_a * 0 = theta
    v_all[0].copy_(current[0])
    torch.gt(v_all[0], a_all[0], out=s_all[0])
    decayed = torch.empty_like(current[0])
    w_t = weight.t() if weight is not None else None
    for t in range(1, current.shape[0]):
        v, s_prev = v_all[t], s_all[t - 1]
        torch.mul(adapt, rho, out=adapt).add_(s_prev, alpha=rise)
        torch.mul(adapt, strength, out=a_all[t]).add_(threshold)
        if zero:
            torch.mul(v_all[t - 1], beta, out=decayed)
            torch.addcmul(current[t], decayed, 1 - s_prev, out=v)
        else:  # A_{t-1} s_{t-1} is exact (s is 0 or 1): v - A s, then the leak, then the input
            torch.mul(a_all[t - 1], s_prev, out=decayed)
            torch.sub(v_all[t - 1], decayed, out=v).mul_(beta).add_(current[t])
        if w_t is not None:
            v.add_(torch.mm(s_prev, w_t))
        torch.gt(v, a_all[t], out=s_all[t])
    return s_all, v_all, a_all


def _backward_adaptive(
    v_all: torch.Tensor,
    a_all: torch.Tensor,
    weight: torch.Tensor | None,
    grads: tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor | None],
    g_all: torch.Tensor,
    config: tuple[float, bool, bool, float, float],
) -> torch.Tensor:
    """dL/dI over all steps (the adjoints of the module docstring); every product and sum rounded
    separately, in the kernel's order. ``grads``: the gradients on spikes, membranes, thresholds."""
    beta, zero, detach, rho, strength = config
    grad_spikes, grad_membrane, grad_threshold = grads
    rise = 1 - rho
    n_time = v_all.shape[0]
    grad_current = torch.empty_like(v_all)  # p_t = dL/dv_t
    q = torch.zeros_like(v_all[0])  # q_{t+1} = dL/da_{t+1}
    spikes_all = (v_all > a_all).to(v_all.dtype)
    keep_beta = (1 - spikes_all) * beta  # beta or 0: exact
    if grad_spikes is None:
        grad_spikes = torch.zeros_like(v_all)
    for t in range(n_time - 1, -1, -1):
        p, g, last = grad_current[t], g_all[t], t == n_time - 1
        sigma = grad_spikes[t]  # dL/ds_t
        if not last:
            p_next = grad_current[t + 1]
            if not detach:  # the reset term: -beta v_t (zero) or -(beta p_{t+1}) A_t (subtract)
                sigma = sigma - (p_next * (v_all[t] * beta) if zero else (p_next * beta) * a_all[t])
            if weight is not None:
                sigma = sigma + torch.mm(p_next, weight)
            sigma = sigma + q * rise
        sg = sigma * g
        if last:
            p.copy_(sg)
        else:
            torch.mul(p_next, keep_beta[t] if zero else beta, out=p)
            p.add_(sg)
        if grad_membrane is not None:
            p.add_(grad_membrane[t])
        r = -sg if grad_threshold is None else grad_threshold[t] - sg  # dL/dA_t
        if not last and not zero:  # the subtract reset removes A_t s_t (kept even with detach_reset)
            r = r - (p_next * beta) * spikes_all[t]
        q = r * strength if last else q * rho + r * strength
    return grad_current


class AdaptiveLIFSequence(torch.autograd.Function):
    """The adaptive recurrence over ``[time, batch, hidden]`` input currents; returns
    ``(spikes, membrane, threshold)``, each ``[time, batch, hidden]``. Introduced in notebook 14.
    """

    @staticmethod
    def forward(
        ctx,
        current: torch.Tensor,
        weight: torch.Tensor | None,
        beta: float,
        threshold: float,
        reset: str,
        surrogate: str,
        slope: float | None,
        detach_reset: bool,
        adapt_decay: float,
        adapt_strength: float,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        zero = reset == "zero"
        compiled = _compiled(current)
        if compiled is not None:
            w = weight.contiguous() if weight is not None else _EMPTY
            s_all, v_all, a_all = compiled.forward_adaptive(
                current.contiguous(), w, beta, threshold, zero, adapt_decay, adapt_strength
            )
        else:
            config = (beta, threshold, zero, adapt_decay, adapt_strength)
            s_all, v_all, a_all = _forward_adaptive(current, weight, config)
        ctx.compiled = compiled
        ctx.save_for_backward(v_all, a_all, weight)
        ctx.config = (beta, zero, detach_reset, adapt_decay, adapt_strength, surrogate, slope)
        ctx.set_materialize_grads(False)
        return s_all, v_all, a_all

    @staticmethod
    def backward(ctx, grad_spikes, grad_membrane, grad_threshold):
        v_all, a_all, weight = ctx.saved_tensors
        beta, zero, detach, rho, strength, surrogate, slope = ctx.config
        g_all = _grad(v_all - a_all, surrogate, slope)
        if ctx.compiled is None:
            grads = (grad_spikes, grad_membrane, grad_threshold)
            grad = _backward_adaptive(v_all, a_all, weight, grads, g_all, (beta, zero, detach, rho, strength))
        else:
            args = [
                t.contiguous() if t is not None else _EMPTY
                for t in (weight, grad_spikes, grad_membrane, grad_threshold)
            ]
            grad = ctx.compiled.backward_adaptive(
                v_all, a_all, *args, g_all.contiguous(), beta, zero, detach, rho, strength
            )
        grad_weight = None
        if weight is not None and ctx.needs_input_grad[1]:
            hidden = v_all.shape[-1]
            spikes_before = (v_all[:-1] > a_all[:-1]).to(v_all.dtype).reshape(-1, hidden)
            grad_weight = torch.mm(grad[1:].reshape(-1, hidden).t(), spikes_before)
        return grad, grad_weight, None, None, None, None, None, None, None, None


def recurrent_lif_sequence(
    current: torch.Tensor,
    weight: torch.Tensor | None,
    *,
    threshold: float = 1.0,
    reset: str = "zero",
    beta: float = 1.0,
    surrogate: str = "fast_sigmoid",
    slope: float | None = None,
    detach_reset: bool = False,
    adapt_decay: float | None = None,
    adapt_strength: float = 0.0,
    return_threshold: bool = False,
) -> tuple[torch.Tensor, ...]:
    """Run the recurrent LIF neurons over a whole sequence of input currents at once (fused engine).

    Args:
        current: input currents ``I_t``, ``[time, batch, hidden]`` (float, threshold units).
        weight: recurrent weight ``W_rec`` ``[hidden, hidden]`` (same dtype and device), or None
            for no recurrence (a feed-forward LIF layer).
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, as in :class:`snn_helpers.IF`
            (the fields of :class:`snn_helpers.core.neuron.NeuronSpec`; the surrogate defaults to
            "fast_sigmoid" here).
        adapt_decay, adapt_strength: keyword-only, the adaptive threshold of :class:`RecurrentLIF`
            (``rho`` in (0, 1) or None, ``beta_a >= 0``; notebook 14). With ``adapt_strength`` 0
            the neurons are the plain ones, computed exactly as without these arguments.
        return_threshold: also return the thresholds ``A_t`` (``theta`` throughout without adaptation).

    Returns:
        ``(spikes, membrane)``, each ``[time, batch, hidden]`` (with ``return_threshold``,
        ``(spikes, membrane, threshold)``): the same values as stepping :class:`RecurrentLIF` with
        ``engine="loop"``, and gradients equal up to rounding. Introduced in notebook 12 (the
        adaptation in notebook 14).
    """
    n = _check_sequence_args(
        current,
        weight,
        threshold=threshold,
        reset=reset,
        beta=beta,
        surrogate=surrogate,
        slope=slope,
        detach_reset=detach_reset,
    )
    adapt_decay, adapt_strength = check_adaptation(adapt_decay, adapt_strength)
    check_bool("return_threshold", return_threshold)
    if adapt_strength > 0:
        outputs = AdaptiveLIFSequence.apply(
            current, weight, n.beta, n.threshold, n.reset, n.surrogate, n.slope, n.detach_reset,
            adapt_decay, adapt_strength,
        )  # fmt: skip
        return outputs if return_threshold else outputs[:2]
    spikes, membrane = RecurrentLIFSequence.apply(
        current, weight, n.beta, n.threshold, n.reset, n.surrogate, n.slope, n.detach_reset
    )
    if return_threshold:
        return spikes, membrane, torch.full_like(membrane, n.threshold)
    return spikes, membrane


class RecurrentLIF(nn.Module):
    """Input Linear, then LIF neurons that also receive their own previous spikes.

    Args:
        n_inputs: input channels per step.
        n_hidden: LIF neurons.
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, as in :class:`snn_helpers.IF`
            (beta defaults to 0.9 and the surrogate to "fast_sigmoid" here); ``layer.neuron`` is the
            checked :class:`snn_helpers.core.neuron.NeuronSpec`.
        recurrent: False drops ``W_rec`` (a feed-forward LIF layer, on the same engine).
        engine: "loop" (step by step, plain autograd) or "fused" (one autograd Function).
        recurrent_init: "uniform" draws ``recurrent_weight`` like a Linear's weight,
            U(-1/sqrt(n_hidden), 1/sqrt(n_hidden)); "zero" starts it at 0 (the layer then starts as
            the feed-forward one, and draws no random number for it).
        adapt_decay: keyword-only, the adaptation's decay per step ``rho = exp(-dt / tau_a)`` in
            (0, 1), or None (the default) for no adaptation. Introduced in notebook 14.
        adapt_strength: keyword-only, ``beta_a >= 0``, the threshold's rise per unit of adaptation
            (threshold units; 0, the default, is no adaptation; above 0 only with an
            ``adapt_decay``). Introduced in notebook 14.

    ``layer.adapt_decay`` and ``layer.adapt_strength`` are plain numbers, checked again at every
    forward pass: setting ``layer.adapt_strength = 0.0`` after training switches the adaptation
    off (the layer is then bit for bit the one without adaptation).

    Parameters: ``input`` (an ``nn.Linear(n_inputs, n_hidden)``) and, if ``recurrent``,
    ``recurrent_weight`` ``[n_hidden, n_hidden]``.

    ``forward(x)`` takes ``x`` of shape ``[time, batch, n_inputs]`` (or ``[time, n_inputs]``) and
    returns the spikes (0.0/1.0) ``[time, batch, n_hidden]`` (or ``[time, n_hidden]``); with
    ``return_membrane=True``, ``(spikes, membrane)``; with ``return_threshold=True``,
    ``(spikes, membrane, threshold)``, the threshold ``A_t`` of the same shape (``theta`` at every
    step without adaptation; notebook 14). Introduced in notebook 12.
    """

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        *,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 0.9,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        detach_reset: bool = False,
        recurrent: bool = True,
        engine: str = "fused",
        recurrent_init: str = "uniform",
        adapt_decay: float | None = None,
        adapt_strength: float = 0.0,
    ) -> None:
        super().__init__()
        check_positive("n_inputs", n_inputs, integer=True)
        check_positive("n_hidden", n_hidden, integer=True)
        check_choice("engine", engine, ENGINES)
        check_choice("recurrent_init", recurrent_init, RECURRENT_INITS)
        check_bool("recurrent", recurrent)
        self.neuron = neuron_spec(
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
        )
        self.threshold, self.reset, self.beta, self.surrogate, self.slope, self.detach_reset = self.neuron
        self.adapt_decay, self.adapt_strength = check_adaptation(adapt_decay, adapt_strength)
        self.engine = engine
        self.n_inputs, self.n_hidden = n_inputs, n_hidden
        self.input = nn.Linear(n_inputs, n_hidden)
        self.recurrent_weight = None
        if recurrent:
            weight = torch.zeros(n_hidden, n_hidden)  # "zero": starts as the feed-forward layer
            if recurrent_init == "uniform":
                bound = 1 / math.sqrt(n_hidden)
                weight.uniform_(-bound, bound)
            self.recurrent_weight = nn.Parameter(weight)

    def forward(
        self, x: torch.Tensor, return_membrane: bool = False, return_threshold: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, ...]:
        check_tensor("x", x)
        check_bool("return_membrane", return_membrane)
        check_bool("return_threshold", return_threshold)
        if x.dim() not in (2, 3) or x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"x must have shape [time, batch, {self.n_inputs}] or [time, {self.n_inputs}]; "
                f"got {tuple(x.shape)}"
            )
        adapt_decay, adapt_strength = check_adaptation(self.adapt_decay, self.adapt_strength)
        adaptive = adapt_strength > 0  # strength 0 (or no decay): the plain layer, bit for bit
        unbatched = x.dim() == 2
        if unbatched:
            x = x.unsqueeze(1)
        if self.engine == "fused" and not adaptive:
            spikes, membrane = RecurrentLIFSequence.apply(
                self.input(x), self.recurrent_weight, self.beta, self.threshold, self.reset,
                self.surrogate, self.slope, self.detach_reset,
            )  # fmt: skip
            threshold = None
        elif self.engine == "fused":
            spikes, membrane, threshold = AdaptiveLIFSequence.apply(
                self.input(x), self.recurrent_weight, self.beta, self.threshold, self.reset,
                self.surrogate, self.slope, self.detach_reset, adapt_decay, adapt_strength,
            )  # fmt: skip
        else:
            spikes, membrane, threshold = self._loop(x, adapt_decay if adaptive else None, adapt_strength)
        if threshold is None:  # no adaptation: the threshold is theta at every step
            threshold = torch.full_like(membrane, self.threshold) if return_threshold else None
        if unbatched:
            spikes, membrane = spikes.squeeze(1), membrane.squeeze(1)
            threshold = threshold.squeeze(1) if threshold is not None else None
        if return_threshold:
            return spikes, membrane, threshold
        return (spikes, membrane) if return_membrane else spikes

    def _loop(
        self, x: torch.Tensor, adapt_decay: float | None, adapt_strength: float
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """The reference: Linear, recurrent product, adaptation, leak, reset and spike at each step,
        under autograd; the thresholds ``A_t`` are None without adaptation."""
        w = self.recurrent_weight
        rho, strength = adapt_decay, adapt_strength
        v = s = adapt = threshold = None
        spikes, membrane, thresholds = [], [], []
        for t in range(x.shape[0]):
            current = self.input(x[t])
            if t == 0:
                v = current
                if rho is not None:  # a_0 = 0, A_0 = theta + beta_a * 0 = theta
                    adapt = torch.zeros_like(current)
                    threshold = self.threshold + strength * adapt
            else:
                s_reset = s.detach() if self.detach_reset else s
                if self.reset == "zero":
                    v = self.beta * v * (1 - s_reset) + current
                elif rho is None:
                    v = self.beta * (v - self.threshold * s_reset) + current
                else:  # subtract the threshold the spike crossed, A_{t-1} (its gradient kept)
                    v = self.beta * (v - threshold * s_reset) + current
                if w is not None:
                    v = v + s @ w.t()
                if rho is not None:
                    adapt = rho * adapt + (1 - rho) * s
                    threshold = self.threshold + strength * adapt
            s = spike(v - (self.threshold if rho is None else threshold), self.surrogate, self.slope)
            spikes.append(s)
            membrane.append(v)
            thresholds.append(threshold)
        thresholds = torch.stack(thresholds) if rho is not None else None
        return torch.stack(spikes), torch.stack(membrane), thresholds

    def extra_repr(self) -> str:
        return (
            f"n_inputs={self.n_inputs}, n_hidden={self.n_hidden}, beta={self.beta}, "
            f"threshold={self.threshold}, "
            f"reset={self.reset!r}, surrogate={self.surrogate!r}, detach_reset={self.detach_reset}, "
            f"recurrent={self.recurrent_weight is not None}, engine={self.engine!r}, "
            f"adapt_decay={self.adapt_decay}, adapt_strength={self.adapt_strength}"
        )
