"""The post's training run, with a history that shows what the loss curve hides.

Introduced in notebook 04 (the task, the loss and `train`); notebook 05 reads its history; used in 07.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from ._checks import check_positive
from .data import random_binary_input


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
