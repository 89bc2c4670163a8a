"""Notebook 10's checkers accept right answers and name each mistake; they leave the global RNG alone."""

import random

import pytest
import torch

from snn_helpers.core.encoding import latency_encode
from snn_helpers.course import exercises_10


def right(x, n_time):
    times = torch.round((1 - x) * (n_time - 1))
    steps = torch.arange(n_time).view(-1, 1, 1)
    return ((steps == times) & (x > 0)).float()


def reversed_code(x, n_time):
    times = torch.round(x * (n_time - 1))
    return ((torch.arange(n_time).view(-1, 1, 1) == times) & (x > 0)).float()


def floor_code(x, n_time):
    times = torch.floor((1 - x) * (n_time - 1))
    return ((torch.arange(n_time).view(-1, 1, 1) == times) & (x > 0)).float()


def every_step_after(x, n_time):
    return right(x, n_time).cumsum(dim=0)


def zero_fires(x, n_time):
    times = torch.round((1 - x) * (n_time - 1))
    return (torch.arange(n_time).view(-1, 1, 1) == times).float()


def scaled_by_t(x, n_time):
    times = torch.round((1 - x) * n_time)
    return ((torch.arange(n_time).view(-1, 1, 1) == times) & (x > 0)).float()


def batch_first(x, n_time):
    return right(x, n_time).transpose(0, 1)


def test_latency_checker_passes_right_answers(capsys):
    exercises_10.check_latency_code(right)
    exercises_10.check_latency_code(latency_encode)
    exercises_10.check_latency_code(lambda x, n: right(x, n).bool())  # booleans are fine
    assert capsys.readouterr().out.count("passed") == 3


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (reversed_code, r"brighter must be earlier"),
        (floor_code, r"round the time to the nearest step"),
        (every_step_after, r"one spike per input at most"),
        (zero_fires, r"an intensity of 0 carries no signal"),
        (scaled_by_t, r"the faintest input must still fire within the T steps"),
        (batch_first, r"time comes first"),
        (lambda x, n: right(x, n)[:, 0], r"one row per step, then the batch"),
        (lambda x, n: right(x, n).tolist(), r"return the spikes as a tensor"),
        (lambda x, n: right(x, n).roll(1, dims=0), r"input i fires once, at step round"),
        (lambda x, n: 1 / 0, r"your code raised ZeroDivisionError"),
    ],
)
def test_each_latency_mistake_gets_its_own_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        exercises_10.check_latency_code(wrong)


def test_prediction_checker():
    _, latency, ratio = exercises_10.measured_spike_ratio()
    assert latency == pytest.approx(32.28, abs=0.01)  # lit pixels per validation digit
    assert ratio == pytest.approx(20 * 0.6, rel=0.05)  # T times the mean intensity of lit pixels
    exercises_10.check_spike_ratio_prediction(12)
    for guess, hint in [
        (6, r"about the ratio at T = 10"),
        (20, r"if every lit pixel were at full brightness"),
        (2, r"too low"),
        (40, r"too high"),
    ]:
        with pytest.raises(AssertionError, match=hint):
            exercises_10.check_spike_ratio_prediction(guess)
    with pytest.raises(AssertionError, match=r"expected your prediction as a number, got str"):
        exercises_10.check_spike_ratio_prediction("12")


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(123)
    random.seed(123)
    before = torch.get_rng_state(), random.getstate()
    exercises_10.check_spike_ratio_prediction(12)
    exercises_10.check_latency_code(right)
    assert torch.equal(torch.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


def round_half_up(x, n_time):
    times = torch.floor((1 - x) * (n_time - 1) + 0.5).long()
    steps = torch.arange(n_time).view(n_time, 1, 1)
    return ((steps == times) & (x > 0)).float()


def test_round_half_up_is_caught_on_a_tie():
    # x = 0.375 at T = 5: (1 - x) * 4 = 2.5 exactly; torch.round gives 2 (the even step), half-up 3
    assert latency_encode(torch.tensor([[0.375, 0.875]]), 5)[:, 0].argmax(dim=0).tolist() == [2, 0]
    with pytest.raises(AssertionError, match=r"a tie goes to the even step, as torch.round does"):
        exercises_10.check_latency_code(round_half_up)
