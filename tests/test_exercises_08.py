"""Notebook 08's exercise checkers accept right answers and refuse wrong ones with a precise hint."""

import random

import pytest
import torch

from snn_helpers import surrogate_grad
from snn_helpers.course import exercises_08


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
    exercises_08.check_prediction_recorded(lambda: 0.0)
    exercises_08.check_scale_prediction(lambda: 0.02, measured=-0.01)
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"(?s)between -1 and 1.*Hint"):
        exercises_08.check_prediction_recorded(lambda: 5)
    with pytest.raises(AssertionError, match=r"(?s)trained with Adam, which divides each weight's step"):
        exercises_08.check_scale_prediction(lambda: -0.4, measured=0.0)
    with pytest.raises(AssertionError, match=r"(?s)cannot teach more neurons"):
        exercises_08.check_scale_prediction(lambda: 0.3, measured=0.0)


def test_checkers_leave_the_global_generators_alone():
    torch.manual_seed(3)
    random.seed(3)
    before = torch.get_rng_state(), random.getstate()
    exercises_08.check_measured_width(width)
    exercises_08.check_scale_prediction(lambda: 0.0, measured=0.0)
    assert torch.equal(torch.get_rng_state(), before[0]) and random.getstate() == before[1]
