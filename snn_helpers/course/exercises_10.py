"""Checkers of notebook 10 (Codes and readouts)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.encoding import latency_encode, latency_times, rate_encode
from ..tasks.digits import load_digits_split
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss

# x = 0.375 and 0.875 put (1 - x)(T - 1) exactly on a tie at T = 5 (2.5 and 0.5): torch.round goes
# to the even step, floor(y + 0.5) up
_X = torch.tensor(
    [[1.0, 0.5, 0.0, 0.25, 0.1, 0.05, 0.375, 0.875], [0.0, 0.75, 0.6, 1.0, 0.3, 0.9, 0.875, 0.375]]
)
_T = 5


def _from_times(times: torch.Tensor, x: torch.Tensor, n_time: int) -> torch.Tensor:
    """Spikes [n_time, batch, features] at int ``times`` (out of range: never), none where x == 0."""
    steps = torch.arange(n_time).view(n_time, 1, 1)
    return ((steps == times) & (x > 0)).float()


def _mistakes(x: torch.Tensor, n_time: int) -> dict[str, tuple[torch.Tensor, str]]:
    """What common wrong latency codes produce, with the hint for each."""
    right = torch.round((1 - x) * (n_time - 1)).long()
    steps = torch.arange(n_time).view(n_time, 1, 1)
    return {
        "reversed": (
            _from_times(torch.round(x * (n_time - 1)).long(), x, n_time),
            "brighter must be earlier: an input of intensity 1 fires at step 0, so the time is "
            "(1 - x) * (T - 1), not x * (T - 1).",
        ),
        "floor": (
            _from_times(torch.floor((1 - x) * (n_time - 1)).long(), x, n_time),
            "round the time to the nearest step (torch.round), do not truncate it (floor or .long()).",
        ),
        "half_up": (
            _from_times(torch.floor((1 - x) * (n_time - 1) + 0.5).long(), x, n_time),
            "a tie goes to the even step, as torch.round does (2.5 -> 2, 0.5 -> 0): floor(y + 0.5) "
            "rounds every tie up.",
        ),
        "every_step_after": (
            ((steps >= right) & (x > 0)).float(),
            "one spike per input at most: set only the step t_i itself, not every step from t_i on.",
        ),
        "zero_fires": (
            (steps == right).float(),
            "an intensity of 0 carries no signal and never fires: it must not get the last step.",
        ),
    }


def check_latency_code(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """Notebook 10, exercise 1: ``fn(x, n_time)`` = the latency code ``[n_time, batch, features]`` of
    ``x``."""
    got = call(fn, _X.clone(), _T)
    expected = latency_encode(_X, _T)
    if not isinstance(got, torch.Tensor):
        raise fail("a tensor [n_time, batch, features]", type(got).__name__, "return the spikes as a tensor.")
    if tuple(got.shape) != tuple(expected.shape):
        hint = (
            "time comes first, [n_time, batch, features], as in every code of the course."
            if tuple(got.shape) == (_X.shape[0], _T, _X.shape[1])
            else "one row per step, then the batch, then the inputs."
        )
        raise fail(f"shape {tuple(expected.shape)}", f"shape {tuple(got.shape)}", hint)
    got = got.float()
    if torch.equal(got, expected):
        passed("latency code right: one spike per lit input at round((1 - x)(T - 1)), none for 0")
        return
    for wrong, hint in _mistakes(_X, _T).values():
        if torch.equal(got, wrong):
            raise fail("the latency code", "a code with a known slip", hint)
    if bool((got.sum(dim=0)[_X > 0] == 0).any()):
        raise fail(
            "one spike for each input with x > 0",
            "a lit input that never fires",
            "the faintest input must still fire within the T steps: scale (1 - x) by T - 1, so the "
            "times run from 0 to T - 1.",
        )
    raise fail(
        f"spikes at steps {latency_times(_X, _T).tolist()} (-1: never) for x = {_X.tolist()}",
        "other spikes",
        "input i fires once, at step round((1 - x_i) * (T - 1)), and never if x_i = 0.",
    )


_PREDICTION_T = 20


def measured_spike_ratio(n_time: int = _PREDICTION_T) -> tuple[float, float, float]:
    """(rate-code input spikes per sample, latency-code input spikes per sample, their ratio) on the
    validation split at ``n_time`` steps (rate code drawn from a generator seeded 0)."""
    x = load_digits_split().x_val
    rate = rate_encode(x, n_time, torch.Generator().manual_seed(0)).sum(dim=(0, 2)).mean().item()
    latency = latency_encode(x, n_time).sum(dim=(0, 2)).mean().item()
    return rate, latency, rate / latency


def check_spike_ratio_prediction(predicted: float) -> None:
    """Notebook 10, exercise 2 (a prediction): rate-code over latency-code input spikes, T = 20, validation
    split."""
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not math.isfinite(predicted):
        raise ExerciseError(
            f"expected your prediction as a number, got {type(predicted).__name__} {predicted!r}."
        )
    with isolated_rng(10):
        rate, latency, ratio = measured_spike_ratio()
    measured = f"{ratio:.1f} (rate {rate:.0f}, latency {latency:.1f} input spikes per sample)"
    if abs(predicted - ratio) <= 0.2 * ratio:
        passed(f"your prediction {predicted:.4g}, measured {measured}")
        return
    if abs(predicted - ratio / 2) <= 0.15 * ratio / 2:
        hint = (
            "that is about the ratio at T = 10. The latency code sends one spike per lit pixel whatever T "
            "is; the rate code's spikes grow in proportion to T: twice the steps, twice the ratio."
        )
    elif abs(predicted - _PREDICTION_T) <= 0.25 * _PREDICTION_T:
        hint = (
            "that would hold if every lit pixel were at full brightness. A rate-coded pixel fires with "
            "probability equal to its intensity at each step; lit pixels of these digits average well "
            "under 1."
        )
    elif predicted < ratio:
        hint = (
            "too low: under the rate code a pixel of intensity x fires about T * x times in T steps; "
            "under the latency code it fires once (if x > 0)."
        )
    else:
        hint = (
            "too high: the ratio is T times the mean intensity of the lit pixels (zero pixels send "
            "nothing under either code), and that mean is below 1."
        )
    raise prediction_miss("10-2", f"about {measured}", f"{predicted:.4g}", hint)
