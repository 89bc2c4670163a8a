"""A generated temporal task: Randman, random smooth manifolds turned into spike times.

Introduced in notebook 12 (time matters). Written from the description in F. Zenke and
T. P. Vogels, "The remarkable robustness of surrogate gradient learning for instilling complex
function in spiking neural networks", Neural Computation 33(4), 2021 (the task they call Randman).

Each class is a random smooth manifold of dimension ``D`` in a space of ``n_channels`` dimensions.
Channel ``j`` of class ``k`` is a smooth random function of the manifold coordinates
``u in [0, 1]^D``: a product over the ``D`` coordinates of 1-D functions, each a sum of sinusoids
whose amplitudes fall off as a power of the frequency::

    f(u) = sum_{i=1}^{F-1}  a_i / (i + 1)^alpha * sin(2 pi (i b_i u + c_i))    a, b, c ~ U(0, 1)

(``F = ceil(precision^(-1/alpha))`` terms; the larger ``alpha``, the smoother the manifold). A
sample draws ``u`` uniformly, evaluates the ``n_channels`` functions, rescales each channel to
[0, 1) over the class's samples (per channel and per class, as in Zenke's generator, so every class
spans the whole time window on every channel: the class is in the joint pattern of the channels, not
in the range of any one) and turns the value into the time step of that channel's one spike.
So every sample has exactly one spike per channel: spike counts are the same for every sample of
every class, and all the information is in the timing.

Everything is drawn with a seeded numpy generator (PCG64) and computed in float64 on the CPU, so
a seed gives the same data on any machine; a spike time could only move if a value fell within a
few units of the last bit of a step boundary (the tests check the margin of the default data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ..core._checks import check_positive
from ..core.recurrent import RecurrentLIF
from ..core.split import check_fraction, stratified_split


class RandmanData(NamedTuple):
    """Spikes ``[time, n, channels]`` (float 0/1, one spike per channel and sample); labels ``[n]``, int64.

    Introduced in notebook 12.
    """

    spikes: torch.Tensor
    labels: torch.Tensor


class RandmanSplit(NamedTuple):
    """Train, validation and test sets (choices on validation, the test set looked at once).

    Introduced in notebook 12.
    """

    train: RandmanData
    validation: RandmanData
    test: RandmanData


def randman_times(
    n_classes: int = 4,
    n_channels: int = 20,
    n_steps: int = 50,
    dim_manifold: int = 1,
    alpha: float = 2.0,
    samples_per_class: int = 100,
    seed: int = 0,
    precision: float = 1e-3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spike times before they are made steps: values in [0, 1), float64.

    Returns:
        ``(times, labels, coordinates)``: ``times`` ``[n, n_channels]`` with
        ``n = n_classes * samples_per_class`` (class by class, each channel rescaled to [0, 1) over
        its class's samples), ``labels`` ``[n]`` (int64) and the manifold coordinates ``u`` of each
        sample ``[n, dim_manifold]``. See :func:`make_randman` for the arguments.

    Introduced in notebook 12.
    """
    for name, value in [
        ("n_classes", n_classes),
        ("n_channels", n_channels),
        ("n_steps", n_steps),
        ("dim_manifold", dim_manifold),
        ("samples_per_class", samples_per_class),
    ]:
        check_positive(name, value, integer=True)
    check_positive("alpha", alpha)
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2 (a classification task); got {n_classes}")
    if samples_per_class < 2:
        raise ValueError(
            f"samples_per_class must be at least 2 (a channel is rescaled over them); got {samples_per_class}"
        )
    check_fraction("precision", precision)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TypeError(f"seed must be a non-negative int; got {type(seed).__name__} {seed!r}")
    rng = np.random.default_rng(seed)
    n_freq = math.ceil(precision ** (-1 / alpha))
    i = np.arange(n_freq, dtype=np.float64)
    decay = 1.0 / (i + 1) ** alpha
    times, labels, coordinates = [], [], []
    for k in range(n_classes):
        a, b, c = rng.uniform(size=(3, n_channels, dim_manifold, n_freq))
        a[..., 0] = 0.0  # no constant term: each function oscillates around 0
        u = rng.uniform(size=(samples_per_class, dim_manifold))
        # phase[sample, channel, dim, freq] = 2 pi (i b u + c)
        phase = 2 * np.pi * (i * b[None] * u[:, None, :, None] + c[None])
        value = np.prod(np.sum(a[None] * decay * np.sin(phase), axis=-1), axis=-1)
        low, high = value.min(axis=0), value.max(axis=0)
        times.append((value - low) / (high - low) * (1 - 1e-9))  # [0, 1): the latest spike at the last step
        labels.append(np.full(samples_per_class, k, dtype=np.int64))
        coordinates.append(u)
    return np.concatenate(times), np.concatenate(labels), np.concatenate(coordinates)


