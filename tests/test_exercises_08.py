"""Notebook 08's exercise checkers accept right answers and refuse wrong ones with a precise hint."""

import random

import pytest
import torch

from snn_helpers import surrogate_grad
from snn_helpers.course import exercises_08
from snn_helpers.course.experiments import surrogate_peak


def width(surrogate, slope, reach=1000.0, points=200_001, per_dx=True, inverse=False):
    x = torch.linspace(-reach / slope, reach / slope, points, dtype=torch.float64)
    g = surrogate_grad(x, surrogate, slope)
    area = g.sum() * ((x[1] - x[0]) if per_dx else 1.0)
    return (g.max() / area if inverse else area / g.max()).item()


def fixed_grid(surrogate, slope, half=5.0):
    x = torch.linspace(-half, half, 100_001, dtype=torch.float64)
    g = surrogate_grad(x, surrogate, slope)
    return (g.sum() * (x[1] - x[0]) / g.max()).item()


def test_measured_width_checker_passes_a_right_answer(capsys):
    exercises_08.check_measured_width(width)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda s, k: width(s, k, inverse=True), r"area / peak, not peak / area"),
        (
            lambda s, k: width(s, k, per_dx=False),
            r"multiply the sum of g over the grid by the grid's spacing dx",
        ),
        (fixed_grid, r"tails fall only like 1/\(k\|x\|\)\^2"),
        (
            lambda s, k: width(s, k, points=2001),
            r"the grid is too coarse for the narrow bumps",
        ),
        (lambda s, k: width(s, k) * (0.5 if s == "sigmoid" else 1), r"peak: the largest g on the grid"),
        (lambda s, k: "wide", r"a finite float \(area / peak\)"),
    ],
)
def test_measured_width_checker_names_each_mistake(answer, hint):
    with pytest.raises(AssertionError, match=rf"(?s){hint}"):
        exercises_08.check_measured_width(answer)


def test_prediction_checkers(capsys):
    exercises_08.check_prediction_recorded(lambda: 0.02)
    exercises_08.check_scale_prediction(lambda: 0.02, measured=-0.01)
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"(?s)between -1 and 1.*Hint"):
        exercises_08.check_prediction_recorded(lambda: 5)
    exercises_08.check_prediction_recorded(lambda: -0.4)
    with pytest.raises(AssertionError, match=r"(?s)trained with Adam, which divides each weight's step"):
        exercises_08.check_scale_prediction(lambda: -0.4, measured=0.0)
    exercises_08.check_prediction_recorded(lambda: 0.3)
    with pytest.raises(AssertionError, match=r"(?s)cannot teach more neurons"):
        exercises_08.check_scale_prediction(lambda: 0.3, measured=0.0)


def test_the_recorded_prediction_is_the_one_compared():
    # the student changed predicted_difference after seeing the grid: the recorded value is compared
    exercises_08._RECORDED.clear()
    with pytest.raises(
        AssertionError, match=r"^no recorded prediction: run the cell with check_prediction_recorded"
    ):
        exercises_08.check_scale_prediction(lambda: 0.0, measured=0.0)
    exercises_08.check_prediction_recorded(lambda: -0.5)
    with pytest.raises(
        AssertionError, match=r"(?s)recorded as -0.500 before the grid ran; .*now returns \+0.001"
    ):
        exercises_08.check_scale_prediction(lambda: 0.001, measured=0.001)
    with pytest.raises(AssertionError, match=r"(?s)^your prediction -0.500 is outside the tolerance.*Adam"):
        exercises_08.check_scale_prediction(lambda: -0.5, measured=0.001)


def test_checkers_leave_the_global_generators_alone():
    torch.manual_seed(3)
    random.seed(3)
    before = torch.get_rng_state(), random.getstate()
    exercises_08.check_measured_width(width)
    exercises_08.check_prediction_recorded(lambda: 0.0)
    exercises_08.check_scale_prediction(lambda: 0.0, measured=0.0)
    assert torch.equal(torch.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


def area_only(surrogate, slope):
    return width(surrogate, slope) * surrogate_peak(surrogate, slope)


def float32_grid(surrogate, slope, points=2_000_001):
    # what the hints suggested, with torch's default float32: x[1] - x[0] is rounded near +-1000/k
    x = torch.linspace(-1000 / slope, 1000 / slope, points)
    g = surrogate_grad(x, surrogate, slope)
    return (g.sum() * (x[1] - x[0]) / g.max()).item()


def test_returning_the_area_is_named_before_any_grid_hint():
    # the triangle at k = 2 has area 1 and width 0.5: a ratio of 2 used to say "grid too coarse"
    with pytest.raises(
        AssertionError, match=r"(?s)that is the area \(1 here\); the width is area / peak"
    ) as info:
        exercises_08.check_measured_width(area_only)
    assert "too coarse" not in str(info.value)


def test_a_float32_grid_gets_the_float64_hint():
    # the student's trap: the hints' +-1000/k with millions of points, in torch's default float32
    with pytest.raises(AssertionError) as info:
        exercises_08.check_measured_width(float32_grid)
    message = str(info.value)
    assert message.endswith(
        "Hint: if your grid is float32 (torch's default), its points near +-1000/k are rounded: x[1] - x[0] "
        "is not the spacing there. Build the grid in float64 (dtype=torch.float64), or take dx = 2L / (n - 1) "
        "for n points on [-L, L]."
    )
    assert "too coarse" not in message
    assert torch.get_default_dtype() == torch.float32  # the check put the default back


def test_the_solution_with_2_million_float64_points_passes(capsys):
    exercises_08.check_measured_width(lambda s, k: width(s, k, points=2_000_001))
    assert capsys.readouterr().out.startswith("passed: your widths match the closed forms")
