"""Checkers of notebook 01 (The spike function and its surrogate gradient)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.spike import spike, surrogate_grad
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss, require_function_class

FLOAT_SPIKES = (
    "spikes are float 0.0/1.0 tensors throughout the course (notebooks 01 to 08): they are multiplied "
    "by weights, and the library's spike() returns them as floats so that they can carry the surrogate "
    "gradient, which a bool tensor cannot; convert with .to(x.dtype) or .float()."
)


def check_boxcar_spike(fn: type[torch.autograd.Function]) -> None:
    """Notebook 01, exercise 1: ``fn.apply(x)`` steps forward and passes ``grad * 1[|x| < 0.5]`` back.

    ``x``: any shape; the boxcar of half-width 0.5 is the library's "boxcar" at k = 1.
    """
    require_function_class(fn, "BoxcarSpike")
    x = torch.tensor([-1.0, -0.5, -0.3, 0.0, 0.2, 0.5, 0.8], requires_grad=True)
    out = call(fn.apply, x)
    if not isinstance(out, torch.Tensor):
        raise fail("a tensor of spikes", type(out).__name__, "forward returns (x > 0) as a float tensor.")
    if out.dtype == torch.bool:
        raise fail(x.dtype, out.dtype, FLOAT_SPIKES)
    if out.tolist() != [0, 0, 0, 0, 1, 1, 1]:
        hint = (
            "0 itself does not fire: the step is x > 0, strict."
            if out.tolist() == [0, 0, 0, 1, 1, 1, 1]
            else "the forward pass is the step of notebook 01, (x > 0), whatever the backward."
        )
        raise fail([0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], out.tolist(), hint)
    if out.dtype != x.dtype:
        raise fail(x.dtype, out.dtype, FLOAT_SPIKES)
    upstream = torch.tensor([2.0, 2.0, 2.0, 2.0, 2.0, 2.0, -3.0])
    (grad,) = call(torch.autograd.grad, out, x, upstream)
    got = grad.tolist()
    expected = (upstream * (x.detach().abs() < 0.5)).tolist()
    if got == expected:
        passed("forward is the step; backward lets the gradient through for |x| < 0.5, fired or not")
        return
    fired = x.detach() > 0
    mistakes = [
        (
            upstream.tolist(),
            "that is the straight-through estimator (gradient passed unchanged); the boxcar "
            "keeps it only within half a unit of the threshold, |x| < 0.5, and stops it elsewhere.",
        ),
        (
            (upstream * fired).tolist(),
            "that is the post's rule (gradient where the neuron fired); the boxcar "
            "depends on x, not on the spike: save x in forward and test |x| < 0.5, "
            "so that x = -0.3 gets it too.",
        ),
        (
            (x.detach().abs() < 0.5).float().tolist(),
            "multiply the window by grad_output (the chain rule): "
            "an upstream gradient of 2 must come out as 2.",
        ),
        (
            (upstream * (x.detach().abs() <= 0.5)).tolist(),
            "the window is open: |x| < 0.5, strict; at "
            "x = -0.5 and x = 0.5 the gradient is 0 (as the library's boxcar, which is zero from 1/(2k) on).",
        ),
    ]
    for wrong, hint in mistakes:
        if got == wrong:
            raise fail(expected, got, hint)
    raise fail(
        expected, got, "backward returns grad_output * (|x| < 0.5) as a float tensor, x saved in forward."
    )


def check_fast_sigmoid_grad(
    fn: Callable[[torch.Tensor, float], torch.Tensor], peak: float, full_width: float
) -> None:
    """Notebook 01, exercise 2: ``fn(x, k)`` = ``1 / (1 + k|x|)^2``; its peak and its full width at half
    height for k = 10."""
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
    for name, value in (("peak", peak), ("full_width", full_width)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"{name} as a number", type(value).__name__, f"store a float in {name}.")
    if not math.isclose(peak, 1.0, abs_tol=1e-3):
        hint = (
            "g(0) = 1 / (1 + 0)^2 = 1, whatever k: the fast sigmoid peaks at 1, not at k."
            if math.isclose(peak, 10.0)
            else "evaluate g at the threshold, x = 0."
        )
        raise fail("peak = 1.0", f"peak = {peak:.4g}", hint)
    right = 2 * (math.sqrt(2) - 1) / 10
    if not math.isclose(full_width, right, abs_tol=2e-3):
        if math.isclose(full_width, right / 2, abs_tol=2e-3):
            hint = "that is one side (the half-width); the full width spans both sides of the threshold."
        elif math.isclose(full_width, 0.2, abs_tol=2e-3) or math.isclose(full_width, 0.1, abs_tol=2e-3):
            hint = "at half height (1 + k|x|)^2 = 2, so 1 + k|x| = sqrt(2), not 2: the square matters."
        else:
            hint = "solve 1 / (1 + k|x|)^2 = 1/2 for |x| with k = 10, then double it (both sides)."
        raise fail(f"full_width = {right:.4f}", f"full_width = {full_width:.4g}", hint)
    passed(
        f"fast sigmoid matches 1 / (1 + k|x|)^2; peak 1 at x = 0; "
        f"full width at half height {right:.4f} (k = 10)"
    )


def reach_of_the_gradient(n: int = 100_000) -> dict[str, float]:
    """Fractions of ``n`` neurons at ``x ~ N(-0.5, 0.5^2)`` that get a non-zero gradient of
    ``mean(spikes)^2``, for the post's rule and the boxcar (k = 1). Drawn with its own seed."""
    with isolated_rng(1):
        x = (-0.5 + 0.5 * torch.randn(n)).requires_grad_()
    fractions = {}
    for name in ("post", "boxcar"):
        x.grad = None
        (spike(x, name).mean() ** 2).backward()
        fractions[name] = (x.grad != 0).float().mean().item()
    return fractions


