"""Repeated runs for comparing surrogates. Introduced in notebook 08 (surrogates compared).

Two kinds of helpers:

- single runs (:func:`post_task_run`, :func:`digits_run`): one configuration, one seed, a small
  dict of numbers;
- the grid of notebook 08 (:func:`grid_points`, :func:`post_task_grid`, :func:`digits_grid` and its
  :class:`DigitsGrid`):
  every surrogate family at several widths, matched in area or in peak, over several seeds, trained
  as one ensemble (:mod:`snn_helpers.ensemble`);
- the same grid on notebook 12's temporal task (:func:`randman_grid`), too long for a notebook: run
  by ``tools/temporal_grid.py`` (``make study-temporal``), recorded in docs/studies.md.

Width and scale of a surrogate derivative ``g`` (``x`` in threshold units, dimensionless):
``peak = max g``, ``area = integral of g over all x``, and the width is ``area / peak``, the width
of the rectangle with the same peak and area (the boxcar's full width). So ``area = peak x width``:
matched in area (area 1, the step's total rise), a narrower surrogate is taller; matched in peak
(peak 1), a narrower one carries less total gradient. At width 1 the two coincide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from matplotlib.lines import Line2D

from ..core._checks import check_choice, check_positive
from ..core.seed import set_seed
from ..core.spike import resolve_slope
from ..tasks.digits import DigitsSNN, DigitsSplit, evaluate, train_digits
from ..tasks.post import Model, train
from ..tasks.randman import RandmanSNN, RandmanSplit, train_randman
from ..tasks.randman import accuracy as randman_accuracy
from .ensemble import (
    DigitsEnsemble,
    Member,
    PostEnsemble,
    evaluate_ensemble,
    train_digits_ensemble,
    train_post_ensemble,
)

BUMPS = ("fast_sigmoid", "sigmoid", "atan", "triangle", "boxcar")
"""The surrogate families that are non-zero around the threshold (all but the post's rule)."""
MATCHES = ("area", "peak")
BUMP_MARKERS = dict(zip(BUMPS, "os^Dv", strict=True))
"""One marker per family, so that the figures of notebook 08 do not rely on colour alone."""

# area / peak of each bump at slope k is C / k, with C:
_WIDTH_TIMES_SLOPE = {"fast_sigmoid": 2.0, "sigmoid": 4.0, "atan": 2.0, "triangle": 1.0, "boxcar": 1.0}


def surrogate_peak(surrogate: str, slope: float | None = None) -> float:
    """The largest value of the surrogate derivative (at x = 0): 1 for "fast_sigmoid", k/4 for
    "sigmoid", k/2 for "atan", k for "triangle" and "boxcar" (slope None: the default k).

    Introduced in notebook 08.
    """
    k = _bump_slope(surrogate, slope)
    return {"fast_sigmoid": 1.0, "sigmoid": k / 4, "atan": k / 2}.get(surrogate, k)


def surrogate_area(surrogate: str, slope: float | None = None) -> float:
    """The integral of the surrogate derivative over all x: 2/k for "fast_sigmoid", 1 for the others.

    Introduced in notebook 08.
    """
    k = _bump_slope(surrogate, slope)
    return 2.0 / k if surrogate == "fast_sigmoid" else 1.0


def surrogate_width(surrogate: str, slope: float | None = None) -> float:
    """``area / peak``: 2/k for "fast_sigmoid" and "atan", 4/k for "sigmoid", 1/k for the others.

    Introduced in notebook 08.
    """
    return _WIDTH_TIMES_SLOPE[surrogate] / _bump_slope(surrogate, slope)


def slope_for_width(surrogate: str, width: float) -> float:
    """The slope k at which ``surrogate`` has ``area / peak`` equal to ``width`` (threshold units).

    Introduced in notebook 08.
    """
    check_choice("surrogate", surrogate, BUMPS)
    check_positive("width", width)
    return _WIDTH_TIMES_SLOPE[surrogate] / width


def _bump_slope(surrogate: str, slope: float | None) -> float:
    check_choice("surrogate", surrogate, BUMPS)
    return resolve_slope(surrogate, slope)


class GridPoint(NamedTuple):
    """One surrogate configuration of the grid: a family, a width (area / peak) and what is held at 1.

    The post's rule has no width: ``GridPoint("post", None, None)``.

    Introduced in notebook 08.
    """

    surrogate: str
    width: float | None
    matched: str | None

    def member(self, seed: int) -> Member:
        """The ensemble member that trains this configuration with ``seed``."""
        if self.surrogate == "post":
            return Member(seed, "post")
        k = slope_for_width(self.surrogate, self.width)
        norm = surrogate_area if self.matched == "area" else surrogate_peak
        return Member(seed, self.surrogate, k, 1.0 / norm(self.surrogate, k))

    def label(self) -> str:
        """A short name for tables: ``"atan w=0.3 area"``, ``"post"``."""
        return "post" if self.surrogate == "post" else f"{self.surrogate} w={self.width:g} {self.matched}"


def grid_points(
    widths: tuple[float, ...],
    matches: tuple[str, ...] = MATCHES,
    families: tuple[str, ...] = BUMPS,
    post: bool = True,
) -> list[GridPoint]:
    """Every family at every width, matched in each of ``matches`` (a width-1 point only once, matched
    in area: there area = peak = 1), and the post's rule first if ``post``.

    Introduced in notebook 08.
    """
    for w in widths:
        check_positive("widths[...]", w)
    for m in matches:
        check_choice("matches[...]", m, MATCHES)
    for f in families:
        check_choice("families[...]", f, BUMPS)
    points = [GridPoint("post", None, None)] if post else []
    for f in families:
        for w in widths:
            for i, m in enumerate(matches):
                if w != 1 or i == 0:
                    points.append(GridPoint(f, float(w), m if w != 1 else "area"))
    return points


def _members(points: list[GridPoint], seeds: list[int]) -> list[Member]:
    if not points:
        raise ValueError("points must hold at least one GridPoint; got none")
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) for s in seeds):
        raise ValueError(f"seeds must be a non-empty list of ints; got {seeds!r}")
    return [p.member(s) for p in points for s in seeds]


