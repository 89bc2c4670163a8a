"""The digits task: data split, rate coding, the two-layer network, training (the runs of notebook 08: test_experiments.py)."""

import pytest
import torch

from snn_helpers.core.encoding import rate_encode
from snn_helpers.tasks.digits import (
    DigitsMLP,
    DigitsSNN,
    count_top_ties,
    evaluate,
    load_digits_split,
    train_digits,
    training_step,
    unit_threshold_copy,
)


@pytest.fixture(scope="module")
def data():
    return load_digits_split()


def test_split_is_fixed_stratified_and_scaled(data):
    assert (
        data.x_train.shape == (1077, 64) and data.x_val.shape == (270, 64) and data.x_test.shape == (450, 64)
    )
    assert load_digits_split(validation_fraction=0).x_train.shape == (1347, 64)
    assert 0 <= data.x_train.min() and data.x_train.max() == 1.0
    assert torch.bincount(data.y_test).tolist() == [45, 46, 44, 46, 45, 46, 45, 45, 43, 45]
    again = load_digits_split()
    assert torch.equal(again.x_test, data.x_test) and torch.equal(again.y_train, data.y_train)


def test_rate_code_probabilities():
    x = torch.tensor([[0.0, 0.25, 1.0]])
    spikes = rate_encode(x, n_time=20_000, generator=torch.Generator().manual_seed(0))
    assert spikes.shape == (20_000, 1, 3)
    assert set(spikes.unique().tolist()) <= {0.0, 1.0}
    rates = spikes.mean(dim=(0, 1))
    assert rates[0] == 0 and rates[2] == 1 and rates[1].item() == pytest.approx(0.25, abs=0.01)


def test_rate_code_errors():
    with pytest.raises(ValueError, match=r"x must hold intensities in \[0, 1\]; got values from 0 to 16"):
        rate_encode(torch.tensor([[0.0, 16.0]]), 5)
    with pytest.raises(ValueError, match=r"n_time must be a positive integer; got 0"):
        rate_encode(torch.zeros(1, 3), 0)
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor"):
        rate_encode(torch.zeros(1, 3, dtype=torch.int64), 5)


def test_network_shapes_and_counts():
    model = DigitsSNN(n_hidden=16)
    counts, hidden = model(torch.ones(7, 5, 64), return_hidden=True)
    assert counts.shape == (5, 10) and hidden.shape == (7, 5, 16)
    assert 0 <= counts.min() and counts.max() <= 7  # a count of spikes over 7 steps


def test_network_errors():
    with pytest.raises(ValueError, match=r"spikes must have shape \[time, batch, 64\]; got \(5, 64\)"):
        DigitsSNN()(torch.zeros(5, 64))
    with pytest.raises(ValueError, match=r"bias_init must be one of 'uniform', 'default'; got 'zero'"):
        DigitsSNN(bias_init="zero")
    with pytest.raises(ValueError, match=r"surrogate must be one of"):
        DigitsSNN(surrogate="relu")
    with pytest.raises(TypeError, match=r"n_hidden must be a positive integer; got float"):
        DigitsSNN(n_hidden=12.0)


def test_training_learns_the_digits(data):
    torch.manual_seed(0)
    model = DigitsSNN(n_hidden=64)
    history = train_digits(model, data, n_time=10, epochs=3, lr=3e-3, seed=0)
    assert len(history.loss) == len(history.test_accuracy) == 3
    assert history.loss[-1] < history.loss[0]
    result = evaluate(model, data.x_test, data.y_test, 10, torch.Generator().manual_seed(1))
    assert result.accuracy > 0.8  # far above chance (0.1) after 3 short epochs
    assert result.predictions.shape == (450,) and result.hidden.shape == (10, 450, 64)


