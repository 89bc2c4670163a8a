"""Checkers of notebook 08 (Which surrogate, at which width?)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from .checking import ExerciseError, call, fail, passed, prediction_miss
from .experiments import surrogate_area, surrogate_width

FLOAT64 = (
    "if your grid is float32 (torch's default), its points near +-1000/k are rounded: x[1] - x[0] is not "
    "the spacing there. Build the grid in float64 (dtype=torch.float64), or take dx = 2L / (n - 1) for "
    "n points on [-L, L]."
)
WIDTH_CASES = [("fast_sigmoid", 10.0), ("sigmoid", 4.0), ("atan", 0.5), ("triangle", 2.0), ("boxcar", 0.25)]


def _right_in_float64(fn: Callable[[str, float], float]) -> bool:
    """Whether ``fn`` gives every width within 2% when torch's default dtype is float64 (the float32
    trap: a wide float32 grid rounds its points, so x[1] - x[0] is not the spacing)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        values = [(call(fn, s, k), surrogate_width(s, k)) for s, k in WIDTH_CASES]
    except ExerciseError:
        return False
    finally:
        torch.set_default_dtype(before)
    return all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isclose(v, w, rel_tol=0.02)
        for v, w in values
    )


def check_measured_width(fn: Callable[[str, float], float]) -> None:
    """Notebook 08, exercise 1: ``fn(surrogate, slope)`` measures ``area / peak`` of ``surrogate_grad`` on
    a grid."""
    got, expected = {}, {}
    for surrogate, slope in WIDTH_CASES:
        value = call(fn, surrogate, slope)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise fail(
                "a finite float (area / peak)", repr(value), "return area / peak as a Python float (.item())."
            )
        got[surrogate], expected[surrogate] = float(value), surrogate_width(surrogate, slope)
    ratios = {s: got[s] / expected[s] for s in got}
    if all(math.isclose(r, 1.0, rel_tol=0.02) for r in ratios.values()):
        passed("your widths match the closed forms (2/k, 4/k, 2/k, 1/k, 1/k) within 2%")
        return
    case = next(s for s in got if not math.isclose(ratios[s], 1.0, rel_tol=0.02))
    slope = dict(WIDTH_CASES)[case]
    shown = f"{case} at k = {slope:g}"
    if all(math.isclose(got[s], surrogate_area(s, k), rel_tol=0.02) for s, k in WIDTH_CASES):
        raise fail(
            f"{expected[case]:.4g} for {shown}",
            f"{got[case]:.4g}",
            f"that is the area ({surrogate_area(case, slope):.4g} here); the width is area / peak.",
        )
    if _right_in_float64(fn):
        raise fail(f"{expected[case]:.4g} for {shown}", f"{got[case]:.4g}", FLOAT64)
    if all(r > 0 and math.isclose(got[s] * expected[s], 1.0, rel_tol=0.05) for s, r in ratios.items()):
        raise fail(
            f"{expected[case]:.4g} for {shown}",
            f"{got[case]:.4g}",
            "the width is area / peak, not peak / area.",
        )
    if all(r > 5 for r in ratios.values()):  # a sum over a fine grid, not multiplied by its spacing
        raise fail(
            f"{expected[case]:.4g} for {shown}",
            f"{got[case]:.4g}",
            "the area is an integral: multiply the sum of g over the grid by the grid's spacing dx.",
        )
    wrong = {s for s, r in ratios.items() if not math.isclose(r, 1.0, rel_tol=0.02)}
    if wrong <= {"fast_sigmoid", "atan"} and all(ratios[s] < 1 for s in wrong):
        raise fail(
            f"{expected[case]:.4g} for {shown}",
            f"{got[case]:.4g}",
            "the fast sigmoid's and atan's tails fall only like 1/(k|x|)^2: a grid that stops at a few "
            "units misses part of their area. Take the grid much wider (to 1000 / k on each side, say); "
            f"{FLOAT64}",
        )
    if any(ratios[s] > 1 for s in wrong):  # a coarse sum overestimates a narrow bump, or misses its peak
        raise fail(
            f"{expected[case]:.4g} for {shown}",
            f"{got[case]:.4g}",
            "the grid is too coarse for the narrow bumps: the fast sigmoid at k = 10 is at half height at "
            "|x| = 0.04, the boxcar at k = 0.25 is non-zero only for |x| < 2. Use a spacing much smaller "
            "than the narrowest bump (millions of points are cheap); "
            f"{FLOAT64}",
        )
    raise fail(
        f"{expected[case]:.4g} for {shown}",
        f"{got[case]:.4g}",
        "peak: the largest g on the grid; area: the sum of g times dx, on a grid wide and fine enough "
        f"for every shape; width: area / peak. {FLOAT64}",
    )


def _prediction(fn: Callable[[], float]) -> float:
    predicted = call(fn)
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not -1 <= predicted <= 1:
        raise ExerciseError(
            f"expected a difference of accuracies between -1 and 1 (a float), got {predicted!r}.\n"
            "Hint: return, for example, -0.2 for 'peak-matched 20 points lower'."
        )
    return float(predicted)


_RECORDED: dict[str, float] = {}  # the prediction as recorded, before the grid that measures it


def check_prediction_recorded(fn: Callable[[], float]) -> None:
    """Notebook 08, exercise 2 (a prediction): records ``fn()``, the learner's prediction, before the run
    that measures it; :func:`check_scale_prediction` compares this recorded value."""
    _RECORDED["scale"] = _prediction(fn)
    passed("prediction recorded; the digits grid below measures it and a later check compares")


def check_scale_prediction(fn: Callable[[], float], measured: float, tolerance: float = 0.05) -> None:
    """Notebook 08, exercise 2 (a prediction): compare the predicted accuracy difference (peak-matched
    minus area-matched, width
    0.2, digits) with the measured one, ``measured``."""
    if "scale" not in _RECORDED:
        raise ExerciseError(
            "no recorded prediction: run the cell with check_prediction_recorded(predicted_difference) "
            "first, before the digits grid measures it."
        )
    predicted, now = _RECORDED["scale"], _prediction(fn)
    if now != predicted:
        raise ExerciseError(
            f"your prediction was recorded as {predicted:+.3f} before the grid ran; predicted_difference() "
            f"now returns {now:+.3f}.\nHint: the check compares the recorded prediction. To predict again, "
            "change it, rerun its cell and the check that records it, then the grid and this check."
        )
    if predicted < measured - tolerance:
        raise prediction_miss(
            "08-2",
            f"within {tolerance} of the measured {measured:+.3f}",
            f"{predicted:+.3f}",
            "on the post's task (SGD) the smaller gradient did slow learning, but the digits are trained "
            "with Adam, which divides each weight's step by a running size of that weight's own "
            "gradient: a constant factor on g (0.2 here) almost cancels.",
        )
    if predicted > measured + tolerance:
        raise prediction_miss(
            "08-2",
            f"within {tolerance} of the measured {measured:+.3f}",
            f"{predicted:+.3f}",
            "a smaller surrogate does not reach neurons that the larger one misses: at the same width "
            "both are zero (or nearly) at the same places, so it cannot teach more neurons.",
        )
    # a measurement after training is not printed on a pass: its last digits depend on the CPU
    # (docs/maintaining.md, the portability rule), and the stored output is compared verbatim
    passed(f"your prediction {predicted:+.3f} is within {tolerance} of the measurement")
