"""A real task: scikit-learn's bundled 8x8 digits, rate-coded into 0/1 spike trains.

Introduced in notebook 07 (a real task); used in notebook 08 (surrogates compared).
:class:`DigitsMLP` is the non-spiking reference of notebook 07: the same 64-128-10 shape with ReLU.
No download: ``sklearn.datasets.load_digits`` ships inside scikit-learn. 1,797 images
of 8 x 8 pixels with values 0 to 16, ten classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ._checks import check_beta, check_bool, check_choice, check_positive, check_tensor
from .fused import if_sequence
from .neuron import RESETS
from .spike import resolve_slope


class DigitsSplit(NamedTuple):
    """Pixels ``[n, 64]`` scaled to [0, 1] and labels ``[n]`` (int64): train, validation and test.

    Choices (time steps, threshold, epochs, learning rate, a surrogate) are made on the validation
    split; the test split is looked at once, at the end.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor


def load_digits_split(
    test_fraction: float = 0.25, validation_fraction: float = 0.2, seed: int = 0
) -> DigitsSplit:
    """The fixed train/validation/test split of the digits, stratified by class.

    The test split is ``test_fraction`` of all 1,797 images (seed 0: 450, the same images whatever
    ``validation_fraction`` is); the validation split is ``validation_fraction`` of what remains
    (seed 0 and 0.2: 270), the rest is for training (1,077). ``validation_fraction=0`` leaves the
    validation tensors empty and trains on all 1,347.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, int | float)
        or not 0 < test_fraction < 1
    ):
        raise ValueError(f"test_fraction must be a number between 0 and 1 (exclusive); got {test_fraction!r}")
    if (
        isinstance(validation_fraction, bool)
        or not isinstance(validation_fraction, int | float)
        or not 0 <= validation_fraction < 1
    ):
        raise ValueError(f"validation_fraction must be a number in [0, 1); got {validation_fraction!r}")
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target, dtype=torch.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)
    if validation_fraction == 0:
        return DigitsSplit(x_tr, y_tr, x_te, y_te, x_tr[:0], y_tr[:0])
    x_tr, x_va, y_tr, y_va = train_test_split(
        x_tr, y_tr, test_size=validation_fraction, random_state=seed, stratify=y_tr
    )
    return DigitsSplit(x_tr, y_tr, x_te, y_te, x_va, y_va)


def rate_encode(x: torch.Tensor, n_time: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Rate coding: at each step, each input is 1 with probability equal to its intensity.

    Args:
        x: intensities in [0, 1], ``[batch, features]``.
        n_time: time steps T.
        generator: for the random draws (default: torch's global generator).

    Returns:
        0/1 spikes ``[n_time, batch, features]`` (the post's input format), on ``x``'s device.
    """
    check_tensor("x", x)
    check_positive("n_time", n_time, integer=True)
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"x must hold intensities in [0, 1]; got values from {x.min():.3g} to {x.max():.3g}")
    return torch.bernoulli(x.expand(n_time, *x.shape), generator=generator)


def _check_spikes(spikes: object, n_inputs: int) -> None:
    """The digits networks' input: a tensor of 0/1 spikes ``[time, batch, n_inputs]``."""
    check_tensor("spikes", spikes)
    if spikes.dim() != 3 or spikes.shape[-1] != n_inputs:
        raise ValueError(f"spikes must have shape [time, batch, {n_inputs}]; got {tuple(spikes.shape)}")


