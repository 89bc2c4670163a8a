"""The figure check: what matplotlib can tell about a figure at the size and dpi it is stored at.

`check_figure(fig, dpi)` returns one line per problem (an empty list for a clean figure):

- **nothing visible**: a visible Axes whose data artists (lines, markers, collections, images,
  patches; not the grid, spines, ticks, texts or legend) change no pixel inside the axes, measured
  by rendering the figure with and without them at the stored dpi; and a data artist whose markers
  are under a pixel there (a raster of ticks too small to see);
- **overlaps**: two tick labels of one axis that overlap; a text (title, axis label, annotation,
  ``ax.text``, a figure text), that overlaps another text, a tick label or a legend; tick labels of
  different axes that overlap; two legends that overlap;
- **legends**: a line, collection, patch or container whose label does not start with ``_`` without an
  entry of that label in a legend of the figure (its Axes', a neighbour's that serves as the key of
  several panels, or the Figure's); a legend that covers more than
  ``LEGEND_COVER`` of the points one of its artists draws (a line sampled every 3 pixels, markers);
- **categories**: where the lines of an Axes plot a small grid of x values (3 to ``MAX_CATEGORIES``
  values shared by two lines, or the round values of a line joined through them; lines with more
  are curves, markers alone at a few x values are events, a line through measured x values a
  front), on a log axis or unevenly spaced, each value has a tick with a label.

`install()` wraps `matplotlib.backend_bases.FigureCanvasBase.print_figure`, which every display
of a figure goes through (the inline backend's PNG included), so that each problem is printed to
stderr as one line ``figure check: <what>``: strict nbval then fails on the cell (its stored output has
no such line), and tools/regenerate.py refuses to store the notebook. The kernels that nbval and
regenerate start run `install()` from an IPython startup file in a temporary IPYTHONDIR
(tools/course_files.py, `figure_check_env`); a learner's JupyterLab never loads it, and the library
(snn_helpers) never imports this module.

``python tools/figcheck.py NOTEBOOK ...`` executes notebooks (never in place) and names each problem
with its cell: strict nbval only says that a cell printed an unexpected stderr.
"""

from __future__ import annotations

import io
import itertools
import sys
import threading
from collections.abc import Iterable, Iterator

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import Collection, PathCollection
from matplotlib.container import Container
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

PREFIX = "figure check: "
MIN_CONTRAST = 48  # a pixel "changes" when a channel moves by this much (of 255)
MIN_PIXELS = 2  # an Axes draws something when at least this many pixels change
MIN_MARKER_PX = 1.0  # a marker smaller than this (its larger side, in stored pixels) is invisible
OVERLAP_PX = 1.0  # two boxes overlap when they share more than this, in both directions
LEGEND_COVER = 0.05  # a legend may cover at most this share of one artist's drawn points
MAX_CATEGORIES = 12

_state = threading.local()


# ---- the checks -------------------------------------------------------------------------------


def check_figure(fig: Figure, dpi: float | None = None) -> list[str]:
    """Every problem of ``fig`` when stored at ``dpi`` (default: the figure's own), one line each."""
    dpi = float(dpi or fig.dpi)
    renderer = _drawn_renderer(fig)
    scale = dpi / fig.dpi  # display pixels (at fig.dpi) -> stored pixels
    problems: list[str] = []
    problems += check_visible(fig, dpi)
    problems += check_overlaps(fig, renderer, scale)
    problems += check_legends(fig, renderer)
    problems += check_categories(fig, renderer)
    return problems


def axes_name(fig: Figure, ax: Axes) -> str:
    """``axes 2 "its title"`` (index among the figure's axes, from 1)."""
    title = " / ".join(t.get_text() for t in (ax._left_title, ax.title, ax._right_title) if t.get_text())
    index = fig.axes.index(ax) + 1 if ax in fig.axes else 0
    return f'axes {index} "{title}"' if title else f"axes {index}"


def _data(ax: Axes) -> list[Artist]:
    """The data artists of an Axes: lines, collections, images, patches (not its background)."""
    return [a for a in itertools.chain(ax.lines, ax.collections, ax.images, ax.patches) if a is not ax.patch]


