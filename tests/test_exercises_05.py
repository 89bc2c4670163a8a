"""Notebook 05's exercise checkers accept right answers and refuse each mistake with its own hint."""

import math
import re

import pytest
import torch

from snn_helpers import random_binary_input, train
from snn_helpers.course import exercises_05


def right_loop(model, n_iter):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(n_iter):
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def no_zero_grad(model, n_iter):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(n_iter):
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def zero_grad_between(model, n_iter):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(n_iter):
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        losses.append(loss.item())
    return losses


def no_momentum(model, n_iter):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(n_iter):
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def fresh_optimizer(model, n_iter):
    losses = []
    for _ in range(n_iter):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def input_once(model, n_iter):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = random_binary_input(model.n_time, model.size_input)
    losses = []
    for _ in range(n_iter):
        loss = model(x).mean() ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def tensors_kept(model, n_iter):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(n_iter):
        loss = model(random_binary_input(model.n_time, model.size_input)).mean() ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return losses


def test_training_loop_checker_passes_the_post_loop_and_train(capsys):
    exercises_05.check_training_loop(right_loop)
    exercises_05.check_training_loop(lambda model, n: train(model, n).loss)
    assert capsys.readouterr().out.count("passed") == 2


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (no_zero_grad, r"the gradients add up across iterations"),
        (zero_grad_between, r"erases the gradient before it is used"),
        (no_momentum, r"The post's SGD has momentum=0.9"),
        (fresh_optimizer, r"a new optimizer in every iteration starts it from zero"),
        (input_once, r"draw a fresh input in every iteration"),
        (tensors_kept, r"expected floats, got tensors.*append loss.item\(\), not loss"),
        (lambda model, n: right_loop(model, n)[:-1], r"a list of 5 floats, got 4 items"),
        (lambda model, n: train(model, n, lr=0.5).loss, r"the first loss is right, the updates are not"),
        (lambda model, n: [0.0] * n, r"first loss .*spikes.mean\(\) \*\* 2"),
    ],
)
def test_each_training_loop_mistake_gets_its_own_hint(wrong, hint):
    with pytest.raises(AssertionError, match=r"(?s)" + hint) as info:
        exercises_05.check_training_loop(wrong)
    others = [h for h in exercises_05._HINTS.values() if not re.search(hint, h)]
    assert not any(h in str(info.value) for h in others)  # one hint, not a catch-all


def test_reset_factor_checker(capsys):
    exercises_05.check_reset_factor(lambda vs: math.prod(-v for v in vs[:-1]))
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda vs: math.prod(-v for v in vs), r"expected -1.5, got 1.8.*included the last spike.*k - 1"),
        (lambda vs: math.prod(vs[:-1]), r"expected -1.5, got 1.5.*with its minus sign"),
        (lambda vs: 0.0, r"multiply those factors"),
    ],
)
def test_each_reset_factor_mistake_gets_its_own_hint(wrong, hint):
    with pytest.raises(AssertionError, match=r"(?s)" + hint):
        exercises_05.check_reset_factor(wrong)


def test_gradient_prediction(capsys):
    exercises_05.check_prediction_is_a_power(lambda: -3)
    exercises_05.check_gradient_prediction(lambda: -3, 1.4e-3)
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"(?s)^your prediction 20 is outside.*too high") as first:
        exercises_05.check_gradient_prediction(lambda: 20, 1.4e-3)
    assert "-2.9" not in str(first.value)
    with pytest.raises(
        AssertionError, match=r"(?s)within 1 of log10\(max \|gradient\|\) = -2.9, got 20.*too high"
    ):
        exercises_05.check_gradient_prediction(lambda: 20, 1.4e-3)
    with pytest.raises(AssertionError, match=r"(?s)got -6.*too low"):
        exercises_05.check_gradient_prediction(lambda: -6, 1.4e-3)
    for bad in ["-3", None, math.inf, True]:
        with pytest.raises(AssertionError, match=r"expected a number \(the power of ten\)"):
            exercises_05.check_prediction_is_a_power(lambda bad=bad: bad)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(7)
    state = torch.get_rng_state()
    exercises_05.check_training_loop(right_loop)
    with pytest.raises(AssertionError):
        exercises_05.check_training_loop(input_once)
    assert torch.equal(torch.get_rng_state(), state)


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()
