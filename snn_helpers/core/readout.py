"""Readouts: how a spiking network's output layer becomes class scores.

Introduced in notebook 10 (codes and readouts).

Two readouts of the output layer, over ``T`` steps:

- **count** (notebooks 07 and 08): the output neurons are IF neurons; a class's score is its spike
  count. Scores are integers 0..T, so ties are common and a neuron that never fires scores 0.
- **membrane**: the output neurons never fire; each integrates its input with a leak,
  ``u_t = beta * u_{t-1} + I_t`` (:func:`leaky_integrate`), and a class's score is the maximum
  ("max") or the mean ("mean") of ``u_t`` over the steps. Scores are real numbers, and the output
  layer sends no spikes (no synaptic operations after it). SpyTorch's tutorials use such a
  non-firing leaky readout, read as the max over time (Neftci, Mostafa & Zenke 2019). snnTorch's
  core classification tutorials keep spiking output neurons (cross-entropy on the membrane at every
  step, prediction from spike counts); its non-firing readouts (``reset_mechanism="none"``) appear
  in its regression tutorials (Eshraghian et al. 2023).

The network with a choice of readout, :class:`snn_helpers.tasks.digits.ReadoutSNN`, and its
training loop live with the digits task; this module holds the readouts themselves.
"""

from __future__ import annotations

import torch

from ._checks import check_choice, check_tensor

READOUTS = ("count", "max", "mean")
"""Readouts of :class:`snn_helpers.tasks.digits.ReadoutSNN`: output spike count, or the max or mean of a
leaky membrane."""

__all__ = ["READOUTS", "leaky_integrate", "scores_over_time", "tie_stats"]


def _check_beta(beta: object) -> None:
    if isinstance(beta, bool) or not isinstance(beta, int | float):
        raise TypeError(f"beta must be a number in [0, 1]; got {type(beta).__name__} {beta!r}")
    if not 0 <= beta <= 1:
        raise ValueError(f"beta must be in [0, 1] (1 = no leak); got {beta!r}")


def leaky_integrate(current: torch.Tensor, beta: float) -> torch.Tensor:
    """A non-firing leaky membrane: ``u_t = beta * u_{t-1} + I_t`` from ``u_{-1} = 0``.

    Args:
        current: input current ``[time, ...]`` (e.g. ``[time, batch, classes]``).
        beta: leak factor per step in [0, 1]: ``exp(-dt / tau)``; 1 integrates without a leak, 0 keeps
            only the current step's input.

    Returns:
        The membrane ``u``, shape of ``current``, differentiable.

    Introduced in notebook 10.
    """
    check_tensor("current", current)
    _check_beta(beta)
    if current.dim() == 0:
        raise ValueError("current must have a time dim first, [time, ...]; got a 0-dim tensor")
    membrane, u = [], torch.zeros_like(current[0])
    for step in current:
        u = beta * u + step
        membrane.append(u)
    return torch.stack(membrane)


def scores_over_time(trace: torch.Tensor, readout: str) -> torch.Tensor:
    """The scores the readout would give if the run stopped after each step.

    Args:
        trace: ``[time, batch, classes]``: output spikes (``readout="count"``) or the leaky
            membrane (``"max"``, ``"mean"``).
        readout: "count" (cumulative sum), "max" (running maximum) or "mean" (running mean).

    Returns:
        ``[time, batch, classes]``; its last step is the full-length score.

    Introduced in notebook 10.
    """
    check_choice("readout", readout, READOUTS)
    check_tensor("trace", trace)
    if trace.dim() < 1 or trace.shape[0] == 0:
        raise ValueError(f"trace must have a non-empty time dim first; got shape {tuple(trace.shape)}")
    if readout == "count":
        return trace.cumsum(dim=0)
    if readout == "max":
        return trace.cummax(dim=0).values
    steps = torch.arange(1, trace.shape[0] + 1, dtype=trace.dtype, device=trace.device)
    return trace.cumsum(dim=0) / steps.view(-1, *([1] * (trace.dim() - 1)))


def tie_stats(scores: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """How often the top score is shared, and the accuracy that credits a tie fairly, at each step.

    A sample is *tied* when two or more classes share its top score (a sample whose classes all
    score 0 is tied among all of them). The tie-aware accuracy gives a sample whose top score is
    shared by ``k`` classes ``1/k`` if its label is among them, else 0; without ties it is the
    accuracy of ``argmax``.

    Args:
        scores: ``[time, batch, classes]``, e.g. the running counts of :func:`scores_over_time`.
        labels: ``[batch]`` integer class labels.

    Returns:
        ``(share tied [time], tie-aware accuracy [time])``, each a fraction of the batch.

    Introduced in notebook 10.
    """
    check_tensor("scores", scores)
    if scores.dim() != 3:
        raise ValueError(f"scores must have shape [time, batch, classes]; got {tuple(scores.shape)}")
    if not isinstance(labels, torch.Tensor) or labels.shape != scores.shape[1:2]:
        got = tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise ValueError(f"labels must have shape [batch] = ({scores.shape[1]},); got {got}")
    top = scores == scores.max(dim=-1, keepdim=True).values  # [time, batch, classes]
    k = top.sum(dim=-1)
    tied = (k >= 2).float().mean(dim=1)
    credit = (top[:, torch.arange(len(labels)), labels] / k).mean(dim=1)
    return tied, credit
