"""The memory task of notebook 14: the trial's structure by hand, the splits, the networks, the controls."""

import math

import pytest
import torch

from snn_helpers import set_seed
from snn_helpers.tasks.memory import (
    MemorySNN,
    make_memory,
    memory_accuracy,
    memory_layout,
    readout_probe,
    recall_counts,
    split_memory,
    train_memory,
    without_adaptation,
    without_recurrence,
)

SMALL = dict(n_channels=8, cue_steps=4, recall_steps=3, cue_rate=0.5, distractor_rate=0.2)


def test_layout_by_hand():
    layout = memory_layout(6, n_channels=8, cue_steps=4, recall_steps=3)
    assert layout.cue == (range(0, 2), range(2, 4))
    assert layout.recall == range(4, 6) and layout.distractor == range(6, 8)
    assert layout.cue_window == range(0, 4)
    assert layout.delay_window == range(4, 10)
    assert layout.recall_window == range(10, 13)


def test_shapes_dtypes_and_class_balance():
    data = make_memory(20, 6, **SMALL)
    assert data.spikes.shape == (4 + 6 + 3, 20, 8) and data.spikes.dtype == torch.float32
    assert data.labels.dtype == torch.int64
    assert data.labels.sum().item() == 10 and set(data.labels.tolist()) == {0, 1}
    assert set(data.spikes.unique().tolist()) == {0.0, 1.0}
    assert data.labels.tolist() != [0, 1] * 10  # shuffled, not alternating


def test_cue_only_on_the_class_channels_and_only_in_the_cue_window():
    data = make_memory(40, 6, **SMALL)
    cue = data.spikes[:4]  # [cue_steps, n, channels]
    for k, own, other in [(0, slice(0, 2), slice(2, 4)), (1, slice(2, 4), slice(0, 2))]:
        mine = cue[:, data.labels == k]
        assert mine[:, :, own].sum() > 0
        assert mine[:, :, other].sum() == 0  # the other class's cue channels are silent
    assert cue[:, :, 4:].sum() == 0  # no recall and no distractor spike during the cue


def test_cue_is_the_same_draw_for_both_classes_and_has_the_cue_rate():
    data = make_memory(2000, 0, n_channels=8, cue_steps=10, recall_steps=1, cue_rate=0.3)
    cue = data.spikes[:10, :, :4].sum(dim=2)  # one class's channels fire, the other's are 0
    assert abs(cue.mean().item() / 2 - 0.3) < 0.01  # 2 channels at 0.3 each: binomial sd 0.002


def test_recall_channels_fire_at_every_step_of_the_recall_window_only():
    data = make_memory(10, 6, **SMALL)
    recall = data.spikes[:, :, 4:6]
    assert torch.equal(recall[10:], torch.ones(3, 10, 2))
    assert recall[:10].sum() == 0


def test_distractors_after_the_cue_at_their_rate_and_class_independent():
    data = make_memory(4000, 20, n_channels=8, cue_steps=2, recall_steps=2, distractor_rate=0.1)
    after = data.spikes[2:]  # delay and recall window
    for channels in (slice(0, 4), slice(6, 8)):
        for k in (0, 1):
            rate = after[:, data.labels == k, channels].mean().item()
            assert abs(rate - 0.1) < 0.003  # 2000 trials x 22 steps x channels: sd below 0.001
    quiet = make_memory(10, 5, **{**SMALL, "distractor_rate": 0.0})
    assert quiet.spikes[4:9].sum() == 0  # no distractors: the delay is silent


def test_zero_delay_puts_the_recall_right_after_the_cue():
    data = make_memory(10, 0, **SMALL)
    assert data.spikes.shape[0] == 7
    assert torch.equal(data.spikes[4:, :, 4:6], torch.ones(3, 10, 2))


def test_same_seed_same_data_other_seed_other_data_and_global_rng_untouched():
    a = make_memory(16, 5, **SMALL, seed=3)
    set_seed(1)
    b = make_memory(16, 5, **SMALL, seed=3)
    c = make_memory(16, 5, **SMALL, seed=4)
    assert torch.equal(a.spikes, b.spikes) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.spikes, c.spikes)
    state = torch.get_rng_state()
    make_memory(16, 5, **SMALL)
    assert torch.equal(state, torch.get_rng_state())


