"""Plot helpers return their Figure and Axes, titled and labelled."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from snn_helpers import (  # noqa: E402
    SURROGATES,
    History,
    plot_confusion,
    plot_loss,
    plot_membrane,
    plot_raster,
    plot_surrogates,
    plot_unrolled_if,
)
from snn_helpers.core.plotting import _SURROGATE_STYLES  # noqa: E402


def labelled(ax):
    return ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_loss_curves():
    fig, ax = plot_loss(History(loss=[1.0, 0.1, 0.01]), log=True)
    assert labelled(ax) and ax.get_yscale() == "log" and len(ax.lines) == 1
    fig, ax = plot_loss({"a": [1, 2], "b": [2, 1]})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    plt.close("all")


def test_raster_marks_each_spike():
    spikes = torch.zeros(5, 3)
    spikes[1, 2] = spikes[4, 0] = 1
    fig, ax = plot_raster(spikes)
    assert labelled(ax)
    assert sorted(map(tuple, ax.collections[0].get_offsets().tolist())) == [(1, 2), (4, 0)]
    plt.close("all")


def test_raster_ticks_stay_shorter_than_a_row():
    # 40 rows: a row is under 5 points at the drawn axes' height, so a tick of 60% of it leaves a gap
    fig, ax = plt.subplots(figsize=(6, 3.5))
    plot_raster(torch.ones(5, 40), ax=ax)
    fig.canvas.draw()
    row_points = ax.bbox.height * 72 / fig.dpi / 40
    (size,) = set(ax.collections[0].get_sizes())
    assert row_points < 5 and size**0.5 == pytest.approx(0.6 * row_points)
    fig, ax = plot_raster(torch.ones(5, 2))  # few rows: capped at 10 points
    fig.canvas.draw()
    assert set(ax.collections[0].get_sizes()) == {100.0}
    fig, ax = plot_raster(torch.ones(5, 2), marker_size=3.0)
    fig.canvas.draw()
    assert set(ax.collections[0].get_sizes()) == {9.0}
    plt.close("all")


def dark_pixels(fig, ax):
    """Pixels darker than mid-grey inside the axes, frame excluded, at the figure's size and dpi."""
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].min(axis=2)
    x0, y0, x1, y1 = ax.bbox.extents
    height = image.shape[0]
    inside = image[int(height - y1) + 3 : int(height - y0) - 3, int(x0) + 3 : int(x1) - 3]
    return int((inside < 128).sum())


def test_raster_spike_stays_visible_in_a_small_axes_with_many_rows():
    # notebook 07's layout: 128 hidden neurons in one panel of a 2 x 3 grid; a row is about 1.2
    # points high once the layout has placed the axes, so 60% of it would be under a pixel
    fig, axes = plt.subplots(2, 3, figsize=(10, 5.5), width_ratios=[1, 3, 2], layout="constrained")
    spikes = torch.zeros(10, 128)
    spikes[4, 60] = 1
    plot_raster(spikes, ax=axes[0, 1])
    assert dark_pixels(fig, axes[0, 1]) >= 4  # the 2-point floor: about 3 x 2 pixels at 100 dpi
    (size,) = set(axes[0, 1].collections[0].get_sizes())
    assert size == pytest.approx(4.0)  # 2 points squared
    empty = plot_raster(torch.zeros(10, 128), ax=axes[1, 1])[1]
    assert dark_pixels(fig, empty) == 0
    plt.close("all")


def test_raster_ticks_are_integers():
    fig, ax = plot_raster(torch.ones(7, 3))
    fig.canvas.draw()
    for ticks in (ax.get_xticks(), ax.get_yticks()):
        assert all(float(t).is_integer() for t in ticks)
    plt.close("all")


