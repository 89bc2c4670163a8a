"""The figure check (tools/figcheck.py): deliberately broken figures are caught, a clean one passes;
the hook prints to stderr; no stored notebook output carries a ``figure check:`` line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course_files  # noqa: E402
import figcheck  # noqa: E402

DPI = 100


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def figure(width: float = 6.0, height: float = 3.5):
    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    return fig, ax


def clean_figure():
    fig, ax = figure()
    x = np.linspace(0, 10, 50)
    ax.plot(x, np.sin(x), "-", label="sine")
    ax.plot(x, np.cos(x), "--", label="cosine")
    ax.legend(loc="lower left")
    ax.set(title="Two waves", xlabel="time (s)", ylabel="value", ylim=(-1.2, 2.5))
    return fig


def test_a_clean_figure_passes():
    assert figcheck.check_figure(clean_figure(), DPI) == []


def test_an_invisible_raster_is_caught():
    # 169 spikes as ticks of 0.1 point: under a pixel at dpi 100
    fig, ax = figure()
    rng = np.random.default_rng(0)
    t, n = rng.integers(0, 10, 169), rng.integers(0, 128, 169)
    ax.scatter(t, n, marker="|", s=0.01, linewidths=0.1, color="black")
    ax.set(title="hidden spikes (169)", xlabel="step", ylabel="neuron")
    problems = figcheck.check_figure(fig, DPI)
    assert any(
        p.startswith('axes 1 "hidden spikes (169)" draws nothing visible at the stored size')
        for p in problems
    )
    assert any("the markers of PathCollection are 0.14 px, under a pixel" in p for p in problems), problems


def test_a_visible_raster_passes():
    fig, ax = figure()
    rng = np.random.default_rng(0)
    ax.scatter(rng.integers(0, 10, 169), rng.integers(0, 128, 169), marker="|", s=4.0**2, linewidths=1.5)
    ax.set(title="hidden spikes (169)", xlabel="step", ylabel="neuron")
    assert figcheck.check_figure(fig, DPI) == []


def test_data_outside_the_view_draws_nothing():
    fig, ax = figure()
    ax.plot([0, 1], [5, 6], "-")
    ax.set(ylim=(0, 1), title="clipped")
    problems = figcheck.check_figure(fig, DPI)
    assert len(problems) == 1 and problems[0].startswith('axes 1 "clipped" draws nothing visible'), problems


def test_overlapping_minor_tick_labels_of_a_log_axis():
    # a log axis over less than a decade labels its minor ticks: 3x10^-1 and 4x10^-1 collide when narrow
    fig, ax = figure(2.0, 2.0)
    ax.plot([0.25, 0.9], [1, 2], "o-")
    ax.set_xscale("log")
    problems = figcheck.check_figure(fig, DPI)
    overlaps = [p for p in problems if "tick label" in p and " overlaps " in p]
    assert 'axes 1: x tick label "3×10^-1" overlaps x tick label "4×10^-1"' in overlaps, problems


def test_an_annotation_over_a_tick_label():
    fig, ax = figure()
    ax.plot([0, 1], [0, 1], "-")
    ax.annotate("threshold", xy=(0.5, 0.5), xytext=(0.0, -0.1), textcoords="data", annotation_clip=False)
    assert figcheck.check_figure(fig, DPI) == ['axes 1: x tick label "0.0" overlaps text "threshold"']


def test_a_labelled_line_missing_from_the_legend():
    fig, ax = figure()
    x = np.linspace(0, 1, 20)
    ax.plot(x, x, "-", label="shown")
    ax.legend(loc="upper left")
    ax.plot(x, x**2, "--", label="forgotten")  # added after the legend was made
    ax.plot(x, x**3, ":", label="_hidden on purpose")
    assert figcheck.check_figure(fig, DPI) == ['axes 1: Line2D "forgotten" has no legend entry']


def test_labelled_lines_without_any_legend():
    fig, ax = figure()
    ax.plot([0, 1], [0, 1], "-", label="a")
    assert figcheck.check_figure(fig, DPI) == ['axes 1: Line2D "a" has no legend entry']


def test_a_figure_legend_counts():
    fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3.5), dpi=DPI)
    a.plot([0, 1], [0, 1], "-", label="one")
    b.plot([0, 1], [1, 0], "--", label="two")
    fig.legend(loc="outside upper center", ncols=2)
    assert [p for p in figcheck.check_figure(fig, DPI) if "legend" in p] == []


def test_a_legend_that_hides_the_data():
    fig, ax = figure(3.0, 2.0)
    x = np.linspace(0, 1, 200)
    ax.plot(x, np.full_like(x, 0.5), "-", label="a long label that makes a wide legend box")
    ax.set_ylim(0, 1)
    ax.legend(loc="center", fontsize=12)
    problems = figcheck.check_figure(fig, DPI)
    assert any(p.startswith("axes 1: the legend covers") for p in problems), problems


def test_categories_on_a_log_axis_need_a_tick_each():
    # a grid at widths 0.2, 1, 5 on a log axis: matplotlib labels 10^0 only (and maybe 10^-1), not 5
    fig, ax = figure()
    widths = [0.2, 1, 5]
    ax.plot(widths, [0.3, 0.8, 0.85], "o-", label="area 1")
    ax.plot(widths, [0.3, 0.6, 0.87], "s--", label="peak 1")
    ax.set_xscale("log")
    ax.legend()
    problems = [p for p in figcheck.check_figure(fig, DPI) if "x values" in p]
    assert len(problems) == 1, problems
    assert problems[0].startswith("axes 1: the lines share the x values 0.2, 1, 5 on a log axis, and ")
    assert problems[0].endswith("5 has no labelled tick")
    ax.set_xticks(widths, ["0.2", "1", "5"])
    ax.minorticks_off()
    assert figcheck.check_figure(fig, DPI) == []


def test_evenly_spaced_values_on_a_linear_axis_are_not_categories():
    fig, ax = figure()
    ax.plot([1, 2, 3, 4, 5, 6, 7], [1, 3, 2, 4, 3, 5, 4], "o-")
    assert figcheck.check_figure(fig, DPI) == []


def test_the_hook_prints_to_stderr(capsys):
    figcheck.install()
    try:
        fig, ax = figure()
        ax.plot([0, 1], [0, 1], "-", label="a")
        fig.savefig(Path("/dev/null"), format="png")
        plt.close(fig)
        clean_figure().savefig(Path("/dev/null"), format="png")
    finally:
        figcheck.uninstall()
    err = capsys.readouterr().err
    assert err == 'figure check: axes 1: Line2D "a" has no legend entry\n'


def test_the_kernels_get_the_check(tmp_path):
    """An IPython kernel started with the environment of course_files runs the check at display."""
    env = course_files.figure_check_env()
    startup = Path(env["IPYTHONDIR"]) / "profile_default" / "startup"
    assert [p.name for p in startup.iterdir()] == ["00-course-figure-check.py"]
    code = (
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\nax.plot([0, 1], [0, 1], label='a')\nplt.show()\n"
        "print(sorted(k for k in dir() if not k.startswith('_') and k not in ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')))\n"
    )
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "probe.ipynb"
    path.write_text(json.dumps(nb))
    run = subprocess.run(
        [sys.executable, "-c", RUN_ONE, str(path)],
        env={**__import__("os").environ, **course_files.NOTEBOOK_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    outputs = json.loads(run.stdout)
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    stdout = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert stderr == 'figure check: axes 1: Line2D "a" has no legend entry\n'
    assert stdout == "['ax', 'fig', 'plt']\n"  # the startup file leaves no name in the notebook


RUN_ONE = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=100, kernel_name="python3").execute()
print(json.dumps(nb.cells[0].outputs))
"""


