"""A generated memory task: a cue, a delay full of distractors, then a recall window.

Introduced in notebook 14 (memory). A binary variant of the store-and-recall tasks of G. Bellec et
al., "Long short-term memory and learning-to-learn in networks of spiking neurons", NeurIPS 2018,
written from that description.

A trial has ``cue_steps + delay + recall_steps`` time steps and ``n_channels`` input channels, in
four equal groups (``n_channels`` a multiple of 4, ``q = n_channels // 4`` each)::

    channels [0, q)      cue of class 0     spike at rate cue_rate during the cue, if the class is 0
    channels [q, 2q)     cue of class 1     the same, if the class is 1
    channels [2q, 3q)    recall             every step of the recall window, silent before
    channels [3q, 4q)    distractors only

    steps [0, cue_steps)                          the cue
    steps [cue_steps, cue_steps + delay)          the delay
    steps [cue_steps + delay, T)                  the recall window (T the trial's length)

After the cue, every channel but the recall ones carries distractor spikes, independently at
``distractor_rate`` per step, the same for both classes: in the delay and in the recall window
only the cue, ``delay`` steps back, tells the class. A network answers from its spikes in the
recall window (:class:`MemorySNN`), so with a delay longer than its membrane's time constant it
must keep the cue somewhere else: in its recurrent activity, or in the threshold adaptation of the
adaptive LIF neuron (:class:`snn_helpers.RecurrentLIF` with ``adapt_decay``).

Everything is drawn with a seeded CPU ``torch.Generator``, so a seed gives the same data on any
machine.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ..core._checks import check_choice, check_positive, check_tensor
from ..core.recurrent import RecurrentLIF
from ..core.split import stratified_split

KINDS = ("ff", "rec", "alif")


class MemoryData(NamedTuple):
    """Spikes ``[time, n, channels]`` (float 0/1) and labels ``[n]`` (int64, 0 or 1).

    Introduced in notebook 14.
    """

    spikes: torch.Tensor
    labels: torch.Tensor


class MemorySplit(NamedTuple):
    """Train, validation and test sets (choices on validation, the test set looked at once).

    Introduced in notebook 14.
    """

    train: MemoryData
    validation: MemoryData
    test: MemoryData


class MemoryLayout(NamedTuple):
    """Where the parts of a trial lie: channel ranges and step ranges (see the module's docstring).

    ``cue`` holds the two classes' cue channels, ``(range for class 0, range for class 1)``;
    ``recall`` and ``distractor`` are channel ranges; ``cue_window``, ``delay_window`` and
    ``recall_window`` are step ranges. Introduced in notebook 14.
    """

    cue: tuple[range, range]
    recall: range
    distractor: range
    cue_window: range
    delay_window: range
    recall_window: range


def _check_rate(name: str, value: object, *, allow_zero: bool) -> None:
    low = "0 <=" if allow_zero else "0 <"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"{name} must be a number with {low} {name} <= 1; got {type(value).__name__} {value!r}"
        )
    if not ((0 <= value if allow_zero else 0 < value) and value <= 1):  # NaN fails this too
        raise ValueError(f"{name} must be a number with {low} {name} <= 1; got {value!r}")


def _check_delay(delay: object) -> None:
    if isinstance(delay, bool) or not isinstance(delay, int):
        raise TypeError(f"delay must be a non-negative int (steps); got {type(delay).__name__} {delay!r}")
    if delay < 0:
        raise ValueError(f"delay must be a non-negative int (steps); got {delay}")


def memory_layout(
    delay: int, *, n_channels: int = 16, cue_steps: int = 10, recall_steps: int = 10
) -> MemoryLayout:
    """The channel groups and the windows of a trial (see the module's docstring).

    Args:
        delay: steps between the end of the cue and the start of the recall window (0 or more).
        n_channels: input channels, a positive multiple of 4 (four equal groups).
        cue_steps, recall_steps: lengths of the cue and of the recall window, in steps.

    Introduced in notebook 14.
    """
    _check_delay(delay)
    check_positive("n_channels", n_channels, integer=True)
    check_positive("cue_steps", cue_steps, integer=True)
    check_positive("recall_steps", recall_steps, integer=True)
    if n_channels % 4:
        raise ValueError(
            f"n_channels must be a multiple of 4 (cue 0, cue 1, recall, distractors); got {n_channels}"
        )
    q = n_channels // 4
    end_delay = cue_steps + delay
    return MemoryLayout(
        cue=(range(0, q), range(q, 2 * q)),
        recall=range(2 * q, 3 * q),
        distractor=range(3 * q, n_channels),
        cue_window=range(0, cue_steps),
        delay_window=range(cue_steps, end_delay),
        recall_window=range(end_delay, end_delay + recall_steps),
    )


def make_memory(
    n_samples: int,
    delay: int,
    *,
    n_channels: int = 16,
    cue_steps: int = 10,
    recall_steps: int = 10,
    cue_rate: float = 0.5,
    distractor_rate: float = 0.05,
    seed: int = 0,
) -> MemoryData:
    """Trials of the memory task, the two classes balanced and in random order.

    Args:
        n_samples: trials, an even number (exactly half of each class).
        delay: steps between the cue and the recall window (0 or more).
        n_channels: input channels, a multiple of 4 (:func:`memory_layout`).
        cue_steps, recall_steps: lengths of the cue and of the recall window, in steps.
        cue_rate: spike probability per step of each of the class's cue channels during the cue, in (0, 1].
        distractor_rate: spike probability per step of every non-recall channel after the cue, in [0, 1].
        seed: of the CPU ``torch.Generator`` that draws everything (the torch global RNG is untouched).

    Returns:
        :class:`MemoryData`: spikes ``[cue_steps + delay + recall_steps, n_samples, n_channels]``
        (float32 0/1) and labels ``[n_samples]`` (int64), on the CPU.

    Introduced in notebook 14.
    """
    check_positive("n_samples", n_samples, integer=True)
    if n_samples % 2:
        raise ValueError(f"n_samples must be even (half of the trials in each class); got {n_samples}")
    layout = memory_layout(delay, n_channels=n_channels, cue_steps=cue_steps, recall_steps=recall_steps)
    _check_rate("cue_rate", cue_rate, allow_zero=False)
    _check_rate("distractor_rate", distractor_rate, allow_zero=True)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TypeError(f"seed must be a non-negative int; got {type(seed).__name__} {seed!r}")
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n_samples)[torch.randperm(n_samples, generator=gen)] % 2
    n_steps = layout.recall_window.stop
    q = n_channels // 4
    spikes = torch.zeros(n_steps, n_samples, n_channels)
    cue = (torch.rand(cue_steps, n_samples, q, generator=gen) < cue_rate).float()
    for k, channels in enumerate(layout.cue):
        spikes[:cue_steps, :, channels.start : channels.stop] = cue * (labels == k)[None, :, None]
    noise = (torch.rand(n_steps - cue_steps, n_samples, n_channels, generator=gen) < distractor_rate).float()
    noise[:, :, layout.recall.start : layout.recall.stop] = 0.0
    spikes[cue_steps:] = noise
    spikes[layout.recall_window.start :, :, layout.recall.start : layout.recall.stop] = 1.0
    return MemoryData(spikes, labels)


def split_memory(
    data: MemoryData, validation_fraction: float = 0.2, test_fraction: float = 0.2, seed: int = 0
) -> MemorySplit:
    """Split class by class (the same share of each class in each set), each set shuffled.

    Args:
        data: from :func:`make_memory`.
        validation_fraction, test_fraction: shares of each class's trials (rounded down, at least one
            each); the rest is for training.
        seed: for the shuffles (a CPU ``torch.Generator``).

    Introduced in notebook 14.
    """
    if not isinstance(data, MemoryData):
        raise TypeError(f"data must be a MemoryData (from make_memory); got {type(data).__name__}")
    sets = stratified_split(data.labels, validation_fraction, test_fraction, seed, unit="trials")
    return MemorySplit(*(MemoryData(data.spikes[:, idx], data.labels[idx]) for idx in sets))


class MemorySNN(nn.Module):
    """Input spikes -> one :class:`RecurrentLIF` hidden layer -> Linear readout of the hidden spike
    counts in the recall window (the last ``recall_steps`` steps), the two class scores.

    Args:
        n_inputs: input channels; n_hidden: hidden neurons.
        kind: "ff" (feed-forward LIF: no recurrent weight, no adaptation), "rec" (recurrent LIF) or
            "alif" (recurrent adaptive LIF: the threshold rises by ``adapt_strength`` times a trace of
            the neuron's own spikes that decays by ``adapt_decay`` per step). "rec" and "alif" draw the
            recurrent weight the same way (the layer's "uniform" init), so they differ only in the
            adaptation.
        recall_steps: keyword-only, the readout's window: the last ``recall_steps`` steps of a trial.
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, of the hidden neurons
            (``model.neuron``); ``beta = exp(-1 / tau_m)`` with ``tau_m`` the membrane's time constant in
            steps (0.9: about 9.5 steps).
        adapt_decay: ``rho = exp(-1 / tau_a)`` in (0, 1), the adaptation's decay per step (the default,
            ``exp(-1/200)``: ``tau_a`` = 200 steps); used by "alif" only.
        adapt_strength: ``beta_a >= 0``, the threshold's rise per unit of the trace; "alif" only.
        input_gain: the input weights are drawn as a Linear's, times this.
        engine: "loop" or "fused", the hidden layer's engine.

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` (time at least ``recall_steps``) and returns
    scores ``[batch, 2]`` (used as logits); with ``return_hidden=True`` also the hidden spikes
    ``[time, batch, n_hidden]``.

    Introduced in notebook 14.
    """

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        kind: str = "alif",
        *,
        recall_steps: int = 10,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 0.9,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        detach_reset: bool = True,
        adapt_decay: float = math.exp(-1 / 200),
        adapt_strength: float = 20.0,
        input_gain: float = 3.0,
        engine: str = "fused",
    ) -> None:
        super().__init__()
        check_choice("kind", kind, KINDS)
        check_positive("recall_steps", recall_steps, integer=True)
        check_positive("input_gain", input_gain)
        adapt = {"adapt_decay": adapt_decay, "adapt_strength": adapt_strength} if kind == "alif" else {}
        self.kind, self.recall_steps = kind, recall_steps
        self.hidden = RecurrentLIF(
            n_inputs,
            n_hidden,
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
            recurrent=kind != "ff",
            engine=engine,
            **adapt,
        )
        self.neuron = self.hidden.neuron
        with torch.no_grad():
            self.hidden.input.weight.mul_(input_gain)
        self.readout = nn.Linear(n_hidden, 2)

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        check_tensor("spikes", spikes)
        if spikes.dim() != 3 or spikes.shape[0] < self.recall_steps:
            raise ValueError(
                f"spikes must have shape [time, batch, {self.hidden.n_inputs}] with time >= recall_steps "
                f"({self.recall_steps}); got {tuple(spikes.shape)}"
            )
        hidden = self.hidden(spikes)
        scores = self.readout(hidden[-self.recall_steps :].sum(dim=0))
        return (scores, hidden) if return_hidden else scores


@dataclass
class MemoryHistory:
    """Per-epoch records of :func:`train_memory`: the mean training loss and training accuracy over the
    epoch's batches (each measured before its update), and the validation accuracy after the epoch.

    Introduced in notebook 14.
    """

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)


@torch.no_grad()
def memory_accuracy(model: nn.Module, data: MemoryData, batch_size: int = 256) -> float:
    """Fraction of ``data``'s trials whose higher score is their label (a tie goes to class 0).

    Runs in batches of ``batch_size`` trials on the model's device. Introduced in notebook 14.
    """
    if not isinstance(data, MemoryData):
        raise TypeError(f"data must be a MemoryData (from make_memory); got {type(data).__name__}")
    check_positive("batch_size", batch_size, integer=True)
    device = next(model.parameters()).device
    right = 0
    for start in range(0, len(data.labels), batch_size):
        scores = model(data.spikes[:, start : start + batch_size].to(device))
        right += int((scores.argmax(dim=1).cpu() == data.labels[start : start + batch_size]).sum())
    return right / len(data.labels)


def train_memory(
    model: nn.Module,
    data: MemorySplit,
    epochs: int = 20,
    lr: float = 1e-2,
    batch_size: int = 32,
    seed: int = 0,
) -> MemoryHistory:
    """Train with cross-entropy on the scores (Adam), minibatches shuffled by ``seed``.

    Args:
        model: maps ``[time, batch, channels]`` spikes to ``[batch, 2]`` scores (a :class:`MemorySNN`).
        data: a :class:`MemorySplit`; the test set is not touched.
        epochs, lr, batch_size: the usual.
        seed: of the CPU ``torch.Generator`` that shuffles (the model's init is the caller's).

    Returns:
        A :class:`MemoryHistory`. Data stay on the CPU; each batch moves to the model's device.

    Introduced in notebook 14.
    """
    if not isinstance(data, MemorySplit):
        raise TypeError(f"data must be a MemorySplit (from split_memory); got {type(data).__name__}")
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("lr", lr)
    gen = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = MemoryHistory()
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
        history.validation_accuracy.append(memory_accuracy(model, data.validation))
    return history


def _check_model(model: object) -> None:
    if not isinstance(model, MemorySNN):
        raise TypeError(f"model must be a MemorySNN; got {type(model).__name__}")


def without_adaptation(model: MemorySNN) -> MemorySNN:
    """A copy of a trained "alif" network with the adaptation switched off (``adapt_strength = 0``).

    The control that asks whether the memory is in the adaptation: the copy's threshold stays at
    ``threshold``, every weight as trained. The model itself is not changed. Introduced in notebook 14.
    """
    _check_model(model)
    if model.kind != "alif":
        raise ValueError(
            f"model must be an 'alif' MemorySNN (it has adaptation to switch off); got {model.kind!r}"
        )
    control = copy.deepcopy(model)
    control.hidden.adapt_strength = 0.0
    return control


def without_recurrence(model: MemorySNN) -> MemorySNN:
    """A copy of a trained "rec" or "alif" network with its recurrent weights set to 0.

    The control that asks whether the memory is in the recurrent activity (the adaptation, if any,
    stays). The model itself is not changed. Introduced in notebook 14.
    """
    _check_model(model)
    if model.kind == "ff":
        raise ValueError("model must be a 'rec' or 'alif' MemorySNN (it has recurrent weights); got 'ff'")
    control = copy.deepcopy(model)
    with torch.no_grad():
        control.hidden.recurrent_weight.zero_()
    return control


@torch.no_grad()
def recall_counts(model: MemorySNN, data: MemoryData) -> torch.Tensor:
    """The hidden spike counts in the recall window, ``[n, n_hidden]``: what the readout of ``model`` sees.

    Introduced in notebook 14.
    """
    _check_model(model)
    if not isinstance(data, MemoryData):
        raise TypeError(f"data must be a MemoryData (from make_memory); got {type(data).__name__}")
    device = next(model.parameters()).device
    _, hidden = model(data.spikes.to(device), return_hidden=True)
    return hidden[-model.recall_steps :].sum(dim=0).cpu()


def readout_probe(model: MemorySNN, data: MemorySplit, steps: int = 300, lr: float = 0.05) -> float:
    """Validation accuracy of a new linear readout fitted to ``model``'s recall-window counts.

    The hidden layer is kept as it is (trained, or changed by a control); a fresh readout, started at 0
    (no random draw), is fitted by Adam for ``steps`` full-batch steps of cross-entropy on the training
    split's counts, standardized with the training split's mean and spread. It asks whether the cue is
    still in the hidden spikes of the recall window, whatever the trained readout makes of them.

    Introduced in notebook 14.
    """
    _check_model(model)
    if not isinstance(data, MemorySplit):
        raise TypeError(f"data must be a MemorySplit (from split_memory); got {type(data).__name__}")
    check_positive("steps", steps, integer=True)
    check_positive("lr", lr)
    train, val = recall_counts(model, data.train), recall_counts(model, data.validation)
    mean, sd = train.mean(dim=0), train.std(dim=0).clamp_min(1e-3)
    train, val = (train - mean) / sd, (val - mean) / sd
    weight = torch.zeros(2, train.shape[1], requires_grad=True)
    bias = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.Adam([weight, bias], lr=lr)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(train @ weight.t() + bias, data.train.labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        right = ((val @ weight.t() + bias).argmax(dim=1) == data.validation.labels).float().mean()
    return right.item()
