"""What a spiking network's activity costs: synaptic operations, and regularizers that shape it.

Introduced in notebook 11 (activity and energy).

A **synaptic operation** (SOP) is one addition: a spike arriving at one synapse adds that
synapse's weight to the target neuron's membrane. A layer whose ``n_in`` inputs emitted ``S``
spikes in a sample and that sends each to ``fan_out`` neurons costs ``S * fan_out`` SOPs. The
same layer run densely (an ANN, or the SNN on a GPU) costs ``n_in * fan_out`` multiply-accumulates
(MACs) per time step whatever the activity, plus one addition per bias; torchinfo (notebook 03)
counts ``n_in * fan_out + fan_out`` "mult-adds" per call. Biases, the leak and the threshold
comparison cost one operation per neuron per step in an SNN too; the SOP count leaves them out,
as the energy literature does (Lemaire et al. 2022 count them separately).

The regularizers take spikes ``[time, (batch,) neurons]`` and return a scalar penalty in spike
counts per sample (not rates), following the per-neuron lower bound and the population upper
bound of Zenke & Vogels (2021), and an L1 penalty on spike counts:

- :func:`rate_lower_bound` pulls up every neuron whose count is below ``min_count``: a silent
  neuron gets a gradient (through the surrogate) that raises its input, instead of a bias drawn
  large for all neurons (the post's trick, notebook 04);
- :func:`rate_upper_bound` pushes down the layer's mean count where it exceeds ``max_count``;
- :func:`spike_count_l1` pushes every spike down (the cost in SOPs is proportional to it).
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_tensor

__all__ = [
    "count_synops",
    "dense_macs",
    "mean_counts",
    "rate_lower_bound",
    "rate_upper_bound",
    "spike_count_l1",
    "synaptic_operations",
]


def _check_spikes(spikes: object, binary: bool = True) -> None:
    check_tensor("spikes", spikes)
    if spikes.dim() not in (2, 3):
        raise ValueError(
            f"spikes must have 2 dims [time, neurons] or 3 dims [time, batch, neurons]; "
            f"got shape {tuple(spikes.shape)}"
        )
    if binary and spikes.numel() and not bool(((spikes == 0) | (spikes == 1)).all()):
        raise ValueError("spikes must hold only 0 and 1 (spikes, not currents or rates)")


def _check_count(name: str, value: object, positive: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of spikes; got {type(value).__name__} {value!r}")
    if not (value > 0 if positive else value >= 0) or value != value or value == float("inf"):
        kind = "a positive" if positive else "a non-negative"
        raise ValueError(f"{name} must be {kind} finite number of spikes; got {value!r}")


def synaptic_operations(spikes: torch.Tensor, fan_out: int) -> torch.Tensor:
    """Synaptic operations caused by ``spikes`` sent to ``fan_out`` neurons each.

    Args:
        spikes: 0/1 ``[time, batch, neurons]`` (or ``[time, neurons]`` for one unbatched sample),
            the spikes of the sending layer (the input code, or a hidden layer).
        fan_out: outgoing synapses per sending neuron (the next Linear's ``out_features``).

    Returns:
        Additions per sample, ``[batch]`` (a 0-dim tensor for unbatched spikes):
        ``spikes.sum over time and neurons * fan_out``.

    Introduced in notebook 11.
    """
    _check_spikes(spikes)
    if isinstance(fan_out, bool) or not isinstance(fan_out, int) or fan_out < 0:
        raise ValueError(f"fan_out must be a non-negative int; got {fan_out!r}")
    return spikes.sum(dim=(0, -1)) * fan_out


def _layers(model: nn.Module) -> list[tuple[str, nn.Linear]]:
    """The Linear layers of a course network, in order, with names for a table."""
    if hasattr(model, "linear") and hasattr(model, "if_layer"):  # snn_helpers.Model
        return [("input -> hidden", model.linear)]
    if hasattr(model, "hidden") and hasattr(model, "output"):  # DigitsSNN and its subclasses
        return [("input -> hidden", model.hidden), ("hidden -> output", model.output)]
    raise TypeError(
        f"model must be a snn_helpers.Model, a DigitsSNN or a ReadoutSNN; got {type(model).__name__}"
    )


def dense_macs(model: nn.Module) -> dict[str, int]:
    """Multiply-accumulates of one dense pass of each Linear of ``model``, per sample and time step.

    Counted as torchinfo counts them (notebook 03): ``in * out`` for the weights plus ``out`` for
    the bias. The same layers as an ANN cost this once per sample; the SNN run as dense matrix
    products costs it at every one of its ``T`` steps.

    Args:
        model: a :class:`snn_helpers.Model`, a ``DigitsSNN`` or a ``ReadoutSNN``.

    Returns:
        ``{layer name: MACs}``, e.g. ``{"input -> hidden": 150_500}`` for ``Model(300, 500)``.
    """
    return {
        name: layer.in_features * layer.out_features + (layer.out_features if layer.bias is not None else 0)
        for name, layer in _layers(model)
    }


@torch.no_grad()
def count_synops(model: nn.Module, spikes: torch.Tensor) -> dict[str, float]:
    """Mean synaptic operations per sample in each layer of ``model`` run on input ``spikes``.

    Args:
        model: a :class:`snn_helpers.Model` (one layer: input -> hidden; its spikes are the output,
            sent nowhere), or a ``DigitsSNN`` / ``ReadoutSNN`` (input -> hidden -> output; the
            output's spikes or membrane are the answer, sent nowhere).
        spikes: 0/1 input ``[time, batch, inputs]`` (``[time, inputs]`` for the post's unbatched input).

    Returns:
        ``{layer name: SOPs per sample}`` (floats: means over the batch), e.g. for the digits
        networks ``{"input -> hidden": input spikes * n_hidden, "hidden -> output": hidden spikes * 10}``.

    Introduced in notebook 11.
    """
    layers = _layers(model)
    _check_spikes(spikes)
    result = {layers[0][0]: synaptic_operations(spikes, layers[0][1].out_features).float().mean().item()}
    if len(layers) == 2:
        if spikes.dim() != 3:
            raise ValueError(
                f"spikes must have 3 dims [time, batch, inputs]; got shape {tuple(spikes.shape)}"
            )
        _, hidden = model(spikes, return_hidden=True)
        result[layers[1][0]] = synaptic_operations(hidden, layers[1][1].out_features).float().mean().item()
    return result


def mean_counts(spikes: torch.Tensor) -> torch.Tensor:
    """Each neuron's spike count per sample, averaged over the batch: ``[neurons]``.

    ``spikes``: ``[time, batch, neurons]`` or ``[time, neurons]`` (one sample). Differentiable
    (the surrogate carries the gradient back to the membrane).

    Introduced in notebook 11.
    """
    _check_spikes(spikes, binary=False)
    return spikes.sum(dim=0).reshape(-1, spikes.shape[-1]).mean(dim=0)


def rate_lower_bound(spikes: torch.Tensor, min_count: float) -> torch.Tensor:
    """Per-neuron lower bound: ``mean_i relu(min_count - c_i)^2``, with ``c_i`` from :func:`mean_counts`.

    Zero when every neuron fires at least ``min_count`` times per sample on average; a silent
    neuron contributes ``min_count^2 / n_neurons`` and a gradient ``-2 min_count / (n_neurons *
    batch)`` on each of its spike entries (each time step of each sample), which the surrogate turns
    into a push up on its membrane. Under the post's rule (no gradient below threshold) a silent
    neuron gets nothing.

    A variant: the counts are averaged over the batch *before* the bound (``c_i`` is the batch
    mean), so a neuron that fires often on one sample of the batch satisfies the bound for all of
    them. Zenke & Vogels (2021) and Cramer et al. (2020) bound each sample's count and then average
    the penalties over the samples. For one unbatched sample (the post's task) the two are the same.

    Args:
        spikes: ``[time, (batch,) neurons]``.
        min_count: spikes per sample each neuron should reach (> 0).

    Returns:
        A scalar tensor (spikes squared).

    Introduced in notebook 11.
    """
    _check_count("min_count", min_count, positive=True)
    return torch.relu(min_count - mean_counts(spikes)).pow(2).mean()


def rate_upper_bound(spikes: torch.Tensor, max_count: float) -> torch.Tensor:
    """Population upper bound: ``relu(mean_i c_i - max_count)^2``, ``c_i`` from :func:`mean_counts`.

    Zero while the layer's mean count per neuron and sample stays at or below ``max_count``
    (Zenke & Vogels 2021 bound the population average this way).

    Args:
        spikes: ``[time, (batch,) neurons]``.
        max_count: allowed mean spikes per neuron and sample (>= 0).

    Returns:
        A scalar tensor (spikes squared).

    Introduced in notebook 11.
    """
    _check_count("max_count", max_count, positive=False)
    return torch.relu(mean_counts(spikes).mean() - max_count).pow(2)


def spike_count_l1(spikes: torch.Tensor) -> torch.Tensor:
    """L1 penalty on activity: the mean spike count per neuron and sample, ``mean_i c_i``.

    Spikes are non-negative, so this is their L1 norm divided by ``batch * neurons``. Multiplied by
    the layer's fan-out it is the layer's SOPs per sample (:func:`synaptic_operations`, averaged
    over the batch) divided by ``n_neurons``: proportional to the SOPs, so its strength trades
    accuracy for operations directly (snnTorch's ``l1_rate_sparsity`` sums instead).

    Args:
        spikes: ``[time, (batch,) neurons]``.

    Returns:
        A scalar tensor (spikes per neuron and sample).

    Introduced in notebook 11.
    """
    return mean_counts(spikes).mean()
