"""Notebook 07's exercise checkers accept right answers and refuse each learner's mistake with its hint."""

import random

import pytest
import torch

from snn_helpers.course import exercises_07
from snn_helpers.course.checking import ExerciseError
from snn_helpers.tasks.digits import DigitsSNN, load_digits_split, train_digits


@pytest.fixture(scope="module")
def trained():
    data = load_digits_split()
    torch.manual_seed(0)
    model = DigitsSNN(n_hidden=32)
    train_digits(model, data, n_time=5, epochs=1, lr=1e-2, seed=0, track=())
    return model, data


def test_readout_prediction_on_a_trained_network(trained, capsys):
    model, data = trained  # trained at T = 5, one epoch
    measured = exercises_07.measure_readout(model, data, 2)
    own = exercises_07.measure_readout(model, data, 5)
    assert 0.3 < measured < own - 0.03
    exercises_07.check_readout_prediction(measured, model, data, n_time_trained=5)
    assert "within the window" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match=r"(?s)that is about what it scores at its own T = 5"):
        exercises_07.check_readout_prediction(own, model, data, n_time_trained=5)


@pytest.fixture
def notebook_07(monkeypatch):
    """The notebook's numbers (student review): 0.833 read over 2 steps, 0.952 at its own T = 10."""
    monkeypatch.setattr(
        exercises_07, "measure_readout", lambda model, data, n_time=2: {2: 0.833, 10: 0.952}[n_time]
    )


@pytest.mark.parametrize("predicted", [0.75, 0.6, 0.833, 0.9])
def test_readout_prediction_window(notebook_07, predicted, capsys):
    exercises_07.check_readout_prediction(predicted, None, None, n_time=2)
    assert capsys.readouterr().out.startswith(f"passed: your prediction {predicted:.2f} is within the window")


@pytest.mark.parametrize(
    ("predicted", "hint"),
    [
        (0.95, r"that is about what it scores at its own T = 10: with 2 steps the largest count is 2"),
        (0.952, r"what it scores at its own T = 10"),
        (0.93, r"what it scores at its own T = 10"),  # within 0.03 of it
        (1.0, r"what it scores at its own T = 10"),
        (0.1, r"Two draws per pixel still carry much of the image: each hidden neuron sums 64 inputs"),
        (0.5, r"Two draws per pixel"),
        (0.915, r"too high\. With T = 2 each output neuron fires at most 2"),
    ],
)
def test_readout_prediction_misses(notebook_07, predicted, hint):
    with pytest.raises(
        ExerciseError, match=rf"(?s)^your prediction {predicted:.2f} is outside.*{hint}"
    ) as first:
        exercises_07.check_readout_prediction(predicted, None, None)
    assert "0.83" not in str(first.value)  # the first miss does not give the measurement away
    with pytest.raises(ExerciseError, match=r"expected between 0.58 and 0.91 \(measured 0.83\)"):
        exercises_07.check_readout_prediction(predicted, None, None)


@pytest.mark.parametrize(
    ("bad", "hint"),
    [(85, r"as a fraction: 0.85, not 85"), ("0.8", r"a fraction: 0.9 means"), (True, r"a fraction")],
)
def test_readout_prediction_must_be_a_fraction(trained, bad, hint):
    with pytest.raises(ExerciseError, match=rf"(?s)expected an accuracy between 0 and 1.*{hint}"):
        exercises_07.check_readout_prediction(bad, *trained)


def right_credit(counts, labels):
    top = counts.max(dim=1, keepdim=True).values
    tied = counts == top
    return (tied[torch.arange(len(labels)), labels].float() / tied.sum(dim=1)).mean().item()


def test_tie_credit_accepts_a_right_answer(capsys):
    exercises_07.check_tie_credit(right_credit)
    assert "passed" in capsys.readouterr().out
    exercises_07.check_tie_credit(lambda c, y: torch.tensor(right_credit(c, y)))  # a 0-dim tensor is fine


def with_zero_rows_ignored(counts, labels):
    credit = torch.tensor(
        [right_credit(c[None], y[None]) if c.sum() > 0 else 0.0 for c, y in zip(counts, labels, strict=True)]
    )
    return credit.mean().item()


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda c, y: (c.argmax(1) == y).float().mean().item(), r"that is argmax's accuracy"),
        (
            lambda c, y: (c[torch.arange(len(y)), y] == c.max(1).values).float().mean().item(),
            r"a tie is not a right",
        ),
        (with_zero_rows_ignored, r"without any output spike ties all ten classes"),
        (lambda c, y: right_credit(c, y) * len(y), r"do not sum"),
        (lambda c, y: 0.5, r"per digit: find the top count"),
        (lambda c, y: "high", r"return one float"),
    ],
)
def test_tie_credit_mistakes(fn, hint):
    with pytest.raises(ExerciseError, match=rf"(?s){hint}"):
        exercises_07.check_tie_credit(fn)


def test_checks_leave_the_global_rng_alone(trained):
    torch.manual_seed(123)
    random.seed(123)
    before, before_py = torch.get_rng_state(), random.getstate()
    model, data = trained
    exercises_07.check_readout_prediction(exercises_07.measure_readout(model, data), model, data)
    exercises_07.check_tie_credit(right_credit)
    assert torch.equal(torch.get_rng_state(), before) and random.getstate() == before_py


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()