def check_visible(fig: Figure, dpi: float) -> list[str]:
    """Axes whose data change no pixel at ``dpi``; data artists whose markers are under a pixel."""
    problems = []
    axes = [ax for ax in fig.axes if ax.get_visible() and any(a.get_visible() for a in _data(ax))]
    if not axes:
        return problems
    full = _render(fig, dpi)
    height, width = full.shape[:2]
    # one render without every data artist; axes that share a place (twins) get one render each
    groups: dict[tuple, list[Axes]] = {}
    for ax in axes:
        groups.setdefault(tuple(np.round(ax.get_position().bounds, 4)), []).append(ax)
    bare_all = _render_without(fig, dpi, [a for ax in axes for a in _data(ax)])
    for members in groups.values():
        for ax in members:
            bare = bare_all if len(members) == 1 else _render_without(fig, dpi, _data(ax))
            x0, y0, x1, y1 = ax.get_position().extents
            c0, c1 = int(np.floor(x0 * width)) + 1, int(np.ceil(x1 * width)) - 1
            r0, r1 = int(np.floor((1 - y1) * height)) + 1, int(np.ceil((1 - y0) * height)) - 1
            if c1 <= c0 or r1 <= r0:
                continue
            diff = np.abs(full[r0:r1, c0:c1, :3].astype(int) - bare[r0:r1, c0:c1, :3].astype(int)).max(axis=2)
            changed = int((diff >= MIN_CONTRAST).sum())
            if changed < MIN_PIXELS:
                problems.append(
                    f"{axes_name(fig, ax)} draws nothing visible at the stored size "
                    f"({c1 - c0}x{r1 - r0} px at dpi {dpi:g}: {changed} pixels change)"
                )
    for ax in axes:
        for artist in _data(ax):
            size = _marker_px(artist, dpi)
            if size is not None and size < MIN_MARKER_PX and _points_in_view(ax, artist):
                problems.append(
                    f"{axes_name(fig, ax)}: the markers of {_artist_name(artist)} are {size:.2f} px, "
                    f"under a pixel at the stored size"
                )
    return problems


def _marker_px(artist: Artist, dpi: float) -> float | None:
    """The larger side of an artist's markers in stored pixels; None if it draws more than markers."""
    px = dpi / 72
    if isinstance(artist, Line2D):
        if not artist.get_visible() or artist.get_marker() in (None, "None", "none", "", " "):
            return None
        if artist.get_linestyle() not in ("None", "none", "", " ") and artist.get_linewidth() > 0:
            return None
        if artist.get_marker() == ",":
            return 1.0  # a pixel marker is one pixel
        return (
            float(artist.get_markersize()) * px
            + _edge(artist.get_markeredgewidth(), artist.get_marker()) * px
        )
    if isinstance(artist, PathCollection):
        sizes = np.asarray(artist.get_sizes(), dtype=float)
        if not artist.get_visible() or sizes.size == 0:
            return None
        widths = np.asarray(artist.get_linewidths(), dtype=float)
        diameter = float(np.sqrt(sizes.max())) * px
        return diameter + (float(widths.max()) * px if widths.size and _filled(artist) is False else 0.0)
    return None


def _edge(width: float, marker: object) -> float:
    return 0.0 if marker in ("|", "_") else float(width or 0.0)


def _filled(artist: PathCollection) -> bool:
    fc = artist.get_facecolor()
    return bool(len(fc) and np.asarray(fc)[:, 3].max() > 0)


def _points_in_view(ax: Axes, artist: Artist) -> bool:
    pts = _display_points(ax, artist, step=None)
    if pts is None or len(pts) == 0:
        return False
    box = ax.bbox
    inside = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
    return bool(inside.any())


def _artist_name(artist: Artist) -> str:
    label = artist.get_label()
    kind = type(artist).__name__
    return f'{kind} "{label}"' if label and not label.startswith("_") else kind


