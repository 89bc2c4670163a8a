"""Notebook 08's experiment helpers: single runs, surrogate width/area/peak, and the grids."""

import math
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from snn_helpers import set_seed, surrogate_grad  # noqa: E402
from snn_helpers.course.ensemble import evaluate_ensemble  # noqa: E402
from snn_helpers.course.experiments import (  # noqa: E402
    BUMP_MARKERS,
    BUMPS,
    GridPoint,
    digits_grid,
    digits_run,
    grid_points,
    grid_table,
    plot_grid,
    post_task_grid,
    post_task_run,
    randman_grid,
    slope_for_width,
    summarize,
    surrogate_area,
    surrogate_peak,
    surrogate_width,
)
from snn_helpers.tasks.digits import load_digits_split  # noqa: E402
from snn_helpers.tasks.randman import RandmanSNN, make_randman, split_randman, train_randman  # noqa: E402
from snn_helpers.tasks.randman import accuracy as randman_accuracy  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return load_digits_split()


def numeric_area_and_peak(surrogate, slope):
    x = torch.linspace(-2000 / slope, 2000 / slope, 4_000_001, dtype=torch.float64)
    g = surrogate_grad(x, surrogate, slope)
    return (g.sum() * (x[1] - x[0])).item(), g.max().item()


@pytest.mark.parametrize("surrogate", BUMPS)
@pytest.mark.parametrize("slope", [0.5, 3.0])
def test_closed_forms_match_the_surrogates(surrogate, slope):
    area, peak = numeric_area_and_peak(surrogate, slope)
    assert surrogate_area(surrogate, slope) == pytest.approx(area, rel=2e-3)
    assert surrogate_peak(surrogate, slope) == pytest.approx(peak, rel=1e-3)
    assert surrogate_width(surrogate, slope) == pytest.approx(area / peak, rel=2e-3)


def test_hand_worked_values_and_defaults():
    assert surrogate_area("fast_sigmoid") == 0.2 and surrogate_peak("fast_sigmoid") == 1.0  # k = 10
    assert surrogate_peak("sigmoid", 8.0) == 2.0 and surrogate_width("sigmoid", 8.0) == 0.5
    assert surrogate_width("atan", 4.0) == 0.5 and surrogate_width("boxcar", 4.0) == 0.25
    assert slope_for_width("fast_sigmoid", 0.2) == 10.0 and slope_for_width("triangle", 5.0) == 0.2
    for f in BUMPS:
        assert surrogate_width(f, slope_for_width(f, 0.3)) == pytest.approx(0.3)


def test_width_helpers_refuse_bad_input():
    with pytest.raises(ValueError, match=r"surrogate must be one of .*; got 'post'"):
        surrogate_area("post")
    with pytest.raises(ValueError, match=r"width must be a positive number; got -1"):
        slope_for_width("atan", -1)
    with pytest.raises(ValueError, match=r"slope must be a positive number; got 0"):
        surrogate_peak("atan", 0)


def test_grid_points_and_their_members():
    points = grid_points((0.2, 1.0, 5.0))
    assert len(points) == 1 + 5 * 5 and points[0] == GridPoint("post", None, None)
    assert [p.label() for p in points[1:6]] == [
        "fast_sigmoid w=0.2 area",
        "fast_sigmoid w=0.2 peak",
        "fast_sigmoid w=1 area",
        "fast_sigmoid w=5 area",
        "fast_sigmoid w=5 peak",
    ]
    for p in points[1:]:
        m = p.member(seed=3)
        assert m.seed == 3 and m.surrogate == p.surrogate
        area, peak = numeric_area_and_peak(m.surrogate, m.slope)
        held = area if p.matched == "area" else peak
        assert m.scale * held == pytest.approx(1.0, rel=2e-3)  # the matched quantity is 1
        assert area / peak == pytest.approx(p.width, rel=2e-3)
    assert points[0].member(7).surrogate == "post" and points[0].label() == "post"
    with pytest.raises(ValueError, match=r"matches\[...\] must be one of 'area', 'peak'; got 'both'"):
        grid_points((1.0,), matches=("both",))
    with pytest.raises(ValueError, match=r"seeds must be a non-empty list of ints; got \[\]"):
        post_task_grid(points, [])


