"""Spike codes, all in one place: the post's random 0/1 input, the rate code, the latency
(time-to-first-spike) code, and the timing control that shuffles a spike train's steps.

:func:`random_binary_input` is introduced in notebook 03 (the post's input); :func:`rate_encode` in
notebook 07 (the digits); the latency code and :func:`encode` in notebook 10 (codes and readouts);
:func:`permute_times` in notebook 12 (the timing control).

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

CODES = ("rate", "latency")
"""The codes :func:`encode` knows."""

__all__ = [
    "CODES",
    "encode",
    "latency_encode",
    "latency_times",
    "permute_times",
    "random_binary_input",
    "rate_encode",
]


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

    Introduced in notebook 10.
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

    Introduced in notebook 10.
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

    Introduced in notebook 10.
    """
    check_choice("code", code, CODES)
    if code == "latency":
        return latency_encode(x, n_time)
    _check_intensities(x)
    return rate_encode(x, n_time, generator)


def random_binary_input(
    n_time: int,
    size_input: int,
    batch: int | None = None,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The post's input: independent 0/1 values, each 1 with probability 1/2.

    Args:
        n_time: time steps.
        size_input: features per step.
        batch: None for the post's unbatched ``[n_time, size_input]``, else the batch size.
        generator: a ``torch.Generator`` (default: torch's global one, as in the post).
        device: where to create it (default: the CPU, or the generator's device).

    Returns:
        Float tensor ``[n_time, size_input]`` or ``[n_time, batch, size_input]`` of 0.0/1.0.

    Introduced in notebook 03.
    """
    check_positive("n_time", n_time, integer=True)
    check_positive("size_input", size_input, integer=True)
    if batch is not None:
        check_positive("batch", batch, integer=True)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None; got {type(generator).__name__}")
    shape = (n_time, size_input) if batch is None else (n_time, batch, size_input)
    if device is None and generator is not None:
        device = generator.device
    return torch.randint(0, 2, shape, generator=generator, device=device).float()


def rate_encode(x: torch.Tensor, n_time: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Rate coding: at each step, each input is 1 with probability equal to its intensity.

    Args:
        x: intensities in [0, 1], ``[batch, features]``.
        n_time: time steps T.
        generator: for the random draws (default: torch's global generator).

    Returns:
        0/1 spikes ``[n_time, batch, features]`` (the post's input format), on ``x``'s device.

    Introduced in notebook 07.
    """
    check_tensor("x", x)
    check_positive("n_time", n_time, integer=True)
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"x must hold intensities in [0, 1]; got values from {x.min():.3g} to {x.max():.3g}")
    return torch.bernoulli(x.expand(n_time, *x.shape), generator=generator)


def permute_times(spikes: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """The timing control: each sample's spike train on each channel, its time steps shuffled.

    Keeps every count (per sample and channel) and destroys the timing.

    Args:
        spikes: ``[time, batch, channels]``.
        generator: for the permutations (a CPU generator; None uses torch's global one).

    Returns:
        Spikes of the same shape, dtype and device.

    Introduced in notebook 12.
    """
    check_tensor("spikes", spikes)
    if spikes.dim() != 3:
        raise ValueError(f"spikes must have 3 dims [time, batch, channels]; got shape {tuple(spikes.shape)}")
    keys = torch.rand(spikes.shape, generator=generator)
    order = keys.argsort(dim=0).to(spikes.device)
    return spikes.gather(0, order)
