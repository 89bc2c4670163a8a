"""Plot helpers. Each returns ``(fig, ax)`` with a title and labelled axes.

Introduced in notebook 01 (surrogates), 02 (membrane trace, raster) and 05 (loss).
Tensors may be on any device; they are copied to the CPU for plotting.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .spike import SURROGATES, surrogate_grad
from .training import History


def use_course_style() -> None:
    """Small PNG figures (6 x 3.5 in, 100 dpi) with grids: the course's look."""
    plt.rcParams.update(
        {
            "figure.figsize": (6.0, 3.5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "savefig.format": "png",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.constrained_layout.use": True,
        }
    )


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is None:
        return plt.subplots()
    return ax.figure, ax


def plot_loss(
    losses: History | Sequence[float] | dict[str, Sequence[float]],
    log: bool = False,
    ax: Axes | None = None,
    title: str = "Training loss",
) -> tuple[Figure, Axes]:
    """Loss per iteration: one curve, or one per entry of a ``{label: losses}`` dict."""
    fig, ax = _axes(ax)
    curves = losses if isinstance(losses, dict) else {"": losses}
    for label, values in curves.items():
        values = values.loss if isinstance(values, History) else values
        ax.plot(range(len(values)), list(values), label=label or None)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="iteration", ylabel="loss" + (" (log scale)" if log else ""))
    if isinstance(losses, dict):
        ax.legend()
    return fig, ax


def plot_raster(
    spikes: torch.Tensor, ax: Axes | None = None, title: str = "Spike raster"
) -> tuple[Figure, Axes]:
    """Dots where neurons fired. ``spikes``: ``[time, neurons]`` of 0/1."""
    fig, ax = _axes(ax)
    t, n = torch.nonzero(spikes.detach().cpu(), as_tuple=True)
    ax.scatter(t.numpy(), n.numpy(), marker="|", s=12, color="black")
    ax.set(title=title, xlabel="time step", ylabel="neuron index", xlim=(-0.5, spikes.shape[0] - 0.5))
    ax.set_ylim(-0.5, spikes.shape[1] - 0.5)
    return fig, ax


def plot_membrane(
    membrane: torch.Tensor,
    spikes: torch.Tensor,
    threshold: float = 1.0,
    ax: Axes | None = None,
    title: str = "Membrane potential",
    label: str = "v (before reset)",
) -> tuple[Figure, Axes]:
    """One neuron's membrane ``[time]`` with the threshold line and its spikes marked."""
    fig, ax = _axes(ax)
    v, s = membrane.detach().cpu(), spikes.detach().cpu()
    steps = torch.arange(len(v))
    ax.plot(steps, v, marker=".", label=label)
    ax.axhline(threshold, color="red", linestyle="--", label=f"threshold = {threshold:g}")
    fired = s > 0
    ax.plot(steps[fired], v[fired], "v", color="red", markersize=8, label="spike")
    ax.set(title=title, xlabel="time step", ylabel="membrane v (threshold units)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return fig, ax


def plot_surrogates(
    names: Sequence[str] | None = None,
    slopes: dict[str, float] | None = None,
    x_range: tuple[float, float] = (-2.0, 2.0),
    ax: Axes | None = None,
    title: str = "Surrogate derivatives",
) -> tuple[Figure, Axes]:
    """Each surrogate's ``g(x)`` against the distance to threshold ``x = v - threshold``.

    "post" is drawn as the post's rule for a neuron's own spike: 1 where x > 0.
    """
    fig, ax = _axes(ax)
    x = torch.linspace(*x_range, 801)
    for name in names or list(SURROGATES):
        slope = (slopes or {}).get(name)
        k = slope if slope is not None else SURROGATES[name].default_slope
        label = name if k is None else f"{name} (k={k:g})"
        ax.plot(x, surrogate_grad(x, name, slope), label=label)
    ax.set(title=title, xlabel="x = v - threshold (threshold units)", ylabel="g(x), used as dH/dx")
    ax.legend(fontsize="small")
    return fig, ax


def plot_confusion(
    confusion: torch.Tensor, ax: Axes | None = None, title: str = "Confusion matrix"
) -> tuple[Figure, Axes]:
    """A confusion matrix ``[classes, classes]`` (rows: true class, columns: predicted), counts written in.

    Introduced in notebook 07.
    """
    fig, ax = _axes(ax)
    confusion = confusion.detach().cpu()
    n = confusion.shape[0]
    ax.imshow(confusion.numpy(), cmap="Blues")
    high = confusion.max().item() / 2
    for i in range(n):
        for j in range(n):
            count = int(confusion[i, j])
            if count:
                color = "white" if count > high else "black"
                ax.text(j, i, count, ha="center", va="center", fontsize=7, color=color)
    ax.set(title=title, xlabel="predicted class", ylabel="true class", xticks=range(n), yticks=range(n))
    ax.grid(False)
    return fig, ax