def test_post_task_grid_member_equals_post_task_run():
    points = [GridPoint("sigmoid", 1.0, "area"), GridPoint("post", None, None)]  # sigmoid k = 4, scale 1
    out = post_task_grid(points, [0, 1], n_iter=12, target=0.05)
    for seed in (0, 1):
        single = post_task_run("sigmoid", seed, slope=4.0, n_iter=12, target=0.05)
        assert out[points[0]]["final_loss"][seed].item() == pytest.approx(single["final_loss"], rel=1e-5)
        assert out[points[0]]["iters_to_target"][seed].item() == single["iters_to_target"]
        assert out[points[0]]["silent"][seed].item() == pytest.approx(single["silent"])
    assert out[points[1]]["final_loss"].shape == (2,)


def test_digits_grid_shapes_table_plot_and_test_once(data):
    points = [GridPoint("post", None, None), GridPoint("atan", 1.0, "area"), GridPoint("atan", 5.0, "peak")]
    grid = digits_grid(points, [0, 1], data, epochs=1, n_time=4)
    out = grid.results
    for r in out.values():
        assert set(r) == {"val_accuracy", "loss"} and r["val_accuracy"].shape == (2,)
        assert 0 <= r["val_accuracy"].min() and r["val_accuracy"].max() <= 1
    table = grid_table(out, "val_accuracy").splitlines()
    assert table[0].split() == ["surrogate", "w=1", "(both)", "w=5", "peak"]
    assert table[1].startswith("post") and table[2].startswith("atan") and len(table) == 3
    mean, sd = out[points[1]]["val_accuracy"].mean().item(), out[points[1]]["val_accuracy"].std().item()
    assert f"{mean:.3f} ± {sd:.3f}" in table[2]
    fig, ax = plt.subplots()
    plot_grid(ax, out, "val_accuracy")
    assert ax.get_xscale() == "log" and len(ax.get_legend().get_texts()) == 2  # atan, post's rule
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "5"]
    styles = [(c.lines[0].get_marker(), c.lines[0].get_linestyle()) for c in ax.containers]  # errorbars
    assert styles == [("^", "-"), ("^", "--")] and BUMP_MARKERS["atan"] == "^"  # one marker per family
    assert len(set(BUMP_MARKERS.values())) == len(BUMP_MARKERS) == len(BUMPS)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "matched in area (area 1)",
        "matched in peak (peak 1)",
    ]
    plt.close(fig)
    # the test split, for the chosen points only: as every member would have been scored
    test = grid.test([points[2], points[0]])
    every = evaluate_ensemble(grid.ensemble, data.x_test, data.y_test, 4, torch.Generator().manual_seed(2000))
    assert list(test) == [points[2], points[0]]
    assert torch.equal(test[points[2]], every[4:6]) and torch.equal(test[points[0]], every[0:2])
    with pytest.raises(ValueError, match=r"chosen must be a non-empty list of points of this grid"):
        grid.test([GridPoint("atan", 0.2, "area")])


def test_single_runs_and_summary(data):
    run = post_task_run("atan", seed=0, n_iter=5)
    assert set(run) == {"final_loss", "iters_to_target", "silent", "first_silent"}
    assert run["iters_to_target"] == 5.0  # 5 iterations are not enough to reach 1e-3
    d = digits_run(data, "atan", seed=0, epochs=1, n_time=5, target=0.0)
    assert 0.1 < d["accuracy"] <= 1 and d["epochs_to_target"] == 1.0  # any accuracy reaches 0
    never = digits_run(data, "atan", seed=0, epochs=1, n_time=5, target=1.01)
    assert never["epochs_to_target"] == 2.0  # unreachable: epochs + 1
    assert never["accuracy"] == d["accuracy"]  # the target changes the record, not the run
    s = summarize([{"a": 1.0}, {"a": 3.0}])
    assert s["a"][0] == 2.0 and s["a"][1] == pytest.approx(math.sqrt(2))


