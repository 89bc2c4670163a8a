"""Notebook 14's study helpers: the grid's records, its controls and probes, its test split, its errors."""

import pytest
import torch

from snn_helpers.course.memory_study import MemorySettings, memory_grid, memory_model, memory_split

TINY = MemorySettings(n_samples=40, n_channels=8, cue_steps=3, recall_steps=2, n_hidden=4, epochs=1)


def test_split_sizes_and_the_same_trials_for_every_seed():
    split = memory_split(5, TINY)
    assert [len(s.labels) for s in split] == [24, 8, 8]
    assert split.train.spikes.shape == (3 + 5 + 2, 24, 8)
    assert torch.equal(memory_split(5, TINY).train.spikes, split.train.spikes)  # the data seed is fixed


def test_model_kinds_share_their_draw():
    rec, alif = memory_model("rec", 3, TINY), memory_model("alif", 3, TINY)
    assert alif.hidden.adapt_strength == TINY.adapt_strength
    assert all(torch.equal(p, q) for p, q in zip(rec.parameters(), alif.parameters(), strict=True))


def test_grid_records_controls_probes_and_test():
    grid = memory_grid(("ff", "alif"), [0, 4], [0, 1], TINY)
    assert set(grid.validation) == {("ff", 0), ("alif", 0), ("ff", 4), ("alif", 4)}
    assert all(v.shape == (2,) and ((v >= 0) & (v <= 1)).all() for v in grid.validation.values())
    assert len(grid.models[("alif", 4)]) == 2
    controls = grid.controls(4)
    assert list(controls) == ["alif", "adaptation off", "recurrence off"]
    # the first entry is the trained network itself: its accuracy is the grid's record
    assert torch.equal(controls["alif"], grid.validation[("alif", 4)])
    assert list(grid.probes(4)) == ["alif", "adaptation off", "recurrence off", "ff"]
    assert list(grid.test(4)) == ["ff", "alif"]
    with pytest.raises(ValueError, match="split must be one of 'validation', 'test'; got 'train'"):
        grid.controls(4, "train")


def test_grid_errors():
    with pytest.raises(ValueError, match="kind must be one of 'ff', 'rec', 'alif'; got 'lstm'"):
        memory_grid(("lstm",), [0], [0], TINY)
    with pytest.raises(ValueError, match=r"seeds must name at least one seed; got \[\]"):
        memory_grid(("ff",), [0], [], TINY)
    with pytest.raises(ValueError, match="kind must be one of"):
        memory_model("gru", 0, TINY)