def post_task_grid(
    points: list[GridPoint], seeds: list[int], n_iter: int = 100, target: float = 1e-3
) -> dict[GridPoint, dict[str, torch.Tensor]]:
    """The post's task (:func:`post_task_run`'s setting) for every point and seed, as one ensemble.

    Returns:
        Per point, tensors ``[seeds]``: ``final_loss``; ``iters_to_target``, the first iteration whose
        loss is below ``target`` (``n_iter`` if none); ``silent``, the fraction of neurons silent in
        the last iteration. Member ``(point, seed)`` equals ``post_task_run`` up to rounding (with
        ``scale`` 1, the library's surrogates).

    Introduced in notebook 08.
    """
    ensemble = PostEnsemble(_members(points, seeds))
    history = train_post_ensemble(ensemble, n_iter=n_iter)
    below = history.loss < target
    iters = torch.where(below.any(dim=0), below.float().argmax(dim=0).float(), float(n_iter))
    out, s = {}, len(seeds)
    for i, p in enumerate(points):
        rows = slice(i * s, (i + 1) * s)
        out[p] = {
            "final_loss": history.loss[-1, rows],
            "iters_to_target": iters[rows],
            "silent": history.silent[-1, rows],
        }
    return out


@dataclass
class DigitsGrid:
    """Notebook 08's digits grid, trained: validation results per point, and the trained networks,
    so that the test split is scored once, for the points chosen on validation (:meth:`test`).

    Attributes:
        results: per point, tensors ``[seeds]``: ``val_accuracy`` and ``loss`` (the last epoch's mean
            training loss).
        ensemble: the trained :class:`snn_helpers.ensemble.DigitsEnsemble` (members point-major:
            point ``i`` with seed ``j`` is member ``i * len(seeds) + j``).
        points, seeds, data, n_time: as given to :func:`digits_grid`.
    """

    results: dict[GridPoint, dict[str, torch.Tensor]]
    ensemble: DigitsEnsemble
    points: list[GridPoint]
    seeds: list[int]
    data: DigitsSplit
    n_time: int

    def test(self, chosen: list[GridPoint]) -> dict[GridPoint, torch.Tensor]:
        """Test accuracy ``[seeds]`` of each chosen point: one rate code of the test split for all
        (generator seeded 2000), as every member of the grid would have been scored."""
        if not chosen or any(p not in self.results for p in chosen):
            raise ValueError(f"chosen must be a non-empty list of points of this grid; got {chosen!r}")
        s = len(self.seeds)
        index = [self.points.index(p) * s + j for p in chosen for j in range(s)]
        sub = self.ensemble.subset(index)
        code = torch.Generator().manual_seed(2000)
        accuracy = evaluate_ensemble(sub, self.data.x_test, self.data.y_test, self.n_time, code)
        return {p: accuracy[i * s : (i + 1) * s] for i, p in enumerate(chosen)}


