"""Checkers of notebook 03 (The model and its torchinfo summary)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..tasks.post import Model
from .checking import ExerciseError, call, fail, isolated_rng, passed, prediction_miss


def check_n_params_two_layers(fn: Callable[[int, int, int], int]) -> None:
    """Notebook 03, exercise 1: ``fn(size_input, size_hidden, size_output)`` = parameters of two
    layers, ``Linear(size_input -> size_hidden)`` + IF, then ``Linear(size_hidden -> size_output)`` + IF."""
    for i, h, o in [(300, 500, 10), (3, 2, 4), (784, 100, 10)]:
        with isolated_rng(0):  # building the reference layers draws their initial weights
            expected = sum(p.numel() for m in (Model(i, h), Model(h, o)) for p in m.parameters())
        got = call(fn, i, h, o)
        if got == expected:
            continue
        mistakes = {
            i * h + h * o: "count the biases too: one per neuron of each layer (size_hidden + size_output).",
            i * h
            + h: "that is the first layer only; the second Linear maps the hidden spikes to the outputs.",
            10 * expected: "a Linear is shared by every step and counts once: do not multiply by n_time.",
            i * h + h + i * o + o: "the second layer's inputs are the hidden neurons' spikes, not the input: "
            "size_hidden x size_output weights.",
        }
        hint = mistakes.get(got, "each layer has (its inputs x its neurons) weights and one bias per neuron.")
        raise fail(expected, got, f"sizes {i} -> {h} -> {o}: {hint}")
    passed("parameter count of two layers right for three sizes (300 -> 500 -> 10 gives 155,510)")


def measure_sparse_input(p: float = 0.1) -> tuple[int, int]:
    """Synaptic operations and torchinfo's mult-adds for one sample of the post's model whose
    0/1 input ``[10, 1, 300]`` has each entry 1 with probability ``p`` (drawn with its own seed)."""
    from torchinfo import summary

    with isolated_rng(3):
        model = Model(300, 500)
        x = (torch.rand(10, 1, 300) < p).float()
    synops = int(x.sum().item()) * 500
    mult_adds = summary(model, input_data=x, verbose=0).total_mult_adds
    return synops, mult_adds


def check_sparse_input_prediction(predicted_synops: float, predicted_mult_adds: float) -> None:
    """Notebook 03, exercise 2 (a prediction): input entries 1 with probability 0.1 instead of 0.5."""
    for name, value in (("predicted_synops", predicted_synops), ("predicted_mult_adds", predicted_mult_adds)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ExerciseError(
                f"expected {name} as a count, got {value!r}.\nHint: write 150_000 for 150,000."
            )
    synops, mult_adds = measure_sparse_input(0.1)
    if not math.isclose(predicted_mult_adds, mult_adds, rel_tol=0.01):
        if math.isclose(predicted_mult_adds, 0.1 * mult_adds, rel_tol=0.2):
            hint = (
                "torchinfo counts every weight at every step whatever the input: a 0 is multiplied like a 1, "
                "so sparser input does not change its count (section 4)."
            )
        elif math.isclose(predicted_mult_adds, 500 * mult_adds, rel_tol=0.01):
            hint = "that is the unbatched miscount of section 3; the input here has a batch of 1."
        else:
            hint = "torchinfo counts one multiply-add per weight and per bias entry at each of the 10 steps."
        raise prediction_miss(
            "03-2-mult-adds", f"{mult_adds:,} (measured)", f"{predicted_mult_adds:,.0f}", hint
        )
    if not math.isclose(predicted_synops, synops, rel_tol=0.2):
        if math.isclose(predicted_synops, 5 * synops, rel_tol=0.2):
            hint = "that is the post's input (1 in 2 entries at 1); here 1 entry in 10 is 1."
        elif math.isclose(predicted_synops, synops / 10, rel_tol=0.2) or math.isclose(
            predicted_synops, synops / 500, rel_tol=0.2
        ):
            hint = "count per sample, over all 10 steps, and each 1 reaches all 500 neurons."
        else:
            hint = (
                "each input at 1 adds its weight to each of the 500 neurons: "
                "0.1 x 300 inputs x 500 neurons x 10 steps."
            )
        raise prediction_miss("03-2-synops", f"about {synops:,} (measured)", f"{predicted_synops:,.0f}", hint)
    passed(
        f"measured {synops:,} synaptic operations and {mult_adds:,} mult-adds for one sparse sample "
        f"(you predicted {predicted_synops:,.0f} and {predicted_mult_adds:,.0f})"
    )
