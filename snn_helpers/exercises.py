"""Checkers for the exercises of notebooks 01 to 05.

Each ``check_*`` runs the learner's answer on a few cases and prints one line that
starts with "passed" or raises an AssertionError whose message says what was
expected, what was got and where to look. They never say only "wrong".
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from .data import random_binary_input, set_seed
from .model import Model
from .neuron import IF
from .spike import surrogate_grad
from .training import train


def _passed(what: str) -> None:
    print(f"passed: {what}")


def _fail(expected: object, got: object, hint: str) -> AssertionError:
    return AssertionError(f"expected {expected}, got {got}. Hint: {hint}")


def _call(fn: Callable, *args):
    """Call the learner's function; re-raise NotImplementedError as is, wrap the rest."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as exc:  # the learner's code failed: say where, keep the cause
        raise AssertionError(f"your function raised {type(exc).__name__}: {exc}") from exc


# Notebook 01 --------------------------------------------------------------------------


def check_heaviside(fn: type[torch.autograd.Function]) -> None:
    """Notebook 01: ``fn.apply(x)`` must step forward and pass ``grad * spike`` backward."""
    x = torch.tensor([-1.5, -0.2, 0.0, 0.3, 2.0], requires_grad=True)
    out = _call(fn.apply, x)
    if not isinstance(out, torch.Tensor) or out.tolist() != [0, 0, 0, 1, 1]:
        got = out.tolist() if isinstance(out, torch.Tensor) else out
        raise _fail(
            [0, 0, 0, 1, 1], got, "forward returns (x > 0) as a float tensor; 0 itself does not fire."
        )
    if out.dtype != x.dtype:
        raise _fail(x.dtype, out.dtype, "convert the boolean comparison with .to(x.dtype) or .float().")
    upstream = torch.tensor([2.0, 2.0, 2.0, 2.0, -3.0])
    (grad,) = torch.autograd.grad(out, x, upstream)
    expected = upstream * (x.detach() > 0).float()
    if not torch.equal(grad, expected):
        raise _fail(
            expected.tolist(),
            grad.tolist(),
            "backward multiplies grad_output by the saved spikes (1 where fired, 0 elsewhere); "
            "save them in forward with ctx.save_for_backward.",
        )
    _passed("forward is the step and backward lets the gradient through where the neuron fired")


