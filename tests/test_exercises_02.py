"""Notebook 02's exercise checkers accept right answers and refuse each mistake with its own hint."""

import math
import random

import pytest
import torch

from snn_helpers.course import exercises_02


def test_a_crashing_answer_is_reported():
    with pytest.raises(AssertionError, match=r"(?s)your code raised ZeroDivisionError"):
        exercises_02.check_rate_closed_form(lambda current, threshold: 1 / 0)


def right_if_step(input_, v_previous, s_previous, threshold):
    v = v_previous * (1 - s_previous) + input_
    return v, (v > threshold).float()


def test_if_step_checker(capsys):
    exercises_02.check_if_step(right_if_step)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)reset to zero"):
        exercises_02.check_if_step(lambda i, v, s, th: (v + i, (v + i > th).float()))
    with pytest.raises(AssertionError, match=r"(?s)equals the threshold"):
        exercises_02.check_if_step(lambda i, v, s, th: (v * (1 - s) + i, (v * (1 - s) + i >= th).float()))
    with pytest.raises(AssertionError, match=r"(?s)use the threshold argument"):
        exercises_02.check_if_step(lambda i, v, s, th: right_if_step(i, v, s, 1.0))


def test_if_step_checker_refuses_bool_spikes_as_notebook_01_does():
    def bool_step(i, v, s, th):
        v = v * (1 - s.float()) + i
        return v, v > th

    with pytest.raises(
        AssertionError, match=r"(?s)expected s as a float tensor.*got a bool tensor.*float 0.0/1.0"
    ):
        exercises_02.check_if_step(bool_step)


def right_rate(current, threshold):
    return 0.0 if current <= 0 else 1 / (math.floor(threshold / current) + 1)


def test_rate_checker(capsys):
    exercises_02.check_rate_closed_form(right_rate)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)expected 0.2, got 0.25.*fires at the 5th step"):
        exercises_02.check_rate_closed_form(lambda c, th: c / th if c > 0 else 0.0)
    with pytest.raises(AssertionError, match=r"(?s)current=0.0.*no current, no spike"):
        exercises_02.check_rate_closed_form(lambda c, th: 1 / (math.floor(th / max(c, 1e-3)) + 1))


def test_rate_checker_explains_zero_and_negative_currents():
    no_guard = lambda c, th: 1 / (math.floor(th / c) + 1)  # noqa: E731
    with pytest.raises(
        AssertionError,
        match=r"(?s)expected 0.0 for current=0.0, got ZeroDivisionError.*return 0.0 for every current <= 0",
    ):
        exercises_02.check_rate_closed_form(no_guard)
    guard_zero_only = lambda c, th: 0.0 if c == 0 else no_guard(c, th)  # noqa: E731
    with pytest.raises(AssertionError, match=r"(?s)expected 0, got -0.5.*current=-0.4.*never negative"):
        exercises_02.check_rate_closed_form(guard_zero_only)


def test_spike_count_is_measured():
    # 4 x 0.25 = 1.0 does not fire: one spike every 5 steps
    assert exercises_02.count_spikes(0.25, 100) == 20
    assert exercises_02.count_spikes(0.3, 100) == 25


def test_spike_count_prediction(capsys):
    exercises_02.check_spike_count_prediction(20)
    assert "fired 20 times in 100 steps" in capsys.readouterr().out
    exercises_02.check_spike_count_prediction(21)  # within one spike
    # a first miss says what to reconsider without the measured count; the second shows it
    with pytest.raises(
        AssertionError, match=r"(?s)^your prediction 25 is outside.*1.0 equals the threshold"
    ) as first:
        exercises_02.check_spike_count_prediction(25)
    assert "20" not in str(first.value)
    with pytest.raises(
        AssertionError, match=r"(?s)expected 20 \(measured\), got 25.*1.0 equals the threshold"
    ):
        exercises_02.check_spike_count_prediction(25)
    with pytest.raises(AssertionError, match=r"(?s)got 50.*n x 0.25 > 1"):
        exercises_02.check_spike_count_prediction(50)
    with pytest.raises(AssertionError, match=r"expected a number of spikes, got '20'"):
        exercises_02.check_spike_count_prediction("20")


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(7)
    random.seed(7)
    before = torch.random.get_rng_state(), random.getstate()
    exercises_02.check_if_step(right_if_step)
    exercises_02.check_rate_closed_form(right_rate)
    exercises_02.check_spike_count_prediction(20)
    assert torch.equal(torch.random.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()
