"""Notebook 04's exercise checkers accept right answers and refuse wrong ones with a helpful hint."""


import pytest

from snn_helpers.course import exercises_04


def test_fraction_checkers(capsys):
    exercises_04.check_first_step_fraction(lambda model, x: model(x)[0].mean().item())
    exercises_04.check_silent_fraction(lambda s: (s.reshape(-1, s.shape[-1]).sum(0) == 0).float().mean().item())
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"(?s)take the spikes of step 0"):
        exercises_04.check_first_step_fraction(lambda model, x: model(x).mean().item())
    with pytest.raises(AssertionError, match=r"(?s)expected 0.5, got 0.25"):
        exercises_04.check_silent_fraction(lambda s: (s == 0).float().mean().item() - 0.5)