@pytest.fixture(scope="module")
def randman_data():
    return split_randman(make_randman(n_classes=3, n_channels=6, n_steps=12, samples_per_class=10, seed=0))


def test_randman_grid_trains_as_single_runs_and_tests_once(randman_data):
    grid = randman_grid(randman_data, (0.5,), [0, 1], families=("atan",), epochs=2, n_hidden=8)
    assert list(grid.results) == [("post", None), ("atan", 0.5)]
    for seed in (0, 1):  # each network is the single run of notebook 12's RandmanSNN with that seed
        set_seed(seed)
        model = RandmanSNN(
            6, 8, 3, recurrent=False, beta=0.9, surrogate="atan", slope=slope_for_width("atan", 0.5)
        )
        single = train_randman(model, randman_data, epochs=2, seed=seed).validation_accuracy[-1]
        assert grid.results[("atan", 0.5)]["val_accuracy"][seed].item() == single
        for p, q in zip(model.parameters(), grid.models[("atan", 0.5)][seed].parameters(), strict=True):
            assert torch.equal(p, q)
    test = grid.test([("atan", 0.5)])
    expected = [randman_accuracy(m, randman_data.test) for m in grid.models[("atan", 0.5)]]
    assert list(test) == [("atan", 0.5)] and test[("atan", 0.5)].tolist() == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"chosen must be a non-empty list of this grid's configurations"):
        grid.test([("atan", 5.0)])
    with pytest.raises(TypeError, match=r"data must be a RandmanSplit .*; got tuple"):
        randman_grid(tuple(randman_data), (1.0,), [0])
    with pytest.raises(ValueError, match=r"widths\[\.\.\.\] must be a positive number; got 0"):
        randman_grid(randman_data, (0,), [0])
    with pytest.raises(ValueError, match=r"seeds must be a non-empty list of distinct ints; got \[\]"):
        randman_grid(randman_data, (1.0,), [])
    with pytest.raises(ValueError, match=r"seeds must be a non-empty list of distinct ints; got \[0, 0\]"):
        randman_grid(randman_data, (1.0,), [0, 0])
    with pytest.raises(ValueError, match=r"widths must be distinct positive numbers, at least one; got \(\)"):
        randman_grid(randman_data, (), [0])
    with pytest.raises(ValueError, match=r"widths must be distinct .*; got \(1.0, 1.0\)"):
        randman_grid(randman_data, (1.0, 1.0), [0])
    with pytest.raises(ValueError, match=r"families must be distinct names from .*; got \(\)"):
        randman_grid(randman_data, (1.0,), [0], families=())


def test_temporal_grid_tool_prints_its_tables():
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [
            sys.executable,
            str(root / "tools" / "temporal_grid.py"),
            "--seeds",
            "2",
            "--widths",
            "1",
            "--epochs",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SNN_HELPERS_KERNEL_WARN": "0"},
    ).stdout
    lines = out.splitlines()
    assert "12 networks in" in out  # (post + 5 families) x 2 seeds
    header = next(i for i, line in enumerate(lines) if line.startswith("surrogate"))
    assert lines[header].split() == ["surrogate", "w=1"]
    assert [line.split()[0] for line in lines[header + 1 : header + 7]] == ["post", *BUMPS]
    chosen = lines[lines.index("chosen on validation; the test split, once:") + 1 :]
    assert [line.split()[0] for line in chosen] == [*BUMPS, "post"]
    assert all(" validation 0." in line and " test 0." in line for line in chosen)
