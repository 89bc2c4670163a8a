"""Checkers of notebook 09 (The leak: the LIF neuron)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.fused import if_sequence
from .checking import ExerciseError, NotAnswered, call, fail, passed, prediction_miss


def steps_to_fire(current: float, beta: float, threshold: float, max_steps: int = 10_000) -> int | None:
    """Steps from rest to the first spike under a constant current (float64 simulation), or None."""
    current_t = torch.full((max_steps,), float(current), dtype=torch.float64)
    _, membrane = if_sequence(current_t, threshold=threshold, beta=beta)
    above = torch.nonzero(membrane > threshold).flatten()
    return int(above[0]) + 1 if len(above) else None


def simulated_rate(current: float, beta: float, threshold: float) -> float:
    """Spikes per step of the zero-reset LIF under a constant current: one spike every n steps."""
    n = steps_to_fire(current, beta, threshold)
    return 0.0 if n is None else 1.0 / n


# (current, beta, threshold, what the case tests)
_RATE_CASES = [
    (0.3, 0.75, 1.0, "v_n = I (1 - beta^n) / (1 - beta) first exceeds the threshold at n = 7"),
    (0.6, 0.5, 1.0, "v = 0.6, 0.9, 1.05: one spike every 3 steps"),
    (1.5, 0.9, 1.0, "a current above the threshold fires at every step"),
    (0.05, 0.9, 1.0, "below the rheobase"),
    (0.25, 0.75, 1.0, "exactly at the rheobase"),
    (0.3, 1.0, 1.0, "beta = 1 is the IF neuron"),
    (0.6, 0.75, 2.0, "another threshold"),
    (-0.2, 0.9, 1.0, "a negative current never fires"),
    (
        0.5,
        1.0,
        1.0,
        "exactly on a step of the staircase: v = 0.5, 1.0 reaches the threshold without exceeding it",
    ),
    (1.0, 0.5, 1.0, "exactly on a step of the staircase: v = 1.0, 1.5 fires at the second step"),
]


def _if_rate(current: float, threshold: float) -> float:
    return 0.0 if current <= 0 else 1.0 / (math.floor(threshold / current) + 1)


def _ceil_rate(current: float, beta: float, threshold: float) -> float:
    """The rate with ceil(x) in place of floor(x) + 1 (a learner's slip, wrong only on the steps)."""
    if beta == 1.0:
        return 1.0 / math.ceil(threshold / current)
    return 1.0 / max(1, math.ceil(math.log(1 - threshold * (1 - beta) / current) / math.log(beta)))


def _rate_hint(current: float, beta: float, threshold: float, got: float, expected: float, what: str) -> str:
    """One hint per recognised mistake, else what the case tests."""
    rheobase = threshold * (1 - beta)
    if expected == 0.0 and got > 0 and current > 0:
        return (
            f"{what}: without spikes the membrane settles at I / (1 - beta) = {current / (1 - beta):.4g}, "
            f"not above the threshold {threshold:g}. A current I <= threshold * (1 - beta) = {rheobase:.4g} "
            "never fires: return 0.0 there."
        )
    if beta < 1 and current > 0 and math.isclose(got, _if_rate(current, threshold), rel_tol=1e-9):
        return (
            f"{what}: this is the IF rate of notebook 02, which forgets the leak. With beta < 1 the membrane "
            "after n steps is I (1 - beta^n) / (1 - beta), not n I."
        )
    if (
        current > rheobase
        and got > 0
        and math.isclose(got, _ceil_rate(current, beta, threshold), rel_tol=1e-9)
    ):
        return (
            f"{what}: a spike needs v > threshold, strictly; on a step of the staircase v equals the "
            "threshold and does not fire yet. Use floor(...) + 1, not ceil(...)."
        )
    n = round(1 / expected) if expected > 0 else 0
    if n > 1 and math.isclose(got, 1 / (n - 1), rel_tol=1e-9):
        return (
            f"{what}: one step short. The neuron fires at the first n with I (1 - beta^n) / (1 - beta) > "
            "threshold, so n = floor(log(1 - threshold (1 - beta) / I) / log(beta)) + 1 (the + 1 counts "
            "the step that crosses)."
        )
    if threshold != 1.0 and math.isclose(got, simulated_rate(current, beta, 1.0), rel_tol=1e-9):
        return f"{what}: use the threshold argument, not 1."
    return f"{what}."


def check_lif_rate(fn: Callable[[float, float, float], float]) -> None:
    """Notebook 09, exercise 1: ``fn(current, beta, threshold)`` = spikes per step (zero reset)."""
    for current, beta, threshold, what in _RATE_CASES:
        expected = simulated_rate(current, beta, threshold)
        try:
            got = call(fn, current, beta, threshold)
        except NotAnswered:
            raise
        except ExerciseError as exc:
            hint = (
                "with beta = 1, log(beta) = 0: treat beta = 1 as the IF neuron of notebook 02 "
                "(one spike every floor(threshold / I) + 1 steps)."
                if beta == 1.0
                else "at or below the rheobase, log(1 - threshold (1 - beta) / I) has no finite value: "
                "return 0.0 before taking it."
                if current <= threshold * (1 - beta)
                else "look at the case named above."
            )
            raise ExerciseError(
                f"{exc}\n(current={current}, beta={beta}, threshold={threshold})\nHint: {hint}"
            ) from None
        if isinstance(got, bool) or not isinstance(got, int | float):
            raise fail("a Python float", f"{type(got).__name__} {got!r}", "return a number (use float(...)).")
        if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            raise fail(
                f"{expected:.4g}",
                f"{got:.4g}",
                f"current={current}, beta={beta}, threshold={threshold}: "
                f"{_rate_hint(current, beta, threshold, got, expected, what)}",
            )
    passed("the closed-form rate matches the simulated LIF neuron for eight currents, leaks and thresholds")


def steps_to_one_percent(beta: float = 0.9, n_time: int = 80) -> int:
    """Steps back from the last one until |dL/dI_t| falls below 1% of |dL/dI_{T-1}|.

    A neuron below threshold (no spike), loss on its last membrane; measured, not computed from
    the closed form.
    """
    current = torch.full((n_time,), 0.01, requires_grad=True)
    _, membrane = if_sequence(current, beta=beta)
    membrane[-1].backward()
    ratio = current.grad / current.grad[-1]  # [n_time], 1 at the last step
    below = torch.nonzero(ratio.flip(0) < 0.01).flatten()
    return int(below[0])


def check_fade_prediction(predicted: float) -> None:
    """Notebook 09, exercise 2 (a prediction): steps back until the gradient is below 1%, beta = 0.9."""
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not predicted >= 0:
        raise ExerciseError(
            f"expected a number of steps (0 or more), got {predicted!r}.\n"
            "Hint: store an int in predicted_steps, for example 25."
        )
    measured = steps_to_one_percent()
    tau = -1 / math.log(0.9)
    if abs(predicted - measured) > 2:
        if abs(predicted - tau) <= 2:
            hint = (
                f"about 10 steps is the time constant tau = -1 / ln(0.9) = {tau:.1f}, where the gradient is "
                "down to 1/e, about 37%, not 1%. The fall is geometric (0.9^k), not linear (1 - 0.1 k): "
                "falling to 1% takes ln(100), about 4.6 time constants."
            )
        elif predicted > 3 * measured:
            hint = (
                "with beta = 1 (the IF neuron) the gradient would never fade; here each step back "
                "multiplies it by beta = 0.9. Solve 0.9^k < 0.01 for k."
            )
        else:
            hint = "each step back multiplies the gradient by beta (1 - s) = 0.9 here: solve 0.9^k < 0.01."
        raise prediction_miss("09-2", f"{measured} (measured)", f"{predicted}", hint)
    passed(f"the gradient falls below 1% after {measured} steps back (you predicted {predicted})")
