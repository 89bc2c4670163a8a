"""Notebook 11's checkers accept right answers and name each mistake; they leave the global RNG alone."""

import random

import pytest
import torch

from snn_helpers.core.activity import synaptic_operations
from snn_helpers.course import exercises_11


def right(inputs, hidden, n_hidden, n_classes):
    per_sample = inputs.sum(dim=(0, 2)) * n_hidden + hidden.sum(dim=(0, 2)) * n_classes
    return per_sample.mean().item()


def test_synops_checker_passes_right_answers(capsys):
    exercises_11.check_synops(right)
    exercises_11.check_synops(
        lambda i, h, nh, nc: (
            synaptic_operations(i, nh) + synaptic_operations(h, nc)
        ).mean()  # a tensor is fine
    )
    assert capsys.readouterr().out.count("passed") == 2


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda i, h, nh, nc: right(i, h, i.shape[-1], nh),
            r"(?s)expected 19, got 23.*fan-out, not the fan-in",
        ),
        (lambda i, h, nh, nc: right(i, h * 0, nh, nc), r"add hidden spikes x n_classes"),
        (lambda i, h, nh, nc: right(i * 0, h, nh, nc), r"add input spikes x n_hidden"),
        (lambda i, h, nh, nc: 2 * right(i, h, nh, nc), r"average over the batch"),
        (lambda i, h, nh, nc: right(i, h, 1, 1), r"multiply by the fan-out"),
        (lambda i, h, nh, nc: i.shape[0] * (i.shape[-1] * nh + nh * nc), r"that is the dense count"),
        (lambda i, h, nh, nc: 19.0, r"use the sizes you are given"),
        (lambda i, h, nh, nc: right(i, h, nh, nc) + 1, r"the inputs send 3 and 1 spikes"),
        (lambda i, h, nh, nc: [19.0], r"return one number"),
    ],
)
def test_each_synops_mistake_gets_its_own_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        exercises_11.check_synops(wrong)


def test_bias_trick_prediction():
    ratio = exercises_11.measured_bias_trick_cost()
    assert 3.5 < ratio < 5.5  # measured 4.32 with torch 2.13 on this machine
    exercises_11.check_bias_trick_cost(4)
    for guess, hint in [
        (18.5, r"ratio of notebook 04's losses at start .* squared firing rate"),
        (25, r"about the ratio at the first step"),
        (1, r"more current, more spikes"),
        (2, r"too low.*square root of that loss ratio"),
        (8, r"too high.*square root of that ratio"),
    ]:
        with pytest.raises(AssertionError, match=hint):
            exercises_11.check_bias_trick_cost(guess)
    with pytest.raises(AssertionError, match=r"expected your prediction as a number, got NoneType"):
        exercises_11.check_bias_trick_cost(None)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(7)
    random.seed(7)
    before = torch.get_rng_state(), random.getstate()
    exercises_11.check_bias_trick_cost(4)
    exercises_11.check_synops(right)
    assert torch.equal(torch.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


def test_a_float_answer_is_shown_rounded():
    # the student's message read "got 6.333333492279053": floats are shown with 6 significant digits
    with pytest.raises(AssertionError, match=r"expected 19, got 6\.33333\.") as info:
        exercises_11.check_synops(lambda i, h, nh, nc: torch.tensor(19 / 3, dtype=torch.float32))
    assert "6.333333492" not in str(info.value)