class DigitsSNN(nn.Module):
    """Input spikes -> Linear -> IF hidden layer -> Linear -> IF output layer; the output
    neurons' spike counts over the T steps are the class scores.

    Args:
        n_hidden: IF neurons in the hidden layer.
        surrogate, slope, threshold, reset, detach_reset: of both IF layers (see :class:`snn_helpers.IF`).
        beta: the leak factor of both layers, in (0, 1]; 1 (the default) is no leak (notebook 09).
        bias_init: "default" (PyTorch's) or "uniform" (the post's U(0, 1) trick, hidden layer).
        n_inputs, n_classes: 64 pixels, 10 digits.

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` 0/1 input and returns spike counts
    ``[batch, n_classes]`` (used as logits); with ``return_hidden=True`` also the hidden
    spikes ``[time, batch, n_hidden]``. Both layers run on the fused engine.
    """

    def __init__(
        self,
        n_hidden: int = 128,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        threshold: float = 1.0,
        reset: str = "zero",
        detach_reset: bool = True,
        bias_init: str = "default",
        n_inputs: int = 64,
        n_classes: int = 10,
        beta: float = 1.0,
    ) -> None:
        super().__init__()
        for name, value in [("n_hidden", n_hidden), ("n_inputs", n_inputs), ("n_classes", n_classes)]:
            check_positive(name, value, integer=True)
        check_positive("threshold", threshold)
        check_choice("reset", reset, RESETS)
        check_choice("bias_init", bias_init, ("default", "uniform"))
        self.hidden = nn.Linear(n_inputs, n_hidden)
        self.output = nn.Linear(n_hidden, n_classes)
        if bias_init == "uniform":
            nn.init.uniform_(self.hidden.bias, 0.0, 1.0)
        slope = resolve_slope(surrogate, slope)
        self.neuron = (float(threshold), reset, surrogate, slope, detach_reset, check_beta(beta))
        self.n_inputs = n_inputs

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        _check_spikes(spikes, self.n_inputs)
        hidden, _ = if_sequence(self.hidden(spikes), *self.neuron)
        out, _ = if_sequence(self.output(hidden), *self.neuron)
        counts = out.sum(dim=0)
        return (counts, hidden) if return_hidden else counts


class DigitsMLP(nn.Module):
    """The non-spiking reference: Linear(64 -> 128) -> ReLU -> Linear(128 -> 10), on the rates.

    It takes the same input as :class:`DigitsSNN` (0/1 spikes ``[time, batch, n_inputs]``), averages
    it over time (each input's firing rate, an estimate of the pixel's intensity) and returns logits
    ``[batch, n_classes]``; with ``return_hidden=True`` also the hidden ReLU outputs as one step,
    ``[1, batch, n_hidden]``, so that :func:`evaluate` and :func:`train_digits` treat both networks
    alike. Introduced in notebook 07.
    """

    def __init__(self, n_hidden: int = 128, n_inputs: int = 64, n_classes: int = 10) -> None:
        super().__init__()
        for name, value in [("n_hidden", n_hidden), ("n_inputs", n_inputs), ("n_classes", n_classes)]:
            check_positive(name, value, integer=True)
        self.hidden = nn.Linear(n_inputs, n_hidden)
        self.output = nn.Linear(n_hidden, n_classes)
        self.n_inputs = n_inputs

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        _check_spikes(spikes, self.n_inputs)
        hidden = torch.relu(self.hidden(spikes.mean(dim=0)))
        logits = self.output(hidden)
        return (logits, hidden[None]) if return_hidden else logits


