"""Checkers of notebook 14 (memory: a cue, a delay, and where a network keeps it)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.recurrent import RecurrentLIF
from ..tasks.memory import MemoryData, MemorySNN, memory_accuracy, without_adaptation
from .checking import ExerciseError, call, fail, passed, prediction_miss


def _trains() -> list[torch.Tensor]:
    """Spike trains ``[time, batch, neurons]``: a burst then silence, a lone spike, a regular train."""
    burst = torch.zeros(12, 1, 1)
    burst[:4] = 1.0
    lone = torch.zeros(6, 2, 2)
    lone[0, 0, 0] = lone[3, 1, 1] = 1.0
    regular = torch.zeros(9, 1, 3)
    regular[::2, 0, 0] = regular[::3, 0, 1] = 1.0
    return [burst, lone, regular]


def library_trace(spikes: torch.Tensor, rho: float) -> torch.Tensor:
    """The adaptation trace ``a_t`` of the library's adaptive LIF for the given spikes ``[time, batch,
    neurons]``: its thresholds ``A_t = 1 + 1 * a_t`` minus 1, computed by :class:`RecurrentLIF` (engine
    "loop") driven so that it fires exactly the given spikes."""
    n = spikes.shape[-1]
    layer = RecurrentLIF(
        n, n, beta=0.5, recurrent=False, adapt_decay=rho, adapt_strength=1.0, engine="loop", reset="zero"
    )
    with torch.no_grad():
        layer.input.weight.copy_(torch.eye(n) * 10.0)  # an input spike: a current of 10, above any threshold
        layer.input.bias.fill_(-2.0)  # no input: the membrane decays from 0 and never fires
        out, _, threshold = layer(spikes, return_membrane=True, return_threshold=True)
    if not torch.equal(out, spikes):  # the drive above makes the layer fire its input exactly
        raise RuntimeError("the library's adaptive layer did not reproduce the spike train")
    return threshold - 1.0


def check_adaptation_trace(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """Notebook 14, exercise 1: ``fn(spikes, rho)`` = the adaptation trace ``a_t = rho a_{t-1} +
    (1 - rho) s_{t-1}``, ``a_0 = 0``, for spikes ``[time, batch, neurons]``, the same shape."""
    for spikes in _trains():
        for rho in (0.9, 0.5):
            expected = library_trace(spikes, rho)
            got = call(fn, spikes.clone(), rho)
            if not isinstance(got, torch.Tensor):
                raise fail(
                    "a torch.Tensor",
                    type(got).__name__,
                    "return the trace as a tensor, [time, batch, neurons].",
                )
            if tuple(got.shape) != tuple(spikes.shape):
                raise fail(
                    f"shape {tuple(spikes.shape)}, the spikes' shape",
                    f"shape {tuple(got.shape)}",
                    "one value of the trace per step and neuron: stack the steps along dim 0.",
                )
            got = got.to(expected.dtype)
            if torch.allclose(got, expected, rtol=1e-5, atol=1e-7):
                continue
            if torch.allclose(got[:-1], expected[1:], rtol=1e-5, atol=1e-7):
                raise fail(
                    f"a_0 = 0, then a rise one step after each spike: {expected.flatten().tolist()}",
                    got.flatten().tolist(),
                    "a_t counts the spikes up to s_{t-1}, not s_t: "
                    "a spike raises the threshold of the next step.",
                )
            if torch.allclose(got * (1 - rho), expected, rtol=1e-5, atol=1e-7):
                raise fail(
                    "a trace at most 1",
                    f"{got.max().item():.4g} at most",
                    "each spike adds (1 - rho), not 1: a_t = rho a_{t-1} + (1 - rho) s_{t-1}.",
                )
            swapped = library_trace(spikes, 1 - rho) if rho != 0.5 else None
            if swapped is not None and torch.allclose(got, swapped, rtol=1e-5, atol=1e-7):
                raise fail(
                    f"a trace that keeps a fraction rho = {rho} of itself per step",
                    "one that keeps 1 - rho",
                    "rho multiplies the old trace, (1 - rho) the new spike.",
                )
            raise fail(
                expected.flatten().tolist(),
                got.flatten().tolist(),
                "start at a_0 = 0; then for t = 1, 2, ...: a_t = rho a_{t-1} + (1 - rho) s_{t-1}.",
            )
    passed("adaptation trace right: a burst, lone spikes and regular trains, rho 0.9 and 0.5")


def check_adaptation_off_prediction(predicted: float, model: MemorySNN, data: MemoryData) -> None:
    """Notebook 14, exercise 2 (a prediction): ``predicted`` = the accuracy of the trained adaptive
    ``model`` on ``data`` once its adaptation is switched off. Measures it and compares (within 0.1)."""
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or math.isnan(predicted):
        raise ExerciseError(f"expected a number for predicted_accuracy, got {predicted!r}.")
    if not 0 <= predicted <= 1:
        raise fail(
            "a fraction between 0 and 1", predicted, "write the accuracy as a fraction (0.5, not 50 %)."
        )
    measured = memory_accuracy(without_adaptation(model), data)
    intact = memory_accuracy(model, data)
    if abs(predicted - measured) < 0.1:
        # a measurement after training is not printed on a pass: its digits depend on the CPU
        passed(f"your prediction {predicted:.4g} is within 0.1 of the measured accuracy without adaptation")
        return
    if abs(predicted - intact) <= 0.1:
        raise prediction_miss(
            "14-2",
            f"about {measured:.2f} (measured), far below the trained {intact:.2f}",
            f"{predicted:.4g}",
            "the weights stay as trained, but every threshold is back at 1: the recall spikes change, "
            "and the readout was fitted to the adapted ones.",
        )
    if predicted > measured and measured < 0.4:
        raise prediction_miss(
            "14-2",
            f"about {measured:.2f} (measured)",
            f"{predicted:.4g}",
            "accuracy can fall below chance: a readout that reads the recall spikes the wrong way round "
            "is right less than half the time.",
        )
    if predicted < measured:
        raise prediction_miss(
            "14-2",
            f"about {measured:.2f} (measured)",
            f"{predicted:.4g}",
            "two balanced classes: even a network that always gives the same answer is right half the time.",
        )
    raise prediction_miss(
        "14-2",
        f"about {measured:.2f} (measured)",
        f"{predicted:.4g}",
        "the trained readout was fitted to the adapted network's recall spikes: without the adaptation it "
        "is left guessing.",
    )
