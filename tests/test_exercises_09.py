"""Notebook 09's exercise checkers accept right answers and refuse each mistake with its own hint."""

import math
import random

import pytest
import torch

from snn_helpers.course import exercises_09


def right_rate(current, beta, threshold):
    if current <= threshold * (1 - beta):
        return 0.0
    if beta == 1.0:
        return 1 / (math.floor(threshold / current) + 1)
    return 1 / (math.floor(math.log(1 - threshold * (1 - beta) / current) / math.log(beta)) + 1)


def test_the_reference_cases_are_the_hand_worked_ones():
    # v = 0.3, 0.525, 0.694, 0.820, 0.915, 0.986, 1.040 (beta 0.75): fires at the 7th step
    assert exercises_09.steps_to_fire(0.3, 0.75, 1.0) == 7
    assert exercises_09.steps_to_fire(0.6, 0.5, 1.0) == 3  # 0.6, 0.9, 1.05
    assert exercises_09.steps_to_fire(0.25, 0.75, 1.0) is None  # at the rheobase: never


def test_rate_checker_accepts_the_closed_form(capsys):
    exercises_09.check_lif_rate(right_rate)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda i, b, th: 0.0 if i <= 0 else 1 / (math.floor(th / i) + 1), r"IF rate of notebook 02"),
        (
            lambda i, b, th: (
                right_rate(i, b, th) if b == 1 or i <= th * (1 - b) else 1 / (1 / right_rate(i, b, th) - 1)
            ),
            r"one step short",
        ),
        (
            lambda i, b, th: 1 / (math.floor(math.log(1 - th * (1 - b) / i) / math.log(b)) + 1),
            r"(?s)your code raised ValueError.*beta=0.9.*return 0.0 before taking it",
        ),
        (
            lambda i, b, th: (
                right_rate(i, b, th)
                if b < 1
                else 1 / (math.floor(math.log(1 - th * (1 - b) / i) / math.log(b)) + 1)
            ),
            r"(?s)your code raised ZeroDivisionError.*log\(beta\) = 0",
        ),
        (lambda i, b, th: right_rate(i, b, 1.0), r"use the threshold argument"),
        (
            lambda i, b, th: (
                0.0
                if i <= 0
                else 1 / (math.floor(math.log(abs(1 - th * (1 - b) / i) or 1) / math.log(b)) + 1)
                if b < 1
                else right_rate(i, b, th)
            ),
            r"rheobase.*never fires: return 0.0",
        ),
        (lambda i, b, th: str(right_rate(i, b, th)), r"expected a Python float"),
    ],
    ids=[
        "if-formula",
        "off-by-one",
        "no-rheobase-guard",
        "beta-one",
        "threshold-ignored",
        "fires-below",
        "str",
    ],
)
def test_rate_checker_names_each_mistake(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        exercises_09.check_lif_rate(answer)


def test_the_fade_is_measured_not_assumed():
    # 0.9^43 = 0.0108 > 1% and 0.9^44 = 0.0097 < 1%: 44 steps back; without a leak it never fades
    assert exercises_09.steps_to_one_percent(0.9) == 44
    assert exercises_09.steps_to_one_percent(0.5) == 7  # 0.5^7 = 0.0078


@pytest.mark.parametrize("predicted", [44, 42, 46, 44.0])
def test_fade_prediction_within_two_steps_passes(predicted, capsys):
    exercises_09.check_fade_prediction(predicted)
    out = capsys.readouterr().out
    assert out.startswith("passed") and "after 44 steps back" in out


@pytest.mark.parametrize(
    ("predicted", "hint"),
    [
        (10, r"time constant tau = -1 / ln\(0.9\) = 9.5.*geometric"),
        (1000, r"with beta = 1 \(the IF neuron\) the gradient would never fade"),
        (math.inf, r"never fade"),
        (25, r"multiplies the gradient by beta \(1 - s\) = 0.9 here"),
    ],
)
def test_fade_prediction_names_each_mistake(predicted, hint):
    with pytest.raises(AssertionError, match=hint):
        exercises_09.check_fade_prediction(predicted)


@pytest.mark.parametrize("predicted", ["44", -3, True, None, math.nan])
def test_fade_prediction_refuses_what_is_not_a_number_of_steps(predicted):
    with pytest.raises(AssertionError, match=r"expected a number of steps \(0 or more\)"):
        exercises_09.check_fade_prediction(predicted)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(123)
    random.seed(123)
    before = torch.random.get_rng_state(), random.getstate()
    exercises_09.check_lif_rate(right_rate)
    exercises_09.check_fade_prediction(44)
    assert torch.equal(torch.random.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


def ceil_rate(current, beta, threshold):
    """The student's slip: ceil(x) where the closed form has floor(x) + 1 (equal off the staircase's steps)."""
    if current <= threshold * (1 - beta):
        return 0.0
    if beta == 1.0:
        return 1.0 / math.ceil(threshold / current)
    return 1.0 / max(1, math.ceil(math.log(1 - threshold * (1 - beta) / current) / math.log(beta)))


def test_ceil_instead_of_floor_plus_one_is_caught_on_a_step_of_the_staircase():
    # I = 0.5, beta = 1: v = 0.5, 1.0 (not > 1), 1.5: one spike every 3 steps; ceil(1 / 0.5) says 2
    assert exercises_09.simulated_rate(0.5, 1.0, 1.0) == pytest.approx(1 / 3)
    assert exercises_09.simulated_rate(1.0, 0.5, 1.0) == pytest.approx(1 / 2)  # v = 1.0, 1.5
    with pytest.raises(
        AssertionError, match=r"(?s)expected 0\.3333, got 0\.5.*current=0\.5, beta=1\.0.*not ceil"
    ):
        exercises_09.check_lif_rate(ceil_rate)
