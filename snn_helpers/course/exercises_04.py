"""Checkers of notebook 04 (The bias-initialization trick)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..data import random_binary_input
from ..model import Model
from .checking import call, fail, isolated_rng, passed


def check_first_step_fraction(fn: Callable[[torch.nn.Module, torch.Tensor], float]) -> None:
    """Notebook 04: ``fn(model, x)`` = fraction of neurons that fire at the first step."""
    for bias_init in ("uniform", "default"):
        with isolated_rng(4):
            model = Model(300, 500, bias_init=bias_init)
            x = random_binary_input(10, 300)
        expected = model(x)[0].mean().item()
        got = float(call(fn, model, x))
        if not math.isclose(got, expected, abs_tol=1e-6):
            raise fail(
                f"{expected:.4f}",
                f"{got:.4f}",
                f"(bias_init={bias_init!r}) take the spikes of step 0 "
                "only, spikes[0], and average over the neurons; a fraction lies between 0 and 1.",
            )
    passed("first-step firing fraction right for both bias inits")


def check_silent_fraction(fn: Callable[[torch.Tensor], float]) -> None:
    """Notebook 04: ``fn(spikes)`` = fraction of neurons that never fire.

    ``spikes``: ``[time, (batch,) neurons]`` of 0/1."""
    spikes = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    batched = torch.stack([spikes, torch.tensor([[0.0, 1.0, 0.0, 0.0]] * 3)], dim=1)
    for x, expected, hint in [
        (spikes, 0.5, "neurons 1 and 3 never fire: 2 of 4"),
        (batched, 0.25, "with a batch, a neuron is silent if it fires in no sample"),
    ]:
        got = float(call(fn, x))
        if not math.isclose(got, expected):
            raise fail(expected, got, f"{hint}; sum over every dim but the last and count the zeros.")
    passed("silent fraction right, with and without a batch")