def check_fast_sigmoid_grad(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """Notebook 01: ``fn(x, k)`` must equal SuperSpike's ``1 / (1 + k|x|)^2``."""
    x = torch.tensor([-2.0, -0.5, 0.0, 0.1, 1.0])
    for k in (10.0, 2.0):
        got = _call(fn, x, k)
        expected = surrogate_grad(x, "fast_sigmoid", k)
        if not isinstance(got, torch.Tensor) or got.shape != x.shape:
            raise _fail(f"a tensor of shape {tuple(x.shape)}", got, "return one value per entry of x.")
        if not torch.allclose(got, expected, atol=1e-6):
            symmetric = torch.allclose(_call(fn, -x, k), got, atol=1e-6)
            hint = (
                "square the whole denominator: 1 / (1 + k * |x|) ** 2; at x = 0 it must be 1."
                if symmetric
                else "use the absolute value |x| (x.abs()) so that g(-x) = g(x)."
            )
            raise _fail(
                [round(v, 4) for v in expected.tolist()],
                [round(v, 4) for v in got.tolist()],
                f"(k={k}) {hint}",
            )
    _passed("fast sigmoid derivative matches 1 / (1 + k|x|)^2 for k = 10 and k = 2")


# Notebook 02 --------------------------------------------------------------------------


def check_if_step(fn: Callable) -> None:
    """Notebook 02: ``fn(input_, v_previous, s_previous, threshold)`` -> ``(v, s)``, zero reset."""
    cases = [
        (0.4, 0.5, 0.0, 1.0, "integrate: v = v_previous + input when there was no spike"),
        (0.4, 1.3, 1.0, 1.0, "reset to zero: after a spike, v_previous counts as 0, so v = input"),
        (0.7, 0.5, 0.0, 1.0, "fire when v > threshold: 0.5 + 0.7 = 1.2 > 1"),
        (0.5, 0.5, 0.0, 1.0, "v = 1.0 equals the threshold: the step needs v > threshold, so no spike"),
        (0.5, 1.0, 0.0, 2.0, "use the threshold argument, not 1"),
    ]
    for input_, v_prev, s_prev, threshold, hint in cases:
        got = _call(fn, torch.tensor(input_), torch.tensor(v_prev), torch.tensor(s_prev), threshold)
        v_ref, s_ref = IF(threshold)(torch.tensor(input_), torch.tensor(v_prev), torch.tensor(s_prev))
        if not (isinstance(got, tuple) and len(got) == 2):
            raise _fail("a tuple (v, s)", type(got).__name__, "return both the membrane and the spike.")
        v, s = (float(t) for t in got)
        if not (math.isclose(v, v_ref.item(), abs_tol=1e-6) and s == s_ref.item()):
            raise _fail(
                f"(v={v_ref.item():.2f}, s={s_ref.item():.0f})",
                f"(v={v:.2f}, s={s:.0f})",
                f"input={input_}, v_previous={v_prev}, s_previous={s_prev}, threshold={threshold}: {hint}.",
            )
    _passed("integration, threshold, strict comparison and reset to zero all behave")


def check_rate_closed_form(fn: Callable[[float, float], float]) -> None:
    """Notebook 02: ``fn(current, threshold)`` = spikes per step for a constant current."""
    cases = [
        (0.25, 1.0, 1 / 5, "v = 4 * 0.25 = 1.0 is not above threshold: it fires at the 5th step"),
        (0.3, 1.0, 1 / 4, "v reaches 1.2 > 1 at the 4th step, then restarts from 0"),
        (1.5, 1.0, 1.0, "a current above threshold fires at every step"),
        (0.5, 2.0, 1 / 5, "use the threshold argument"),
        (0.0, 1.0, 0.0, "no current, no spike"),
        (-0.4, 1.0, 0.0, "a negative current never fires"),
    ]
    for current, threshold, expected, hint in cases:
        got = _call(fn, current, threshold)
        if not isinstance(got, int | float) or not math.isclose(got, expected, abs_tol=1e-9):
            raise _fail(
                f"{expected:.4g}",
                got,
                f"current={current}, threshold={threshold}: {hint}. "
                "Steps to fire: the first n with n * current > threshold, "
                "i.e. floor(threshold / current) + 1.",
            )
    _passed("closed-form firing rate matches for six currents")


# Notebook 03 --------------------------------------------------------------------------


def check_n_params(fn: Callable[[int, int], int]) -> None:
    """Notebook 03: ``fn(size_input, size_hidden)`` = parameters of the post's model."""
    for size_input, size_hidden in [(300, 500), (3, 2), (784, 100)]:
        expected = sum(p.numel() for p in Model(size_input, size_hidden).parameters())
        got = _call(fn, size_input, size_hidden)
        if got != expected:
            hint = (
                "count the bias too: one per hidden neuron."
                if got == size_input * size_hidden
                else "the IF neuron has no parameters, and the Linear is shared by every step: "
                "do not multiply by n_time."
            )
            raise _fail(expected, got, f"Linear({size_input} -> {size_hidden}): {hint}")
    _passed("parameter count right for three sizes (300 -> 500 gives 150,500)")


def check_mult_adds(fn: Callable[[int, int, int], int]) -> None:
    """Notebook 03: ``fn(size_input, size_hidden, n_time)`` = mult-adds per sample, as torchinfo counts."""
    for size_input, size_hidden, n_time in [(300, 500, 10), (4, 3, 2)]:
        expected = n_time * (size_input * size_hidden + size_hidden)
        got = _call(fn, size_input, size_hidden, n_time)
        if got != expected:
            raise _fail(
                expected,
                got,
                "torchinfo counts, for each call of the Linear, one multiply-add per weight "
                "and one per bias entry; the Linear is called once per time step.",
            )
    _passed("mult-adds per sample right (1,505,000 for the post's model)")


# Notebook 04 --------------------------------------------------------------------------


def check_first_step_fraction(fn: Callable[[torch.nn.Module, torch.Tensor], float]) -> None:
    """Notebook 04: ``fn(model, x)`` = fraction of neurons that fire at the first step."""
    set_seed(4)
    for bias_init in ("uniform", "default"):
        model = Model(300, 500, bias_init=bias_init)
        x = random_binary_input(10, 300)
        expected = model(x)[0].mean().item()
        got = float(_call(fn, model, x))
        if not math.isclose(got, expected, abs_tol=1e-6):
            raise _fail(
                f"{expected:.4f}",
                f"{got:.4f}",
                f"(bias_init={bias_init!r}) take the spikes of step 0 "
                "only, spikes[0], and average over the neurons; a fraction lies between 0 and 1.",
            )
    _passed("first-step firing fraction right for both bias inits")


def check_silent_fraction(fn: Callable[[torch.Tensor], float]) -> None:
    """Notebook 04: ``fn(spikes)`` = fraction of neurons that never fire.

    ``spikes``: ``[time, (batch,) neurons]`` of 0/1."""
    spikes = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    batched = torch.stack([spikes, torch.tensor([[0.0, 1.0, 0.0, 0.0]] * 3)], dim=1)
    for x, expected, hint in [
        (spikes, 0.5, "neurons 1 and 3 never fire: 2 of 4"),
        (batched, 0.25, "with a batch, a neuron is silent if it fires in no sample"),
    ]:
        got = float(_call(fn, x))
        if not math.isclose(got, expected):
            raise _fail(expected, got, f"{hint}; sum over every dim but the last and count the zeros.")
    _passed("silent fraction right, with and without a batch")


# Notebook 05 --------------------------------------------------------------------------


def check_training_loop(fn: Callable[[torch.nn.Module, int], list[float]]) -> None:
    """Notebook 05: ``fn(model, n_iter)`` trains as the post does and returns the losses."""
    set_seed(5)
    ref = train(Model(30, 20), n_iter=5)
    set_seed(5)
    got = _call(fn, Model(30, 20), 5)
    if not isinstance(got, list) or len(got) != 5:
        raise _fail(
            "a list of 5 floats",
            got if not isinstance(got, list) else f"{len(got)} items",
            "append loss.item() once per iteration.",
        )
    if got[0] != ref.loss[0]:
        raise _fail(
            f"first loss {ref.loss[0]:.6f}",
            f"{got[0]:.6f}",
            "input: random_binary_input(model.n_time, model.size_input); loss: spikes.mean() ** 2.",
        )
    if any(not math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, ref.loss, strict=True)):
        raise _fail(
            [round(v, 6) for v in ref.loss],
            [round(v, 6) for v in got],
            "SGD(lr=0.1, momentum=0.9), created once before the loop (its momentum must carry over); "
            "zero the gradients every iteration (else they add up), then backward, then step.",
        )
    _passed("your loop reproduces train() iteration by iteration")


def check_reset_factor(fn: Callable[[list[float]], float]) -> None:
    """Notebook 05: ``fn(v_values)`` = factor the un-detached reset multiplies the gradient by."""
    for vs in ([1.5, 1.2], [2.0, 3.0, 1.5], [1.1]):
        current = torch.tensor(vs, requires_grad=True)
        neuron = IF(threshold=1.0)
        v, s = torch.zeros(()), torch.zeros(())
        # currents equal to the membranes make every step fire with v_t = vs[t]
        for t in range(len(vs)):
            v, s = neuron(current[t], v, s)
        s.backward()
        expected = current.grad[0].item()
        got = float(_call(fn, vs))
        if not math.isclose(got, expected, rel_tol=1e-6):
            raise _fail(
                expected,
                got,
                f"v_values={vs}: every spike but the last passes the gradient back through "
                "the reset with the factor -v_t; multiply those factors (none for a single spike).",
            )
    _passed("the reset factor matches autograd: the product of -v over the earlier spikes")