def digits_grid(
    points: list[GridPoint], seeds: list[int], data: DigitsSplit, epochs: int = 3, n_time: int = 10
) -> DigitsGrid:
    """The digits network of notebook 07 for every point and seed, as one ensemble (Adam lr 3e-3).

    Trained without looking at any split; then each member is scored once on the validation split
    (one rate code, the same for every member: generator seeded 1000). The test split is scored
    later, only for the points chosen: :meth:`DigitsGrid.test`.
    """
    ensemble = DigitsEnsemble(_members(points, seeds))
    history = train_digits_ensemble(ensemble, data, n_time=n_time, epochs=epochs, lr=3e-3, track=())
    val = evaluate_ensemble(ensemble, data.x_val, data.y_val, n_time, torch.Generator().manual_seed(1000))
    out, s = {}, len(seeds)
    for i, p in enumerate(points):
        rows = slice(i * s, (i + 1) * s)
        out[p] = {"val_accuracy": val[rows], "loss": history.loss[-1, rows]}
    return DigitsGrid(out, ensemble, list(points), list(seeds), data, n_time)


@dataclass
class RandmanGrid:
    """The surrogate grid on notebook 12's temporal task, trained: validation results per
    ``(surrogate, width)`` (``("post", None)`` for the post's rule), and the networks, so that the
    test split is scored once, for the configurations chosen on validation (:meth:`test`).

    Attributes:
        results: per configuration, ``val_accuracy``, a tensor ``[seeds]`` (after the last epoch).
        models: per configuration, the trained networks, one per seed.
        data: the :class:`snn_helpers.randman.RandmanSplit` they were trained on.
    """

    results: dict[tuple[str, float | None], dict[str, torch.Tensor]]
    models: dict[tuple[str, float | None], list[RandmanSNN]]
    data: RandmanSplit

    def test(self, chosen: list[tuple[str, float | None]]) -> dict[tuple[str, float | None], torch.Tensor]:
        """Test accuracy ``[seeds]`` of each chosen configuration."""
        if not chosen or any(c not in self.models for c in chosen):
            raise ValueError(f"chosen must be a non-empty list of this grid's configurations; got {chosen!r}")
        test = self.data.test
        return {c: torch.tensor([randman_accuracy(m, test) for m in self.models[c]]) for c in chosen}


