"""Initializing a layer before training: the post's bias trick, and fluctuation-driven initialization.

Introduced in notebook 04 (the bias-initialization trick, measured); the networks of the post's task
(notebook 03) and of the digits (notebook 07) take it as ``bias_init``. Notebook 13 adds the weights chosen
for a target membrane mean and spread (Rossbroich, Gygax & Zenke 2022): :func:`fluctuation_init_`, with the
closed form :func:`predicted_membrane` and the measurement :func:`measure_membrane`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ._checks import check_beta, check_choice, check_positive, check_tensor

BIAS_INITS = ("uniform", "default")
"""``bias_init`` choices: "uniform" draws the bias from U(0, 1) (the post's trick); "default" keeps
PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""


def init_bias(linear: nn.Linear, bias_init: str) -> None:
    """Apply ``bias_init`` to ``linear``'s bias, in place ("default" leaves PyTorch's draw as it is).

    Args:
        linear: an ``nn.Linear`` just built (its weights drawn by PyTorch).
        bias_init: one of :data:`BIAS_INITS`.

    Raises:
        ValueError: ``bias_init`` not one of :data:`BIAS_INITS`.

    Introduced in notebook 04.
    """
    check_choice("bias_init", bias_init, BIAS_INITS)
    if bias_init == "uniform":
        nn.init.uniform_(linear.bias, 0.0, 1.0)


# ---------------------------------------------------------------------------------------------------
# Fluctuation-driven initialization (Rossbroich, Gygax & Zenke 2022), for the course's step
# v_t = beta * v_{t-1} + I_t with I_t = sum_j w_j s_{j,t} + b and Bernoulli inputs s_{j,t}.


class MembraneStats(NamedTuple):
    """The free membrane's statistics (no spikes, no reset), in threshold units.

    Attributes:
        mean: mean of ``v`` over neurons (and steps).
        std: spread of every ``v`` over neurons and steps: ``sqrt(fluctuation**2 + spread**2)``.
        fluctuation: a neuron's own spread over time (root mean square over the neurons): the input's
            noise, what Rossbroich et al. (2022) call sigma_U.
        spread: the spread over neurons of their own means (each neuron's weights are its own draw).

    Introduced in notebook 13.
    """

    mean: float
    std: float
    fluctuation: float
    spread: float


def _check_rate(rate: object, n_inputs: object) -> tuple[float, float, float, int]:
    """``(sum p, sum p (1 - p), sum p^2, n)`` of the input rates, or a clear error."""
    if isinstance(rate, torch.Tensor):
        check_tensor("rate", rate)
        if rate.dim() != 1 or not len(rate):
            raise ValueError(
                f"rate must be a number or a 1-D tensor [n_inputs]; got shape {tuple(rate.shape)}"
            )
        if n_inputs is not None and n_inputs != len(rate):
            raise ValueError(f"n_inputs must equal len(rate) = {len(rate)} or be None; got {n_inputs!r}")
        if not bool(((rate >= 0) & (rate <= 1)).all()):
            raise ValueError(
                f"rate must hold probabilities per step in [0, 1]; got values from {rate.min().item():.4g} "
                f"to {rate.max().item():.4g}"
            )
        p = rate.detach().double()
        return float(p.sum()), float((p * (1 - p)).sum()), float((p * p).sum()), len(rate)
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise TypeError(
            f"rate must be a probability per step (a number in [0, 1]) or a tensor [n_inputs]; "
            f"got {type(rate).__name__} {rate!r}"
        )
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be a probability per step, in [0, 1]; got {rate!r}")
    if n_inputs is None:
        raise TypeError("n_inputs must be given (a positive integer) when rate is a number; got None")
    check_positive("n_inputs", n_inputs, integer=True)
    p = float(rate)
    return n_inputs * p, n_inputs * p * (1 - p), n_inputs * p * p, n_inputs


def _geometric(beta: float, step: int | None) -> tuple[float, float]:
    """``(sum_s beta^s, sum_s beta^(2*s))`` over s = 0 .. step, or over all s >= 0 (``step=None``)."""
    if step is None:
        if beta == 1.0:
            raise ValueError(
                "beta = 1 (the IF neuron) has no stationary membrane: its mean and variance grow with "
                "every step. Give step=k (statistics at step k, counted from 0) or a beta < 1; "
                "got beta=1.0, step=None"
            )
        return 1 / (1 - beta), 1 / (1 - beta * beta)
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"step must be None (stationary) or an integer >= 0; got {step!r}")
    if beta == 1.0:
        return step + 1.0, step + 1.0
    return (1 - beta ** (step + 1)) / (1 - beta), (1 - beta ** (2 * step + 2)) / (1 - beta * beta)


