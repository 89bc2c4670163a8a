"""Notebook 03's exercise checkers accept right answers and refuse wrong ones with a helpful hint."""


import pytest

from snn_helpers.course import exercises_03


def test_parameter_and_mult_add_checkers(capsys):
    exercises_03.check_n_params(lambda i, h: i * h + h)
    exercises_03.check_mult_adds(lambda i, h, t: t * (i * h + h))
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"(?s)expected 150500, got 150000.*count the bias"):
        exercises_03.check_n_params(lambda i, h: i * h)
    with pytest.raises(AssertionError, match=r"(?s)do not multiply by n_time"):
        exercises_03.check_n_params(lambda i, h: 10 * (i * h + h))
    with pytest.raises(AssertionError, match=r"(?s)expected 1505000, got 150500.*once per time step"):
        exercises_03.check_mult_adds(lambda i, h, t: i * h + h)
