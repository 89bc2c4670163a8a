"""Checkers of notebook 12 (Time matters: Randman and a recurrent layer)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from ..core.encoding import permute_times
from ..tasks.randman import RandmanData, accuracy
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss


def _cases() -> list[torch.Tensor]:
    """Spike trains ``[time, batch, channels]`` with one, several and no spikes per channel."""
    one = torch.zeros(6, 2, 3)
    one[4, 0, 0] = one[0, 0, 1] = one[5, 0, 2] = one[2, 1, 0] = one[3, 1, 1] = one[1, 1, 2] = 1.0
    several = torch.zeros(5, 1, 2)
    several[[1, 3], 0, 0] = 1.0
    several[[2, 4], 0, 1] = 1.0
    silent = torch.zeros(4, 2, 2)
    silent[2, 0, 1] = 1.0
    return [one, several, silent]


def _first_spike(spikes: torch.Tensor) -> torch.Tensor:
    n_time = spikes.shape[0]
    steps = torch.arange(n_time).reshape(-1, *[1] * (spikes.dim() - 1)).expand_as(spikes)
    return torch.where(spikes > 0, steps, n_time).min(dim=0).values


def check_first_spike_steps(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Notebook 12, exercise 1: ``fn(spikes)`` = the step of each channel's first spike, ``[batch,
    channels]``,
    int64, ``n_steps`` where a channel never fires."""
    for spikes in _cases():
        expected = _first_spike(spikes)
        got = call(fn, spikes.clone())
        if not isinstance(got, torch.Tensor):
            raise fail("a torch.Tensor", type(got).__name__, "return a tensor of steps, [batch, channels].")
        if tuple(got.shape) != tuple(expected.shape):
            raise fail(
                f"shape {tuple(expected.shape)} for spikes of shape {tuple(spikes.shape)}",
                f"shape {tuple(got.shape)}",
                "time is dim 0 of [time, batch, channels]: reduce over dim 0.",
            )
        if got.dtype != torch.int64:
            raise fail("dtype torch.int64 (time steps)", f"dtype {got.dtype}", "steps are integers: .long().")
        if torch.equal(got, expected):
            continue
        silent = spikes.sum(dim=0) == 0
        if silent.any() and torch.equal(got[~silent], expected[~silent]):
            raise fail(
                f"{spikes.shape[0]} (n_steps) for a channel without a spike",
                got[silent].tolist(),
                "argmax of all zeros is 0, as if the channel fired at once: "
                "use torch.where(spikes.any(dim=0), ..., n_steps).",
            )
        if spikes.sum(dim=0).max() > 1:
            raise fail(
                f"the first spike's step {expected.flatten().tolist()}",
                got.flatten().tolist(),
                "a channel with several spikes: take the earliest one, not the last or a sum of steps.",
            )
        raise fail(expected.tolist(), got.tolist(), "for each sample and channel, the step whose entry is 1.")
    passed("first-spike steps right, with several spikes and with silent channels")


def check_permutation_prediction(predicted: float, model: nn.Module, data: RandmanData) -> None:
    """Notebook 12, exercise 2 (a prediction): ``predicted`` = the accuracy of ``model`` once each
    channel's spike
    times are shuffled within each sample. Measures it and compares (within 0.1)."""
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or math.isnan(predicted):
        raise ExerciseError(f"expected a number for predicted_accuracy, got {predicted!r}.")
    if not 0 <= predicted <= 1:
        raise fail(
            "a fraction between 0 and 1",
            predicted,
            "write the accuracy as a fraction (0.25, not 25 %).",
        )
    n_classes = int(data.labels.max()) + 1
    chance = 1 / n_classes
    with isolated_rng(12):
        shuffled = RandmanData(permute_times(data.spikes), data.labels)
        measured = accuracy(model, shuffled)
        intact = accuracy(model, data)
    if abs(predicted - measured) < 0.1:  # strictly: 0.0 against a measured 0.10 is not "within 0.1"
        # as in notebooks 07 and 08, a measurement after training is not printed on a pass: its last
        # digits depend on the CPU (the portability rule), and the stored output is compared verbatim
        passed(
            f"your prediction {predicted:.4g} is within 0.1 of the measured accuracy on shuffled times "
            f"(chance here: {chance:.4g})"
        )
        return
    if abs(predicted - intact) <= 0.1:
        raise prediction_miss(
            "12-2",
            f"about {measured:.2f} (measured), far below the trained {intact:.2f}",
            f"{predicted:.4g}",
            "the counts stay the same but the timing is gone, and timing was all the network read: "
            "what is left to tell the classes apart?",
        )
    if predicted < measured:
        raise prediction_miss(
            "12-2",
            f"about {measured:.2f} (measured)",
            f"{predicted:.4g}",
            f"even a network that knows nothing is right 1 time in {n_classes} (chance, {chance:.4g}).",
        )
    raise prediction_miss(
        "12-2",
        f"about {measured:.2f} (measured)",
        f"{predicted:.4g}",
        "shuffling keeps every count, and every sample had the same counts: the network now guesses.",
    )
