"""Explorers: figures a learner redraws by moving sliders, where one parameter is the lesson.

Each explorer is two things. A plain function, ``draw_*``, that draws the figure for given parameters
and returns a :class:`Drawing`: the Figure and the numbers it shows (the tests call it). And a function
``explore_*`` that wraps it in ipywidgets sliders: an :class:`Explorer`, which JupyterLab shows as the
sliders over the figure, redrawn at every change; everything else that displays it (a notebook stored
by ``tools/regenerate.py``, the course site, nbval) gets the default figure as a PNG and one line of
text with its numbers. The drawings call the library (the spike function, the neuron, the fused
engine, the Randman task); nothing here is new mathematics, only measurement on a grid
(a surrogate's width and area, a nearest-neighbour accuracy).

=========================== ====================================================== ========
explorer                    the sliders                                            notebook
=========================== ====================================================== ========
``draw_surrogate``          the surrogate's shape and slope k                       01
``draw_if_neuron``          the input current, the threshold, the reset             02
``draw_leak``               the leak beta (f-I curve, gradient's fading)            09
``draw_randman``            Randman's smoothness alpha and dimension D              12
=========================== ====================================================== ========

The figures are matplotlib Figures made without pyplot (no figure manager, so the inline backend never
shows them by itself, and none is left open); the course style (``use_course_style``) sets their size.
ipywidgets is imported only when an explorer is built.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch
from matplotlib.figure import Figure

from ..core._checks import check_beta, check_choice, check_positive
from ..core.fused import if_sequence
from ..core.neuron import IF, RESETS
from ..core.plotting import plot_membrane, plot_raster
from ..core.spike import SURROGATES, resolve_slope, surrogate_grad
from ..tasks.randman import RandmanData, make_randman, randman_times, split_randman

SURROGATE_RANGE = (-2.0, 2.0)  # the x window of the surrogate explorer (threshold units)
SURROGATE_POINTS = 4001  # grid points over that window: a step of 0.001
IF_STEPS = 30  # time steps of the IF explorer
IF_ROWS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)  # the raster's currents, as multiples of I
LEAK_CURRENTS = torch.linspace(0.005, 1.495, 150)  # notebook 09's f-I grid (threshold units per step)
LEAK_RATE_STEPS = 1000  # steps the rates are measured over (notebook 09, section 3)
LEAK_GRAD_STEPS = 40  # the gradient's window (notebook 09, section 4: L = s_39, I = 0.01)
LEAK_GRAD_CURRENT = 0.01
RANDMAN = {"n_classes": 10, "n_channels": 20, "n_steps": 40, "samples_per_class": 50, "seed": 0}


class Drawing(NamedTuple):
    """What an explorer's plain function returns: the Figure and the numbers it shows (a dict of floats,
    ints, lists). Introduced in notebook 01."""

    figure: Figure
    numbers: dict[str, Any]


def _figure(width: float, height: float) -> Figure:
    """A Figure outside pyplot (never auto-shown, nothing to close), in the course's layout."""
    return Figure(figsize=(width, height), layout="constrained")