def _text_boxes(fig: Figure, renderer) -> list[tuple[str, str, Bbox, object]]:
    """(kind, name, box, owner) for every visible, non-empty text-like element of the figure.

    kind: "tick" (owner: the Axis), "text" (titles, axis labels, annotations, texts), "legend"."""
    boxes = []

    def add(kind: str, name: str, artist: Artist, owner: object = None) -> None:
        if not artist.get_visible():
            return
        if isinstance(artist, Text) and not artist.get_text().strip():
            return
        box = (
            Text.get_window_extent(artist, renderer)
            if isinstance(artist, Text)
            else artist.get_window_extent(renderer)
        )
        if box.width <= 0 or box.height <= 0:
            return
        boxes.append((kind, name, box, owner))

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        an = axes_name(fig, ax)
        for axis_name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible():
                continue
            for tick in _drawn_ticks(axis):
                for label in (tick.label1, tick.label2):
                    add("tick", f'{an}: {axis_name} tick label "{_plain(label.get_text())}"', label, axis)
            add("text", f'{an}: {axis_name} label "{axis.label.get_text()}"', axis.label)
            add(
                "text",
                f'{an}: {axis_name} offset "{axis.get_offset_text().get_text()}"',
                axis.get_offset_text(),
            )
        for t in (ax.title, ax._left_title, ax._right_title):
            add("text", f'{an}: title "{t.get_text()}"', t)
        for t in ax.texts:
            add("text", f'{an}: text "{t.get_text()}"', t)
        for k, legend in enumerate(legends_of(ax)):
            add("legend", f"{an}: legend" + (f" {k + 1}" if k else ""), legend)
    titles = [
        t for attr in ("_suptitle", "_supxlabel", "_supylabel") if (t := getattr(fig, attr, None)) is not None
    ]
    for t in titles:
        add("text", f'figure title "{t.get_text()}"', t)
    for t in fig.texts:
        if not any(t is title for title in titles):  # fig.texts holds the suptitle too
            add("text", f'figure text "{t.get_text()}"', t)
    for i, legend in enumerate(fig.legends):
        add("legend", f"figure legend {i + 1}", legend)
    return boxes


def _plain(text: str) -> str:
    """A label as a reader sees it: mathtext's ``$\\mathdefault{2\\times10^{-1}}$`` as ``2×10^-1``."""
    out = text.replace("$", "").replace("\\mathdefault", "").replace("\\times", "×").replace("\\cdot", "·")
    out = out.replace("^{", "^").replace("{", "").replace("}", "").replace("\\,", " ").replace("\\", "")
    return out


def _drawn_ticks(axis) -> list:
    """The ticks the axis draws (major and minor, inside the view), as matplotlib's own draw selects them."""
    return list(axis._update_ticks())


def _overlap(a: Bbox, b: Bbox, scale: float) -> bool:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * scale > OVERLAP_PX and h * scale > OVERLAP_PX


def check_overlaps(fig: Figure, renderer, scale: float = 1.0) -> list[str]:
    """Tick labels of one axis that overlap; texts that overlap texts, tick labels or legends."""
    problems = []
    boxes = _text_boxes(fig, renderer)
    for (_, n1, b1, _), (_, n2, b2, _) in itertools.combinations(boxes, 2):
        if _overlap(b1, b2, scale):
            head1, _, tail1 = n1.rpartition(": ")
            head2, _, tail2 = n2.rpartition(": ")
            if head1 and head1 == head2:  # one Axes: name it once
                problems.append(f"{head1}: {tail1} overlaps {tail2}")
            else:
                problems.append(f"{n1} overlaps {n2}")
    return problems


def legends_of(ax: Axes) -> list[Legend]:
    """Every legend drawn on ``ax``: ``ax.legend()``'s and those kept with ``ax.add_artist``."""
    found = [a for a in ax.get_children() if isinstance(a, Legend)]
    return found


def _legend_texts(legend: Legend | None) -> set[str]:
    return set() if legend is None else {t.get_text() for t in legend.get_texts()}


def _labelled(ax: Axes) -> Iterator[Artist | Container]:
    for artist in itertools.chain(ax.lines, ax.collections, ax.patches, ax.images, ax.containers):
        label = artist.get_label()
        if label and not str(label).startswith("_"):
            if isinstance(artist, Artist) and not artist.get_visible():
                continue
            yield artist


