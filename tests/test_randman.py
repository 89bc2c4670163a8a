"""The Randman task: shapes, one spike per channel, determinism, classes that differ, splits, errors."""

import numpy as np
import pytest
import torch

from snn_helpers import set_seed
from snn_helpers.core.encoding import permute_times
from snn_helpers.tasks.randman import (
    RandmanData,
    RandmanSNN,
    accuracy,
    make_randman,
    randman_times,
    split_randman,
    train_randman,
)

SMALL = dict(n_classes=3, n_channels=8, n_steps=25, samples_per_class=12)


def test_shapes_dtypes_and_labels():
    data = make_randman(**SMALL)
    assert data.spikes.shape == (25, 36, 8) and data.spikes.dtype == torch.float32
    assert data.labels.dtype == torch.int64
    assert data.labels.tolist() == [0] * 12 + [1] * 12 + [2] * 12


def test_exactly_one_spike_per_channel_per_sample():
    spikes = make_randman(**SMALL, dim_manifold=2).spikes
    assert set(spikes.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(spikes.sum(dim=0), torch.ones(36, 8))


def test_each_channel_spans_the_whole_window_in_each_class():
    # each channel is rescaled over its class's samples: earliest spike at step 0, latest at the last
    data = make_randman(**SMALL)
    steps = data.spikes.argmax(dim=0)  # [n, channels]
    for k in range(3):
        per_class = steps[data.labels == k]
        assert per_class.min(dim=0).values.tolist() == [0] * 8
        assert per_class.max(dim=0).values.tolist() == [24] * 8


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_randman(**SMALL, seed=3), make_randman(**SMALL, seed=3), make_randman(**SMALL, seed=4)
    assert torch.equal(a.spikes, b.spikes) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.spikes, c.spikes)


def test_independent_of_torch_global_rng():
    set_seed(0)
    a = make_randman(**SMALL)
    set_seed(1)
    assert torch.equal(a.spikes, make_randman(**SMALL).spikes)


def test_spike_times_are_far_from_step_boundaries():
    # a last-bit difference in sin (another CPU, another libm) cannot move a spike: every value lies
    # well inside its step (the default data set of notebook 12, and the small one here)
    for kwargs in [SMALL, dict()]:
        times, _, _ = randman_times(**kwargs)
        scaled = times * kwargs.get("n_steps", 50)
        inside = scaled - np.floor(scaled)
        margin = np.minimum(inside[inside > 0], 1 - inside[inside > 0]).min()
        assert margin > 1e-9


def test_classes_differ():
    # each class is its own curve in spike-time space: a sample's nearest other sample (leave one out)
    # almost always belongs to its own class, while the classes' time ranges are the same
    data = make_randman(n_classes=4, n_channels=10, n_steps=50, samples_per_class=50)
    steps = data.spikes.argmax(dim=0).float()  # [n, channels]
    distance = torch.cdist(steps, steps)
    distance.fill_diagonal_(float("inf"))
    nearest = data.labels[distance.argmin(dim=1)]
    assert (nearest == data.labels).float().mean() > 0.9  # chance: 0.25


def test_smoothness_alpha_controls_roughness():
    # along the manifold (samples sorted by their coordinate u), neighbouring samples have close spike
    # times when alpha is large (smooth) and less close when alpha is small (rough)
    def roughness(alpha):
        times, _, u = randman_times(2, 30, samples_per_class=400, alpha=alpha, seed=1, precision=1e-2)
        order = np.argsort(u[:400, 0])
        return np.abs(np.diff(times[:400][order], axis=0)).mean()

    assert roughness(4.0) < 0.5 * roughness(1.0)


