"""Notebook 01's exercise checkers accept right answers and refuse wrong ones with a helpful hint."""


import pytest
import torch

from snn_helpers.course import exercises_01


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
    exercises_01.check_heaviside(RightHeaviside)
    assert capsys.readouterr().out.startswith("passed:")
    with pytest.raises(
        AssertionError, match=r"(?s)expected \[0.0, 0.0, 0.0, 2.0, -3.0\], got \[2.0, 2.0, .*Hint: .*saved spikes"
    ):
        exercises_01.check_heaviside(StraightThrough)  # right forward, wrong backward
    with pytest.raises(
        AssertionError, match=r"(?s)expected \[0, 0, 0, 1, 1\], got \[0.0, 0.0, 1.0.*0 itself does not fire"
    ):
        exercises_01.check_heaviside(GreaterEqual)


def test_fast_sigmoid_checker(capsys):
    exercises_01.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x.abs()) ** 2)
    assert "passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)Hint: \(k=10.0\) use the absolute value"):
        exercises_01.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x) ** 2)
    with pytest.raises(AssertionError, match=r"(?s)square the whole denominator"):
        exercises_01.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x.abs()))


def test_not_implemented_passes_through():
    def stub(x, k):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        exercises_01.check_fast_sigmoid_grad(stub)


class BoolForward(RightHeaviside):
    @staticmethod
    def forward(ctx, x):
        out = x > 0
        ctx.save_for_backward(out)
        return out


def test_heaviside_checker_catches_a_bool_forward():
    with pytest.raises(AssertionError, match=r"(?s)expected torch.float32, got torch.bool.*\.float\(\)"):
        exercises_01.check_heaviside(BoolForward)
