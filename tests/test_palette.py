"""Colours for every eye (issue 24 part 3): the course's palette and the fixed colours of its figures stay
apart for readers with deuteranopia, protanopia and tritanopia, simulated with colorspacious.

The simulation is colorspacious's "sRGB1+CVD" space (the model of Machado, Oliveira & Fernandes 2009) at
severity 100, i.e. the full dichromacy: deuteranopia ("deuteranomaly" at 100), protanopia, tritanopia. Two
colours are compared by their Euclidean distance in CAM02-UCS (Luo, Cui & Li 2006), a space built so
that this distance follows the perceived difference, about 1 for a just-noticeable difference between
large patches. Figures draw thin lines and small markers, for which a difference must be several times
larger to be seen (Stone, Szafir & Setlur 2014, "An Engineering Model for Color Difference as a Function
of Size"; Szafir 2018, "Modeling Color Difference for Visualization Design", IEEE TVCG 24(1)). We ask
MIN_DISTANCE = 10, ten such differences: the Okabe-Ito palette's closest pair under the three
simulations is at 11.0 (orange and reddish purple, tritanopia); matplotlib's default colours fall to 1.6
(its orange and green, protanopia) and fail.
"""

from __future__ import annotations

import itertools
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from colorspacious import cspace_convert  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from snn_helpers.core import plotting  # noqa: E402
from tools.course_files import course_notebooks  # noqa: E402

MIN_DISTANCE = 10.0  # CAM02-UCS units; the module docstring gives the reason
DEFICIENCIES = {"deuteranopia": "deuteranomaly", "protanopia": "protanomaly", "tritanopia": "tritanomaly"}


@pytest.fixture(autouse=True)
def _course_style():
    with plt.rc_context():
        plotting.use_course_style()
        yield
    plt.close("all")


def seen(color: str, deficiency: str | None) -> np.ndarray:
    """The colour in CAM02-UCS, as a reader with the deficiency (None: normal vision) sees it."""
    rgb = np.array(to_rgb(color))
    if deficiency is not None:
        space = {"name": "sRGB1+CVD", "cvd_type": DEFICIENCIES[deficiency], "severity": 100}
        rgb = np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def distance(a: str, b: str, deficiency: str | None) -> float:
    return float(np.linalg.norm(seen(a, deficiency) - seen(b, deficiency)))


def too_close(colors, names=None) -> list[str]:
    """Each pair of (distinct) colours closer than MIN_DISTANCE for some reader: 'a / b: 5.2 (deuteranopia)'."""
    names = names or {}
    close = []
    for a, b in itertools.combinations(dict.fromkeys(colors), 2):
        if to_rgb(a) == to_rgb(b):
            continue
        for deficiency in (None, *DEFICIENCIES):
            d = distance(a, b, deficiency)
            if d < MIN_DISTANCE:
                close.append(
                    f"{names.get(a, a)} / {names.get(b, b)}: {d:.1f} ({deficiency or 'normal vision'})"
                )
    return close


def test_the_distance_is_colorspacious_cam02_ucs():
    # hand-checkable ends: black and white are 100 apart in lightness for every reader; a colour and itself 0
    for deficiency in (None, *DEFICIENCIES):
        assert distance("black", "white", deficiency) == pytest.approx(100.0, abs=0.1)
        assert distance("#0072B2", "#0072B2", deficiency) == 0.0


def test_every_pair_of_the_palette_stays_apart_for_every_reader():
    names = {color: name for name, color in plotting.OKABE_ITO.items()}
    assert too_close(plotting.PALETTE, names) == []
    closest = min(
        distance(a, b, d) for a, b in itertools.combinations(plotting.PALETTE, 2) for d in DEFICIENCIES
    )
    assert closest == pytest.approx(
        11.0, abs=0.1
    )  # the docstring's number: orange / reddish purple, tritanopia


def test_the_course_style_cycles_the_palette():
    assert [plt.matplotlib.colors.to_hex(f"C{k}") for k in range(8)] == [c.lower() for c in plotting.PALETTE]