def check_legends(fig: Figure, renderer) -> list[str]:
    """Labelled artists missing from every legend of their Axes and Figure; legends that hide data."""
    problems = []
    figure_texts = set().union(*(_legend_texts(lg) for lg in fig.legends)) if fig.legends else set()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        # the key may be any legend of the figure: one panel's legend often serves its neighbours
        texts = figure_texts.union(*(_legend_texts(lg) for other in fig.axes for lg in legends_of(other)))
        for artist in _labelled(ax):
            if str(artist.get_label()) not in texts:
                kind = type(artist).__name__
                problems.append(f'{axes_name(fig, ax)}: {kind} "{artist.get_label()}" has no legend entry')
        for legend in legends_of(ax):
            if not legend.get_visible():
                continue
            box = legend.get_window_extent(renderer)
            for artist in _data(ax):
                pts = _display_points(ax, artist, step=3.0) if artist.get_visible() else None
                if pts is None:
                    continue
                shown = pts[_within(pts, ax.bbox)]
                if not len(shown):
                    continue
                covered = _within(shown, box)
                share = float(covered.mean())
                if share > LEGEND_COVER and int(covered.sum()) >= 3:
                    name = _artist_name(artist)
                    problems.append(
                        f"{axes_name(fig, ax)}: the legend covers {share:.0%} of {name}'s plotted points"
                    )
    return problems


def _within(pts: np.ndarray, box: Bbox) -> np.ndarray:
    return (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)


def _display_points(ax: Axes, artist: Artist, step: float | None) -> np.ndarray | None:
    """An artist's points in display coordinates; a line's segments sampled every ``step`` pixels."""
    if isinstance(artist, Line2D):
        xy = np.asarray(artist.get_xydata(), dtype=float)
        if xy.size == 0:
            return None
        pts = artist.get_transform().transform(xy)
        pts = pts[np.isfinite(pts).all(axis=1)]
        has_line = artist.get_linestyle() not in ("None", "none", "", " ") and artist.get_linewidth() > 0
        if step and has_line and len(pts) > 1:
            out = [pts[:1]]
            for a, b in zip(pts[:-1], pts[1:], strict=True):
                n = max(1, int(np.hypot(*(b - a)) / step))
                out.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
            pts = np.concatenate(out)
        return pts
    if isinstance(artist, Collection):
        offsets = np.asarray(artist.get_offsets(), dtype=float)
        if offsets.size == 0 or not isinstance(artist, PathCollection):
            return None
        pts = artist.get_offset_transform().transform(offsets)
        return pts[np.isfinite(pts).all(axis=1)]
    return None


def _round(x: float) -> bool:
    """A value someone chose (0.2, 25, 128, 3e-3): at most three significant digits."""
    return x == 0 or np.isclose(x, float(f"{x:.3g}"), rtol=1e-9, atol=0)


def check_categories(fig: Figure, renderer) -> list[str]:
    """Axes whose lines share a few x values (log or unevenly spaced) without a labelled tick at each."""
    problems = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.xaxis.get_visible():
            continue
        candidates: list[tuple[frozenset, bool]] = []
        for line in ax.lines:
            if not line.get_visible() or line.get_transform() != ax.transData:
                continue
            x = np.asarray(line.get_xdata(orig=False), dtype=float)
            distinct = np.unique(x[np.isfinite(x)])
            if 3 <= len(distinct) <= MAX_CATEGORIES:
                joined = line.get_linestyle() not in ("None", "none", "", " ") and line.get_linewidth() > 0
                candidates.append((frozenset(distinct.tolist()), joined))
        # a grid: x values that two lines share, or the round x values of a joined line (a sweep of
        # chosen settings); markers alone at a few x values (spike times) and a line through measured
        # x values (a Pareto front) are not categories
        values: set[float] = set()
        for i, (xs_i, joined) in enumerate(candidates):
            shared = any(xs_i == xs_j for j, (xs_j, _) in enumerate(candidates) if j != i)
            if shared or joined and all(_round(x) for x in xs_i):
                values |= xs_i
        if not 2 <= len(values) <= MAX_CATEGORIES:
            continue
        xs = np.array(sorted(values))
        log = ax.get_xscale() == "log"
        gaps = np.diff(np.log(xs) if log and (xs > 0).all() else xs)
        uneven = not np.allclose(gaps, gaps[0], rtol=1e-6, atol=0)
        if not (log or uneven):
            continue
        labelled = [
            t.get_loc()
            for t in _drawn_ticks(ax.xaxis)
            if t.label1.get_visible() and t.label1.get_text().strip()
        ]
        trans = ax.transData
        tick_px = [trans.transform((loc, 0))[0] for loc in labelled]
        missing = []
        for x in xs:
            px = trans.transform((x, 0))[0]
            if not any(abs(px - t) < 1.0 for t in tick_px):
                missing.append(x)
        if missing:
            shown = ", ".join(f"{x:g}" for x in missing)
            problems.append(
                f"{axes_name(fig, ax)}: the lines share the x values {', '.join(f'{x:g}' for x in xs)}"
                f"{' on a log axis' if log else ' (unevenly spaced)'}, and {shown} has no labelled tick"
            )
    return problems