def make_randman(
    n_classes: int = 4,
    n_channels: int = 20,
    n_steps: int = 50,
    dim_manifold: int = 1,
    alpha: float = 2.0,
    samples_per_class: int = 100,
    seed: int = 0,
    precision: float = 1e-3,
) -> RandmanData:
    """The Randman task as spike trains, classes in order.

    Args:
        n_classes: classes (manifolds), at least 2.
        n_channels: input channels (the manifolds' embedding dimension), one spike each per sample.
        n_steps: time steps; a channel's spike falls at step ``floor(value * n_steps)``.
        dim_manifold: ``D``, the manifolds' intrinsic dimension (more is harder).
        alpha: smoothness, the amplitude fall-off exponent (smaller is rougher, harder).
        samples_per_class: samples drawn from each manifold.
        seed: the numpy generator's seed; the same seed gives the same data on any machine.
        precision: the smallest amplitude kept relative to the first (sets the number of terms).

    Returns:
        :class:`RandmanData`: spikes ``[n_steps, n_classes * samples_per_class, n_channels]`` (float32
        0/1, exactly one 1 per sample and channel) and labels ``[n]`` (int64), on the CPU.

    Introduced in notebook 12.
    """
    times, labels, _ = randman_times(
        n_classes, n_channels, n_steps, dim_manifold, alpha, samples_per_class, seed, precision
    )
    steps = torch.from_numpy(np.floor(times * n_steps).astype(np.int64))  # [n, channels], 0 .. n_steps-1
    spikes = torch.zeros(n_steps, *steps.shape)
    spikes.scatter_(0, steps[None], 1.0)
    return RandmanData(spikes, torch.from_numpy(labels))


def split_randman(
    data: RandmanData, validation_fraction: float = 0.2, test_fraction: float = 0.2, seed: int = 0
) -> RandmanSplit:
    """Split class by class (the same share of each class in each set), each set shuffled.

    Args:
        data: from :func:`make_randman`.
        validation_fraction, test_fraction: shares of each class's samples (rounded down, at least
            one sample each); the rest is for training.
        seed: for the shuffles (a CPU ``torch.Generator``).

    Introduced in notebook 12.
    """
    if not isinstance(data, RandmanData):
        raise TypeError(f"data must be a RandmanData (from make_randman); got {type(data).__name__}")
    sets = stratified_split(data.labels, validation_fraction, test_fraction, seed, unit="samples")
    return RandmanSplit(*(RandmanData(data.spikes[:, idx], data.labels[idx]) for idx in sets))


