"""Checkers of notebook 11 (Activity and energy)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.encoding import random_binary_input
from ..tasks.post import Model
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss


def _case() -> tuple[torch.Tensor, torch.Tensor, int, int, int]:
    """3 steps, 2 samples, 4 inputs, 5 hidden, 3 classes; input spikes per sample 3 and 1, hidden 4 and 2."""
    inputs, hidden = torch.zeros(3, 2, 4), torch.zeros(3, 2, 5)
    inputs[0, 0, 0] = inputs[1, 0, 2] = inputs[2, 0, 3] = inputs[1, 1, 1] = 1
    hidden[0, 0, :2] = hidden[2, 0, 2:4] = hidden[1, 1, 0] = hidden[2, 1, 4] = 1
    return inputs, hidden, 4, 5, 3


def _wrong_answers(inputs: torch.Tensor, hidden: torch.Tensor, n_in: int, n_hidden: int, n_classes: int):
    """The numbers common slips give on this case, each with its hint."""
    s_in = inputs.sum().item() / inputs.shape[1]
    s_hid = hidden.sum().item() / hidden.shape[1]
    n_time = inputs.shape[0]
    return [
        (
            s_in * n_in + s_hid * n_hidden,
            "a spike costs one addition per *outgoing* synapse: multiply the input spikes by the hidden "
            "layer's size and the hidden spikes by the number of classes (the fan-out, not the fan-in).",
        ),
        (s_in * n_hidden, "the hidden spikes travel on to the output layer: add hidden spikes x n_classes."),
        (s_hid * n_classes, "the input spikes cost too: add input spikes x n_hidden."),
        (
            2 * (s_in * n_hidden + s_hid * n_classes),
            "per sample: average over the batch (dim 1) instead of summing over it.",
        ),
        (s_in + s_hid, "each spike reaches every neuron of the next layer: multiply by the fan-out."),
        (
            n_time * (n_in * n_hidden + n_hidden * n_classes),
            "that is the dense count (every weight at every step). Count only the spikes that happened.",
        ),
    ]


def check_synops(fn: Callable[[torch.Tensor, torch.Tensor, int, int], float]) -> None:
    """Notebook 11, exercise 1: ``fn(input_spikes, hidden_spikes, n_hidden, n_classes)`` = mean SOPs per
    sample.

    Spikes are ``[time, batch, neurons]``; the network is input -> hidden -> output (output spikes
    go nowhere)."""
    inputs, hidden, n_in, n_hidden, n_classes = _case()
    expected = inputs.sum().item() / 2 * n_hidden + hidden.sum().item() / 2 * n_classes  # 2*5 + 3*3 = 19
    got = call(fn, inputs.clone(), hidden.clone(), n_hidden, n_classes)
    got = got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got
    if isinstance(got, bool) or not isinstance(got, int | float):
        raise fail("a number", type(got).__name__, "return one number: operations per sample.")
    if math.isclose(got, expected):
        big_in, big_hidden = torch.ones(10, 4, 64), torch.zeros(10, 4, 128)
        again = call(fn, big_in, big_hidden, 128, 10)
        again = again.item() if isinstance(again, torch.Tensor) else again
        if not math.isclose(again, 10 * 64 * 128):
            raise fail(
                10 * 64 * 128, f"{again:.6g}", "use the sizes you are given, not numbers from the example."
            )
        passed("synaptic operations right: input spikes x n_hidden + hidden spikes x n_classes, per sample")
        return
    for value, hint in _wrong_answers(inputs, hidden, n_in, n_hidden, n_classes):
        if math.isclose(got, value):
            raise fail(f"{expected:.6g}", f"{got:.6g}", hint)
    raise fail(
        f"{expected:.6g}",
        f"{got:.6g}",
        "in this case the inputs send 3 and 1 spikes (mean 2), each to 5 hidden neurons; the hidden layer "
        "sends 4 and 2 (mean 3), each to 3 output neurons.",
    )


def measured_bias_trick_cost(seeds: range = range(5)) -> float:
    """Hidden spikes of the post's model with the uniform bias over the default bias, one random
    input per seed, at initialization (summed over seeds, then divided)."""
    totals = {"uniform": 0.0, "default": 0.0}
    with torch.no_grad():
        for seed in seeds:
            for init in totals:
                with isolated_rng(seed):
                    model = Model(300, 500, bias_init=init)
                    totals[init] += model(random_binary_input(10, 300)).sum().item()
    return totals["uniform"] / totals["default"]


def check_bias_trick_cost(predicted: float) -> None:
    """Notebook 11, exercise 2 (a prediction): how many times more SOPs the post's hidden spikes would cost
    a next
    layer with the bias trick than without, at initialization."""
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not math.isfinite(predicted):
        raise ExerciseError(
            f"expected your prediction as a number, got {type(predicted).__name__} {predicted!r}."
        )
    ratio = measured_bias_trick_cost()
    if abs(predicted - ratio) <= 0.3 * ratio:
        passed(f"your prediction {predicted:.4g}, measured {ratio:.2f} times the SOPs (5 seeds)")
        return
    if 15.5 <= predicted <= 21.5:
        hint = (
            "that is the ratio of notebook 04's losses at start (0.1243 / 0.0067 = 18.5), but the loss is "
            "the squared firing rate, and the SOPs follow the rate itself."
        )
    elif 12 <= predicted <= 30:
        hint = (
            "that is about the ratio at the first step (notebook 04: 15% against under 1% of neurons). Over "
            "10 steps the membrane of a default-bias neuron keeps integrating, and many fire later."
        )
    elif predicted <= 1.5:
        hint = (
            "the uniform bias adds 0.5 on average to every neuron's current at every step: more current, "
            "more spikes, and each spike costs one addition per outgoing synapse."
        )
    elif predicted < ratio:
        hint = (
            "too low. Notebook 04's loss at start is the squared firing rate: 0.1243 with the trick against "
            "0.0067 without. The SOPs follow the rate itself, the square root of that loss ratio."
        )
    else:
        hint = (
            "too high. The SOPs follow the firing rate, and notebook 04's loss at start is its square "
            "(0.1243 against 0.0067): take the square root of that ratio, not the ratio itself."
        )
    raise prediction_miss("11-2", f"about {ratio:.2f}", f"{predicted:.4g}", hint)
