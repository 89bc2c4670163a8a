"""Checkers of notebook 07 (A real task: handwritten digits)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..tasks.digits import DigitsSplit, evaluate
from .checking import ExerciseError, call, fail, passed, prediction_miss


def measure_readout(model: torch.nn.Module, data: DigitsSplit, n_time: int = 2) -> float:
    """Validation accuracy of ``model`` read out over ``n_time`` steps (one fixed rate code, seed 7)."""
    return evaluate(model, data.x_val, data.y_val, n_time, torch.Generator().manual_seed(7)).accuracy


def check_readout_prediction(
    predicted: object,
    model: torch.nn.Module,
    data: DigitsSplit,
    n_time: int = 2,
    n_time_trained: int = 10,
    below: float = 0.25,
    above: float = 0.08,
) -> None:
    """Notebook 07, exercise 1 (a prediction): the predicted validation accuracy of the trained network
    read out over ``n_time`` steps, against the measurement.

    The window is asymmetric, ``below`` under the measurement to ``above`` over it: a guess that weighs
    the ties heavily reads the prompt reasonably, while a guess at the network's accuracy at its own
    ``n_time_trained`` steps (within 0.03 of it, or above) is the misconception the exercise is about,
    and gets its own hint. The random draws use their own generator (seed 7, as for both measurements).
    """
    if isinstance(predicted, bool) or not isinstance(predicted, int | float) or not 0 <= predicted <= 1:
        hint = "a fraction: 0.9 means 90% of the validation digits right."
        if isinstance(predicted, int | float) and 1 < predicted <= 100:
            hint = f"write the accuracy as a fraction: {predicted / 100:.2f}, not {predicted}."
        raise ExerciseError(
            f"expected an accuracy between 0 and 1 (a float), got {predicted!r}.\nHint: {hint}"
        )
    measured = measure_readout(model, data, n_time)
    at_own = measure_readout(model, data, n_time_trained)
    expected = f"between {measured - below:.2f} and {measured + above:.2f} (measured {measured:.2f})"
    if predicted >= at_own - 0.03:
        hint = (
            f"that is about what it scores at its own T = {n_time_trained}: with {n_time} steps the largest "
            f"count is {n_time} and many digits tie, so something is lost."
        )
        raise prediction_miss("07-1", expected, f"{predicted:.2f}", hint)
    if measured - below <= predicted <= measured + above:
        # a measurement after training is not printed on a pass: its last digits depend on the CPU
        passed(
            f"your prediction {predicted:.2f} is within the window of the measured accuracy with "
            f"T = {n_time} ({below} below it to {above} above)"
        )
        return
    if predicted > measured:
        hint = (
            f"too high. With T = {n_time} each output neuron fires at most {n_time} times, so many digits "
            "tie for the top count and argmax gives them to the lower digit; and each pixel's rate is read "
            f"from {n_time} coin flips, so the hidden layer sees a coarse, noisy image."
        )
    else:
        hint = (
            "too low. Two draws per pixel still carry much of the image: each hidden neuron sums 64 inputs, "
            "and the weights are the trained ones; chance is 0.1."
        )
    raise prediction_miss("07-1", expected, f"{predicted:.2f}", hint)


# Output counts [5 digits, 10 classes] and labels, worked by hand: credit 1, 1/2, 1/10, 1/3, 0.
_COUNTS = torch.zeros(5, 10)
_COUNTS[0, :2] = torch.tensor([3.0, 1.0])  # label 0, alone at the top: 1
_COUNTS[1, :2] = 2.0  # label 1, tied with 0: 1/2 (argmax says 0)
# row 2: no output spike at all, label 5: a tie of all ten classes, 1/10
_COUNTS[3, 1:4] = 4.0  # label 3, tied with 1 and 2: 1/3 (argmax says 1)
_COUNTS[4, 0], _COUNTS[4, 9] = 5.0, 6.0  # label 0, but 9 is alone at the top: 0
_LABELS = torch.tensor([0, 1, 5, 3, 0])
_EXPECTED = (1 + 1 / 2 + 1 / 10 + 1 / 3 + 0) / 5
_MISTAKES = [
    (
        0.2,
        "that is argmax's accuracy, where a tie goes to the lower digit; a tie of k classes is a fair coin "
        "with k sides: credit 1/k when the label is among them.",
    ),
    (
        0.8,
        "a tie is not a right answer: if the label is one of k tied classes, a random pick is right "
        "1 time in k.",
    ),
    ((1 + 1 / 2 + 1 / 3) / 5, "a digit without any output spike ties all ten classes: credit 1/10."),
    (_EXPECTED * 5, "average over the digits (divide by their number), do not sum."),
]


def check_tie_credit(fn: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
    """Notebook 07, exercise 2: ``fn(counts, labels)`` = accuracy when ties are broken at random, on average.

    ``counts``: output spike counts ``[n, 10]``; ``labels``: ``[n]``. A digit whose label is one of
    the k classes sharing the top count scores 1/k; otherwise 1 if its label is alone at the top.
    """
    for counts, labels, expected in [(_COUNTS, _LABELS, _EXPECTED), (_COUNTS[[0, 4]], _LABELS[[0, 4]], 0.5)]:
        got = call(fn, counts.clone(), labels.clone())
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise fail("a number", repr(got), "return one float: the mean credit over the digits.") from None
        if math.isclose(got, expected, abs_tol=1e-6):
            continue
        hint = next(
            (why for value, why in _MISTAKES if math.isclose(got, value, abs_tol=1e-6)),
            "per digit: find the top count, the classes that reach it (k of them), credit 1/k if the label "
            "is one of them; then take the mean.",
        )
        raise fail(
            f"{expected:.4f}",
            f"{got:.4f}",
            f"counts {counts.int().tolist()}, labels {labels.tolist()}: {hint}",
        )
    passed("your tie-aware accuracy matches the hand-worked cases")
