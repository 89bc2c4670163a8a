"""Turning intensities into spike trains: the rate code and the latency (time-to-first-spike) code.

Introduced in notebook 10 (codes and readouts). The rate code of notebook 07 lives in
:mod:`snn_helpers.digits` and is re-exported here, so that both codes can be imported from one place.

Both take intensities ``x`` in [0, 1], ``[batch, features]``, and return 0/1 spikes
``[time, batch, features]``, the course's input format:

- rate code: at every step each input fires with probability equal to its intensity
  (on average ``n_time * x`` spikes per input; random);
- latency code: each input fires at most once, at step ``round((1 - x) * (n_time - 1))``: the brightest
  input (1.0) at step 0, the faintest just before the end; an intensity of 0 never fires
  (deterministic). Time-to-first-spike coding, and networks that compute with spike times, are the
  subject of Mostafa (2018) and Comsa et al. (2020); this code is the plain linear map from
  intensity to time. snnTorch's ``spikegen.latency`` derives the time from an RC membrane charged
  by the intensity instead (logarithmic, ``t = tau * ln(x / (x - threshold))``), with a linear
  option like this one.
"""

from __future__ import annotations

import torch

from ._checks import check_choice, check_positive, check_tensor
from .digits import rate_encode

CODES = ("rate", "latency")
"""The codes :func:`encode` knows."""

__all__ = ["CODES", "encode", "latency_encode", "latency_times", "rate_encode"]


def _check_intensities(x: object) -> None:
    check_tensor("x", x)
    if x.dim() != 2:
        raise ValueError(f"x must have 2 dims [batch, features]; got shape {tuple(x.shape)}")
    if x.numel() and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"x must hold intensities in [0, 1]; got values from {x.min():.3g} to {x.max():.3g}")


def latency_times(x: torch.Tensor, n_time: int) -> torch.Tensor:
    """The step at which each input fires under the latency code, or -1 if it never fires.

    Args:
        x: intensities in [0, 1], ``[batch, features]``.
        n_time: time steps T (>= 1).

    Returns:
        int64 ``[batch, features]``: ``round((1 - x) * (T - 1))`` (ties to even, as ``torch.round``)
        where ``x > 0``, -1 where ``x == 0``. With ``T = 1`` every non-zero input fires at step 0.
    """
    _check_intensities(x)
    check_positive("n_time", n_time, integer=True)
    times = torch.round((1 - x) * (n_time - 1)).to(torch.int64)
    return torch.where(x > 0, times, torch.full_like(times, -1))


def latency_encode(x: torch.Tensor, n_time: int) -> torch.Tensor:
    """Latency (time-to-first-spike) code: one spike per input at most, brighter earlier.

    Args:
        x: intensities in [0, 1], ``[batch, features]``.
        n_time: time steps T (>= 1).

    Returns:
        0/1 spikes ``[n_time, batch, features]`` in ``x``'s dtype and device: input ``i`` fires
        once, at step :func:`latency_times` ``(x, n_time)[..., i]``, or never if its intensity is 0.
    """
    times = latency_times(x, n_time)
    steps = torch.arange(n_time, device=x.device).view(n_time, *([1] * x.dim()))
    return (steps == times).to(x.dtype)


def encode(
    x: torch.Tensor, n_time: int, code: str = "rate", generator: torch.Generator | None = None
) -> torch.Tensor:
    """Encode intensities ``[batch, features]`` in [0, 1] with ``code`` ("rate" or "latency").

    Returns 0/1 spikes ``[n_time, batch, features]``; ``generator`` feeds the rate code's draws
    (the latency code draws nothing).
    """
    check_choice("code", code, CODES)
    if code == "latency":
        return latency_encode(x, n_time)
    _check_intensities(x)
    return rate_encode(x, n_time, generator)