def randman_grid(
    data: RandmanSplit,
    widths: tuple[float, ...],
    seeds: list[int],
    families: tuple[str, ...] = BUMPS,
    post: bool = True,
    epochs: int = 15,
    beta: float = 0.9,
    n_hidden: int = 64,
) -> RandmanGrid:
    """Notebook 12's feed-forward LIF network (``RandmanSNN(..., recurrent=False)``, Adam lr 1e-2,
    batch 32) for every family at every width (area / peak, threshold units) and every seed, one
    network after the other (15 epochs each; docs/studies.md records the grid's run time).

    Each family runs at the slope that gives it the width, at the library's scale (fast sigmoid:
    peak 1; the others: area 1): with the reset detached and no recurrence, the gradient crosses the
    surrogate once, so its scale is one constant factor on the hidden weights' gradient, which Adam
    divides out (notebook 08 measured it on the digits); the matching in area or peak is not repeated.
    Seed ``s`` fixes the initial weights (``set_seed(s)``) and the minibatch order.

    Returns:
        A :class:`RandmanGrid`.
    """
    if not isinstance(data, RandmanSplit):
        raise TypeError(f"data must be a RandmanSplit (from split_randman); got {type(data).__name__}")
    if not widths or len(set(widths)) != len(widths):
        raise ValueError(f"widths must be distinct positive numbers, at least one; got {widths!r}")
    for w in widths:
        check_positive("widths[...]", w)
    if not families or len(set(families)) != len(families):
        raise ValueError(f"families must be distinct names from {BUMPS}, at least one; got {families!r}")
    for f in families:
        check_choice("families[...]", f, BUMPS)
    if (
        not seeds
        or len(set(seeds)) != len(seeds)
        or any(isinstance(s, bool) or not isinstance(s, int) for s in seeds)
    ):
        raise ValueError(f"seeds must be a non-empty list of distinct ints; got {seeds!r}")
    configs = ([("post", None)] if post else []) + [(f, float(w)) for f in families for w in widths]
    n_inputs, n_classes = data.train.spikes.shape[2], int(data.train.labels.max()) + 1
    results, models = {}, {}
    for surrogate, width in configs:
        slope = None if width is None else slope_for_width(surrogate, width)
        runs = []
        for seed in seeds:
            set_seed(seed)
            model = RandmanSNN(
                n_inputs, n_hidden, n_classes, recurrent=False, beta=beta, surrogate=surrogate, slope=slope
            )
            history = train_randman(model, data, epochs=epochs, seed=seed)
            runs.append((model, history.validation_accuracy[-1]))
        models[(surrogate, width)] = [m for m, _ in runs]
        results[(surrogate, width)] = {"val_accuracy": torch.tensor([acc for _, acc in runs])}
    return RandmanGrid(results, models, data)


def post_task_run(
    surrogate: str,
    seed: int,
    bias_init: str = "uniform",
    slope: float | None = None,
    n_iter: int = 100,
    target: float = 1e-3,
) -> dict[str, float]:
    """The post's task (silence, 300 -> 500, 10 steps, SGD) with a detached reset, one seed.

    Returns:
        ``final_loss``; ``iters_to_target``, the first iteration whose loss is below
        ``target`` (``n_iter`` if none); ``silent``, the fraction of neurons that never
        fired in the last iteration; ``first_silent``, the same in the first.

    Introduced in notebook 08.
    """
    set_seed(seed)
    model = Model(
        300, 500, bias_init=bias_init, surrogate=surrogate, slope=slope, detach_reset=True, engine="fused"
    )
    history = train(model, n_iter=n_iter)
    below = [i for i, loss in enumerate(history.loss) if loss < target]
    return {
        "final_loss": history.loss[-1],
        "iters_to_target": float(below[0] if below else n_iter),
        "silent": history.silent[-1],
        "first_silent": history.silent[0],
    }


def digits_run(
    data: DigitsSplit,
    surrogate: str,
    seed: int,
    bias_init: str = "default",
    slope: float | None = None,
    epochs: int = 4,
    n_time: int = 10,
    target: float = 0.9,
) -> dict[str, float]:
    """The digits task (notebook 07) shortened to ``epochs`` epochs, one seed.

    Returns:
        ``accuracy`` on the test set (one fixed rate code); ``epochs_to_target``, the first
        epoch (counted from 1) whose test accuracy reaches ``target`` (``epochs + 1`` if
        none); ``silent``, the fraction of hidden neurons that never fire on the test set.
    """
    set_seed(seed)
    model = DigitsSNN(n_hidden=128, surrogate=surrogate, slope=slope, bias_init=bias_init)
    history = train_digits(model, data, n_time=n_time, epochs=epochs, lr=3e-3, seed=seed)
    result = evaluate(model, data.x_test, data.y_test, n_time, torch.Generator().manual_seed(1000 + seed))
    reached = [i + 1 for i, acc in enumerate(history.test_accuracy) if acc >= target]
    return {
        "accuracy": result.accuracy,
        "epochs_to_target": float(reached[0] if reached else epochs + 1),
        "silent": result.silent,
    }


