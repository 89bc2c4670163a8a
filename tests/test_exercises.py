"""The exercise checkers accept right answers and refuse wrong ones with a helpful hint."""

import math

import pytest
import torch

from snn_helpers import exercises as ex
from snn_helpers import rate_loss, train


class RightHeaviside(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = (x > 0).float()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class StraightThrough(RightHeaviside):
    @staticmethod
    def backward(ctx, grad):
        return grad


class GreaterEqual(RightHeaviside):
    @staticmethod
    def forward(ctx, x):
        out = (x >= 0).float()
        ctx.save_for_backward(out)
        return out


def test_heaviside_checker(capsys):
    ex.check_heaviside(RightHeaviside)
    assert capsys.readouterr().out.startswith("passed:")
    with pytest.raises(
        AssertionError, match=r"expected \[0.0, 0.0, 0.0, 2.0, -3.0\], got \[2.0, 2.0, .*Hint: .*saved spikes"
    ):
        ex.check_heaviside(StraightThrough)  # right forward, wrong backward
    with pytest.raises(
        AssertionError, match=r"expected \[0, 0, 0, 1, 1\], got \[0.0, 0.0, 1.0.*0 itself does not fire"
    ):
        ex.check_heaviside(GreaterEqual)


def test_fast_sigmoid_checker(capsys):
    ex.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x.abs()) ** 2)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"Hint: \(k=10.0\) use the absolute value"):
        ex.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x) ** 2)
    with pytest.raises(AssertionError, match=r"square the whole denominator"):
        ex.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x.abs()))


def test_not_implemented_passes_through():
    def stub(x, k):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        ex.check_fast_sigmoid_grad(stub)


def test_a_crashing_answer_is_reported():
    with pytest.raises(AssertionError, match=r"your function raised ZeroDivisionError"):
        ex.check_rate_closed_form(lambda current, threshold: 1 / 0)


def right_if_step(input_, v_previous, s_previous, threshold):
    v = v_previous * (1 - s_previous) + input_
    return v, (v > threshold).float()


def test_if_step_checker(capsys):
    ex.check_if_step(right_if_step)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"reset to zero"):
        ex.check_if_step(lambda i, v, s, th: (v + i, (v + i > th).float()))
    with pytest.raises(AssertionError, match=r"equals the threshold"):
        ex.check_if_step(lambda i, v, s, th: (v * (1 - s) + i, (v * (1 - s) + i >= th).float()))
    with pytest.raises(AssertionError, match=r"use the threshold argument"):
        ex.check_if_step(lambda i, v, s, th: right_if_step(i, v, s, 1.0))


def right_rate(current, threshold):
    return 0.0 if current <= 0 else 1 / (math.floor(threshold / current) + 1)


def test_rate_checker(capsys):
    ex.check_rate_closed_form(right_rate)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"expected 0.2, got 0.25.*fires at the 5th step"):
        ex.check_rate_closed_form(lambda c, th: c / th if c > 0 else 0.0)
    with pytest.raises(AssertionError, match=r"current=0.0"):
        ex.check_rate_closed_form(lambda c, th: 1 / (math.floor(th / max(c, 1e-3)) + 1))


def test_parameter_and_mult_add_checkers(capsys):
    ex.check_n_params(lambda i, h: i * h + h)
    ex.check_mult_adds(lambda i, h, t: t * (i * h + h))
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"expected 150500, got 150000.*count the bias"):
        ex.check_n_params(lambda i, h: i * h)
    with pytest.raises(AssertionError, match=r"do not multiply by n_time"):
        ex.check_n_params(lambda i, h: 10 * (i * h + h))
    with pytest.raises(AssertionError, match=r"expected 1505000, got 150500.*once per time step"):
        ex.check_mult_adds(lambda i, h, t: i * h + h)


def test_fraction_checkers(capsys):
    ex.check_first_step_fraction(lambda model, x: model(x)[0].mean().item())
    ex.check_silent_fraction(lambda s: (s.reshape(-1, s.shape[-1]).sum(0) == 0).float().mean().item())
    assert capsys.readouterr().out.count("passed") == 2
    with pytest.raises(AssertionError, match=r"take the spikes of step 0"):
        ex.check_first_step_fraction(lambda model, x: model(x).mean().item())
    with pytest.raises(AssertionError, match=r"expected 0.5, got 0.25"):
        ex.check_silent_fraction(lambda s: (s == 0).float().mean().item() - 0.5)


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
    ex.check_training_loop(right_loop)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"a list of 5 floats"):
        ex.check_training_loop(lambda model, n: right_loop(model, n)[:-1])
    with pytest.raises(AssertionError, match=r"SGD\(lr=0.1, momentum=0.9\)"):
        ex.check_training_loop(lambda model, n: train(model, n, lr=0.5).loss)
    assert rate_loss(torch.ones(2, 2)).item() == 1.0


def test_reset_factor_checker(capsys):
    ex.check_reset_factor(lambda vs: math.prod(-v for v in vs[:-1]))
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"multiply those factors"):
        ex.check_reset_factor(lambda vs: math.prod(vs[:-1]))


def test_training_loop_checker_catches_a_fresh_optimizer_per_iteration():
    with pytest.raises(AssertionError, match=r"created once before the loop"):
        ex.check_training_loop(lambda model, n: right_loop(model, n, optimizer_per_iteration=True))


class BoolForward(RightHeaviside):
    @staticmethod
    def forward(ctx, x):
        out = x > 0
        ctx.save_for_backward(out)
        return out


def test_heaviside_checker_catches_a_bool_forward():
    with pytest.raises(AssertionError, match=r"expected torch.float32, got torch.bool.*\.float\(\)"):
        ex.check_heaviside(BoolForward)