def test_split_is_class_balanced_and_disjoint():
    data = make_memory(50, 3, **SMALL)
    split = split_memory(data, 0.2, 0.2, seed=0)
    assert [len(s.labels) for s in split] == [30, 10, 10]
    for s in split:
        assert (s.labels == 0).sum() == (s.labels == 1).sum()
    # each trial lands in exactly one set: match them by their spikes
    rows = [tuple(x.flatten().tolist()) for s in split for x in s.spikes.unbind(1)]
    assert len(set(rows)) == len(set(tuple(x.flatten().tolist()) for x in data.spikes.unbind(1)))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_samples=0, delay=1), ValueError, "n_samples must be a positive integer; got 0"),
        (dict(n_samples=7, delay=1), ValueError, "n_samples must be even .* got 7"),
        (dict(n_samples=4, delay=-1), ValueError, r"delay must be a non-negative int \(steps\); got -1"),
        (dict(n_samples=4, delay=2.0), TypeError, "delay must be a non-negative int .* got float 2.0"),
        (dict(n_samples=4, delay=1, n_channels=6), ValueError, "n_channels must be a multiple of 4 .* got 6"),
        (dict(n_samples=4, delay=1, cue_steps=0), ValueError, "cue_steps must be a positive integer; got 0"),
        (dict(n_samples=4, delay=1, recall_steps=1.5), TypeError, "recall_steps must be a positive integer"),
        (
            dict(n_samples=4, delay=1, cue_rate=0.0),
            ValueError,
            r"cue_rate must be a number with 0 < cue_rate",
        ),
        (dict(n_samples=4, delay=1, distractor_rate=1.5), ValueError, "distractor_rate must be .* got 1.5"),
        (dict(n_samples=4, delay=1, distractor_rate="0.1"), TypeError, "distractor_rate must be .* got str"),
        (dict(n_samples=4, delay=1, seed=-1), TypeError, "seed must be a non-negative int; got int -1"),
    ],
)
def test_make_memory_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_memory(**kwargs)


def test_split_errors():
    data = make_memory(50, 1, **SMALL)
    with pytest.raises(TypeError, match="data must be a MemoryData"):
        split_memory((data.spikes, data.labels))
    with pytest.raises(ValueError, match="validation_fraction must be a number between 0 and 1"):
        split_memory(data, validation_fraction=1.0)
    with pytest.raises(ValueError, match=r"validation_fraction \+ test_fraction must be below 1"):
        split_memory(data, 0.5, 0.5)
    with pytest.raises(ValueError, match="class 0 has 2 trials: too few to split three ways"):
        split_memory(make_memory(4, 1, **SMALL))


@pytest.mark.parametrize("kind", ["ff", "rec", "alif"])
@pytest.mark.parametrize("engine", ["loop", "fused"])
def test_model_shapes_and_parameters(kind, engine):
    set_seed(0)
    model = MemorySNN(8, 5, kind, recall_steps=3, engine=engine)
    scores, hidden = model(make_memory(6, 4, **SMALL).spikes, return_hidden=True)
    assert scores.shape == (6, 2) and hidden.shape == (11, 6, 5)
    names = {name for name, _ in model.named_parameters()}
    base = {"hidden.input.weight", "hidden.input.bias", "readout.weight", "readout.bias"}
    assert names == (base if kind == "ff" else base | {"hidden.recurrent_weight"})


def test_readout_reads_only_the_recall_window():
    set_seed(0)
    model = MemorySNN(8, 5, "ff", recall_steps=3, beta=0.5)
    with torch.no_grad():
        model.readout.weight.copy_(torch.tensor([[1.0] * 5, [0.0] * 5]))
        model.readout.bias.zero_()
    spikes = make_memory(4, 4, **SMALL).spikes
    scores, hidden = model(spikes, return_hidden=True)
    assert torch.equal(scores[:, 0], hidden[-3:].sum(dim=(0, 2)))


def test_alif_and_rec_draw_the_same_weights():
    set_seed(2)
    rec = MemorySNN(8, 5, "rec")
    set_seed(2)
    alif = MemorySNN(8, 5, "alif")
    for (name, p), (_, q) in zip(rec.named_parameters(), alif.named_parameters(), strict=True):
        assert torch.equal(p, q), name


def test_model_errors():
    with pytest.raises(ValueError, match="kind must be one of 'ff', 'rec', 'alif'; got 'lstm'"):
        MemorySNN(8, 5, "lstm")
    with pytest.raises(ValueError, match="recall_steps must be a positive integer; got 0"):
        MemorySNN(8, 5, recall_steps=0)
    with pytest.raises(ValueError, match="input_gain must be a positive number"):
        MemorySNN(8, 5, input_gain=-1.0)
    model = MemorySNN(8, 5, "ff", recall_steps=3)
    with pytest.raises(
        ValueError, match=r"spikes must have shape \[time, batch, 8\] with time >= recall_steps"
    ):
        model(torch.zeros(2, 4, 8))
    with pytest.raises(ValueError, match=r"spikes must have shape \[time, batch, 8\]"):
        model(torch.zeros(5, 8))
    with pytest.raises(TypeError, match="spikes must be a floating-point tensor"):
        model(torch.zeros(5, 4, 8, dtype=torch.long))