class RandmanSNN(nn.Module):
    """Input spikes -> :class:`RecurrentLIF` hidden layer (recurrent or not) -> Linear readout of the
    hidden spike counts, the class scores.

    Args:
        n_inputs: input channels; n_hidden: LIF neurons; n_classes: classes.
        recurrent: True adds the recurrent weight, which starts at 0: the recurrent network starts as
            the feed-forward one (same seed, same weights, same outputs) and learns its recurrence.
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, of the hidden layer
            (``model.neuron``, a :class:`snn_helpers.core.neuron.NeuronSpec`).
        input_gain: the input weights are drawn as a Linear's, times this (3: with one spike per
            channel, PyTorch's default scale leaves most hidden neurons silent).

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` and returns scores ``[batch, n_classes]``
    (used as logits); with ``return_hidden=True`` also the hidden spikes ``[time, batch, n_hidden]``.
    Runs on the fused engine.

    Introduced in notebook 12.
    """

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        n_classes: int,
        recurrent: bool = True,
        *,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 0.9,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        detach_reset: bool = True,
        input_gain: float = 3.0,
    ) -> None:
        super().__init__()
        check_positive("n_classes", n_classes, integer=True)
        check_positive("input_gain", input_gain)
        self.hidden = RecurrentLIF(
            n_inputs,
            n_hidden,
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
            recurrent=recurrent,
            recurrent_init="zero",
        )
        self.neuron = self.hidden.neuron
        with torch.no_grad():
            self.hidden.input.weight.mul_(input_gain)
        self.readout = nn.Linear(n_hidden, n_classes)

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        hidden = self.hidden(spikes)
        if hidden.dim() != 3:
            raise ValueError(f"spikes must have 3 dims [time, batch, n_inputs]; got {tuple(spikes.shape)}")
        scores = self.readout(hidden.sum(dim=0))
        return (scores, hidden) if return_hidden else scores


@dataclass
class RandmanHistory:
    """Per-epoch records of :func:`train_randman`: the mean training loss and training accuracy over the
    epoch's batches (each measured before its update), and the validation accuracy after the epoch.

    Introduced in notebook 12.
    """

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)


@torch.no_grad()
def accuracy(model: nn.Module, data: RandmanData) -> float:
    """Fraction of ``data``'s samples whose highest score is their label (ties to the lower class).

    Introduced in notebook 12.
    """
    device = next(model.parameters()).device
    scores = model(data.spikes.to(device))
    return (scores.argmax(dim=1).cpu() == data.labels).float().mean().item()


def train_randman(
    model: nn.Module,
    data: RandmanSplit,
    epochs: int = 20,
    lr: float = 1e-2,
    batch_size: int = 32,
    seed: int = 0,
    recurrent_lr: float | None = None,
) -> RandmanHistory:
    """Train with cross-entropy on the scores (Adam), minibatches shuffled by ``seed``.

    Args:
        model: maps ``[time, batch, channels]`` spikes to ``[batch, n_classes]`` scores.
        data: a :class:`RandmanSplit`; the test set is not touched.
        epochs, lr, batch_size: the usual.
        recurrent_lr: the learning rate of parameters named ``recurrent_weight`` (None: ``lr``).

    Returns:
        A :class:`RandmanHistory`. Data stay on the CPU; each batch moves to the model's device.

    Introduced in notebook 12.
    """
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("lr", lr)
    if recurrent_lr is not None:
        check_positive("recurrent_lr", recurrent_lr)
    gen = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    named = list(model.named_parameters())
    recurrent = [p for name, p in named if name.endswith("recurrent_weight")]
    others = [p for name, p in named if not name.endswith("recurrent_weight")]
    groups = [{"params": others}] + ([{"params": recurrent, "lr": recurrent_lr or lr}] if recurrent else [])
    optimizer = torch.optim.Adam(groups, lr=lr)
    history = RandmanHistory()
    spikes, labels = data.train
    n = len(labels)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        total, right = 0.0, 0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            scores = model(spikes[:, idx].to(device))
            loss = nn.functional.cross_entropy(scores, labels[idx].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            right += int((scores.argmax(dim=1).cpu() == labels[idx]).sum())
        history.loss.append(total / n)
        history.train_accuracy.append(right / n)
        history.validation_accuracy.append(accuracy(model, data.validation))
    return history
