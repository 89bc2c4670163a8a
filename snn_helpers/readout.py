"""Readouts: how a spiking network's output layer becomes class scores, and a digits network with a choice.

Introduced in notebook 10 (codes and readouts); its training loop's ``penalty`` is used in notebook 11.

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

:class:`ReadoutSNN` is :class:`snn_helpers.digits.DigitsSNN` (same layers, same hidden IF layer)
with the readout as an argument; :func:`train_readout` and :func:`evaluate_readout` take the input
code (:mod:`snn_helpers.encoding`) as an argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ._checks import check_choice, check_positive, check_tensor
from .digits import DigitsSNN, DigitsSplit
from .encoding import CODES, encode
from .fused import if_sequence

READOUTS = ("count", "max", "mean")
"""Readouts of :class:`ReadoutSNN`: output spike count, or the max or mean of a leaky membrane."""

__all__ = [
    "READOUTS",
    "ReadoutEvaluation",
    "ReadoutHistory",
    "ReadoutSNN",
    "evaluate_readout",
    "leaky_integrate",
    "scores_over_time",
    "train_readout",
]


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


class ReadoutSNN(DigitsSNN):
    """:class:`snn_helpers.digits.DigitsSNN` with a choice of readout.

    Args:
        readout: "count" (IF output neurons, scores = spike counts: exactly ``DigitsSNN``), "max"
            or "mean" (non-firing leaky output neurons, scores = max or mean of their membrane).
        readout_beta: the membrane readout's leak factor per step, in [0, 1] (unused by "count").
        **kwargs: passed to ``DigitsSNN`` (``n_hidden``, ``surrogate``, ``threshold``, ...).

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` 0/1 input and returns scores
    ``[batch, n_classes]`` (used as logits); with ``return_hidden=True`` also the hidden spikes
    ``[time, batch, n_hidden]``. :meth:`trace` gives the scores after each step.
    """

    def __init__(self, readout: str = "count", readout_beta: float = 0.9, **kwargs) -> None:
        check_choice("readout", readout, READOUTS)
        _check_beta(readout_beta)
        super().__init__(**kwargs)
        self.readout, self.readout_beta = readout, float(readout_beta)

    def trace(self, spikes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(scores after each step [time, batch, n_classes], hidden spikes [time, batch, n_hidden])``."""
        check_tensor("spikes", spikes)
        if spikes.dim() != 3 or spikes.shape[-1] != self.n_inputs:
            raise ValueError(
                f"spikes must have shape [time, batch, {self.n_inputs}]; got {tuple(spikes.shape)}"
            )
        hidden, _ = if_sequence(self.hidden(spikes), *self.neuron)
        current = self.output(hidden)
        if self.readout == "count":
            out, _ = if_sequence(current, *self.neuron)
        else:
            out = leaky_integrate(current, self.readout_beta)
        return scores_over_time(out, self.readout), hidden

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        trace, hidden = self.trace(spikes)
        return (trace[-1], hidden) if return_hidden else trace[-1]

    def extra_repr(self) -> str:
        return f"readout={self.readout!r}, readout_beta={self.readout_beta}"


@dataclass
class ReadoutHistory:
    """Per-epoch means over the training samples, from :func:`train_readout`."""

    loss: list[float] = field(default_factory=list)  # cross-entropy
    penalty: list[float] = field(default_factory=list)  # the activity penalty (0 without one)


def train_readout(
    model: ReadoutSNN,
    data: DigitsSplit,
    code: str = "rate",
    n_time: int = 10,
    epochs: int = 5,
    lr: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    penalty: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> ReadoutHistory:
    """Train on the digits' training split with cross-entropy on the scores (Adam).

    Args:
        model: a :class:`ReadoutSNN`.
        data: from :func:`snn_helpers.digits.load_digits_split`.
        code: "rate" (a fresh random code per batch) or "latency" (deterministic).
        n_time: time steps T of the code.
        epochs, lr, batch_size: the usual; ``seed`` fixes the shuffling and the rate code's draws.
        penalty: called on the hidden spikes ``[time, batch, n_hidden]`` of each batch; its scalar
            is added to the loss (notebook 11: an activity regularizer times its strength).

    Returns:
        A :class:`ReadoutHistory`. The data stay on the CPU; each batch moves to the model's device.
    """
    check_choice("code", code, CODES)
    check_positive("n_time", n_time, integer=True)
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("lr", lr)
    if penalty is not None and not callable(penalty):
        raise TypeError(
            f"penalty must be a function of the hidden spikes or None; got {type(penalty).__name__}"
        )
    gen = torch.Generator().manual_seed(seed)  # on the CPU: the same draws on any device
    device = model.hidden.weight.device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = ReadoutHistory()
    n = len(data.y_train)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        totals = [0.0, 0.0]
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            scores, hidden = model(
                encode(data.x_train[idx], n_time, code, gen).to(device), return_hidden=True
            )
            loss = nn.functional.cross_entropy(scores, data.y_train[idx].to(device))
            extra = penalty(hidden) if penalty is not None else torch.zeros((), device=device)
            optimizer.zero_grad()
            (loss + extra).backward()
            optimizer.step()
            totals[0] += loss.item() * len(idx)
            totals[1] += extra.item() * len(idx)
        history.loss.append(totals[0] / n)
        history.penalty.append(totals[1] / n)
    return history


class ReadoutEvaluation(NamedTuple):
    """What :func:`evaluate_readout` measured on one code of ``n`` samples (spikes are per sample means)."""

    accuracy: float
    accuracy_over_time: torch.Tensor  # [time]: accuracy had the run stopped after each step
    input_spikes: float
    hidden_spikes: float
    output_spikes: float  # 0 for a membrane readout
    hidden: torch.Tensor  # [time, n, n_hidden] hidden spikes
    scores: torch.Tensor  # [n, n_classes]


@torch.no_grad()
def evaluate_readout(
    model: ReadoutSNN,
    x: torch.Tensor,
    y: torch.Tensor,
    code: str = "rate",
    n_time: int = 10,
    generator: torch.Generator | None = None,
) -> ReadoutEvaluation:
    """Run ``model`` on one ``code`` of ``x`` ``[n, 64]`` and score it against ``y`` ``[n]``.

    The predicted label is the highest score (a tie goes to the lower digit, ``argmax``), at every
    step of the run (``accuracy_over_time``) and at its end (``accuracy``).
    """
    device = model.hidden.weight.device
    spikes = encode(x, n_time, code, generator).to(device)
    trace, hidden = model.trace(spikes)
    correct = (trace.argmax(dim=-1).cpu() == y).float().mean(dim=1)
    output = trace[-1].sum(dim=1).mean().item() if model.readout == "count" else 0.0
    return ReadoutEvaluation(
        correct[-1].item(),
        correct,
        spikes.sum(dim=(0, 2)).mean().item(),
        hidden.sum(dim=(0, 2)).mean().item(),
        output,
        hidden,
        trace[-1],
    )
