"""The post's task: its network, its loss and its training run, with a history that shows what the loss
curve hides.

The network (:class:`Model`, one Linear applied at every time step, then the IF neuron) is introduced
in notebook 03 (the model and its torchinfo summary); the fused engine in notebook 06; the leak
``beta`` in notebook 09. The task, the loss and :func:`train` in notebook 04; notebook 05 reads the
:class:`History`; used again in 07 and 11.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from ..core._checks import check_choice, check_positive, check_tensor
from ..core.encoding import random_binary_input
from ..core.fused import if_sequence
from ..core.init import BIAS_INITS, init_bias
from ..core.neuron import IF

ENGINES = ("loop", "fused")


class Model(nn.Module):
    """Linear(size_input -> size_hidden) at each step, then an IF neuron (an unrolled RNN).

    Args:
        size_input: input features per step (the post: 300).
        size_hidden: IF neurons (the post: 500).
        n_time: time steps (the post: 10).
        bias_init: "uniform" draws the Linear's bias from U(0, 1) (the post's trick,
            notebook 04); "default" keeps PyTorch's U(-1/sqrt(in), 1/sqrt(in)).
        threshold, reset, beta, surrogate, slope, detach_reset: keyword-only, passed to :class:`IF`
            (``beta < 1`` makes it leaky, notebook 09; 1, the default, is the post's IF); ``model.neuron``
            is the checked :class:`snn_helpers.core.neuron.NeuronSpec`.
        engine: "loop" steps the Linear and :class:`IF` through time as the post
            does (what torchinfo shows); "fused" runs the Linear once over all steps
            and the recurrence as one autograd Function (notebook 06). Both give the
            same spikes and gradients.

    ``forward(x)`` takes ``x`` of shape ``[n_time, size_input]`` (the post's unbatched
    input) or ``[n_time, batch, size_input]`` and returns the spikes (0.0/1.0),
    ``[n_time, size_hidden]`` or ``[n_time, batch, size_hidden]``; with
    ``return_membrane=True`` it returns ``(spikes, membrane)``, the membrane being
    ``v_t`` before its reset, same shape.
    """

    def __init__(
        self,
        size_input: int,
        size_hidden: int,
        n_time: int = 10,
        bias_init: str = "uniform",
        *,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 1.0,
        surrogate: str = "post",
        slope: float | None = None,
        detach_reset: bool = False,
        engine: str = "loop",
    ) -> None:
        super().__init__()
        check_positive("size_input", size_input, integer=True)
        check_positive("size_hidden", size_hidden, integer=True)
        check_positive("n_time", n_time, integer=True)
        check_choice("bias_init", bias_init, BIAS_INITS)  # before any parameter is drawn
        check_choice("engine", engine, ENGINES)
        self.linear = nn.Linear(size_input, size_hidden)
        init_bias(self.linear, bias_init)
        self.if_layer = IF(
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
        )
        self.neuron = self.if_layer.neuron
        self.size_input, self.size_hidden, self.n_time = size_input, size_hidden, n_time
        self.engine = engine

    def check_input(self, x: object) -> None:
        """Raise a clear TypeError/ValueError unless ``x`` fits ``[n_time, (batch,) size_input]``."""
        check_tensor("x", x)
        if x.dim() not in (2, 3):
            raise ValueError(
                f"x must have 2 dims [n_time, size_input] or 3 dims [n_time, batch, size_input]; "
                f"got {x.dim()} dims, shape {tuple(x.shape)}"
            )
        if x.shape[0] != self.n_time:
            raise ValueError(
                f"x must have n_time={self.n_time} steps on dim 0; got {x.shape[0]} (shape {tuple(x.shape)})"
            )
        if x.shape[-1] != self.size_input:
            raise ValueError(
                f"x must have size_input={self.size_input} features on its last dim; "
                f"got {x.shape[-1]} (shape {tuple(x.shape)})"
            )

    def forward(
        self, x: torch.Tensor, return_membrane: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        self.check_input(x)
        if self.engine == "fused":
            spikes, membrane = if_sequence(self.linear(x), **self.neuron._asdict())
        else:
            spikes, membrane = self._loop(x)
        return (spikes, membrane) if return_membrane else spikes

    def _loop(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The post's loop: Linear then IF at each step, state carried in ``v`` and ``s``."""
        v = torch.zeros((), dtype=x.dtype, device=x.device)
        s = torch.zeros((), dtype=x.dtype, device=x.device)
        spikes, membrane = [], []
        for t in range(self.n_time):
            v, s = self.if_layer(self.linear(x[t]), v, s)
            spikes.append(s)
            membrane.append(v)
        return torch.stack(spikes), torch.stack(membrane)


@dataclass
class History:
    """Per-iteration records of :func:`train` (one list entry per iteration).

    Attributes:
        loss: the loss before the update.
        rate: mean firing rate, spikes per neuron per step (0 to 1).
        first_step_rate: fraction of neurons (over the batch) that fire at step 0.
        silent: fraction of neurons that fire at no step (and no sample) of the iteration.
        grad_max: largest absolute gradient entry over all parameters, NaN ignored.
        nonfinite: count of gradient entries that are NaN or infinite.
        nan_neurons: hidden neurons whose weights or bias hold NaN after the update.

    Introduced in notebook 04.
    """

    loss: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    first_step_rate: list[float] = field(default_factory=list)
    silent: list[float] = field(default_factory=list)
    grad_max: list[float] = field(default_factory=list)
    nonfinite: list[int] = field(default_factory=list)
    nan_neurons: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def loss_drop(self) -> float:
        """First loss divided by the last: how many-fold the loss fell.

        Edge cases, chosen so that a broken run never reads as a good one:

        - NaN if the first or the last loss is NaN (a NaN loss did not fall; look at
          ``nan_neurons`` and ``nonfinite``);
        - ``inf`` if the last loss is exactly 0 and the first is not (the loss reached its floor:
          on the post's task every neuron is silent);
        - NaN if both are 0 (nothing to fall from).

        Raises:
            ValueError: if the history is empty.
        """
        if not self.loss:
            raise ValueError("loss_drop needs at least one iteration; got an empty History")
        first, last = self.loss[0], self.loss[-1]
        if math.isnan(first) or math.isnan(last) or first == last == 0:
            return float("nan")
        return first / last if last != 0 else float("inf")


def rate_loss(spikes: torch.Tensor, target_rate: float = 0.0, per_neuron: bool = False) -> torch.Tensor:
    """The post's loss ``(mean(spikes) - target_rate)^2``, or its per-neuron version.

    Args:
        spikes: ``[time, (batch,) neurons]`` of 0/1.
        target_rate: wanted spikes per step (the post: 0).
        per_neuron: if True, each neuron's own rate (over time and batch) is pulled to
            ``target_rate`` and the squared errors are averaged over neurons.

    Returns:
        A scalar tensor.

    Introduced in notebook 04.
    """
    if not per_neuron:
        return (spikes.mean() - target_rate) ** 2
    rate = spikes.reshape(-1, spikes.shape[-1]).mean(dim=0)
    return ((rate - target_rate) ** 2).mean()


def _grad_stats(model: nn.Module) -> tuple[float, int]:
    grads = [p.grad.detach().flatten() for p in model.parameters() if p.grad is not None]
    if not grads:
        return 0.0, 0
    g = torch.cat(grads).abs()
    nonfinite = int((~torch.isfinite(g)).sum())
    finite_or_inf = g[~torch.isnan(g)]
    return (float(finite_or_inf.max()) if finite_or_inf.numel() else float("nan")), nonfinite


def train(
    model: nn.Module,
    n_iter: int = 100,
    lr: float = 0.1,
    momentum: float = 0.9,
    batch_size: int | None = None,
    target_rate: float = 0.0,
    per_neuron: bool = False,
    generator: torch.Generator | None = None,
) -> History:
    """Train a :class:`snn_helpers.Model` on the post's task: fresh random 0/1 input each
    iteration, loss :func:`rate_loss`, SGD with momentum.

    Args:
        model: has ``n_time``, ``size_input`` and ``linear`` (a :class:`snn_helpers.Model`).
        n_iter: iterations (the post: 100).
        lr, momentum: SGD settings (the post: 0.1 and 0.9).
        batch_size: None for the post's unbatched input, else samples per iteration.
        target_rate, per_neuron: see :func:`rate_loss` (the post: 0.0, False).
        generator: for the inputs; None uses torch's global generator, as the post does.

    Returns:
        A :class:`History`. The input is created on the model's device.

    Introduced in notebook 04.
    """
    check_positive("n_iter", n_iter, integer=True)
    check_positive("lr", lr)
    if batch_size is not None:
        check_positive("batch_size", batch_size, integer=True)
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
    device = model.linear.weight.device
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    history = History()
    for _ in range(n_iter):
        x = random_binary_input(model.n_time, model.size_input, batch_size, generator, device)
        spikes = model(x)
        loss = rate_loss(spikes, target_rate, per_neuron)
        optimizer.zero_grad()
        loss.backward()
        grad_max, nonfinite = _grad_stats(model)
        optimizer.step()
        with torch.no_grad():
            fired = spikes.reshape(spikes.shape[0], -1, spikes.shape[-1])
            params = torch.cat([model.linear.weight, model.linear.bias[:, None]], dim=1)
            history.loss.append(loss.item())
            history.rate.append(spikes.mean().item())
            history.first_step_rate.append(fired[0].mean().item())
            history.silent.append((fired.sum(dim=(0, 1)) == 0).float().mean().item())
            history.grad_max.append(grad_max)
            history.nonfinite.append(nonfinite)
            history.nan_neurons.append(int(torch.isnan(params).any(dim=1).sum()))
    return history
