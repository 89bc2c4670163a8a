"""Notebook 05's exercise checkers accept right answers and refuse wrong ones with a helpful hint."""

import math

import pytest
import torch

from snn_helpers import rate_loss, train
from snn_helpers.course import exercises_05


def right_loop(model, n_iter, optimizer_per_iteration=False):
    from snn_helpers import random_binary_input

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(n_iter):
        if optimizer_per_iteration:  # a learner's mistake: momentum starts afresh at every step
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_training_loop_checker(capsys):
    exercises_05.check_training_loop(right_loop)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)a list of 5 floats"):
        exercises_05.check_training_loop(lambda model, n: right_loop(model, n)[:-1])
    with pytest.raises(AssertionError, match=r"(?s)SGD\(lr=0.1, momentum=0.9\)"):
        exercises_05.check_training_loop(lambda model, n: train(model, n, lr=0.5).loss)
    assert rate_loss(torch.ones(2, 2)).item() == 1.0


def test_reset_factor_checker(capsys):
    exercises_05.check_reset_factor(lambda vs: math.prod(-v for v in vs[:-1]))
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)multiply those factors"):
        exercises_05.check_reset_factor(lambda vs: math.prod(vs[:-1]))


def test_training_loop_checker_catches_a_fresh_optimizer_per_iteration():
    with pytest.raises(AssertionError, match=r"(?s)created once before the loop"):
        exercises_05.check_training_loop(lambda model, n: right_loop(model, n, optimizer_per_iteration=True))
