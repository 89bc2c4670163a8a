"""Plot helpers return their Figure and Axes, titled and labelled."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from snn_helpers import (  # noqa: E402
    History,
    plot_confusion,
    plot_loss,
    plot_membrane,
    plot_raster,
    plot_surrogates,
)


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
    fig, ax = plot_confusion(torch.tensor([[3, 1], [0, 4]]))
    assert labelled(ax) and sorted(t.get_text() for t in ax.texts) == ["1", "3", "4"]
    plt.close("all")
