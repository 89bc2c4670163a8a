"""A real task: scikit-learn's bundled 8x8 digits, rate-coded into 0/1 spike trains.

Introduced in notebook 07 (a real task); used in notebook 08 (surrogates compared).
:class:`DigitsMLP` is the non-spiking reference of notebook 07: the same 64-128-10 shape with ReLU.
No download: ``sklearn.datasets.load_digits`` ships inside scikit-learn. 1,797 images
of 8 x 8 pixels with values 0 to 16, ten classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ..core._checks import check_bool, check_choice, check_positive, check_tensor
from ..core.encoding import CODES, encode, rate_encode
from ..core.fused import if_sequence
from ..core.init import BIAS_INITS, init_bias
from ..core.neuron import neuron_spec
from ..core.readout import READOUTS, _check_beta, leaky_integrate, scores_over_time


class DigitsSplit(NamedTuple):
    """Pixels ``[n, 64]`` scaled to [0, 1] and labels ``[n]`` (int64): train, validation and test.

    Choices (time steps, threshold, epochs, learning rate, a surrogate) are made on the validation
    split; the test split is looked at once, at the end.

    Introduced in notebook 07.
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

    Introduced in notebook 07.
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
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, of both IF layers (see
            :class:`snn_helpers.IF`; beta < 1 is the leak of notebook 09); ``model.neuron`` is the
            checked :class:`snn_helpers.core.neuron.NeuronSpec`.
        bias_init: "default" (PyTorch's) or "uniform" (the post's U(0, 1) trick, hidden layer).
        n_inputs, n_classes: 64 pixels, 10 digits.

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` 0/1 input and returns spike counts
    ``[batch, n_classes]`` (used as logits); with ``return_hidden=True`` also the hidden
    spikes ``[time, batch, n_hidden]``. Both layers run on the fused engine.
    """

    def __init__(
        self,
        n_hidden: int = 128,
        *,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 1.0,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        detach_reset: bool = True,
        bias_init: str = "default",
        n_inputs: int = 64,
        n_classes: int = 10,
    ) -> None:
        super().__init__()
        for name, value in [("n_hidden", n_hidden), ("n_inputs", n_inputs), ("n_classes", n_classes)]:
            check_positive(name, value, integer=True)
        check_choice("bias_init", bias_init, BIAS_INITS)
        self.hidden = nn.Linear(n_inputs, n_hidden)
        self.output = nn.Linear(n_hidden, n_classes)
        init_bias(self.hidden, bias_init)
        self.neuron = neuron_spec(
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
        )
        self.n_inputs = n_inputs

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        _check_spikes(spikes, self.n_inputs)
        hidden, _ = if_sequence(self.hidden(spikes), **self.neuron._asdict())
        out, _ = if_sequence(self.output(hidden), **self.neuron._asdict())
        counts = out.sum(dim=0)
        return (counts, hidden) if return_hidden else counts


def unit_threshold_copy(model: DigitsSNN) -> DigitsSNN:
    """The threshold-1 network that computes what ``model`` computes: a new :class:`DigitsSNN`.

    Every weight and bias is divided by the threshold ``theta`` and the surrogate's slope multiplied
    by it; the other neuron settings, the sizes, the device and the dtype are kept. Each membrane is
    then ``v / theta`` (the reset ``"zero"`` or ``"subtract"``, any ``beta``), so the spikes and the
    counts are the same, and so are the surrogate's inputs in units of the threshold. The gradients
    differ only by a constant factor per layer (for ``"fast_sigmoid"``: ``theta`` for the hidden
    layer, 1 for the output layer), which Adam ignores (up to its ``eps``): ``model`` trained by Adam
    at the rate ``lr`` follows the copy trained at ``lr / theta``. For a power-of-two ``theta`` the
    division is exact.

    Args:
        model: a :class:`DigitsSNN` (exactly that class: a read-out subclass has other state).

    Returns:
        The copy, its ``neuron.threshold`` 1.0; ``model`` is not changed. Introduced in notebook 07.
    """
    if type(model) is not DigitsSNN:
        raise TypeError(f"model must be a DigitsSNN; got {type(model).__name__}")
    spec = model.neuron
    theta = spec.threshold
    copy = DigitsSNN(
        model.hidden.out_features,
        threshold=1.0,
        reset=spec.reset,
        beta=spec.beta,
        surrogate=spec.surrogate,
        slope=None if spec.slope is None else spec.slope * theta,
        detach_reset=spec.detach_reset,
        n_inputs=model.n_inputs,
        n_classes=model.output.out_features,
    ).to(model.hidden.weight)
    with torch.no_grad():
        for mine, theirs in zip(copy.parameters(), model.parameters(), strict=True):
            mine.copy_(theirs / theta)
    return copy


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
    """Per-epoch records of :func:`train_digits` and :func:`train_readout` (a list stays empty if it
    was not tracked): ``loss`` is the mean cross-entropy over the training samples, ``penalty`` the
    mean activity penalty (notebook 11).

    Introduced in notebook 07.
    """

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # with restore_best: the epoch (from 1) whose weights were kept
    penalty: list[float] = field(default_factory=list)  # with a penalty (train_readout: 0 without)


class Evaluation(NamedTuple):
    """What :func:`evaluate` measured on one rate code of a data set of ``n`` samples.

    Introduced in notebook 07.
    """

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

    Introduced in notebook 07.
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
    code: str = "rate",
    penalty: Callable[[torch.Tensor], torch.Tensor] | None = None,
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
        code: the input code, "rate" (a fresh random code per batch) or "latency" (deterministic;
            notebook 10). The tracked accuracies are measured on the rate code.
        penalty: called on the hidden spikes ``[time, batch, n_hidden]`` of each batch; its scalar
            is added to the loss (notebook 11: an activity regularizer times its strength).

    Returns:
        A :class:`DigitsHistory` with the mean loss (and penalty, with one) and the tracked
        accuracies after each epoch. The data stay on the CPU; each batch's spikes are moved to the
        model's device.

    Introduced in notebook 07.
    """
    check_choice("code", code, CODES)
    check_positive("n_time", n_time, integer=True)
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("lr", lr)
    check_track(track, data)
    check_bool("restore_best", restore_best)
    if restore_best and "val" not in track:
        raise ValueError(f"restore_best needs 'val' in track; got track={track!r}")
    if penalty is not None and not callable(penalty):
        raise TypeError(
            f"penalty must be a function of the hidden spikes or None; got {type(penalty).__name__}"
        )
    gen = torch.Generator().manual_seed(seed)  # on the CPU: the same draws on any device
    device = model.hidden.weight.device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = DigitsHistory()
    n = len(data.y_train)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        total, total_penalty = 0.0, 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            spikes = encode(data.x_train[idx], n_time, code, gen).to(device)
            labels = data.y_train[idx].to(device)
            if penalty is None:
                total += training_step(model, optimizer, spikes, labels) * len(idx)
            else:
                loss, extra = _penalised_step(model, optimizer, spikes, labels, penalty)
                total, total_penalty = total + loss * len(idx), total_penalty + extra * len(idx)
        history.loss.append(total / n)
        if penalty is not None:
            history.penalty.append(total_penalty / n)
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


class ReadoutSNN(DigitsSNN):
    """:class:`snn_helpers.digits.DigitsSNN` with a choice of readout.

    Args:
        readout: "count" (IF output neurons, scores = spike counts: exactly ``DigitsSNN``), "max"
            or "mean" (non-firing leaky output neurons, scores = max or mean of their membrane).
        readout_beta: the membrane readout's leak factor per step, in [0, 1] (unused by "count").
        **kwargs: passed to ``DigitsSNN`` (``n_hidden``, ``surrogate``, ``threshold``, ...).

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` 0/1 input and returns scores
    ``[batch, n_classes]`` (used as logits); with ``return_hidden=True`` also the hidden spikes
    ``[time, batch, n_hidden]``. :meth:`trace` gives the scores after each step.

    Introduced in notebook 10.
    """

    def __init__(self, readout: str = "count", readout_beta: float = 0.9, **kwargs) -> None:
        check_choice("readout", readout, READOUTS)
        _check_beta(readout_beta)
        super().__init__(**kwargs)
        self.readout, self.readout_beta = readout, float(readout_beta)

    def trace(self, spikes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(scores after each step [time, batch, n_classes], hidden spikes [time, batch, n_hidden])``."""
        check_tensor("spikes", spikes)
        if spikes.dim() != 3 or spikes.shape[-1] != self.n_inputs:
            raise ValueError(
                f"spikes must have shape [time, batch, {self.n_inputs}]; got {tuple(spikes.shape)}"
            )
        hidden, _ = if_sequence(self.hidden(spikes), **self.neuron._asdict())
        current = self.output(hidden)
        if self.readout == "count":
            out, _ = if_sequence(current, **self.neuron._asdict())
        else:
            out = leaky_integrate(current, self.readout_beta)
        return scores_over_time(out, self.readout), hidden

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        trace, hidden = self.trace(spikes)
        return (trace[-1], hidden) if return_hidden else trace[-1]

    def extra_repr(self) -> str:
        return f"readout={self.readout!r}, readout_beta={self.readout_beta}"


