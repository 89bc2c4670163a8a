"""Plot helpers. Each returns ``(fig, ax)`` with a title and labelled axes.

Introduced in notebook 01 (surrogates), 02 (membrane trace, raster) and 05 (loss).
Tensors may be on any device; they are copied to the CPU for plotting.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ._checks import check_positive
from .spike import SURROGATES, surrogate_grad

# The course's colours: Okabe & Ito's palette ("Color Universal Design", 2008), chosen so that people with
# the common colour-vision deficiencies (deuteranopia, protanopia, tritanopia) still tell them apart
# (tests/test_palette.py simulates the three). In matplotlib's hue order, so that "C0" to "C4" keep their
# names: C0 blue, C1 orange, C2 (bluish) green, C3 vermillion (a red), C4 (reddish) purple.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish green": "#009E73",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
PALETTE = tuple(OKABE_ITO.values())
# Where lines would differ by colour alone, the helpers also give them these line styles, in this order
# (plot_loss's curves; plot_surrogates and plot_unrolled_if have their own). They are not in the default
# cycle: the notebooks' figures choose their own styles and markers, and a cycled style would override
# none of them but restyle the lines they leave plain.
LINESTYLES = ("-", "--", "-.", ":", (0, (6, 2)), (0, (2, 1, 2, 1, 6, 1)), (0, (1, 3)), (0, (8, 2, 1, 2)))
THRESHOLD_COLOR = OKABE_ITO["vermillion"]  # the threshold line and the spike markers of plot_membrane


def use_course_style() -> None:
    """Small PNG figures (6 x 3.5 in, 100 dpi) with grids, and the colour-blind-safe colours of
    :data:`PALETTE` (Okabe-Ito) as the default colour cycle, "C0" to "C7": the course's look.
    Introduced in notebook 01."""
    plt.rcParams.update(
        {
            "figure.figsize": (6.0, 3.5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "savefig.format": "png",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.constrained_layout.use": True,
            "axes.prop_cycle": cycler(color=PALETTE),
        }
    )


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is None:
        return plt.subplots()
    return ax.figure, ax


def plot_loss(
    losses: object,
    log: bool = False,
    ax: Axes | None = None,
    title: str = "Training loss",
) -> tuple[Figure, Axes]:
    """Loss per iteration: one curve, or one per entry of a ``{label: losses}`` dict.

    ``losses`` (or each value of the dict) is a sequence of floats or a training record with a ``loss``
    list, such as :class:`snn_helpers.tasks.post.History`. Each curve has its own line style
    (:data:`LINESTYLES`: solid, dashed, dash-dot, dotted, ...) as well as its own colour, so that the
    curves can be told apart without their colours. Introduced in notebook 04.
    """
    fig, ax = _axes(ax)
    curves = losses if isinstance(losses, dict) else {"": losses}
    for (label, values), style in zip(curves.items(), itertools.cycle(LINESTYLES), strict=False):
        values = getattr(values, "loss", values)
        ax.plot(range(len(values)), list(values), linestyle=style, label=label or None)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="iteration", ylabel="loss" + (" (log scale)" if log else ""))
    if isinstance(losses, dict):
        ax.legend()
    return fig, ax


def _tick_points(ax: Axes, n_rows: int, cap: float = 10.0, floor: float = 2.0) -> float:
    """A raster tick's height in points for the axes' current height: 60% of a row, within [floor, cap]."""
    row_points = ax.bbox.height * 72 / ax.figure.dpi / n_rows
    return max(floor, min(cap, 0.6 * row_points))


def plot_raster(
    spikes: torch.Tensor,
    ax: Axes | None = None,
    title: str = "Spike raster",
    marker_size: float | None = None,
) -> tuple[Figure, Axes]:
    """A tick where a neuron fired. ``spikes``: ``[time, neurons]`` of 0/1.

    ``marker_size`` is the tick's height in points; None sizes it when the figure is drawn,
    from the axes' height at that moment (after the layout has shrunk it): 60% of a row's
    height, so that ticks of neighbouring rows stay apart, at most 10 points, and at least
    2 points, so that a spike stays visible however many rows share the axes.
    Time steps and neuron indices are integers, and so are the axes' ticks.

    Introduced in notebook 02.
    """
    if not isinstance(spikes, torch.Tensor):
        raise TypeError(f"spikes must be a torch.Tensor [time, neurons]; got {type(spikes).__name__}")
    if spikes.dim() != 2:
        raise ValueError(f"spikes must have 2 dims [time, neurons]; got shape {tuple(spikes.shape)}")
    if marker_size is not None:
        check_positive("marker_size", marker_size)
    fig, ax = _axes(ax)
    spikes = spikes.detach().cpu()
    n_time, n_neurons = spikes.shape[0], spikes.shape[1]
    t, n = torch.nonzero(spikes, as_tuple=True)
    size = marker_size if marker_size is not None else _tick_points(ax, n_neurons)
    ticks = ax.scatter(t.numpy(), n.numpy(), marker="|", s=size**2, linewidths=1.5, color="black")
    if marker_size is None:
        draw = ticks.draw

        def draw_at_current_size(renderer, draw=draw):  # the layout has placed the axes by now
            ticks.set_sizes([_tick_points(ax, n_neurons) ** 2])
            draw(renderer)

        ticks.draw = draw_at_current_size
    ax.set(title=title, xlabel="time step", ylabel="neuron index", xlim=(-0.5, n_time - 0.5))
    ax.set_ylim(-0.5, n_neurons - 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, ax


def plot_membrane(
    membrane: torch.Tensor,
    spikes: torch.Tensor,
    threshold: float = 1.0,
    ax: Axes | None = None,
    title: str = "Membrane potential",
    label: str = "v (before reset)",
) -> tuple[Figure, Axes]:
    """One neuron's membrane ``[time]`` with the threshold line and its spikes marked.

    The trace is a line with dots, the threshold a dashed line and each spike a downward triangle (both in
    vermillion): told apart by their shapes, not only by their colours. Introduced in notebook 02.
    """
    fig, ax = _axes(ax)
    v, s = membrane.detach().cpu(), spikes.detach().cpu()
    steps = torch.arange(len(v))
    ax.plot(steps, v, marker=".", label=label)
    ax.axhline(threshold, color=THRESHOLD_COLOR, linestyle="--", label=f"threshold = {threshold:g}")
    fired = s > 0
    ax.plot(steps[fired], v[fired], "v", color=THRESHOLD_COLOR, markersize=8, label="spike")
    ax.set(title=title, xlabel="time step", ylabel="membrane v (threshold units)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return fig, ax


_SURROGATE_STYLES = {
    "post": {"color": "black", "linestyle": "--", "linewidth": 2.5, "zorder": 3},
    "fast_sigmoid": {"linestyle": "-"},
    "sigmoid": {"linestyle": "-."},
    "atan": {"linestyle": ":"},
    "triangle": {"linestyle": (0, (6, 2))},
    "boxcar": {"linestyle": (0, (2, 1, 2, 1, 6, 1))},
}


def plot_surrogates(
    names: Sequence[str] | None = None,
    slopes: dict[str, float] | None = None,
    x_range: tuple[float, float] = (-2.0, 2.0),
    ax: Axes | None = None,
    title: str = "Surrogate derivatives",
) -> tuple[Figure, Axes]:
    """Each surrogate's ``g(x)`` against the distance to threshold ``x = v - threshold``.

    "post" is drawn as the post's rule for a neuron's own spike: 1 where x > 0, as a
    thick dashed black line above the others (boxcar's line would hide it on 0 < x < 1/(2k)).
    Each other surrogate has its own line style, so the curves can be told apart without colour.
    The legend sits outside the axes, on the right. Introduced in notebook 01.
    """
    fig, ax = _axes(ax)
    x = torch.linspace(*x_range, 801)
    for name in names or list(SURROGATES):
        slope = (slopes or {}).get(name)
        k = slope if slope is not None else SURROGATES[name].default_slope
        label = name if k is None else f"{name} (k={k:g})"
        style = _SURROGATE_STYLES.get(name, {})
        ax.plot(x, surrogate_grad(x, name, slope), label=label, **style)
    ax.set(title=title, xlabel="x = v - threshold", ylabel="g(x), used as dH/dx")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
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


_FORWARD = {"color": OKABE_ITO["black"], "linestyle": "-", "linewidth": 1.2}
_SPIKE = {"color": OKABE_ITO["orange"], "linestyle": "-", "linewidth": 3.0}
_RESET = {"color": OKABE_ITO["vermillion"], "linestyle": "-.", "linewidth": 1.6}
_BACKWARD = {"color": OKABE_ITO["blue"], "linestyle": "--", "linewidth": 1.2}


def plot_unrolled_if(n_steps: int = 4) -> tuple[Figure, Axes]:
    """Draw the IF recurrence unrolled over ``n_steps`` time steps, with its backward quantities.

    Forward: ``I_t -> v_t`` and ``v_t -> v_{t+1}`` (thin solid black, "forward (value)"), the spike
    ``v_t -> s_t`` (thick solid orange; its backward uses the surrogate g), the reset ``s_t -> v_{t+1}``
    (dash-dot vermillion, a red).
    Backward (dashed blue): ``e_t`` from the loss L into each spike, labelled beside its own arrow;
    ``a_{t+1}`` from each step's membrane back to the one before, and back to ``s_t`` through the reset
    as ``-a_{t+1} v_t``. Line style and width tell the four kinds apart without their colours. Drawn for
    exactly ``n_steps`` steps: nothing flows back into the last one (``a_T = 0``).
    Introduced in notebook 06 (the backward pass through time, by hand).
    """
    from matplotlib.lines import Line2D

    check_positive("n_steps", n_steps, integer=True)
    fig, ax = plt.subplots(figsize=(2 * n_steps, 4))

    def arrow(start: tuple[float, float], end: tuple[float, float], style: dict) -> None:
        ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "shrinkA": 0, "shrinkB": 0, **style})

    def label(x: float, y: float, text: str) -> None:
        ax.text(x, y, text, color=_BACKWARD["color"], ha="center", va="center", fontsize=11)

    box = {"boxstyle": "round", "fc": "w"}
    middle = n_steps - 1
    for t in range(n_steps):
        for y, name in [(3, f"$I_{t}$"), (2, f"$v_{t}$"), (1, f"$s_{t}$")]:
            ax.text(2 * t, y, name, ha="center", va="center", fontsize=12, bbox=box)
        arrow((2 * t, 2.8), (2 * t, 2.2), _FORWARD)  # I_t -> v_t
        arrow((2 * t, 1.8), (2 * t, 1.2), _SPIKE)  # v_t -> s_t
        dx, dy = 2 * t - middle, 0.6
        arrow((middle, 0.2), (2 * t, 0.2 + dy), _BACKWARD)  # e_t from the loss into s_t
        nx, ny = (-dy, dx) if dx > 0 else (dy, -dx)  # the arrow's normal on its upper side
        norm = math.hypot(dx, dy)
        label(middle + 0.75 * dx + 0.17 * nx / norm, 0.2 + 0.75 * dy + 0.17 * ny / norm, f"$e_{t}$")
        if t < n_steps - 1:  # the membrane carries over, the spike resets it, a_{t+1} flows back along both
            arrow((2 * t + 0.25, 2), (2 * t + 1.75, 2), _FORWARD)
            arrow((2 * t + 0.25, 1.1), (2 * t + 1.75, 1.9), _RESET)
            arrow((2 * t + 1.75, 2.3), (2 * t + 0.25, 2.3), _BACKWARD)
            label(2 * t + 1, 2.45, f"$a_{t + 1}$")
            arrow((2 * t + 1.8, 1.72), (2 * t + 0.35, 0.95), _BACKWARD)
            label(2 * t + 1.1, 1.13, f"$-a_{t + 1} v_{t}$")
    ax.text(middle, 0, "$L$", ha="center", va="center", fontsize=12, bbox=box)
    ax.set(xlim=(-0.7, 2 * n_steps - 1.3), ylim=(-0.4, 3.4), xticks=[], yticks=[])
    ax.set_title("The IF recurrence unrolled over time")
    keys = {"forward (value)": _FORWARD, "spike (backward: g)": _SPIKE}
    keys |= {"reset": _RESET, "backward": _BACKWARD}
    handles = [Line2D([], [], label=text, **style) for text, style in keys.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncols=4, frameon=False)
    return fig, ax