@pytest.mark.parametrize(
    "path",
    course_files.course_notebooks() + sorted((ROOT / "notebooks" / "ja").glob(course_files.NOTEBOOK_PATTERN)),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_stored_output_carries_a_figure_problem(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = [
        f"cell {i}: {line}"
        for i, cell in enumerate(nb["cells"])
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        for line in "".join(out.get("text", "")).splitlines()
        if line.startswith(figcheck.PREFIX)
    ]
    assert not found, "\n".join(found)


def test_one_panels_legend_serves_its_neighbour():
    fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3.5), dpi=DPI)
    for ax in (a, b):
        ax.plot([0, 1, 2], [0, 1, 0], "-", label="membrane")
    a.legend()
    assert figcheck.check_figure(fig, DPI) == []


def test_markers_at_a_few_times_are_not_categories():
    # spike times of one neuron, drawn as markers over its membrane trace: events, not a grid
    fig, ax = figure()
    t = np.arange(60)
    ax.plot(t, np.sin(t / 5), "-", label="membrane")
    ax.plot([13, 20, 24, 41], [1, 1, 1, 1], "v", label="spike")
    ax.legend(loc="lower left")
    ax.set_ylim(-1.5, 2)
    assert figcheck.check_figure(fig, DPI) == []


def test_a_suptitle_is_not_its_own_overlap():
    fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3.5), dpi=DPI, layout="constrained")
    a.plot([0, 1, 2], [0, 1, 0], "-")
    b.plot([0, 1, 2], [1, 0, 1], "--")
    fig.suptitle("First training images (8 x 8 pixels)")
    assert figcheck.check_figure(fig, DPI) == []