def test_raster_refuses_bad_input():
    with pytest.raises(TypeError, match=r"spikes must be a torch.Tensor \[time, neurons\]; got list"):
        plot_raster([[0, 1]])
    with pytest.raises(ValueError, match=r"spikes must have 2 dims \[time, neurons\]; got shape \(2, 3, 4\)"):
        plot_raster(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"marker_size must be a positive number; got -1"):
        plot_raster(torch.zeros(2, 3), marker_size=-1.0)
    plt.close("all")


def test_membrane_threshold_and_spikes():
    fig, ax = plot_membrane(torch.tensor([0.5, 1.2, 0.3]), torch.tensor([0.0, 1.0, 0.0]), threshold=1.0)
    assert labelled(ax)
    v_line, threshold_line, spike_marks = ax.lines
    assert list(threshold_line.get_ydata()) == [1.0, 1.0]
    assert list(spike_marks.get_xdata()) == [1] and list(spike_marks.get_ydata()) == pytest.approx([1.2])
    plt.close("all")


def test_surrogates_and_confusion():
    fig, ax = plot_surrogates(["post", "atan"], slopes={"atan": 3.0})
    assert labelled(ax) and [t.get_text() for t in ax.get_legend().get_texts()] == ["post", "atan (k=3)"]
    fig, ax = plot_surrogates()  # the post's step drawn dashed above every other line (boxcar hid it)
    post = next(line for line in ax.lines if line.get_label() == "post")
    assert post.get_linestyle() == "--" and all(
        post.get_zorder() > o.get_zorder() for o in ax.lines if o is not post
    )
    styles = [repr(_SURROGATE_STYLES[name]["linestyle"]) for name in SURROGATES]
    assert len(set(styles)) == len(styles)  # each surrogate its own line style, to read it without colour
    fig, ax = plot_confusion(torch.tensor([[3, 1], [0, 4]]))
    assert labelled(ax) and sorted(t.get_text() for t in ax.texts) == ["1", "3", "4"]
    plt.close("all")


def test_plot_unrolled_if_draws_each_step_and_the_backward_quantities():
    fig, ax = plot_unrolled_if(3)
    texts = {t.get_text() for t in ax.texts}
    assert {"$I_0$", "$v_2$", "$s_1$", "$e_2$", "$a_1$", "$a_2$", "$-a_1 v_0$", "$-a_2 v_1$", "$L$"} <= texts
    assert "$a_3$" not in texts  # nothing flows back from a step after the last
    assert "..." not in texts  # drawn for exactly three steps, not as the start of a longer sequence
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "forward (value)",
        "spike (backward: g)",
        "reset",
        "backward",
    ]
    # the four kinds of arrow differ in line style or width, not only in colour
    looks = {(line.get_linestyle(), line.get_linewidth()) for line in legend.get_lines()}
    assert len(looks) == 4
    plt.close(fig)


def distance_to_segment(point, start, end):
    p, a, b = (np.asarray(z, dtype=float) for z in (point, start, end))
    along = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0, 1)
    return float(np.linalg.norm(p - (a + along * (b - a))))


def test_plot_unrolled_if_puts_each_e_t_next_to_its_own_arrow():
    for n_steps in [3, 4, 5]:
        fig, ax = plot_unrolled_if(n_steps)
        from_loss = [
            (a.xyann, a.xy) for a in ax.texts if isinstance(a, Annotation) and a.xyann == (n_steps - 1, 0.2)
        ]
        assert len(from_loss) == n_steps  # the arrows from L into each s_t
        for t in range(n_steps):
            (label,) = [a for a in ax.texts if a.get_text() == f"$e_{t}$"]
            gaps = [distance_to_segment(label.get_position(), *arrow) for arrow in from_loss]
            own = gaps.pop(t)
            assert own < 0.25 and own < 0.5 * min(gaps, default=1.0)  # near its arrow, far from the others
        plt.close(fig)


def test_plot_unrolled_if_refuses_a_bad_step_count():
    with pytest.raises(ValueError, match="n_steps"):
        plot_unrolled_if(0)
    with pytest.raises(TypeError, match="n_steps"):
        plot_unrolled_if(2.5)