# ---- rendering ---------------------------------------------------------------------------------


def _drawn_renderer(fig: Figure):
    """A renderer after a draw at the figure's dpi, so that ticks and extents are current."""
    with _inside():
        fig.draw_without_rendering()
        return fig._get_renderer()


def _render(fig: Figure, dpi: float) -> np.ndarray:
    """The figure as an RGBA uint8 array at ``dpi``: the whole canvas, whatever ``savefig.bbox`` says."""
    from matplotlib.image import imread

    buf = io.BytesIO()
    with _inside():
        fig.savefig(
            buf,
            format="png",
            dpi=dpi,
            facecolor="white",
            edgecolor="white",
            transparent=False,
            bbox_inches=fig.bbox_inches,
        )
    buf.seek(0)
    image = imread(buf, format="png")
    if image.dtype != np.uint8:
        image = np.round(image * 255).astype(np.uint8)
    if image.shape[2] == 3:
        image = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
    return image


def _render_without(fig: Figure, dpi: float, artists: Iterable[Artist]) -> np.ndarray:
    artists = [a for a in artists if a.get_visible()]
    for a in artists:
        a.set_visible(False)
    try:
        return _render(fig, dpi)
    finally:
        for a in artists:
            a.set_visible(True)


class _inside:
    """Marks the check's own renders, which the wrapped print_figure must not check again."""

    def __enter__(self):
        _state.depth = getattr(_state, "depth", 0) + 1

    def __exit__(self, *exc):
        _state.depth -= 1


# ---- the hook ----------------------------------------------------------------------------------


def install() -> None:
    """Check every figure when it is printed (displayed or saved): problems go to stderr."""
    from matplotlib.backend_bases import FigureCanvasBase

    if getattr(FigureCanvasBase.print_figure, "_figure_check", False):
        return
    original = FigureCanvasBase.print_figure

    def print_figure(self, filename, dpi=None, *args, **kwargs):
        result = original(self, filename, dpi, *args, **kwargs)
        if getattr(_state, "depth", 0) == 0:
            report(self.figure, dpi)
        return result

    print_figure._figure_check = True
    print_figure.__wrapped__ = original
    FigureCanvasBase.print_figure = print_figure


def report(fig: Figure, dpi: float | str | None = None) -> list[str]:
    """Run the check on ``fig`` and print each problem to stderr, ``figure check: ...``."""
    import matplotlib

    if dpi in (None, "figure"):
        dpi = matplotlib.rcParams["savefig.dpi"]
    if dpi == "figure":
        dpi = fig.dpi
    try:
        problems = check_figure(fig, float(dpi))
    except Exception as error:  # the check must not hide a figure; it says that it could not look
        problems = [f"the check itself failed ({type(error).__name__}: {error})"]
    for line in problems:
        print(PREFIX + line, file=sys.stderr, flush=True)
    return problems


def main(argv: list[str]) -> int:
    """``python tools/figcheck.py NOTEBOOK ...``: execute each notebook (in memory, never in place) with
    the check, print ``NOTEBOOK cell N: figure check: ...`` per problem; exit status 1 if any. Strict
    nbval only says "Unexpected output fields from running code: {'stderr'}"; this names the problem."""
    import os
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from course_files import NOTEBOOK_ENV, figure_check_env

    os.environ.update(NOTEBOOK_ENV)
    os.environ.update(figure_check_env())
    failed = False
    for name in argv:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    for line in out.get("text", "").splitlines():
                        if line.startswith(PREFIX):
                            print(f"{name} cell {i}: {line}", flush=True)
                            failed = True
    return 1 if failed else 0


def uninstall() -> None:
    """Undo `install()` (for tests)."""
    from matplotlib.backend_bases import FigureCanvasBase

    wrapped = getattr(FigureCanvasBase.print_figure, "__wrapped__", None)
    if wrapped is not None and getattr(FigureCanvasBase.print_figure, "_figure_check", False):
        FigureCanvasBase.print_figure = wrapped


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