def predicted_membrane(
    weight_mean: float,
    weight_std: float,
    rate: float | torch.Tensor,
    n_inputs: int | None = None,
    *,
    beta: float,
    bias: float = 0.0,
    step: int | None = None,
) -> MembraneStats:
    """The free membrane's mean and spread when every weight is drawn from N(weight_mean, weight_std^2).

    The neuron ``v_t = beta v_{t-1} + I_t``, ``v_{-1} = 0``, ``I_t = sum_j w_j s_{j,t} + bias``, with
    independent Bernoulli inputs ``s_{j,t}`` (probability ``p_j`` per step, independent over steps).
    With ``G1 = sum_s beta^s`` and ``G2 = sum_s beta^(2*s)`` over the steps so far (``1/(1-beta)`` and
    ``1/(1-beta^2)`` in the stationary state)::

        mean          = (weight_mean * sum_j p_j + bias) * G1
        fluctuation^2 = (weight_mean^2 + weight_std^2) * sum_j p_j (1 - p_j) * G2
        spread^2      = weight_std^2 * sum_j p_j^2 * G1^2

    Args:
        weight_mean, weight_std: the weights' distribution (threshold units per input spike).
        rate: the inputs' spike probability per step: a number (``n_inputs`` alike) or a tensor
            ``[n_inputs]`` (one per input).
        n_inputs: the number of inputs (fan-in); None when ``rate`` is a tensor.
        beta: leak factor per step, in (0, 1]; 1 (IF) needs ``step``.
        bias: a constant current per step, the same for every neuron.
        step: None for the stationary state (beta < 1), or the step k >= 0 (from rest at k = 0).

    Returns:
        A :class:`MembraneStats`. Introduced in notebook 13.
    """
    for name, value in [("weight_mean", weight_mean), ("bias", bias)]:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise TypeError(f"{name} must be a finite number; got {type(value).__name__} {value!r}")
    if isinstance(weight_std, bool) or not isinstance(weight_std, int | float):
        raise TypeError(f"weight_std must be a number >= 0; got {type(weight_std).__name__} {weight_std!r}")
    if not 0 <= weight_std < math.inf:
        raise ValueError(f"weight_std must be a number >= 0; got {weight_std!r}")
    beta = check_beta(beta)
    sum_p, sum_var, sum_p2, _ = _check_rate(rate, n_inputs)
    g1, g2 = _geometric(beta, step)
    mean = (weight_mean * sum_p + bias) * g1
    fluctuation = math.sqrt((weight_mean**2 + weight_std**2) * sum_var * g2)
    spread = weight_std * math.sqrt(sum_p2) * g1
    return MembraneStats(mean, math.hypot(fluctuation, spread), fluctuation, spread)


def fluctuation_weights(
    rate: float | torch.Tensor,
    n_inputs: int | None = None,
    *,
    beta: float,
    threshold: float = 1.0,
    xi: float = 1.0,
    sigma: float = 1.0,
    step: int | None = None,
) -> tuple[float, float]:
    """``(weight_mean, weight_std)`` that put the free membrane's mean ``xi`` spreads below threshold.

    Solves :func:`predicted_membrane` (bias 0) for the targets ``std = sigma * threshold`` and
    ``mean = threshold - xi * std``: with ``G1``, ``G2``, ``S1 = sum p``, ``S2 = sum p (1 - p)``,
    ``S3 = sum p^2`` as there, ``weight_mean = mean / (S1 G1)`` and
    ``weight_std^2 = (std^2 - weight_mean^2 S2 G2) / (S2 G2 + S3 G1^2)``.

    Args:
        rate, n_inputs, beta, step: as in :func:`predicted_membrane`.
        threshold: the neuron's threshold (> 0).
        xi: how many spreads the mean sits below threshold (a number; xi = 1/sigma centres it at 0).
        sigma: the target spread of the membrane, in units of the threshold (> 0).

    Raises:
        ValueError: a bad argument, no input that ever fires, or targets no Gaussian weights reach
            (the mean alone already gives more spread than ``sigma`` asks for).

    Introduced in notebook 13.
    """
    check_positive("threshold", threshold)
    check_positive("sigma", sigma)
    if isinstance(xi, bool) or not isinstance(xi, int | float) or not math.isfinite(xi):
        raise TypeError(f"xi must be a finite number; got {type(xi).__name__} {xi!r}")
    beta = check_beta(beta)
    s1, s2, s3, _ = _check_rate(rate, n_inputs)
    if s1 == 0:
        raise ValueError("rate must have at least one input that fires (a rate > 0); got all rates 0")
    g1, g2 = _geometric(beta, step)
    std = sigma * threshold
    mean = threshold - xi * std
    weight_mean = mean / (s1 * g1)
    left = std**2 - weight_mean**2 * s2 * g2
    if left < 0:
        raise ValueError(
            f"no weights reach sigma={sigma!r} with xi={xi!r}: the mean {mean:.4g} alone brings a spread "
            f"of {math.sqrt(weight_mean**2 * s2 * g2):.4g} (threshold units) with these inputs; ask for a "
            "larger sigma or a mean nearer 0 (xi nearer 1/sigma)"
        )
    return weight_mean, math.sqrt(left / (s2 * g2 + s3 * g1 * g1))


