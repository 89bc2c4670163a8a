"""Notebook 02's exercise checkers accept right answers and refuse wrong ones with a helpful hint."""

import math

import pytest

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


def right_rate(current, threshold):
    return 0.0 if current <= 0 else 1 / (math.floor(threshold / current) + 1)


def test_rate_checker(capsys):
    exercises_02.check_rate_closed_form(right_rate)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)expected 0.2, got 0.25.*fires at the 5th step"):
        exercises_02.check_rate_closed_form(lambda c, th: c / th if c > 0 else 0.0)
    with pytest.raises(AssertionError, match=r"(?s)current=0.0"):
        exercises_02.check_rate_closed_form(lambda c, th: 1 / (math.floor(th / max(c, 1e-3)) + 1))