def test_a_text_over_the_suptitle():
    fig, ax = figure()
    ax.plot([0, 1, 2], [0, 1, 0], "-")
    fig.suptitle("A title")
    fig.text(0.5, 0.98, "a note", ha="center", va="top")
    assert figcheck.check_figure(fig, DPI) == ['figure title "A title" overlaps figure text "a note"']


def test_a_legend_over_part_of_one_curve():
    # notebook 04's loss figure: a centred legend hides a stretch of one floor curve
    fig, ax = figure()
    x = np.arange(100)
    ax.semilogy(x, 0.19 * np.exp(-x / 150), "-", label="loss, default")
    ax.semilogy(x, 0.14 * np.exp(-x / 150), ":", label="floor, default")
    ax.semilogy(x, 0.08 * np.exp(-x / 40), "-", label="loss, uniform")
    ax.semilogy(x, 0.04 * np.exp(-x / 40), ":", label="floor, uniform")
    ax.legend(loc="center")
    problems = figcheck.check_figure(fig, DPI)
    assert any(p.startswith("axes 1: the legend covers") for p in problems), problems


def test_a_legend_kept_with_add_artist_counts():
    # notebook 08's grid: the families' legend kept with add_artist, then a second legend of styles
    from matplotlib.lines import Line2D

    fig, ax = figure(8.5, 4)
    ax.plot([0, 1, 2], [0, 1, 0], "-o", label="fast_sigmoid")
    ax.add_artist(ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0)))
    styles = [Line2D([], [], color="grey", linestyle="-", label="matched in area")]
    ax.legend(handles=styles, loc="lower left", bbox_to_anchor=(1.01, 0.0))
    fig.tight_layout()
    assert figcheck.check_figure(fig, DPI) == []
    assert len(figcheck.legends_of(ax)) == 2


def test_a_front_through_measured_values_is_not_a_grid():
    # notebook 11's accuracy against operations: both coordinates are measurements
    fig, ax = figure()
    ax.plot([2066.01, 2212.53, 2513.46, 2707.14], [0.90, 0.92, 0.93, 0.94], "o-", label="rate code")
    ax.plot([12444.4, 12864.0, 13223.0, 13687.4], [0.88, 0.91, 0.92, 0.93], "s--", label="latency code")
    ax.set_xscale("log")
    ax.legend(loc="lower right")
    assert figcheck.check_categories(fig, None) == []


def test_a_single_sweep_of_chosen_values_is_a_grid():
    fig, ax = figure()
    ax.plot([10, 25, 50, 100, 200], [1, 2, 3, 4, 5], "o-")
    problems = figcheck.check_figure(fig, DPI)
    assert len(problems) == 1 and problems[0].startswith(
        "axes 1: the lines share the x values 10, 25, 50, 100, 200"
    )


def test_regenerate_refuses_a_notebook_whose_figure_has_a_problem(tmp_path):
    code = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1], [0, 1], label='a')\nplt.show()"
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "99_planted.ipynb"
    path.write_text(json.dumps(nb))
    before = path.read_bytes()
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "regenerate.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 1
    assert path.read_bytes() == before  # not written
    assert 'cell 0: figure check: axes 1: Line2D "a" has no legend entry' in run.stderr
    assert run.stderr.rstrip().endswith(f"not written: {path}")


def test_the_command_line_names_the_cell(tmp_path):
    code = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1], [0, 1], label='a')\nplt.show()"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "A figure:"},
        {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None},
    ]
    path = tmp_path / "99_planted.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    before = path.read_bytes()
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "figcheck.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout == f'{path} cell 1: figure check: axes 1: Line2D "a" has no legend entry\n'
    assert path.read_bytes() == before


def test_a_tight_savefig_setting_does_not_change_the_measure():
    with matplotlib.rc_context({"savefig.bbox": "tight"}):
        test_an_invisible_raster_is_caught()
        assert figcheck.check_figure(clean_figure(), DPI) == []