def test_training_and_accuracy_errors():
    model = MemorySNN(8, 5, "ff", recall_steps=3)
    data = make_memory(50, 1, **SMALL)
    with pytest.raises(TypeError, match="data must be a MemorySplit"):
        train_memory(model, data)
    split = split_memory(data)
    with pytest.raises(ValueError, match="epochs must be a positive integer; got 0"):
        train_memory(model, split, epochs=0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        train_memory(model, split, lr=0.0)
    with pytest.raises(TypeError, match="data must be a MemoryData"):
        memory_accuracy(model, split)


def test_accuracy_by_hand():
    # a readout that always says class 1 is right on exactly the class-1 half
    model = MemorySNN(8, 5, "ff", recall_steps=3)
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.copy_(torch.tensor([0.0, 1.0]))
    assert memory_accuracy(model, make_memory(20, 2, **SMALL), batch_size=3) == 0.5


def test_a_tiny_run_learns_the_zero_delay_case():
    # with no delay the membrane (tau about 10 steps) still holds the cue in the recall window:
    # even the feed-forward network learns it (measured: 1.0 on validation after 8 epochs, seeds 0-2)
    torch.set_num_threads(1)
    data = split_memory(make_memory(160, 0, n_channels=8, cue_steps=5, recall_steps=5, seed=0))
    set_seed(0)
    model = MemorySNN(8, 16, "ff", recall_steps=5)
    before = memory_accuracy(model, data.validation)
    history = train_memory(model, data, epochs=8, seed=0)
    assert history.validation_accuracy[-1] >= 0.9 > before or before < 0.75
    assert history.validation_accuracy[-1] >= 0.9
    assert history.loss[-1] < history.loss[0] / 2


def test_controls_change_a_copy_only():
    set_seed(0)
    model = MemorySNN(8, 5, "alif", recall_steps=3)
    off = without_adaptation(model)
    assert off.hidden.adapt_strength == 0.0 and model.hidden.adapt_strength == 20.0
    cut = without_recurrence(model)
    assert cut.hidden.recurrent_weight.abs().sum() == 0 and model.hidden.recurrent_weight.abs().sum() > 0
    assert cut.hidden.adapt_strength == 20.0  # the adaptation stays
    with pytest.raises(ValueError, match="model must be an 'alif' MemorySNN .* got 'rec'"):
        without_adaptation(MemorySNN(8, 5, "rec"))
    with pytest.raises(ValueError, match="model must be a 'rec' or 'alif' MemorySNN .* got 'ff'"):
        without_recurrence(MemorySNN(8, 5, "ff"))
    with pytest.raises(TypeError, match="model must be a MemorySNN; got Linear"):
        without_recurrence(torch.nn.Linear(2, 2))


def test_adaptation_off_equals_rec_with_the_same_weights():
    # switched off, the adaptive network computes exactly the recurrent LIF network with its weights
    set_seed(0)
    alif = MemorySNN(8, 5, "alif", recall_steps=3, adapt_decay=math.exp(-1 / 5))
    rec = MemorySNN(8, 5, "rec", recall_steps=3)
    rec.load_state_dict(alif.state_dict())
    spikes = make_memory(6, 4, **SMALL).spikes
    assert torch.equal(without_adaptation(alif)(spikes), rec(spikes))


def hand_built_alif():
    """Neuron k hears cue k (weight 2) and the recall channels (0.6 each): a cue adapts its neuron, which
    then stays silent in the recall window while the other fires; without adaptation both fire alike."""
    model = MemorySNN(8, 2, "alif", recall_steps=3, adapt_decay=math.exp(-1 / 50), adapt_strength=20.0)
    with torch.no_grad():
        model.hidden.input.weight.copy_(
            torch.tensor([[2.0, 2.0, 0, 0, 0.6, 0.6, 0, 0], [0, 0, 2.0, 2.0, 0.6, 0.6, 0, 0]])
        )
        model.hidden.input.bias.zero_()
        model.hidden.recurrent_weight.zero_()
    data = make_memory(60, 4, n_channels=8, cue_steps=4, recall_steps=3, cue_rate=1.0, distractor_rate=0.0)
    return model, split_memory(data)


def test_recall_counts_are_what_the_readout_sees():
    model, split = hand_built_alif()
    counts = recall_counts(model, split.validation)
    _, hidden = model(split.validation.spikes, return_hidden=True)
    assert torch.equal(counts, hidden[-3:].sum(dim=0))
    # by hand (rho = exp(-1/50), 1 - rho = 0.0198, strength 20): the cued neuron fired at its 4 cue steps,
    # its threshold in the recall window is about 2.4 (1 + 20 * 4 * 0.0198 = 2.6, less the decay over the
    # delay); the recall current 1.2
    # builds up its membrane (1.2, 2.28, 3.25) past it once, at the third step. The other neuron fires at
    # once (1.2 > 1), its threshold jumps to 1 + 20 * 0.0198 = 1.4 and its membrane restarts from 0, so
    # it skips a step and fires again: 2 spikes against 1
    labels = split.validation.labels
    assert torch.equal(counts[:, 0], torch.where(labels == 0, 1.0, 2.0))
    assert torch.equal(counts[:, 1], torch.where(labels == 1, 1.0, 2.0))


def test_readout_probe_finds_the_cue_only_where_it_is():
    model, split = hand_built_alif()
    assert readout_probe(model, split) == 1.0
    assert readout_probe(without_adaptation(model), split) == 0.5  # both neurons fire alike: no cue left
    with pytest.raises(TypeError, match="data must be a MemorySplit"):
        readout_probe(model, split.validation)
    with pytest.raises(ValueError, match="steps must be a positive integer; got 0"):
        readout_probe(model, split, steps=0)
    with pytest.raises(TypeError, match="model must be a MemorySNN; got Linear"):
        recall_counts(torch.nn.Linear(2, 2), split.validation)