def test_split_is_stratified_disjoint_and_complete():
    data = make_randman(n_classes=3, n_channels=12, n_steps=20, samples_per_class=20)
    split = split_randman(data, validation_fraction=0.2, test_fraction=0.25, seed=1)
    assert [len(s.labels) for s in split] == [33, 12, 15]
    for s in split:
        assert torch.bincount(s.labels).tolist() == [len(s.labels) // 3] * 3

    def samples(d):  # the multiset of (label, spike steps) pairs
        return sorted(
            (int(y), tuple(t.tolist())) for y, t in zip(d.labels, d.spikes.argmax(dim=0), strict=True)
        )

    union = sorted(sum((samples(s) for s in split), []))
    assert union == samples(data)  # every sample exactly once, none invented


def test_permute_times_keeps_counts_and_moves_spikes():
    data = make_randman(**SMALL)
    gen = torch.Generator().manual_seed(0)
    shuffled = permute_times(data.spikes, gen)
    assert torch.equal(shuffled.sum(dim=0), data.spikes.sum(dim=0))
    moved = (shuffled.argmax(dim=0) != data.spikes.argmax(dim=0)).float().mean()
    assert moved > 0.9  # 25 steps: a spike stays put with probability 1/25
    x = torch.zeros(5, 1, 2)
    x[:, 0, 0] = torch.tensor([1.0, 1.0, 0.0, 0.0, 0.0])
    assert permute_times(x, gen)[:, 0, 0].sum() == 2


def test_network_shapes_and_feed_forward_variant():
    model = RandmanSNN(8, 16, 3)
    scores, hidden = model(torch.zeros(25, 4, 8), return_hidden=True)
    assert scores.shape == (4, 3) and hidden.shape == (25, 4, 16)
    assert RandmanSNN(8, 16, 3, recurrent=False).hidden.recurrent_weight is None


def test_training_learns_above_chance():
    data = split_randman(make_randman(**SMALL, seed=2))
    set_seed(0)
    model = RandmanSNN(8, 32, 3, beta=0.9)
    history = train_randman(model, data, epochs=8, lr=1e-2, batch_size=8)
    assert len(history.loss) == 8 and history.loss[-1] < history.loss[0]
    # training accuracy is counted on the epoch's batches, before each update: whole samples of 24
    assert all(abs(a * 24 - round(a * 24)) < 1e-9 for a in history.train_accuracy)
    assert accuracy(model, data.train) > 0.6  # after training; chance is 1/3
    assert len(history.validation_accuracy) == 8


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(n_classes=1), ValueError, "n_classes must be at least 2"),
        (dict(n_channels=0), ValueError, "n_channels must be a positive integer"),
        (dict(n_steps=2.5), TypeError, "n_steps must be a positive integer"),
        (dict(dim_manifold=-1), ValueError, "dim_manifold must be a positive integer"),
        (dict(alpha=0.0), ValueError, "alpha must be a positive number"),
        (dict(samples_per_class=1), ValueError, "samples_per_class must be at least 2"),
        (dict(seed=-1), TypeError, "seed must be a non-negative int"),
        (dict(seed=1.5), TypeError, "seed must be a non-negative int"),
        (dict(precision=2.0), ValueError, "precision must be a number between 0 and 1"),
    ],
)
def test_make_randman_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_randman(**kwargs)


def test_recurrent_learning_rate_group():
    data = split_randman(make_randman(**SMALL, seed=2))
    set_seed(0)
    model = RandmanSNN(8, 16, 3)
    before = model.hidden.recurrent_weight.detach().clone()
    train_randman(model, data, epochs=1, lr=1e-2, recurrent_lr=1e-9)
    assert (model.hidden.recurrent_weight - before).abs().max() < 1e-6  # Adam steps are about lr in size
    assert model.readout.weight.grad is not None
    with pytest.raises(ValueError, match="recurrent_lr must be a positive number"):
        train_randman(model, data, epochs=1, recurrent_lr=0.0)
    with pytest.raises(ValueError, match="input_gain must be a positive number"):
        RandmanSNN(8, 16, 3, input_gain=-1.0)


def test_split_and_permute_argument_errors():
    data = make_randman(**SMALL)
    with pytest.raises(TypeError, match="data must be a RandmanData"):
        split_randman((data.spikes, data.labels))
    with pytest.raises(ValueError, match="validation_fraction must be a number between 0 and 1"):
        split_randman(data, validation_fraction=0)
    with pytest.raises(ValueError, match="validation_fraction \\+ test_fraction must be below 1"):
        split_randman(data, 0.5, 0.5)
    tiny = RandmanData(data.spikes[:, :6], torch.tensor([0, 0, 1, 1, 2, 2]))
    with pytest.raises(ValueError, match="class 0 has 2 samples: too few to split three ways"):
        split_randman(tiny)
    with pytest.raises(ValueError, match=r"spikes must have 3 dims \[time, batch, channels\]"):
        permute_times(torch.zeros(5, 3))
    with pytest.raises(TypeError, match="spikes must be a floating-point tensor"):
        permute_times(torch.zeros(5, 3, 2, dtype=torch.int64))