def _penalised_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    spikes: torch.Tensor,
    labels: torch.Tensor,
    penalty: Callable[[torch.Tensor], torch.Tensor],
) -> tuple[float, float]:
    """:func:`training_step` with ``penalty(hidden spikes)`` added to the loss; returns (loss, penalty)."""
    scores, hidden = model(spikes, return_hidden=True)
    loss = nn.functional.cross_entropy(scores, labels)
    extra = penalty(hidden)
    optimizer.zero_grad()
    (loss + extra).backward()
    optimizer.step()
    return loss.item(), extra.item()


ReadoutHistory = DigitsHistory
"""The history :func:`train_readout` returns: a :class:`DigitsHistory` (``loss`` and ``penalty``).

Introduced in notebook 10."""


def train_readout(
    model: ReadoutSNN,
    data: DigitsSplit,
    code: str = "rate",
    n_time: int = 10,
    epochs: int = 5,
    lr: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    penalty: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> DigitsHistory:
    """:func:`train_digits` with notebook 10's defaults and no split tracked (the same loop).

    Args:
        model: a :class:`ReadoutSNN`.
        data, code, n_time, epochs, lr, batch_size, seed, penalty: as in :func:`train_digits`.

    Returns:
        A :class:`DigitsHistory` with ``loss`` and ``penalty`` per epoch (0 without a penalty).
        Introduced in notebook 10.
    """
    history = train_digits(
        model, data, n_time, epochs, lr, batch_size, seed, track=(), code=code, penalty=penalty
    )
    if penalty is None:
        history.penalty = [0.0] * len(history.loss)
    return history


class ReadoutEvaluation(NamedTuple):
    """What :func:`evaluate_readout` measured on one code of ``n`` samples (spikes are per sample means).

    Introduced in notebook 10.
    """

    accuracy: float
    accuracy_over_time: torch.Tensor  # [time]: accuracy had the run stopped after each step
    input_spikes: float
    hidden_spikes: float
    output_spikes: float  # 0 for a membrane readout
    hidden: torch.Tensor  # [time, n, n_hidden] hidden spikes
    scores: torch.Tensor  # [n, n_classes]


@torch.no_grad()
def evaluate_readout(
    model: ReadoutSNN,
    x: torch.Tensor,
    y: torch.Tensor,
    code: str = "rate",
    n_time: int = 10,
    generator: torch.Generator | None = None,
) -> ReadoutEvaluation:
    """Run ``model`` on one ``code`` of ``x`` ``[n, 64]`` and score it against ``y`` ``[n]``.

    The predicted label is the highest score (a tie goes to the lower digit, ``argmax``), at every
    step of the run (``accuracy_over_time``) and at its end (``accuracy``).

    Introduced in notebook 10.
    """
    device = model.hidden.weight.device
    spikes = encode(x, n_time, code, generator).to(device)
    trace, hidden = model.trace(spikes)
    correct = (trace.argmax(dim=-1).cpu() == y).float().mean(dim=1)
    output = trace[-1].sum(dim=1).mean().item() if model.readout == "count" else 0.0
    return ReadoutEvaluation(
        correct[-1].item(),
        correct,
        spikes.sum(dim=(0, 2)).mean().item(),
        hidden.sum(dim=(0, 2)).mean().item(),
        output,
        hidden,
        trace[-1],
    )


# ---------------------------------------------------------------------------------------------------
# Notebook 13: deeper networks and how they are initialized.

DEEP_INITS = ("default", "uniform", "fluctuation")
"""``init`` choices of :class:`DeepDigitsSNN`: PyTorch's default, the post's U(0, 1) bias on every hidden
layer, or fluctuation-driven weights (:func:`snn_helpers.core.init.fluctuation_init_`, layer by layer)."""


class DeepDigitsSNN(nn.Module):
    """Input spikes -> ``n_layers`` x (Linear -> LIF) -> Linear -> LIF output; the output neurons' spike
    counts over the T steps are the class scores, as in :class:`DigitsSNN` (``n_layers=1`` is its shape).

    Args:
        n_hidden: neurons in each hidden layer.
        n_layers: hidden layers, 1 or more.
        init: one of :data:`DEEP_INITS`. "fluctuation" needs ``init_spikes``: each layer in turn, from
            the input, gets Gaussian weights for the free-membrane targets ``xi`` and ``sigma`` given
            the measured rate of each of its inputs on ``init_spikes`` (the layer below initialized
            first), bias 0; the output layer too.
        init_spikes: 0/1 input ``[time, batch, n_inputs]`` whose rates the "fluctuation" init uses.
        xi, sigma: the targets of :func:`snn_helpers.core.init.fluctuation_weights` (stationary state).
        generator: fixes the "fluctuation" draws (None: torch's global generator).
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, of every layer (beta < 1:
            the fluctuation targets are stationary, which IF neurons do not have).
        n_inputs, n_classes: 64 pixels, 10 digits.

    ``forward(spikes)`` takes ``[time, batch, n_inputs]`` and returns spike counts ``[batch, n_classes]``;
    with ``return_hidden=True`` also every hidden spike, ``[time, batch, n_layers * n_hidden]`` (layer
    by layer), so that :func:`evaluate` and :func:`train_digits` take it as they take ``DigitsSNN``.
    :meth:`layer_spikes` gives them per layer. Introduced in notebook 13.
    """

    def __init__(
        self,
        n_hidden: int = 64,
        n_layers: int = 1,
        *,
        init: str = "default",
        init_spikes: torch.Tensor | None = None,
        xi: float = 1.0,
        sigma: float = 1.0,
        generator: torch.Generator | None = None,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 0.9,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        detach_reset: bool = True,
        n_inputs: int = 64,
        n_classes: int = 10,
    ) -> None:
        super().__init__()
        for name, value in [
            ("n_hidden", n_hidden),
            ("n_layers", n_layers),
            ("n_inputs", n_inputs),
            ("n_classes", n_classes),
        ]:
            check_positive(name, value, integer=True)
        check_choice("init", init, DEEP_INITS)
        self.neuron = neuron_spec(
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
        )
        sizes = [n_inputs] + [n_hidden] * n_layers
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        self.output = nn.Linear(n_hidden, n_classes)
        self.n_inputs, self.init = n_inputs, init
        if init == "uniform":
            for layer in self.layers:
                init_bias(layer, "uniform")
        elif init == "fluctuation":
            if init_spikes is None:
                raise ValueError(
                    "init='fluctuation' needs init_spikes, 0/1 input [time, batch, n_inputs]; got None"
                )
            _check_spikes(init_spikes, n_inputs)
            self.weight_stats = self._fluctuation_init(init_spikes, xi, sigma, generator)
        elif init_spikes is not None:
            raise ValueError(f"init_spikes is used by init='fluctuation' only; got it with init={init!r}")

    @property
    def hidden(self) -> nn.Linear:
        """The first hidden layer (where :func:`train_digits` and :func:`evaluate` look for the device)."""
        return self.layers[0]

    @torch.no_grad()
    def _fluctuation_init(
        self, spikes: torch.Tensor, xi: float, sigma: float, generator: torch.Generator | None
    ) -> list[tuple[float, float]]:
        """Each layer from the input up: weights for the targets given its inputs' measured rates."""
        from ..core.init import fluctuation_init_  # here, so that the additions stay at the file's end

        stats = []
        for layer in [*self.layers, self.output]:
            rate = spikes.float().mean(dim=(0, 1))  # [inputs]: each input's spikes per step
            stats.append(
                fluctuation_init_(
                    layer,
                    rate,
                    beta=self.neuron.beta,
                    threshold=self.neuron.threshold,
                    xi=xi,
                    sigma=sigma,
                    generator=generator,
                )
            )
            if layer is not self.output:
                spikes, _ = if_sequence(layer(spikes), **self.neuron._asdict())
        return stats

    def layer_spikes(self, spikes: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """``([hidden spikes [time, batch, n_hidden] per layer], output spikes [time, batch, n_classes])``."""
        _check_spikes(spikes, self.n_inputs)
        hidden = []
        for layer in self.layers:
            spikes, _ = if_sequence(layer(spikes), **self.neuron._asdict())
            hidden.append(spikes)
        out, _ = if_sequence(self.output(spikes), **self.neuron._asdict())
        return hidden, out

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        hidden, out = self.layer_spikes(spikes)
        counts = out.sum(dim=0)
        return (counts, torch.cat(hidden, dim=-1)) if return_hidden else counts

    def extra_repr(self) -> str:
        return f"init={self.init!r}"
