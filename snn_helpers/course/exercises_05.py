"""Checkers of notebook 05 (The training run)."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

import torch

from ..core.encoding import random_binary_input
from ..core.neuron import IF
from ..tasks.post import Model
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss

_N_ITER = 5


def _loop(model: Model, n_iter: int, mistake: str | None = None) -> list[float]:
    """The post's loop, or the same loop with one learner's mistake (to name it in the hint)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.0 if mistake == "momentum" else 0.9)
    x_once = random_binary_input(model.n_time, model.size_input) if mistake == "input_once" else None
    losses = []
    for _ in range(n_iter):
        if mistake == "fresh_optimizer":
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = x_once if x_once is not None else random_binary_input(model.n_time, model.size_input)
        loss = model(x).mean() ** 2
        if mistake != "no_zero_grad":
            optimizer.zero_grad()
        loss.backward()
        if mistake == "zero_grad_before_step":
            optimizer.zero_grad()
        optimizer.step()
        losses.append(loss.item())
    return losses


_HINTS = {
    "no_zero_grad": "the gradients add up across iterations: call optimizer.zero_grad() in every iteration, "
    "before loss.backward().",
    "zero_grad_before_step": "zero_grad() between backward() and step() erases the gradient before "
    "it is used: nothing is learned. Order: zero_grad, backward, step.",
    "momentum": "the momentum is lost. The post's SGD has momentum=0.9 as well as lr=0.1.",
    "input_once": "draw a fresh input in every iteration (inside the loop): the post trains on a new random "
    "input each time, not on one input repeated.",
}


def _source(fn: Callable) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _run(fn: Callable | None, mistake: str | None = None) -> object:
    with isolated_rng(5):
        model = Model(30, 20)
        return _loop(model, _N_ITER, mistake) if fn is None else call(fn, model, _N_ITER)


def check_training_loop(fn: Callable[[torch.nn.Module, int], list[float]]) -> None:
    """Notebook 05, exercise 1: ``fn(model, n_iter)`` trains as the post does and returns the losses
    (floats)."""
    got = _run(fn)
    if not isinstance(got, list) or len(got) != _N_ITER:
        raise fail(
            f"a list of {_N_ITER} floats",
            got if not isinstance(got, list) else f"{len(got)} items",
            "append loss.item() once per iteration and return the list.",
        )
    if any(isinstance(v, torch.Tensor) for v in got):
        raise fail(
            "floats",
            "tensors",
            "append loss.item(), not loss: a kept tensor holds on to its whole graph (memory grows each "
            "iteration) and is not a number you can plot or print.",
        )
    ref = _run(None)
    if all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, ref, strict=True)):
        passed("your loop reproduces train() iteration by iteration")
        return
    if not math.isclose(got[0], ref[0], rel_tol=1e-6):
        hint = "input: random_binary_input(model.n_time, model.size_input); loss: spikes.mean() ** 2."
        raise fail(f"first loss {ref[0]:.6f}", f"{got[0]:.6f}", hint)
    for mistake, hint in _HINTS.items():
        wrong = _run(None, mistake)
        if all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, wrong, strict=True)):
            if mistake == "momentum" and "momentum=" in _source(fn).replace(" ", ""):
                # a fresh optimizer per iteration computes the same numbers as no momentum at all
                hint = (
                    "the momentum is lost: a new optimizer in every iteration starts it from zero; "
                    "create the optimizer once, before the loop."
                )
            raise fail([round(v, 6) for v in ref], [round(v, 6) for v in got], hint)
    raise fail(
        [round(v, 6) for v in ref],
        [round(v, 6) for v in got],
        "the first loss is right, the updates are not: SGD(model.parameters(), lr=0.1, momentum=0.9).",
    )


def check_reset_factor(fn: Callable[[list[float]], float]) -> None:
    """Notebook 05, exercise 2: ``fn(v_values)`` = factor the un-detached reset multiplies the gradient by."""
    for vs in ([1.5, 1.2], [2.0, 3.0, 1.5], [1.1]):
        current = torch.tensor(vs, requires_grad=True)
        neuron = IF(threshold=1.0)
        v, s = torch.zeros(()), torch.zeros(())
        # currents equal to the membranes make every step fire with v_t = vs[t]
        for t in range(len(vs)):
            v, s = neuron(current[t], v, s)
        s.backward()
        expected = current.grad[0].item()
        got = float(call(fn, vs))
        if math.isclose(got, expected, rel_tol=1e-6):
            continue
        if len(vs) > 1 and math.isclose(abs(got), math.prod(vs), rel_tol=1e-6):
            hint = (
                "you included the last spike. It is the one in the loss: its gradient enters there and "
                "crosses no reset. k spikes give k - 1 factors."
            )
        elif len(vs) > 1 and math.isclose(got, -expected, rel_tol=1e-6):
            hint = "each factor is -v_t, with its minus sign: the sign flips with every earlier spike."
        else:
            hint = (
                "every spike but the last passes the gradient back through the reset with the factor -v_t; "
                "multiply those factors (none for a single spike: the factor is 1)."
            )
        raise fail(f"{expected:.4g}", f"{got:.4g}", f"v_values={vs}: {hint}")
    passed("the reset factor matches autograd: the product of -v over the k - 1 earlier spikes")


def _prediction(fn: Callable[[], float]) -> float:
    predicted = call(fn)
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not math.isfinite(predicted):
        raise ExerciseError(
            f"expected a number (the power of ten), got {predicted!r}.\n"
            "Hint: return -3 for a largest gradient near 0.001, 20 for one near 1e20."
        )
    return float(predicted)


def check_prediction_is_a_power(fn: Callable[[], float]) -> None:
    """Notebook 05, exercise 3 (a prediction): ``fn()`` returns the learner's prediction (log10 of the
    largest gradient)."""
    _prediction(fn)
    passed("prediction recorded; the next runs measure it and a later check compares")


def check_gradient_prediction(fn: Callable[[], float], measured: float) -> None:
    """Notebook 05, exercise 3 (a prediction): compare the predicted log10 of the largest |gradient|,
    ``fn()``, with the measured one.

    Args:
        fn: returns the learner's power of ten.
        measured: the largest absolute gradient entry over the runs (not its log).
    """
    predicted = _prediction(fn)
    actual = math.log10(measured) if measured > 0 else -math.inf
    if abs(predicted - actual) <= 1:
        passed("your prediction is within a factor of 10 of the measured largest gradient")
        return
    if predicted > actual:
        hint = (
            "too high. With a bump surrogate the factor per earlier spike is -v g(v - 1), at most 1 for "
            "the fast sigmoid (section 6's table): nothing multiplies up, so the gradients stay as small "
            "as the detached run's."
        )
    else:
        hint = "too low. Look at the largest gradients of the detached run in section 6: this run is alike."
    raise prediction_miss("05-3", f"within 1 of log10(max |gradient|) = {actual:.1f}", f"{predicted:g}", hint)