def test_training_tracks_the_chosen_splits_and_restores_the_best_epoch(data):
    torch.manual_seed(0)
    model = DigitsSNN(n_hidden=32)
    history = train_digits(
        model, data, n_time=5, epochs=3, lr=1e-2, seed=0, track=("val",), restore_best=True
    )
    assert len(history.val_accuracy) == 3 and history.train_accuracy == history.test_accuracy == []
    best = max(history.val_accuracy)
    assert history.best_epoch == history.val_accuracy.index(best) + 1
    # the kept weights score the best epoch's accuracy again on the same draws: re-run to that epoch
    torch.manual_seed(0)
    again = DigitsSNN(n_hidden=32)
    train_digits(again, data, n_time=5, epochs=history.best_epoch, lr=1e-2, seed=0, track=("val",))
    for a, b in zip(model.state_dict().values(), again.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_training_arguments_are_checked(data):
    model = DigitsSNN(n_hidden=8)
    with pytest.raises(
        ValueError, match=r"track must be a tuple of names from \('train', 'val', 'test'\); got 'val'"
    ):
        train_digits(model, data, epochs=1, track="val")
    with pytest.raises(ValueError, match=r"track includes 'val' but data has no validation split"):
        train_digits(model, load_digits_split(validation_fraction=0), epochs=1, track=("val",))
    with pytest.raises(ValueError, match=r"restore_best needs 'val' in track; got track=\('test',\)"):
        train_digits(model, data, epochs=1, track=("test",), restore_best=True)
    with pytest.raises(TypeError, match=r"restore_best must be a bool; got int 1"):
        train_digits(model, data, epochs=1, track=("val",), restore_best=1)


def test_training_step_is_cross_entropy_on_the_counts():
    torch.manual_seed(0)
    model = DigitsSNN(n_hidden=16)
    spikes, labels = torch.ones(4, 3, 64), torch.tensor([0, 1, 2])
    expected = torch.nn.functional.cross_entropy(model(spikes), labels).item()
    before = model.output.weight.detach().clone()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    assert training_step(model, optimizer, spikes, labels) == expected  # the loss before the update
    assert not torch.equal(model.output.weight, before)  # and the step was taken


def test_unit_threshold_copy_by_hand():
    model = DigitsSNN(n_hidden=1, n_inputs=1, n_classes=1, threshold=2.0, slope=5.0, reset="subtract")
    with torch.no_grad():
        for p, value in zip(model.parameters(), [1.25, 0.0, 5.0, -1.0], strict=True):
            p.fill_(value)
    copy = unit_threshold_copy(model)
    assert copy.neuron._replace(threshold=2.0, slope=5.0) == model.neuron  # only these two change
    assert copy.neuron.threshold == 1.0 and copy.neuron.slope == 10.0
    assert [p.item() for p in copy.parameters()] == [0.625, 0.0, 2.5, -0.5]
    # by hand, input 1 at each of 4 steps (a spike where v > 2, then v - 2): hidden v 1.25, 2.5 (spike),
    # 1.75, 3.0 (spike); the output gets -1, 4, -1, 4: v -1, 3 (spike), 0, 4 (spike); the copy: v / 2
    counts, hidden = model(torch.ones(4, 1, 1), return_hidden=True)
    assert hidden.flatten().tolist() == [0.0, 1.0, 0.0, 1.0] and counts.item() == 2.0
    assert torch.equal(copy(torch.ones(4, 1, 1)), counts) and model.hidden.weight.item() == 1.25  # unchanged


@pytest.mark.parametrize("theta", [0.5, 2.0])
def test_unit_threshold_copy_scales_the_gradients_and_follows_adam(theta):
    torch.manual_seed(0)
    model = DigitsSNN(n_hidden=32, threshold=theta, slope=10.0 / theta)
    copy = unit_threshold_copy(model)
    spikes = rate_encode(torch.rand(16, 64), n_time=8, generator=torch.Generator().manual_seed(1))
    labels = torch.arange(16) % 10
    for net in (model, copy):
        torch.nn.functional.cross_entropy(net(spikes), labels).backward()
    assert torch.equal(model(spikes), copy(spikes))  # the same spikes (theta a power of two: exact)
    assert torch.equal(model.hidden.weight.grad, theta * copy.hidden.weight.grad)  # a factor theta
    assert torch.equal(model.output.weight.grad, copy.output.weight.grad)  # and 1 for the output layer
    for eps in (1e-8, 1e-30):  # Adam's default eps, and one too small to matter: then the same steps
        first = DigitsSNN(n_hidden=32, threshold=theta, slope=10.0 / theta)
        nets, rates = [first, unit_threshold_copy(first)], [1e-2, 1e-2 / theta]
        adams = [torch.optim.Adam(n.parameters(), lr=r, eps=eps) for n, r in zip(nets, rates, strict=True)]
        for _ in range(3):
            losses = [training_step(n, adam, spikes, labels) for n, adam in zip(nets, adams, strict=True)]
            assert losses[0] == pytest.approx(losses[1], abs=1e-6)
        if eps == 1e-30:
            for mine, theirs in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
                assert torch.equal(mine / theta, theirs)


def test_unit_threshold_copy_errors():
    with pytest.raises(TypeError, match=r"model must be a DigitsSNN; got DigitsMLP"):
        unit_threshold_copy(DigitsMLP())


def test_mlp_reference_shapes_and_rates():
    torch.manual_seed(0)
    mlp = DigitsMLP(n_hidden=16)
    spikes = torch.bernoulli(torch.full((6, 5, 64), 0.5), generator=torch.Generator().manual_seed(0))
    logits, hidden = mlp(spikes, return_hidden=True)
    assert logits.shape == (5, 10) and hidden.shape == (1, 5, 16) and hidden.min() >= 0
    # it sees the rates: the mean over time, so reordering the steps changes nothing
    assert torch.allclose(mlp(spikes.flip(0)), logits)
    with pytest.raises(ValueError, match=r"spikes must have shape \[time, batch, 64\]; got \(5, 64\)"):
        mlp(torch.zeros(5, 64))
    with pytest.raises(TypeError, match=r"n_hidden must be a positive integer; got float"):
        DigitsMLP(n_hidden=12.0)


def test_mlp_trains_and_evaluates_like_the_snn(data):
    torch.manual_seed(0)
    mlp = DigitsMLP(n_hidden=32)
    history = train_digits(mlp, data, n_time=5, epochs=2, lr=1e-2, seed=0, track=("val",))
    assert history.loss[-1] < history.loss[0]
    result = evaluate(mlp, data.x_val, data.y_val, 5, torch.Generator().manual_seed(1))
    assert result.accuracy > 0.5 and result.hidden.shape == (1, 270, 32) and 0 <= result.silent <= 1


def test_count_top_ties_by_hand():
    counts = torch.tensor([[3.0, 1, 0], [2, 2, 0], [0, 0, 0], [1, 4, 4], [0, 5, 1]])
    assert count_top_ties(counts) == 3  # rows 1, 2 (all zero) and 3; a tie below the top does not count
    assert count_top_ties(torch.tensor([[1.0, 0, 1]])) == 1
    with pytest.raises(ValueError, match=r"counts must have shape \[n, n_classes\]; got \(3,\)"):
        count_top_ties(torch.zeros(3))
