"""Checkers of notebook 02 (The integrate-and-fire neuron)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.neuron import IF
from .checking import ExerciseError, call, fail, passed, prediction_miss
from .exercises_01 import FLOAT_SPIKES


def check_if_step(fn: Callable) -> None:
    """Notebook 02, exercise 1: ``fn(input_, v_previous, s_previous, threshold)`` -> ``(v, s)``, zero
    reset."""
    cases = [
        (0.4, 0.5, 0.0, 1.0, "integrate: v = v_previous + input when there was no spike"),
        (0.4, 1.3, 1.0, 1.0, "reset to zero: after a spike, v_previous counts as 0, so v = input"),
        (0.7, 0.5, 0.0, 1.0, "fire when v > threshold: v_previous 0.5 + input 0.7 = 1.2 > 1"),
        (0.5, 0.5, 0.0, 1.0, "v = 1.0 equals the threshold: the step needs v > threshold, so no spike"),
        (0.5, 1.0, 0.0, 2.0, "use the threshold argument, not 1"),
    ]
    for input_, v_prev, s_prev, threshold, hint in cases:
        got = call(fn, torch.tensor(input_), torch.tensor(v_prev), torch.tensor(s_prev), threshold)
        neuron = IF(threshold=threshold)
        v_ref, s_ref = neuron(torch.tensor(input_), torch.tensor(v_prev), torch.tensor(s_prev))
        if not (isinstance(got, tuple) and len(got) == 2):
            raise fail("a tuple (v, s)", type(got).__name__, "return both the membrane and the spike.")
        if isinstance(got[1], torch.Tensor) and got[1].dtype == torch.bool:
            raise fail("s as a float tensor (0.0 or 1.0)", "a bool tensor", FLOAT_SPIKES)
        v, s = (float(t) for t in got)
        if not (math.isclose(v, v_ref.item(), abs_tol=1e-6) and s == s_ref.item()):
            raise fail(
                f"(v={v_ref.item():.2f}, s={s_ref.item():.0f})",
                f"(v={v:.2f}, s={s:.0f})",
                f"input={input_}, v_previous={v_prev}, s_previous={s_prev}, threshold={threshold}: {hint}.",
            )
    passed("integration, threshold, strict comparison and reset to zero all behave")


def check_rate_closed_form(fn: Callable[[float, float], float]) -> None:
    """Notebook 02, exercise 2: ``fn(current, threshold)`` = spikes per step for a constant current."""
    cases = [
        (0.25, 1.0, 1 / 5, "v = 4 * 0.25 = 1.0 is not above threshold: it fires at the 5th step"),
        (0.3, 1.0, 1 / 4, "v reaches 1.2 > 1 at the 4th step, then restarts from 0"),
        (1.5, 1.0, 1.0, "a current above threshold fires at every step"),
        (0.5, 2.0, 1 / 5, "use the threshold argument"),
        (0.0, 1.0, 0.0, "no current, no spike: the membrane stays at 0"),
        (
            -0.4,
            1.0,
            0.0,
            "a negative current pulls the membrane down: it never fires, and a rate is never "
            "negative (floor(threshold / current) + 1 is -2 here)",
        ),
    ]
    for current, threshold, expected, hint in cases:
        try:
            got = fn(current, threshold)
        except NotImplementedError:
            raise
        except ZeroDivisionError as exc:
            if current != 0:
                raise ExerciseError(f"your code raised ZeroDivisionError: {exc}") from None
            raise ExerciseError(
                "expected 0.0 for current=0.0, got ZeroDivisionError.\nHint: threshold / current divides by "
                "zero at current = 0. With no current the membrane never rises, so the neuron never fires: "
                "return 0.0 for every current <= 0 before dividing."
            ) from None
        except Exception as exc:
            raise ExerciseError(f"your code raised {type(exc).__name__}: {exc}") from None
        if not isinstance(got, int | float) or not math.isclose(got, expected, abs_tol=1e-9):
            general = (
                " Return 0.0 for every current <= 0, before the formula."
                if current <= 0
                else " Steps to fire: the first n with n * current > threshold, "
                "i.e. floor(threshold / current) + 1."
            )
            raise fail(f"{expected:.4g}", got, f"current={current}, threshold={threshold}: {hint}.{general}")
    passed("closed-form firing rate matches for six currents, zero and negative ones included")


def count_spikes(current: float = 0.25, n_steps: int = 100) -> int:
    """Spikes of an IF neuron (threshold 1, reset to zero) under a constant current for ``n_steps``."""
    neuron, v, s, count = IF(), torch.zeros(()), torch.zeros(()), 0
    for _ in range(n_steps):
        v, s = neuron(torch.tensor(current), v, s)
        count += int(s.item())
    return count


def check_spike_count_prediction(predicted: float) -> None:
    """Notebook 02, exercise 3 (a prediction): spikes in 100 steps at I = 0.25, reset to zero."""
    if isinstance(predicted, bool) or not isinstance(predicted, int | float):
        raise ExerciseError(
            f"expected a number of spikes, got {predicted!r}.\nHint: store an int in predicted_spikes."
        )
    measured = count_spikes(0.25, 100)
    if abs(predicted - measured) > 1:
        if 23 <= predicted <= 27:
            hint = (
                "4 x 0.25 = 1.0 equals the threshold and does not fire (the step needs v > threshold): "
                "the neuron fires at the 5th step, then starts again from 0."
            )
        else:
            hint = (
                "after a reset the n-th step holds n x 0.25; the neuron fires at the first n with "
                "n x 0.25 > 1, then starts again from 0: one spike every n steps."
            )
        raise prediction_miss("02-3", f"{measured} (measured)", f"{predicted}", hint)
    passed(f"the neuron fired {measured} times in 100 steps (you predicted {predicted})")