def check_gradient_reach(predicted_post: float, predicted_boxcar: float) -> None:
    """Notebook 01, exercise 3 (a prediction): which fraction of neurons gets a gradient?"""
    for name, value in (("predicted_post", predicted_post), ("predicted_boxcar", predicted_boxcar)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ExerciseError(
                f"expected {name} as a fraction between 0 and 1, got {value!r}.\n"
                "Hint: write 0.3 for 30% of the neurons."
            )
    measured = reach_of_the_gradient()
    post, boxcar = measured["post"], measured["boxcar"]
    tolerance = 0.08
    if abs(predicted_post - post) > tolerance:
        hint = (
            "the post's rule is zero wherever the neuron did not fire (x <= 0); with the mean one standard "
            "deviation below threshold, most neurons here stay silent."
            if predicted_post > post
            else "a neuron fires where x > 0: one standard deviation above the mean, about 1 draw in 6 of a "
            "normal distribution."
        )
        raise prediction_miss("01-3-post", f"about {post:.3f} (measured)", f"{predicted_post:.3f}", hint)
    if abs(predicted_boxcar - boxcar) > tolerance:
        if predicted_boxcar < post + tolerance:
            hint = (
                "the boxcar is not gated by the spike: it is non-zero on both sides of the threshold, "
                "|x| < 0.5."
            )
        elif predicted_boxcar > 0.7:
            hint = "the boxcar is zero from |x| = 1/(2k) = 0.5 on (k = 1): a window, not a constant."
        else:
            hint = "the window -0.5 < x < 0.5 runs from the mean to two standard deviations above it."
        raise prediction_miss(
            "01-3-boxcar", f"about {boxcar:.3f} (measured)", f"{predicted_boxcar:.3f}", hint
        )
    passed(
        f"measured on 100,000 neurons: the post's rule reaches {post:.3f} of them, the boxcar {boxcar:.3f} "
        f"(you predicted {predicted_post:.2f} and {predicted_boxcar:.2f})"
    )
