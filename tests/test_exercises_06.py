"""Notebook 06's exercise checkers accept right answers and refuse each learner's mistake with its hint."""

import random

import pytest
import torch

from snn_helpers.course import exercises_06
from snn_helpers.course.checking import ExerciseError

MB = 4 / 2**20  # one float32 in MB
MEMBRANES, INPUTS = 50 * 64 * 1000 * MB, 50 * 64 * 300 * MB  # the case: T 50, batch 64, 300 -> 1000


def test_memory_prediction_right_by_hand(capsys):
    assert exercises_06.measure_fused_memory() == pytest.approx(MEMBRANES + INPUTS, abs=1e-6)  # 15.87 MB
    exercises_06.check_memory_prediction(15.87)
    assert "15.87 MB" in capsys.readouterr().out
    exercises_06.check_memory_prediction(16)  # within 2%


@pytest.mark.parametrize(
    ("predicted", "hint"),
    [
        (MEMBRANES, r"membranes alone; the Linear keeps its input"),
        (2 * MEMBRANES + INPUTS, r"spikes are not kept"),
        (MEMBRANES + INPUTS + 1000 * 300 * MB, r"weight W is not kept"),
        ((MEMBRANES + INPUTS) * 2**20 / 1e6, r"2\*\*20 bytes"),
        ((MEMBRANES + INPUTS) / 4, r"4 bytes"),
        ((MEMBRANES + INPUTS) / 5, r"T = 50 steps"),
        (100.0, r"count the tensors"),
    ],
)
def test_memory_prediction_mistakes(predicted, hint):
    # the first miss says what to reconsider and keeps the measurement back; the second shows it
    with pytest.raises(
        ExerciseError, match=rf"(?s)^your prediction [0-9.]+ MB is outside the tolerance.*{hint}"
    ) as info:
        exercises_06.check_memory_prediction(predicted)
    assert "15.87" not in str(info.value) and "from the second try on" in str(info.value)
    with pytest.raises(ExerciseError, match=rf"(?s)expected about 15.87 MB.*Hint: .*{hint}"):
        exercises_06.check_memory_prediction(predicted)


def test_memory_prediction_accepts_numpy_and_0_dim_tensor_scalars(capsys):
    import numpy as np

    for value in (
        np.float32(15.87),
        np.float64(15.87),
        torch.tensor(15.87),
        torch.tensor(16, dtype=torch.int64),
    ):
        exercises_06.check_memory_prediction(value)
    assert capsys.readouterr().out.count("passed") == 4
    with pytest.raises(ExerciseError, match=r"expected a positive number of MB"):
        exercises_06.check_memory_prediction(torch.tensor([15.87]))


def test_memory_prediction_forgotten_return_asks_for_a_return_not_a_variable():
    # predicted_mb() without `return` gives None: the check cell calls predicted_mb(), so the hint
    # must not ask for `predicted_mb = 12.5` (that makes predicted_mb() a TypeError)
    with pytest.raises(ExerciseError) as info:
        exercises_06.check_memory_prediction(None)
    assert "end it with `return` and your number, e.g. `return 12.5`" in str(info.value)
    assert "predicted_mb = " not in str(info.value)


@pytest.mark.parametrize("bad", ["15", None, True, -3.0, 0])
def test_memory_prediction_must_be_a_positive_number(bad):
    with pytest.raises(ExerciseError, match=r"expected a positive number of MB"):
        exercises_06.check_memory_prediction(bad)


def right_backward(vs, weights, threshold):
    a_next, grads = 0.0, []
    for t in reversed(range(len(vs))):
        spike = float(vs[t] > threshold)
        dl_ds = weights[t] - a_next * threshold
        a_next = a_next + dl_ds * spike
        grads.insert(0, a_next)
    return grads


def test_subtract_backward_accepts_the_recursion(capsys):
    exercises_06.check_subtract_backward(right_backward)
    assert "passed" in capsys.readouterr().out
    exercises_06.check_subtract_backward(lambda *args: torch.tensor(right_backward(*args)))


def mistake(variant):
    return lambda vs, w, th: exercises_06._sweep(vs, w, th, variant)


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (mistake("zero_formula"), r"reset-to-zero backward"),
        (mistake("membrane"), r"is -theta with reset='subtract'"),
        (mistake("keep"), r"no \(1 - s_t\) factor"),
        (mistake("detached"), r"dropped the reset term"),
        (mistake("no_g"), r"only through the surrogate"),
        (lambda vs, w, th: [x * 2 for x in right_backward(vs, w, th)], r"go backwards from the last step"),
        (lambda vs, w, th: right_backward(vs, w, th)[:-1], r"a list of \d numbers"),
    ],
)
def test_subtract_backward_mistakes(fn, hint):
    with pytest.raises(ExerciseError, match=rf"(?s){hint}"):
        exercises_06.check_subtract_backward(fn)


def test_learner_errors_are_reported_without_the_checker():
    def broken(vs, w, th):
        raise IndexError("list index out of range")

    with pytest.raises(ExerciseError, match=r"your code raised IndexError"):
        exercises_06.check_subtract_backward(broken)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(123)
    random.seed(123)
    before, before_py = torch.get_rng_state(), random.getstate()
    exercises_06.check_memory_prediction(15.87)
    exercises_06.check_subtract_backward(right_backward)
    assert torch.equal(torch.get_rng_state(), before) and random.getstate() == before_py


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()