def fluctuation_init_(
    linear: nn.Linear,
    rate: float | torch.Tensor,
    *,
    beta: float,
    threshold: float = 1.0,
    xi: float = 1.0,
    sigma: float = 1.0,
    step: int | None = None,
    generator: torch.Generator | None = None,
) -> tuple[float, float]:
    """Fluctuation-driven initialization of ``linear``, in place: weights from N(mu_w, sigma_w^2) of
    :func:`fluctuation_weights` (its ``in_features`` inputs at ``rate``), bias set to 0.

    Returns ``(mu_w, sigma_w)``. ``generator`` fixes the draw (None: torch's global generator).
    Introduced in notebook 13.
    """
    if not isinstance(linear, nn.Linear):
        raise TypeError(f"linear must be a torch.nn.Linear; got {type(linear).__name__}")
    n_inputs = None if isinstance(rate, torch.Tensor) else linear.in_features
    if isinstance(rate, torch.Tensor) and len(rate.shape) == 1 and len(rate) != linear.in_features:
        raise ValueError(f"rate must have one entry per input, {linear.in_features}; got {len(rate)}")
    mu_w, sigma_w = fluctuation_weights(
        rate, n_inputs, beta=beta, threshold=threshold, xi=xi, sigma=sigma, step=step
    )
    with torch.no_grad():
        draw = torch.randn(linear.weight.shape, generator=generator, dtype=torch.float64)
        linear.weight.copy_(mu_w + sigma_w * draw)
        if linear.bias is not None:
            linear.bias.zero_()
    return mu_w, sigma_w


@torch.no_grad()
def measure_membrane(current: torch.Tensor, beta: float, *, burn_in: int = 0) -> MembraneStats:
    """Measure the free membrane (spikes off: no threshold, no reset) driven by ``current``.

    Args:
        current: input current ``[time, batch, neurons]`` (threshold units per step), e.g.
            ``linear(spikes)``; each neuron's weights are its own draw, each batch row its own input.
        beta: leak factor per step, in (0, 1].
        burn_in: steps left out at the start (the membrane starts at rest; stationary statistics need
            a few time constants first). ``burn_in=k`` with ``time = k + 1`` measures step k alone.

    Returns:
        A :class:`MembraneStats` of the kept steps: ``mean`` and ``std`` over every value;
        ``fluctuation`` the root mean square over neurons of each neuron's spread over kept steps and
        batch rows; ``spread`` the spread over neurons of their means (population formulas, so that
        ``std**2 = fluctuation**2 + spread**2`` exactly).

    Introduced in notebook 13.
    """
    check_tensor("current", current)
    if current.dim() != 3:
        raise ValueError(f"current must have shape [time, batch, neurons]; got {tuple(current.shape)}")
    beta = check_beta(beta)
    if isinstance(burn_in, bool) or not isinstance(burn_in, int) or not 0 <= burn_in < len(current):
        raise ValueError(
            f"burn_in must be an integer from 0 to time - 1 = {len(current) - 1}; got {burn_in!r}"
        )
    v = torch.zeros_like(current[0], dtype=torch.float64)
    kept = []
    for t, i_t in enumerate(current.double()):
        v = beta * v + i_t
        if t >= burn_in:
            kept.append(v)
    v = torch.stack(kept)  # [kept, batch, neurons]
    fluctuation = v.var(dim=(0, 1), unbiased=False).mean().sqrt().item()
    spread = v.mean(dim=(0, 1)).std(unbiased=False).item()
    return MembraneStats(v.mean().item(), v.std(unbiased=False).item(), fluctuation, spread)