def summarize(runs: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """Mean and standard deviation over runs, per key. Introduced in notebook 08."""
    out = {}
    for key in runs[0]:
        values = torch.tensor([run[key] for run in runs], dtype=torch.float64)
        out[key] = (values.mean().item(), values.std().item() if len(runs) > 1 else 0.0)
    return out


def _columns(results: dict[GridPoint, dict[str, torch.Tensor]]) -> list[tuple[float, str]]:
    return list(dict.fromkeys((p.width, p.matched) for p in results if p.surrogate != "post"))


def grid_table(results: dict[GridPoint, dict[str, torch.Tensor]], key: str, digits: int = 3) -> str:
    """A text table of ``results[point][key]``: mean ± standard deviation over the seeds, one row per
    family (the post's rule first), one column per (width, matched).

    Introduced in notebook 08.
    """
    columns = _columns(results)
    names = [f"w={w:g} {m}" if w != 1 else "w=1 (both)" for w, m in columns]
    width = 2 * digits + 10
    lines = [f"{'surrogate':13s}" + "".join(f"{n:>{width}s}" for n in names)]
    for family in dict.fromkeys(p.surrogate for p in results):
        cells = []
        for w, m in columns:
            point = GridPoint("post", None, None) if family == "post" else GridPoint(family, w, m)
            values = results.get(point, {}).get(key)
            text = "" if values is None else f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"
            cells.append(f"{text:>{width}s}")
            if family == "post":
                break
        lines.append(f"{family:13s}" + "".join(cells))
    return "\n".join(lines)


def plot_grid(ax, results: dict[GridPoint, dict[str, torch.Tensor]], key: str) -> None:
    """Mean ± one standard deviation over seeds of ``results[point][key]`` against the width: one
    colour and one marker per family (:data:`BUMP_MARKERS`), a solid line for matched in area, a dashed
    line for matched in peak; the post's rule as a dotted horizontal line. Sets the x axis (log scale,
    ticks at the widths), the families' legend (right of the axes, with any line drawn before) and a
    figure legend for the two line styles; the caller sets the title and y label.

    Introduced in notebook 08.
    """
    for i, family in enumerate(BUMPS):
        for matched, line in [("area", "-"), ("peak", "--")]:
            points = [p for p in results if p.surrogate == family and (p.matched == matched or p.width == 1)]
            if not points:
                continue
            mean = [results[p][key].mean().item() for p in points]
            sd = [results[p][key].std().item() for p in points]
            label = family if matched == "area" else None
            style = dict(color=f"C{i}", marker=BUMP_MARKERS[family], linestyle=line, capsize=3, alpha=0.8)
            ax.errorbar([p.width for p in points], mean, yerr=sd, label=label, **style)
    post = results.get(GridPoint("post", None, None))
    if post is not None:
        ax.axhline(post[key].mean().item(), color="black", linestyle=":", label="post's rule")
    widths = sorted({p.width for p in results if p.width is not None})
    ax.set(xscale="log", xlabel="surrogate width, area / peak (threshold units)")
    ax.set_xticks(widths, [f"{w:g}" for w in widths])
    ax.minorticks_off()
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    styles = [
        Line2D([], [], color="grey", linestyle=line, label=text)
        for line, text in [("-", "matched in area (area 1)"), ("--", "matched in peak (peak 1)")]
    ]
    ax.figure.legend(handles=styles, fontsize="small", loc="outside lower right")
