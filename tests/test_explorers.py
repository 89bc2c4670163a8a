"""The explorers (snn_helpers/course/explorers.py): each plain drawing function against hand-worked values
and closed forms, its bad arguments, the sliders redrawing the figure, and what a stored notebook keeps."""

import base64
import html
import math
import sys

import matplotlib.pyplot as plt
import nbformat
import pytest

from snn_helpers import use_course_style
from snn_helpers.course import explorers as E
from tools.course_files import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import figcheck  # noqa: E402
from regenerate import WIDGET_VIEW, normalize  # noqa: E402

EXPLORER_NOTEBOOKS = ["01_spike_function", "02_if_neuron", "09_leak", "12_temporal"]


@pytest.fixture(autouse=True)
def course_style():
    with plt.rc_context():
        use_course_style()
        yield


def clean(drawing):
    assert figcheck.check_figure(drawing.figure, 100) == [], "the figure check finds a problem"
    return drawing.numbers


# --- 01: the surrogate ---------------------------------------------------------------------------------

# closed forms of the full width at half height: (1 + k|x|)^2 = 2; sig(kx)(1 - sig(kx)) = 1/8, i.e.
# kx = ln(3 + 2 sqrt 2); (pi k x / 2)^2 = 1; 1 - k|x| = 1/2; the boxcar's window 1/k
WIDTHS = {
    "fast_sigmoid": lambda k: 2 * (math.sqrt(2) - 1) / k,
    "sigmoid": lambda k: 2 * math.log(3 + 2 * math.sqrt(2)) / k,
    "atan": lambda k: 4 / (math.pi * k),
    "triangle": lambda k: 1 / k,
    "boxcar": lambda k: 1 / k,
}
PEAKS = {"fast_sigmoid": lambda k: 1.0, "sigmoid": lambda k: k / 4, "atan": lambda k: k / 2}
PEAKS |= {"triangle": lambda k: k, "boxcar": lambda k: k}


@pytest.mark.parametrize("name", list(WIDTHS))
@pytest.mark.parametrize("k", [None, 2.0])
def test_surrogate_peak_and_width_are_the_closed_forms(name, k):
    n = clean(E.draw_surrogate(name, k))
    k = n["slope"]
    assert n["slope"] == (k if k is not None else E.SURROGATES[name].default_slope)
    assert n["peak"] == pytest.approx(PEAKS[name](k), abs=1e-3 * PEAKS[name](k))
    assert n["half_width"] == pytest.approx(WIDTHS[name](k), abs=2e-3)


def test_surrogate_area_is_the_integral_over_the_window():
    # the fast sigmoid over [-2, 2]: 2 * (1/k) * (1 - 1/(1 + 2k)) = 4 / (1 + 2k); the triangle's whole area, 1
    assert E.draw_surrogate("fast_sigmoid", 10.0).numbers["area"] == pytest.approx(
        4 / 21, abs=1e-5
    )  # trapezoids
    assert E.draw_surrogate("triangle", 1.0).numbers["area"] == pytest.approx(1.0, abs=1e-9)
    post = clean(E.draw_surrogate("post"))  # G is ReLU: it rises by 2 over [0, 2] (one grid step lost)
    assert post["slope"] is None and post["half_width"] is None and post["area"] == pytest.approx(2, abs=1e-3)


def test_surrogate_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="surrogate must be one of"):
        E.draw_surrogate("relu")
    with pytest.raises(ValueError, match="slope must be a positive number; got -1"):
        E.draw_surrogate("sigmoid", -1.0)
    with pytest.raises(TypeError, match="slope must be a positive number; got str"):
        E.draw_surrogate("sigmoid", "4")
    with pytest.raises(ValueError, match="slope is not used by surrogate 'post'"):
        E.draw_surrogate("post", 2.0)


# --- 02: the IF neuron -----------------------------------------------------------------------------------