def png_bytes(fig: Figure) -> bytes:
    """The Figure as PNG bytes at its own dpi (the course's 100). Introduced in notebook 01."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return buffer.getvalue()


# --- 01: the surrogate's shape and width against the step -------------------------------------------


def _half_crossings(x: np.ndarray, g: np.ndarray, half: float) -> tuple[float, float] | None:
    """The outermost x where ``g`` crosses ``half``, linearly interpolated; None if it never falls below
    ``half`` on one side (the window is too narrow for a full width)."""
    above = np.nonzero(g >= half)[0]
    first, last = above[0], above[-1]
    if first == 0 or last == len(x) - 1:
        return None

    def cross(i: int, j: int) -> float:  # between grid points i (one side) and j (the other)
        if g[j] == g[i]:
            return float(x[j])
        return float(x[i] + (half - g[i]) * (x[j] - x[i]) / (g[j] - g[i]))

    return cross(first - 1, first), cross(last + 1, last)


def draw_surrogate(surrogate: str = "fast_sigmoid", slope: float | None = None) -> Drawing:
    """A surrogate ``g(x)`` and the function it is the derivative of, against the step.

    Left: the forward pass, the step ``H(x)``, and ``G(x) = integral of g from -2 to x``, the smooth
    function whose derivative the backward pass uses instead (for "post", ``G`` is ReLU). Right:
    ``g(x)`` with its width at half height marked. ``x = v - threshold`` over [-2, 2] (threshold units),
    on a grid of 4001 points.

    Args:
        surrogate: a name of ``snn_helpers.SURROGATES``.
        slope: its slope ``k`` (per unit of x); None takes the default; must be None for "post".

    Returns:
        :class:`Drawing` with numbers ``surrogate``, ``slope`` (None for "post"), ``peak`` (the largest
        g), ``half_width`` (full width at half height, None for "post", whose g never falls back) and
        ``area`` (integral of g over the window, the rise of G; trapezoids).

    Introduced in notebook 01.
    """
    k = resolve_slope(surrogate, slope)  # checks the name and the slope
    x64 = np.linspace(*SURROGATE_RANGE, SURROGATE_POINTS)
    g = surrogate_grad(torch.from_numpy(x64), surrogate, k).numpy()
    rise = np.concatenate([[0.0], np.cumsum((g[1:] + g[:-1]) / 2 * np.diff(x64))])
    peak = float(g.max())
    crossings = _half_crossings(x64, g, peak / 2)
    width = None if crossings is None else crossings[1] - crossings[0]
    name = surrogate if k is None else f"{surrogate} (k={k:g})"
    fig = _figure(7.5, 3.2)
    left, right = fig.subplots(1, 2)
    left.plot(x64, (x64 > 0).astype(float), color="black", linestyle="--", linewidth=2, label="H(x), forward")
    left.plot(x64, rise, color="C0", linewidth=2, label="G(x), backward's")
    left.set(title="Forward step, backward's function", xlabel="x = v - threshold", ylabel="output")
    left.legend(loc="upper left", fontsize="small")
    right.plot(x64, g, color="C0", linewidth=2, label=f"g(x) = dG/dx, {name}")
    if crossings is not None:
        right.annotate(
            "", (crossings[1], peak / 2), (crossings[0], peak / 2), arrowprops={"arrowstyle": "<->"}
        )
        right.plot([], [], color="black", linewidth=1, label=f"width at half height {width:.3g}")
    right.set(title=f"peak {peak:.3g}, area {rise[-1]:.3g}", xlabel="x = v - threshold", ylabel="g(x)")
    right.set_ylim(0, 1.35 * peak)
    right.legend(loc="upper left", fontsize="small")
    numbers = {"surrogate": surrogate, "slope": k, "peak": peak, "half_width": width, "area": float(rise[-1])}
    return Drawing(fig, numbers)


def _surrogate_line(n: dict) -> str:
    slope = "" if n["slope"] is None else f", k = {n['slope']:g}"
    width = "none (g never falls back)" if n["half_width"] is None else f"{n['half_width']:.4f}"
    return (
        f"{n['surrogate']}{slope}: peak {n['peak']:.4g}, width at half height {width}, "
        f"area over [-2, 2] {n['area']:.4f}"
    )


# --- 02: the IF neuron's current, threshold and reset ------------------------------------------------


def draw_if_neuron(current: float = 0.3, threshold: float = 1.0, reset: str = "zero") -> Drawing:
    """One IF neuron's membrane under a constant current, and a raster of eight neurons around it.

    Top: the membrane ``v_t`` (before its reset) of an IF neuron with ``threshold`` and ``reset``
    driven by ``current`` at every one of 30 steps, its spikes marked. Bottom: the spikes of eight
    such neurons driven by 0.25, 0.5, ..., 2 times ``current``, the fourth row being the neuron on top.
    Stepped with :class:`snn_helpers.IF` (one step at a time, as notebook 02 does).

    Args:
        current: the constant input current ``I`` (threshold units per step, > 0).
        threshold: the firing threshold (> 0).
        reset: "zero" or "subtract".

    Returns:
        :class:`Drawing` with numbers ``current``, ``threshold``, ``reset`` (the arguments), ``spike_times``
        (the top neuron's, steps from 0), ``spikes`` (its count in 30 steps), ``row_counts``
        (each raster row's count, the lowest current first) and ``row_currents``.

    Introduced in notebook 02.
    """
    check_positive("current", current)
    check_positive("threshold", threshold)
    check_choice("reset", reset, RESETS)
    neuron = IF(threshold=threshold, reset=reset)
    row_currents = torch.tensor(IF_ROWS) * current
    v, s = torch.zeros(len(IF_ROWS)), torch.zeros(len(IF_ROWS))
    membranes, spikes = [], []
    for _ in range(IF_STEPS):
        v, s = neuron(row_currents, v, s)
        membranes.append(v)
        spikes.append(s)
    membrane, spike = torch.stack(membranes), torch.stack(spikes)  # [time, rows]
    own = IF_ROWS.index(1.0)
    fig = _figure(6.0, 5.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    title = f"I = {current:g}, threshold {threshold:g}, reset={reset!r}"
    plot_membrane(membrane[:, own], spike[:, own], threshold=threshold, ax=top, title=title)
    top.set_ylim(min(0.0, float(membrane.min())), 1.25 * max(threshold, float(membrane[:, own].max())))
    top.set_xlabel("")
    plot_raster(spike, ax=bottom, title="Eight neurons, current rising with the row")
    bottom.set_yticks(range(len(IF_ROWS)), [f"{c:.3g}" for c in row_currents.tolist()])
    bottom.set_ylabel("neuron (its current)")
    times = torch.nonzero(spike[:, own]).flatten().tolist()
    numbers = {
        "current": float(current),
        "threshold": float(threshold),
        "reset": reset,
        "spike_times": times,
        "spikes": len(times),
        "row_counts": spike.sum(dim=0).int().tolist(),
        "row_currents": row_currents.tolist(),
    }
    return Drawing(fig, numbers)


def _if_line(n: dict) -> str:
    return (
        f"I = {n['current']:g}, threshold {n['threshold']:g}, reset {n['reset']!r}: {n['spikes']} spikes in "
        f"{IF_STEPS} steps, at steps {n['spike_times']}; spikes per row: {n['row_counts']}"
    )


# --- 09: the leak on the f-I curve and on the gradient's fading --------------------------------------


def draw_leak(beta: float = 0.9) -> Drawing:
    """The leak ``beta`` on the f-I curve and on the gradient that reaches past inputs.

    Left: the firing rate of a neuron (reset to zero, threshold 1) against a constant current, for
    notebook 09's 150 currents (0.005 to 1.495) measured over 1,000 steps with the fused engine, at
    ``beta`` and for IF (``beta = 1``), the rheobase ``1 - beta`` dashed. Right: ``|dL/dI_t|`` for
    ``L = s_39``, a neuron below threshold for 40 steps (``I = 0.01`` at every step, the fast-sigmoid
    surrogate, the reset detached), on a log scale: it falls as ``beta**(39 - t)``.

    Args:
        beta: the leak factor per step, in (0, 1]; 1 is IF.

    Returns:
        :class:`Drawing` with numbers ``beta``, ``tau`` (``-1/ln beta`` steps, inf for IF),
        ``rheobase``, ``silent`` (how many of the 150 currents never fire) and ``fade``
        (``|dL/dI_0| / |dL/dI_39|``, which equals ``beta**39``).

    Introduced in notebook 09.
    """
    beta = check_beta(beta)
    drive = LEAK_CURRENTS.expand(LEAK_RATE_STEPS, len(LEAK_CURRENTS))
    rates = {b: if_sequence(drive, beta=b)[0].mean(dim=0) for b in dict.fromkeys([1.0, beta])}
    grads = {}
    for b in dict.fromkeys([1.0, beta]):
        current = torch.full((LEAK_GRAD_STEPS,), LEAK_GRAD_CURRENT, requires_grad=True)
        spikes, _ = if_sequence(current, surrogate="fast_sigmoid", detach_reset=True, beta=b)
        spikes[-1].backward()
        grads[b] = current.grad.abs()
    tau = -1 / math.log(beta) if beta < 1 else math.inf
    fig = _figure(7.5, 3.5)
    left, right = fig.subplots(1, 2)
    for b, style in [(1.0, {"color": "black", "linestyle": ":"}), (beta, {"color": "C0", "linewidth": 2})]:
        label = "IF (beta = 1)" if b == 1.0 else f"beta = {b:g} (tau = {-1 / math.log(b):.3g} steps)"
        left.plot(LEAK_CURRENTS, rates[b], **style)  # the figure's legend is the key of both panels
        right.semilogy(range(LEAK_GRAD_STEPS), grads[b], label=label, **style)
    if beta < 1:
        rheobase = {"color": "C0", "linestyle": "--", "linewidth": 1}
        left.axvline(1 - beta, **rheobase)
        right.plot([], [], label=f"rheobase {1 - beta:.2g} (left)", **rheobase)
    left.set(title="f-I curve, reset to zero", xlabel="constant current I", ylabel="rate (spikes per step)")
    right.set(title="Gradient of L = s_39 reaching I_t", xlabel="time step t of I_t")
    right.set(ylabel="|dL/dI_t| (log scale)")
    fig.legend(loc="outside lower center", ncols=3, fontsize="small")  # the key of both panels
    numbers = {
        "beta": beta,
        "tau": tau,
        "rheobase": 1 - beta,
        "silent": int((rates[beta] == 0).sum()),
        "fade": (grads[beta][0] / grads[beta][-1]).item(),
    }
    return Drawing(fig, numbers)


def _leak_line(n: dict) -> str:
    tau = "inf" if n["beta"] == 1 else f"{n['tau']:.4g}"
    return (
        f"beta {n['beta']:g} (tau = {tau} steps): rheobase {n['rheobase']:.4g}, "
        f"{n['silent']} of 150 currents silent, |dL/dI_0| / |dL/dI_39| = {n['fade']:.4g}"
    )


# --- 12: Randman's smoothness and dimension ----------------------------------------------------------


def _check_alpha(alpha: object) -> None:
    check_positive("alpha", alpha)
    if alpha < 1:
        raise ValueError(f"alpha must be at least 1 here (smaller needs over 1,000 sinusoids); got {alpha!r}")


def nearest_neighbour_accuracy(alpha: float = 2.0, dim_manifold: int = 1) -> float:
    """Validation accuracy of the nearest training sample in spike times (squared step differences, in
    integers: exact on every machine), on notebook 12's Randman (10 classes, 20 channels, 40 steps, 50
    samples per class, seed 0, split 60/20/20) with smoothness ``alpha`` and dimension ``dim_manifold``.

    Introduced in notebook 12.
    """
    check_positive("alpha", alpha)
    check_positive("dim_manifold", dim_manifold, integer=True)
    return _nearest_neighbour(make_randman(dim_manifold=dim_manifold, alpha=alpha, **RANDMAN))


def _nearest_neighbour(samples: RandmanData) -> float:
    data = split_randman(samples)
    times_train = data.train.spikes.argmax(dim=0)  # one spike per channel: its step, [samples, channels]
    times_val = data.validation.spikes.argmax(dim=0)
    distance = ((times_val[:, None, :] - times_train[None, :, :]) ** 2).sum(dim=2)
    nearest = data.train.labels[distance.argmin(dim=1)]
    return (nearest == data.validation.labels).float().mean().item()


def draw_randman(alpha: float = 2.0, dim_manifold: int = 1) -> Drawing:
    """Randman's smoothness ``alpha`` and dimension ``D`` on the rasters.

    Left: the raster of one sample of class 0, its 20 channels over 40 steps. Right: the step at which
    channels 0 and 1 fire in each of the 50 samples of class 0, against the sample's first manifold
    coordinate ``u_1``: on a smooth manifold of dimension 1 they trace smooth curves; a rougher manifold
    (smaller ``alpha``) makes them jagged, more dimensions scatter them (each sample also moves along
    the other coordinates). The title gives the nearest-neighbour accuracy on spike times (notebook 12,
    section 2), which falls as the task gets harder. Notebook 12's data: 10 classes, 20 channels,
    40 steps, 50 samples per class, seed 0.

    Args:
        alpha: the smoothness (amplitude fall-off exponent), at least 1 (below it the generator sums
            over 1,000 sinusoids per channel: too slow to drag).
        dim_manifold: the manifolds' dimension ``D`` (a positive integer).

    Returns:
        :class:`Drawing` with numbers ``alpha``, ``dim_manifold``, ``accuracy`` (nearest neighbour on
        the validation split) and ``jump`` (channel 0's mean absolute change of spike step between
        samples neighbouring in ``u_1``, in time steps).

    Introduced in notebook 12.
    """
    _check_alpha(alpha)
    check_positive("dim_manifold", dim_manifold, integer=True)
    data = make_randman(dim_manifold=dim_manifold, alpha=alpha, **RANDMAN)
    _, _, coordinates = randman_times(dim_manifold=dim_manifold, alpha=alpha, **RANDMAN)
    per_class = RANDMAN["samples_per_class"]
    u = coordinates[:per_class, 0]
    order = np.argsort(u, kind="stable")
    steps = data.spikes[:, :per_class, :2].argmax(dim=0).numpy()[order]  # [samples by u_1, channels 0, 1]
    jump = float(np.abs(np.diff(steps[:, 0])).mean())
    accuracy = _nearest_neighbour(data)
    fig = _figure(7.5, 3.4)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    plot_raster(data.spikes[:, 0], ax=left, title="One sample of class 0")
    left.set_ylabel("channel")
    for c, marker in [(0, "o"), (1, "s")]:
        style = {"marker": marker, "markersize": 3.5, "linewidth": 0.8, "color": f"C{c}"}
        right.plot(u[order], steps[:, c], label=f"channel {c}", **style)
    right.set(title="Class 0: spike step against u_1", xlabel="manifold coordinate u_1 of the sample")
    right.set(ylabel="step of the spike", ylim=(-1, RANDMAN["n_steps"] + 9))
    right.legend(loc="upper left", ncols=2, fontsize="small")
    fig.suptitle(f"alpha = {alpha:g}, D = {dim_manifold}: nearest neighbour on spike times {accuracy:.2f}")
    numbers = {"alpha": float(alpha), "dim_manifold": dim_manifold, "accuracy": accuracy, "jump": jump}
    return Drawing(fig, numbers)


def _randman_line(n: dict) -> str:
    return (
        f"alpha {n['alpha']:g}, D = {n['dim_manifold']}: nearest-neighbour accuracy {n['accuracy']:.4f}, "
        f"mean jump between neighbouring samples {n['jump']:.4g} steps"
    )


# --- the sliders -------------------------------------------------------------------------------------


class Explorer:
    """A plain drawing function behind ipywidgets controls; redrawn at every change.

    ``widget`` is the box of controls over the figure (an ``ipywidgets.Image``) and a line of text with
    the figure's numbers (its text alternative, kept up to date). ``drawing`` is the latest
    :class:`Drawing`, ``numbers`` its numbers; ``set(**values)`` moves controls from code (as a slider
    would). Displayed, it gives JupyterLab the widget and every other front end (a stored notebook, the
    course site, nbval) the default figure as a PNG and its line of text. Introduced in notebook 01.
    """

    def __init__(self, name: str, draw: Callable[..., Drawing], controls: dict, describe: Callable) -> None:
        import ipywidgets as widgets

        self.name = name
        self._draw, self._describe, self.controls = draw, describe, controls
        self.drawing = draw(**self.values)
        self._png = png_bytes(self.drawing.figure)
        self._default_png, self._default_text = self._png, self.text
        self.image = widgets.Image(value=self._png, format="png", layout=widgets.Layout(max_width="100%"))
        self.label = widgets.HTML(value=self._html())  # wraps; a Label cuts a long line off
        box = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([box, self.image, self.label])
        for control in controls.values():
            control.observe(self._redraw, names="value")

    @property
    def values(self) -> dict:
        """The controls' current values, by the drawing function's argument names."""
        return {key: control.value for key, control in self.controls.items()}

    @property
    def numbers(self) -> dict:
        return self.drawing.numbers

    @property
    def text(self) -> str:
        """The line that says what the figure shows, in numbers."""
        return f"{self.name}: {self._describe(self.drawing.numbers)}"

    def _html(self) -> str:
        """The numbers line as HTML for the widget (escaped; wraps at the notebook's width)."""
        return f'<span class="explorer-numbers">{html.escape(self.text)}</span>'

    def set(self, **values: Any) -> Drawing:
        """Move controls by name (``explorer.set(slope=2.0)``), as a learner would; return the drawing."""
        for key in values:
            check_choice("control", key, self.controls)
        for key, value in values.items():
            self.controls[key].value = value
        return self.drawing

    def _redraw(self, change: dict | None = None) -> None:
        self.drawing = self._draw(**self.values)
        self._png = png_bytes(self.drawing.figure)
        self.image.value = self._png
        self.label.value = self._html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = self.widget._repr_mimebundle_()
        bundle["text/plain"] = f"{self._default_text} (move the sliders in JupyterLab)"
        bundle["image/png"] = base64.b64encode(self._default_png).decode("ascii")
        return bundle


def _slider(kind: str, description: str, value, low, high, step, **kw):
    import ipywidgets as widgets

    cls = {"float": widgets.FloatSlider, "int": widgets.IntSlider}[kind]
    return cls(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        style={"description_width": "initial"},
        **kw,
    )


def explore_surrogate(surrogate: str = "fast_sigmoid", slope: float | None = None) -> Explorer:
    """:func:`draw_surrogate` behind a menu of the surrogates and a slider of the slope k (0.5 to 20;
    ``slope=None`` starts it at the surrogate's default, 10 for "post", which does not use it).
    Introduced in notebook 01."""
    import ipywidgets as widgets

    k = resolve_slope(surrogate, slope)
    menu = widgets.Dropdown(options=list(SURROGATES), value=surrogate, description="surrogate")
    k = _slider("float", "slope k", 10.0 if k is None else k, 0.5, 20.0, 0.5, disabled=surrogate == "post")

    def draw(surrogate: str, slope: float) -> Drawing:
        k.disabled = surrogate == "post"
        return draw_surrogate(surrogate, None if surrogate == "post" else slope)

    return Explorer("surrogate", draw, {"surrogate": menu, "slope": k}, _surrogate_line)


def explore_if_neuron(current: float = 0.3, threshold: float = 1.0, reset: str = "zero") -> Explorer:
    """:func:`draw_if_neuron` behind sliders of the current (0.05 to 1.5) and the threshold (0.25 to 3)
    and a choice of reset. Introduced in notebook 02."""
    import ipywidgets as widgets

    check_positive("current", current)
    check_positive("threshold", threshold)
    check_choice("reset", reset, RESETS)
    controls = {
        "current": _slider("float", "current I", current, 0.05, 1.5, 0.05),
        "threshold": _slider("float", "threshold", threshold, 0.25, 3.0, 0.25),
        "reset": widgets.ToggleButtons(options=list(RESETS), value=reset, description="reset"),
    }
    return Explorer("IF neuron", draw_if_neuron, controls, _if_line)


def explore_leak(beta: float = 0.9) -> Explorer:
    """:func:`draw_leak` behind a slider of beta (0.5 to 1). Introduced in notebook 09."""
    beta = check_beta(beta)
    controls = {"beta": _slider("float", "leak beta", beta, 0.5, 1.0, 0.01)}
    return Explorer("leak", draw_leak, controls, _leak_line)


def explore_randman(alpha: float = 2.0, dim_manifold: int = 1) -> Explorer:
    """:func:`draw_randman` behind sliders of the smoothness alpha (1 to 4) and the dimension D (1 to
    4). Introduced in notebook 12."""
    _check_alpha(alpha)
    check_positive("dim_manifold", dim_manifold, integer=True)
    controls = {
        "alpha": _slider("float", "smoothness alpha", alpha, 1.0, 4.0, 0.25),
        "dim_manifold": _slider("int", "dimension D", dim_manifold, 1, 4, 1),
    }
    return Explorer("Randman", draw_randman, controls, _randman_line)