@pytest.mark.parametrize(
    ("palette", "expected"),
    [
        (("tab:red", "tab:green"), "tab:red / tab:green: 5.2 (deuteranopia)"),
        (("red", "green"), "red / green: 8.5 (protanopia)"),
        (("tab:orange", "tab:green"), "tab:orange / tab:green: 1.6 (protanopia)"),  # matplotlib's C1 / C2
    ],
)
def test_a_red_green_palette_fails(palette, expected):
    assert expected in too_close(palette)


# The fixed colours of the library's figures, read from the figures themselves


def line_colors(ax) -> list[str]:
    return [plt.matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()]


def test_plot_membrane_trace_threshold_and_spikes():
    membrane, spikes = torch.tensor([0.5, 1.0, 0.0, 0.5]), torch.tensor([0.0, 1.0, 0.0, 0.0])
    fig, ax = plotting.plot_membrane(membrane, spikes)
    trace, threshold, spike = ax.get_lines()
    assert too_close(line_colors(ax)) == []
    # the threshold and the spikes share a colour: shapes tell them apart (dashed line, triangles)
    assert threshold.get_linestyle() == "--" and spike.get_marker() == "v" and spike.get_linestyle() == "None"
    assert trace.get_linestyle() == "-" and trace.get_marker() == "."


def test_plot_unrolled_if_four_kinds_apart_in_colour_and_in_style():
    fig, ax = plotting.plot_unrolled_if(3)
    handles = ax.get_legend().legend_handles
    assert too_close([plt.matplotlib.colors.to_hex(h.get_color()) for h in handles]) == []
    looks = {(h.get_linestyle(), h.get_linewidth()) for h in handles}
    assert len(looks) == len(handles) == 4  # each kind also its own style and width


def test_plot_surrogates_colours_apart_and_each_its_own_line_style():
    fig, ax = plotting.plot_surrogates()
    assert too_close(line_colors(ax)) == []
    # get_linestyle() answers "--" for every custom dash pattern: compare the patterns themselves
    dashes = {repr(line._unscaled_dash_pattern) for line in ax.get_lines()}
    assert len(dashes) == len(ax.get_lines()) == len(plotting.SURROGATES)


def test_plot_loss_curves_differ_in_line_style_as_well_as_colour():
    fig, ax = plotting.plot_loss({"a": [1.0, 0.5], "b": [1.0, 0.4], "c": [1.0, 0.3]})
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--", "-."]
    assert too_close(line_colors(ax)) == []


# The fixed colours named in the notebooks' figure cells ("red", "C3", "0.35", "k:" ...), used together

COLOR_ARGUMENT = re.compile(
    r"""\b(?:color|c|mfc|mec|markerfacecolor|markeredgecolor|facecolor|edgecolor|fc|ec)\s*=\s*["']([^"']+)["']"""
)
FORMAT = re.compile(r"""["']([-.:os^vDx]*[bgrcmyk][-.:os^vDx]*)["']""")  # a plot format such as "k:"


def named_colors(source: str) -> list[str]:
    found = [c for c in COLOR_ARGUMENT.findall(source) if c != "none"]
    found += [next(ch for ch in fmt if ch in "bgrcmyk") for fmt in FORMAT.findall(source) if len(fmt) > 1]
    return found


def test_the_colour_finder_reads_arguments_and_formats():
    source = 'ax.plot(x, "k:")\nax.axvline(1, color="red")\nax.plot(y, mfc="none", mec="C3")\nax.legend(loc="best")'
    assert named_colors(source) == ["red", "C3", "k"]
    # planted: a "red" threshold beside a vermillion (C3) curve is one colour for a deuteranope
    assert too_close(named_colors(source)) == ["red / C3: 1.8 (deuteranopia)", "red / C3: 7.7 (protanopia)"]


FIGURE_CELLS = [
    (path.name, cell)
    for path in course_notebooks()
    for cell in nbformat.read(path, as_version=4).cells
    if cell.cell_type == "code" and any("image/png" in o.get("data", {}) for o in cell.outputs)
]


@pytest.mark.parametrize(("notebook", "cell"), FIGURE_CELLS, ids=[f"{n}-{c.id}" for n, c in FIGURE_CELLS])
def test_the_colours_a_figure_names_stay_apart(notebook, cell):
    assert too_close(named_colors(cell.source)) == [], f"{notebook} cell {cell.id}"