def test_if_neuron_fires_where_the_hand_worked_steps_say():
    n = clean(E.draw_if_neuron(0.3, 1.0, "zero"))  # 0.3, 0.6, 0.9, 1.2: fires every 4th step
    assert n["spike_times"] == [3, 7, 11, 15, 19, 23, 27] and n["spikes"] == 7
    # rows 0.075 ... 0.6: floor(1/I) + 1 steps a period, 30 // period spikes (a spike at step p-1, 2p-1, ...)
    periods = [math.floor(1 / c + 1e-9) + 1 for c in n["row_currents"]]
    assert n["row_counts"] == [30 // p for p in periods] == [2, 4, 6, 7, 10, 10, 15, 15]


def test_if_neuron_threshold_and_subtract_reset():
    n = clean(E.draw_if_neuron(0.5, 2.0, "zero"))  # 0.5, 1.0, 1.5, 2.0 (not above), 2.5: every 5th step
    assert n["spike_times"] == [4, 9, 14, 19, 24, 29]
    n = clean(E.draw_if_neuron(0.75, 1.0, "subtract"))  # v: 0.75, 1.5*, 1.25*, 1.0, 1.75*, ... rate 3/4
    assert n["spike_times"][:3] == [1, 2, 4] and n["spikes"] == 22  # 30 * 0.75 = 22.5 thresholds


def test_if_neuron_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="current must be a positive number; got 0"):
        E.draw_if_neuron(0.0)
    with pytest.raises(ValueError, match="threshold must be a positive number"):
        E.draw_if_neuron(0.3, -1.0)
    with pytest.raises(ValueError, match="reset must be one of 'zero', 'subtract'; got 'soft'"):
        E.draw_if_neuron(0.3, 1.0, "soft")


# --- 09: the leak -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("beta", [0.5, 0.7, 0.9, 1.0])
def test_leak_rheobase_silence_and_fade_are_the_closed_forms(beta):
    n = clean(E.draw_leak(beta))
    assert n["rheobase"] == pytest.approx(1 - beta)
    assert n["tau"] == (math.inf if beta == 1 else pytest.approx(-1 / math.log(beta)))
    silent = sum(c <= 1 - beta for c in E.LEAK_CURRENTS.tolist())  # at or below the rheobase never fires
    assert n["silent"] == silent
    assert n["fade"] == pytest.approx(beta**39, rel=1e-4)


def test_leak_default_matches_notebook_09():
    n = E.draw_leak(0.9).numbers  # notebook 09 prints 10 of 150 silent and beta^39 = 0.01642
    assert n["silent"] == 10 and f"{n['fade']:.4g}" == "0.01642"


@pytest.mark.parametrize("bad, error", [(0.0, ValueError), (1.5, ValueError), ("0.9", TypeError)])
def test_leak_bad_beta_names_itself(bad, error):
    with pytest.raises(error, match="beta must be a number in"):
        E.draw_leak(bad)


# --- 12: Randman ------------------------------------------------------------------------------------------


def test_randman_default_is_notebook_12s_task():
    n = clean(E.draw_randman(2.0, 1))
    assert n["accuracy"] == 1.0  # notebook 12, section 2 prints 1.0000
    assert n["jump"] > 0
    assert E.nearest_neighbour_accuracy(2.0, 1) == n["accuracy"]


def test_randman_rougher_or_higher_is_harder():
    smooth, rough, high = (E.draw_randman(a, d).numbers for a, d in [(4.0, 1), (1.0, 1), (2.0, 2)])
    assert smooth["jump"] < rough["jump"]  # neighbouring samples fire further apart on a rough manifold
    assert high["accuracy"] < 1.0 and rough["accuracy"] < 1.0


def test_randman_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="alpha must be at least 1"):
        E.draw_randman(0.5)
    with pytest.raises(TypeError, match="dim_manifold must be a positive integer; got float"):
        E.draw_randman(2.0, 1.5)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        E.nearest_neighbour_accuracy(-1.0)


# --- the sliders ------------------------------------------------------------------------------------------


