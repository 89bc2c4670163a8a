"""Checkers of notebook 01 (The spike function and its surrogate gradient)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..spike import surrogate_grad
from .checking import call, fail, passed


def check_heaviside(fn: type[torch.autograd.Function]) -> None:
    """Notebook 01: ``fn.apply(x)`` must step forward and pass ``grad * spike`` backward."""
    x = torch.tensor([-1.5, -0.2, 0.0, 0.3, 2.0], requires_grad=True)
    out = call(fn.apply, x)
    if not isinstance(out, torch.Tensor) or out.tolist() != [0, 0, 0, 1, 1]:
        got = out.tolist() if isinstance(out, torch.Tensor) else out
        raise fail(
            [0, 0, 0, 1, 1], got, "forward returns (x > 0) as a float tensor; 0 itself does not fire."
        )
    if out.dtype != x.dtype:
        raise fail(x.dtype, out.dtype, "convert the boolean comparison with .to(x.dtype) or .float().")
    upstream = torch.tensor([2.0, 2.0, 2.0, 2.0, -3.0])
    (grad,) = torch.autograd.grad(out, x, upstream)
    expected = upstream * (x.detach() > 0).float()
    if not torch.equal(grad, expected):
        raise fail(
            expected.tolist(),
            grad.tolist(),
            "backward multiplies grad_output by the saved spikes (1 where fired, 0 elsewhere); "
            "save them in forward with ctx.save_for_backward.",
        )
    passed("forward is the step and backward lets the gradient through where the neuron fired")


def check_fast_sigmoid_grad(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """Notebook 01: ``fn(x, k)`` must equal SuperSpike's ``1 / (1 + k|x|)^2``."""
    x = torch.tensor([-2.0, -0.5, 0.0, 0.1, 1.0])
    for k in (10.0, 2.0):
        got = call(fn, x, k)
        expected = surrogate_grad(x, "fast_sigmoid", k)
        if not isinstance(got, torch.Tensor) or got.shape != x.shape:
            raise fail(f"a tensor of shape {tuple(x.shape)}", got, "return one value per entry of x.")
        if not torch.allclose(got, expected, atol=1e-6):
            symmetric = torch.allclose(call(fn, -x, k), got, atol=1e-6)
            hint = (
                "square the whole denominator: 1 / (1 + k * |x|) ** 2; at x = 0 it must be 1."
                if symmetric
                else "use the absolute value |x| (x.abs()) so that g(-x) = g(x)."
            )
            raise fail(
                [round(v, 4) for v in expected.tolist()],
                [round(v, 4) for v in got.tolist()],
                f"(k={k}) {hint}",
            )
    passed("fast sigmoid derivative matches 1 / (1 + k|x|)^2 for k = 10 and k = 2")

