"""Checkers of notebook 02 (The integrate-and-fire neuron)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..neuron import IF
from .checking import call, fail, passed


def check_if_step(fn: Callable) -> None:
    """Notebook 02: ``fn(input_, v_previous, s_previous, threshold)`` -> ``(v, s)``, zero reset."""
    cases = [
        (0.4, 0.5, 0.0, 1.0, "integrate: v = v_previous + input when there was no spike"),
        (0.4, 1.3, 1.0, 1.0, "reset to zero: after a spike, v_previous counts as 0, so v = input"),
        (0.7, 0.5, 0.0, 1.0, "fire when v > threshold: 0.5 + 0.7 = 1.2 > 1"),
        (0.5, 0.5, 0.0, 1.0, "v = 1.0 equals the threshold: the step needs v > threshold, so no spike"),
        (0.5, 1.0, 0.0, 2.0, "use the threshold argument, not 1"),
    ]
    for input_, v_prev, s_prev, threshold, hint in cases:
        got = call(fn, torch.tensor(input_), torch.tensor(v_prev), torch.tensor(s_prev), threshold)
        v_ref, s_ref = IF(threshold)(torch.tensor(input_), torch.tensor(v_prev), torch.tensor(s_prev))
        if not (isinstance(got, tuple) and len(got) == 2):
            raise fail("a tuple (v, s)", type(got).__name__, "return both the membrane and the spike.")
        v, s = (float(t) for t in got)
        if not (math.isclose(v, v_ref.item(), abs_tol=1e-6) and s == s_ref.item()):
            raise fail(
                f"(v={v_ref.item():.2f}, s={s_ref.item():.0f})",
                f"(v={v:.2f}, s={s:.0f})",
                f"input={input_}, v_previous={v_prev}, s_previous={s_prev}, threshold={threshold}: {hint}.",
            )
    passed("integration, threshold, strict comparison and reset to zero all behave")


def check_rate_closed_form(fn: Callable[[float, float], float]) -> None:
    """Notebook 02: ``fn(current, threshold)`` = spikes per step for a constant current."""
    cases = [
        (0.25, 1.0, 1 / 5, "v = 4 * 0.25 = 1.0 is not above threshold: it fires at the 5th step"),
        (0.3, 1.0, 1 / 4, "v reaches 1.2 > 1 at the 4th step, then restarts from 0"),
        (1.5, 1.0, 1.0, "a current above threshold fires at every step"),
        (0.5, 2.0, 1 / 5, "use the threshold argument"),
        (0.0, 1.0, 0.0, "no current, no spike"),
        (-0.4, 1.0, 0.0, "a negative current never fires"),
    ]
    for current, threshold, expected, hint in cases:
        got = call(fn, current, threshold)
        if not isinstance(got, int | float) or not math.isclose(got, expected, abs_tol=1e-9):
            raise fail(
                f"{expected:.4g}",
                got,
                f"current={current}, threshold={threshold}: {hint}. "
                "Steps to fire: the first n with n * current > threshold, "
                "i.e. floor(threshold / current) + 1.",
            )
    passed("closed-form firing rate matches for six currents")

