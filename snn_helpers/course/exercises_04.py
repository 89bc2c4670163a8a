"""Checkers of notebook 04 (The bias-initialization trick)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.encoding import random_binary_input
from ..tasks.post import Model
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-6)


def check_first_step_fraction(fn: Callable[[torch.nn.Module, torch.Tensor], float]) -> None:
    """Notebook 04, exercise 1: ``fn(model, x)`` = fraction of neurons that fire at the first step.

    ``x``: ``[time, inputs]`` of 0/1; the answer is a number between 0 and 1."""
    for bias_init in ("uniform", "default"):
        with isolated_rng(4):
            model = Model(300, 500, bias_init=bias_init)
            x = random_binary_input(10, 300)
        spikes = model(x).detach()
        expected = spikes[0].mean().item()
        got = float(call(fn, model, x))
        if _close(got, expected):
            continue
        if _close(got, spikes.mean().item()):
            hint = "you averaged over all 10 steps; the first step is spikes[0] alone."
        elif _close(got, spikes[0].sum().item()):
            hint = "you counted the neurons that fire; a fraction divides by the 500 neurons (a mean)."
        elif _close(got, (spikes.sum(dim=0) > 0).float().mean().item()):
            hint = "that is the fraction that fires at some step of the window; the first step is spikes[0]."
        else:
            hint = "take the spikes of step 0 only, spikes[0], and average over the neurons."
        raise fail(f"{expected:.4f}", f"{got:.4f}", f"(bias_init={bias_init!r}) {hint}")
    passed("first-step firing fraction right for both bias inits")


# spikes [time 3, neurons 5]: neurons 0, 1, 2 fire, 3 and 4 never: silent fraction 2/5
_SPIKES = torch.tensor([[1.0, 0, 0, 0, 0], [0, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
# a second sample in which neuron 3 fires once: over the batch only neuron 4 is silent, 1/5
_BATCHED = torch.stack([_SPIKES, torch.tensor([[0.0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 1, 0]])], dim=1)


def check_silent_fraction(fn: Callable[[torch.Tensor], float]) -> None:
    """Notebook 04, exercise 2: ``fn(spikes)`` = fraction of neurons that never fire.

    ``spikes``: ``[time, (batch,) neurons]`` of 0/1."""
    for spikes, expected, per_sample in [(_SPIKES, 0.4, 0.4), (_BATCHED, 0.2, (0.4 + 0.8) / 2)]:
        got = float(call(fn, spikes.clone()))
        if _close(got, expected):
            continue
        shape = list(spikes.shape)
        if _close(got, 1 - expected):
            hint = "that is the fraction that fired at least once; silent is the rest, 1 minus it."
        elif _close(got, (spikes == 0).float().mean().item()):
            hint = "you counted zero entries (steps without a spike); count neurons whose spikes sum to 0."
        elif spikes.dim() == 3 and _close(got, per_sample):
            hint = (
                "you averaged the silent fraction of each sample; a neuron is silent only if it fires "
                "in no sample: sum over time and batch first."
            )
        else:
            hint = "sum over every dim but the last (time, and batch if there is one) and count the zeros."
        raise fail(expected, f"{got:.4g}", f"spikes of shape {shape}: {hint}")
    passed("silent fraction right, with and without a batch")


def _prediction(fn: Callable[[], float]) -> float:
    predicted = call(fn)
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not 0 <= predicted <= 1:
        raise ExerciseError(
            f"expected a fraction between 0 and 1 (a float), got {predicted!r}.\n"
            "Hint: return 0.25 if you think a quarter of the 500 neurons end silent."
        )
    return float(predicted)


def check_prediction_is_a_fraction(fn: Callable[[], float]) -> None:
    """Notebook 04, exercise 3 (a prediction): ``fn()`` returns the learner's prediction, recorded before
    the run that measures it."""
    _prediction(fn)
    passed("prediction recorded; the run below measures it and a later check compares")


def check_silent_prediction(fn: Callable[[], float], measured: float, tolerance: float = 0.1) -> None:
    """Notebook 04, exercise 3 (a prediction): compare the predicted fraction of silent neurons, ``fn()``,
    with the measured one."""
    predicted = _prediction(fn)
    if abs(predicted - measured) <= tolerance:
        passed(
            f"your prediction {predicted:.2f} is within {tolerance} of the measured fraction (table above)"
        )
        return
    if predicted < measured:
        hint = (
            "too low. Under the post's rule a neuron that never fires gets no gradient at all, so nothing "
            "pulls it up; only a neuron that fires on some input can be taught. Section 3: with the "
            "default bias about 60% fire at no step of one input."
        )
    else:
        hint = (
            "too high. Each iteration draws a fresh input, and a neuron near threshold fires on some of "
            "them; each time it fires it gets pushed up and stays awake. Only the ones far below stay silent."
        )
    raise prediction_miss(
        "04-3", f"within {tolerance} of the measured {measured:.2f}", f"{predicted:.2f}", hint
    )