@dataclass
class DigitsHistory:
    """Per-epoch records of :func:`train_digits` (a list stays empty if it was not tracked)."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # with restore_best: the epoch (from 1) whose weights were kept


class Evaluation(NamedTuple):
    """What :func:`evaluate` measured on one rate code of a data set of ``n`` samples."""

    accuracy: float
    predictions: torch.Tensor  # [n] predicted labels
    silent: float  # fraction of hidden neurons that fire for no sample at no step (MLP: never > 0)
    counts: torch.Tensor  # [n, n_classes] output spike counts
    hidden: torch.Tensor  # [time, n, n_hidden] hidden spikes


@torch.no_grad()
def evaluate(
    model: DigitsSNN | DigitsMLP,
    x: torch.Tensor,
    y: torch.Tensor,
    n_time: int = 20,
    generator: torch.Generator | None = None,
) -> Evaluation:
    """Run ``model`` on one rate code of ``x`` ``[n, 64]`` and score it against ``y`` ``[n]``.

    The predicted label is the output neuron with the most spikes; a tie goes to the lower
    digit (``argmax``). Output counts are small integers (at most ``n_time``), so ties are
    common: :func:`count_top_ties` counts them.
    """
    device = model.hidden.weight.device
    counts, hidden = model(rate_encode(x, n_time, generator).to(device), return_hidden=True)
    predictions = counts.argmax(dim=1).cpu()
    silent = (hidden.sum(dim=(0, 1)) == 0).float().mean().item()
    return Evaluation((predictions == y).float().mean().item(), predictions, silent, counts, hidden)


def count_top_ties(counts: torch.Tensor) -> int:
    """How many rows of ``counts`` ``[n, n_classes]`` have their maximum in two or more classes.

    Such a row's prediction is decided by ``argmax``'s rule (the lower digit), not by the network.
    A row of zeros (no output spike) is a tie of all classes. Introduced in notebook 07.
    """
    check_tensor("counts", counts)
    if counts.dim() != 2:
        raise ValueError(f"counts must have shape [n, n_classes]; got {tuple(counts.shape)}")
    top = counts.max(dim=1, keepdim=True).values
    return int(((counts == top).sum(dim=1) >= 2).sum())


def training_step(
    model: nn.Module, optimizer: torch.optim.Optimizer, spikes: torch.Tensor, labels: torch.Tensor
) -> float:
    """One step of :func:`train_digits`: cross-entropy on the output counts, backward, update.

    Args:
        model: a :class:`DigitsSNN` (or :class:`DigitsMLP`); ``optimizer`` over its parameters.
        spikes: 0/1 input ``[time, batch, 64]``; ``labels``: ``[batch]`` (int64), on the model's device.

    Returns:
        The batch's loss before the update. Introduced in notebook 07.
    """
    counts = model(spikes)  # [batch, 10]: spike counts, used as logits
    loss = nn.functional.cross_entropy(counts, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


TRACKED = ("train", "val", "test")


def check_track(track: object, data: DigitsSplit) -> None:
    """``track`` names splits of ``TRACKED`` that ``data`` has, or a clear error (train_digits and the
    ensemble of notebook 08)."""
    if isinstance(track, str) or not all(name in TRACKED for name in track):
        raise ValueError(f"track must be a tuple of names from {TRACKED}; got {track!r}")
    if "val" in track and not len(data.y_val):
        raise ValueError("track includes 'val' but data has no validation split (validation_fraction=0)")


def train_digits(
    model: DigitsSNN | DigitsMLP,
    data: DigitsSplit,
    n_time: int = 20,
    epochs: int = 15,
    lr: float = 2e-3,
    batch_size: int = 64,
    seed: int = 0,
    track: tuple[str, ...] = ("train", "test"),
    restore_best: bool = False,
) -> DigitsHistory:
    """Train with cross-entropy on the output spike counts (Adam), a fresh rate code per batch.

    Args:
        model: a :class:`DigitsSNN` (or the reference :class:`DigitsMLP`).
        data: from :func:`load_digits_split`.
        n_time: time steps T of the rate code.
        epochs, lr, batch_size: the usual; ``seed`` fixes the shuffling and the spike draws.
        track: the splits whose accuracy is measured after each epoch, of "train", "val", "test".
            Choosing settings, track "val" only: the test split is for the end.
        restore_best: early stopping on the validation split: at the end, put back the weights of
            the epoch with the highest validation accuracy (the first such epoch); needs "val" in
            ``track``. The number of epochs is then chosen on the validation split, per run.

    Returns:
        A :class:`DigitsHistory` with the mean loss and the tracked accuracies after each epoch.
        The data stay on the CPU; each batch's spikes are moved to the model's device.
    """
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("lr", lr)
    check_track(track, data)
    check_bool("restore_best", restore_best)
    if restore_best and "val" not in track:
        raise ValueError(f"restore_best needs 'val' in track; got track={track!r}")
    gen = torch.Generator().manual_seed(seed)  # on the CPU: the same draws on any device
    device = model.hidden.weight.device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = DigitsHistory()
    n = len(data.y_train)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            spikes = rate_encode(data.x_train[idx], n_time, gen).to(device)
            total += training_step(model, optimizer, spikes, data.y_train[idx].to(device)) * len(idx)
        history.loss.append(total / n)
        for name, x, y, record in [
            ("train", data.x_train, data.y_train, history.train_accuracy),
            ("val", data.x_val, data.y_val, history.val_accuracy),
            ("test", data.x_test, data.y_test, history.test_accuracy),
        ]:
            if name in track:
                record.append(evaluate(model, x, y, n_time, gen).accuracy)
        if restore_best and history.val_accuracy[-1] > max(history.val_accuracy[:-1], default=-1.0):
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            history.best_epoch = len(history.val_accuracy)
    if restore_best:
        model.load_state_dict(best_state)
    return history
