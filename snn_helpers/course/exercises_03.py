"""Checkers of notebook 03 (The model and its torchinfo summary)."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Model
from .checking import call, fail, passed


def check_n_params(fn: Callable[[int, int], int]) -> None:
    """Notebook 03: ``fn(size_input, size_hidden)`` = parameters of the post's model."""
    for size_input, size_hidden in [(300, 500), (3, 2), (784, 100)]:
        expected = sum(p.numel() for p in Model(size_input, size_hidden).parameters())
        got = call(fn, size_input, size_hidden)
        if got != expected:
            hint = (
                "count the bias too: one per hidden neuron."
                if got == size_input * size_hidden
                else "the IF neuron has no parameters, and the Linear is shared by every step: "
                "do not multiply by n_time."
            )
            raise fail(expected, got, f"Linear({size_input} -> {size_hidden}): {hint}")
    passed("parameter count right for three sizes (300 -> 500 gives 150,500)")


def check_mult_adds(fn: Callable[[int, int, int], int]) -> None:
    """Notebook 03: ``fn(size_input, size_hidden, n_time)`` = mult-adds per sample, as torchinfo counts."""
    for size_input, size_hidden, n_time in [(300, 500, 10), (4, 3, 2)]:
        expected = n_time * (size_input * size_hidden + size_hidden)
        got = call(fn, size_input, size_hidden, n_time)
        if got != expected:
            raise fail(
                expected,
                got,
                "torchinfo counts, for each call of the Linear, one multiply-add per weight "
                "and one per bias entry; the Linear is called once per time step.",
            )
    passed("mult-adds per sample right (1,505,000 for the post's model)")

