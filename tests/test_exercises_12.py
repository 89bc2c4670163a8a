"""Notebook 12's exercise checkers accept right answers and refuse each mistake with its own hint."""

import random
import re

import pytest
import torch
from torch import nn

from snn_helpers.course import exercises_12
from snn_helpers.course.checking import ExerciseError
from snn_helpers.tasks.randman import RandmanData


def right(spikes):
    n_time = spikes.shape[0]
    steps = spikes.argmax(dim=0)
    return torch.where(spikes.any(dim=0), steps, n_time).long()


def argmax_only(spikes):
    return spikes.argmax(dim=0)


def last_spike(spikes):
    n_time = spikes.shape[0]
    flipped = n_time - 1 - spikes.flip(0).argmax(dim=0)
    return torch.where(spikes.any(dim=0), flipped, n_time).long()


def float_steps(spikes):
    return right(spikes).float()


def wrong_dim(spikes):
    return spikes.argmax(dim=1)


def off_by_one(spikes):
    return right(spikes) + 1


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (argmax_only, "argmax of all zeros is 0"),
        (last_spike, "take the earliest one"),
        (float_steps, "steps are integers"),
        (wrong_dim, "reduce over dim 0"),
        (off_by_one, "the step whose entry is 1"),
        (lambda s: s.tolist(), "return a tensor of steps"),
    ],
)
def test_first_spike_mistakes(fn, hint):
    with pytest.raises(ExerciseError, match=re.escape(hint)):
        exercises_12.check_first_spike_steps(fn)


def test_first_spike_right_answer(capsys):
    exercises_12.check_first_spike_steps(right)
    assert capsys.readouterr().out.startswith("passed")


def test_first_spike_reports_a_crash():
    def crash(spikes):
        raise RuntimeError("boom")

    with pytest.raises(ExerciseError, match="your code raised RuntimeError: boom"):
        exercises_12.check_first_spike_steps(crash)


class TimingReader(nn.Module):
    """Reads the class from the step of channel 0's spike: perfect on intact data, chance once shuffled."""

    def __init__(self, n_classes: int) -> None:
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))
        self.n_classes = n_classes

    def forward(self, spikes):
        step = spikes[:, :, 0].argmax(dim=0)
        return nn.functional.one_hot(step % self.n_classes, self.n_classes).float()


def timing_data(n_classes=4, per_class=100):
    labels = torch.arange(n_classes).repeat_interleave(per_class)
    spikes = torch.zeros(n_classes, len(labels), 2)
    spikes[labels, torch.arange(len(labels)), 0] = 1.0
    spikes[0, :, 1] = 1.0
    return RandmanData(spikes, labels)


@pytest.mark.parametrize("predicted", [0.25, 0.2, 0.3])
def test_prediction_near_chance_passes(predicted, capsys):
    exercises_12.check_permutation_prediction(predicted, TimingReader(4), timing_data())
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("predicted", "hint"),
    [
        (25, "as a fraction"),
        (0.95, "what is left to tell the classes apart"),
        (0.6, "the network now guesses"),
    ],
)
def test_prediction_mistakes(predicted, hint):
    with pytest.raises(ExerciseError, match=re.escape(hint)):
        exercises_12.check_permutation_prediction(predicted, TimingReader(4), timing_data())


def test_prediction_below_chance():
    # 2 classes: chance 0.5; a prediction of 0 is more than 0.1 below it
    with pytest.raises(ExerciseError, match=re.escape("right 1 time in 2 (chance, 0.5)")):
        exercises_12.check_permutation_prediction(0.0, TimingReader(2), timing_data(2, 200))


def test_prediction_not_a_number():
    with pytest.raises(ExerciseError, match="expected a number for predicted_accuracy"):
        exercises_12.check_permutation_prediction("chance", TimingReader(4), timing_data())


def test_checks_leave_the_global_rng_alone():
    random.seed(1)
    torch.manual_seed(1)
    state_py, state_torch = random.getstate(), torch.get_rng_state()
    exercises_12.check_permutation_prediction(0.25, TimingReader(4), timing_data())
    exercises_12.check_first_spike_steps(right)
    assert random.getstate() == state_py and torch.equal(torch.get_rng_state(), state_torch)


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


class AlwaysZero(nn.Module):
    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, spikes):
        return nn.functional.one_hot(torch.zeros(spikes.shape[1], dtype=torch.long), 10).float()


def test_the_window_is_strict_a_prediction_0_1_away_fails():
    # 10 classes, 10 samples each, a model that always says 0: measured exactly 0.1; 0.0 is not within 0.1
    data = timing_data(10, 10)
    with pytest.raises(ExerciseError):
        exercises_12.check_permutation_prediction(0.0, AlwaysZero(), data)
    exercises_12.check_permutation_prediction(0.15, AlwaysZero(), data)


def test_a_pass_shows_the_prediction_not_the_trained_measurement(capsys):
    exercises_12.check_permutation_prediction(0.25, TimingReader(4), timing_data())
    assert capsys.readouterr().out.startswith(
        "passed: your prediction 0.25 is within 0.1 of the measured accuracy"
    )
