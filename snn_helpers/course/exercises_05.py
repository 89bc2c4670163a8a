"""Checkers of notebook 05 (The training run)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..model import Model
from ..neuron import IF
from ..training import train
from .checking import call, fail, isolated_rng, passed


def check_training_loop(fn: Callable[[torch.nn.Module, int], list[float]]) -> None:
    """Notebook 05: ``fn(model, n_iter)`` trains as the post does and returns the losses."""
    with isolated_rng(5):
        ref = train(Model(30, 20), n_iter=5)
    with isolated_rng(5):
        got = call(fn, Model(30, 20), 5)
    if not isinstance(got, list) or len(got) != 5:
        raise fail(
            "a list of 5 floats",
            got if not isinstance(got, list) else f"{len(got)} items",
            "append loss.item() once per iteration.",
        )
    if got[0] != ref.loss[0]:
        raise fail(
            f"first loss {ref.loss[0]:.6f}",
            f"{got[0]:.6f}",
            "input: random_binary_input(model.n_time, model.size_input); loss: spikes.mean() ** 2.",
        )
    if any(not math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, ref.loss, strict=True)):
        raise fail(
            [round(v, 6) for v in ref.loss],
            [round(v, 6) for v in got],
            "SGD(lr=0.1, momentum=0.9), created once before the loop (its momentum must carry over); "
            "zero the gradients every iteration (else they add up), then backward, then step.",
        )
    passed("your loop reproduces train() iteration by iteration")


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
        got = float(call(fn, vs))
        if not math.isclose(got, expected, rel_tol=1e-6):
            raise fail(
                expected,
                got,
                f"v_values={vs}: every spike but the last passes the gradient back through "
                "the reset with the factor -v_t; multiply those factors (none for a single spike).",
            )
    passed("the reset factor matches autograd: the product of -v over the earlier spikes")