def test_moving_a_control_redraws_the_figure_and_its_text():
    explorer = E.explore_surrogate("fast_sigmoid")
    before, text = explorer.image.value, explorer.label.value
    drawing = explorer.set(slope=2.0)
    assert drawing.numbers["half_width"] == pytest.approx(WIDTHS["fast_sigmoid"](2.0), abs=2e-3)
    assert explorer.image.value != before and explorer.label.value != text
    explorer.set(surrogate="post")
    assert explorer.controls["slope"].disabled and explorer.numbers["slope"] is None


def test_the_numbers_line_wraps_and_is_escaped():
    """A Label cuts a long line off at the widget's width (02's did); the HTML widget wraps it."""
    import ipywidgets as widgets

    explorer = E.explore_if_neuron()
    assert isinstance(explorer.label, widgets.HTML)
    assert explorer.label.value == f'<span class="explorer-numbers">{html.escape(explorer.text)}</span>'
    explorer.set(current=0.35)
    assert html.escape(explorer.text) in explorer.label.value


def test_set_refuses_an_unknown_control():
    with pytest.raises(ValueError, match="control must be one of 'beta'; got 'alpha'"):
        E.explore_leak().set(alpha=1.0)


@pytest.mark.parametrize(
    "make", [E.explore_surrogate, E.explore_if_neuron, E.explore_leak, E.explore_randman]
)
def test_the_display_gives_the_widget_and_the_default_figure(make):
    explorer = make()
    default = explorer.image.value  # the figure the widget opens with
    first = next(iter(explorer.controls.values()))
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == default
    assert bundle["text/plain"].endswith("(move the sliders in JupyterLab)")
    if hasattr(first, "max"):
        first.value = first.max  # moved: the display keeps the default figure, the widget the new one
        assert base64.b64decode(explorer._repr_mimebundle_()["image/png"]) == default
        assert explorer.image.value != default


def test_explorers_refuse_bad_starting_values():
    with pytest.raises(ValueError, match="surrogate must be one of"):
        E.explore_surrogate("relu")
    with pytest.raises(ValueError, match="current must be a positive number"):
        E.explore_if_neuron(current=-0.3)
    with pytest.raises(ValueError, match="beta must be a number in"):
        E.explore_leak(2.0)
    with pytest.raises(ValueError, match="alpha must be at least 1"):
        E.explore_randman(0.5)


# --- what a stored notebook keeps --------------------------------------------------------------------------


def test_regenerate_drops_the_widget_view_and_keeps_the_figure():
    data = {WIDGET_VIEW: {"model_id": "abc"}, "image/png": "iVBO", "text/plain": "x"}
    out = nbformat.v4.new_output("execute_result", data=data, execution_count=1)
    cell = nbformat.v4.new_code_cell("explorer", outputs=[out], execution_count=1)
    nb = normalize(nbformat.v4.new_notebook(cells=[cell]))
    assert set(nb.cells[0].outputs[0].data) == {"image/png", "text/plain"}


@pytest.mark.parametrize("stem", EXPLORER_NOTEBOOKS)
@pytest.mark.parametrize("edition", ["", "ja/"])
def test_each_explorer_cell_is_stored_with_its_figure_text_and_alt(stem, edition):
    nb = nbformat.read(ROOT / "notebooks" / f"{edition}{stem}.ipynb", as_version=4)
    cells = [c for c in nb.cells if "explorer" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "one explorer cell, tagged explorer"
    (cell,) = cells
    assert "nbval-ignore-output" not in cell.metadata["tags"], "its text is compared: it is deterministic"
    (out,) = cell.outputs
    assert set(out.data) == {"image/png", "text/plain"} and "JupyterLab" in out.data["text/plain"]
    assert len(cell.metadata.get("alt", [])) == 1
    for other in nb.cells:  # every figure cell of these notebooks has one alt text per image
        pngs = sum("image/png" in o.get("data", {}) for o in other.get("outputs", []))
        assert len(other.metadata.get("alt", [])) == pngs, f"cell {other.id}"
