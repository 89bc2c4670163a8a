"""Synaptic operations counted by hand, dense MACs against torchinfo, the rate regularizers' values and gradients."""

import pytest
import torch
from torchinfo import summary

from snn_helpers import Model
from snn_helpers.core.activity import (
    count_synops,
    dense_macs,
    mean_counts,
    rate_lower_bound,
    rate_upper_bound,
    spike_count_l1,
    synaptic_operations,
)
from snn_helpers.tasks.digits import DigitsSNN, ReadoutSNN


def test_synaptic_operations_by_hand():
    # 2 samples, 3 steps, 2 inputs: sample 0 sends 3 spikes, sample 1 sends 1; each reaches 4 neurons
    spikes = torch.zeros(3, 2, 2)
    spikes[0, 0, 0] = spikes[1, 0, 0] = spikes[2, 0, 1] = spikes[1, 1, 1] = 1
    assert synaptic_operations(spikes, 4).tolist() == [12.0, 4.0]
    assert synaptic_operations(spikes[:, 0], 4).item() == 12.0  # one unbatched sample
    assert synaptic_operations(spikes, 0).tolist() == [0.0, 0.0]


def test_post_model_synops_and_macs():
    model = Model(3, 5, n_time=2)
    x = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])  # 3 input spikes, each to 5 neurons
    assert count_synops(model, x) == {"input -> hidden": 15.0}
    assert dense_macs(model) == {"input -> hidden": 3 * 5 + 5}
    assert dense_macs(Model(300, 500)) == {"input -> hidden": 150_500}


def test_dense_macs_match_torchinfo_for_a_batched_input():
    # notebook 03: torchinfo counts weights and biases once per Linear call; the Linear is called
    # once per step, so T steps of the post's model cost T * 150,500 = 1,505,000 mult-adds
    stats = summary(Model(300, 500), input_size=(10, 1, 300), verbose=0)
    assert stats.total_mult_adds == 10 * dense_macs(Model(300, 500))["input -> hidden"]


def test_digits_networks_synops_by_hand():
    torch.manual_seed(0)
    for model in [DigitsSNN(n_hidden=4), ReadoutSNN("mean", n_hidden=4)]:
        with torch.no_grad():  # hidden neuron 0 fires at every step, the others never
            model.hidden.weight.zero_()
            model.hidden.bias.copy_(torch.tensor([2.0, 0.0, 0.0, 0.0]))
        spikes = torch.zeros(3, 2, 64)
        spikes[0, 0, :5] = 1  # sample 0: 5 input spikes; sample 1: none
        got = count_synops(model, spikes)
        # inputs: (5 + 0) / 2 samples * 4 hidden; hidden: neuron 0 fires 3 times per sample, to 10 outputs
        assert got == {"input -> hidden": 10.0, "hidden -> output": 30.0}
        assert dense_macs(model) == {"input -> hidden": 64 * 4 + 4, "hidden -> output": 4 * 10 + 10}


def test_regularizers_by_hand():
    # 2 steps, 2 samples, 3 neurons. Counts per sample: neuron 0: 2 and 0 (mean 1), neuron 1: 1 and 1
    # (mean 1), neuron 2: 0 and 0 (silent). Mean counts [1, 1, 0].
    spikes = torch.zeros(2, 2, 3)
    spikes[:, 0, 0] = 1
    spikes[0, :, 1] = 1
    assert mean_counts(spikes).tolist() == [1.0, 1.0, 0.0]
    assert rate_lower_bound(spikes, 1.0).item() == pytest.approx(1 / 3)  # only the silent one: 1^2 / 3
    assert rate_lower_bound(spikes, 2.0).item() == pytest.approx((1 + 1 + 4) / 3)
    assert rate_upper_bound(spikes, 0.5).item() == pytest.approx((2 / 3 - 0.5) ** 2)
    assert rate_upper_bound(spikes, 1.0).item() == 0.0
    assert spike_count_l1(spikes).item() == pytest.approx(2 / 3)
    assert rate_lower_bound(spikes[:, 0], 1.0).item() == pytest.approx(1 / 3)  # unbatched: counts [2, 1, 0]


def test_lower_bound_gradient_reaches_only_neurons_below_the_bound():
    spikes = torch.zeros(2, 1, 3)
    spikes[:, 0, 0] = 1  # counts [2, 0, 0]
    spikes.requires_grad_(True)
    rate_lower_bound(spikes, 1.0).backward()
    # d/dc_i of mean_i relu(1 - c_i)^2 = -2 relu(1 - c_i) / 3; each spike adds 1 to its count
    expected = torch.tensor([0.0, -2 / 3, -2 / 3]).expand(2, 1, 3)
    torch.testing.assert_close(spikes.grad, expected)


def test_docstring_factors_with_a_batch():
    # N = 5 neurons, B = 4 samples, 10 steps (the review's probe1 shape).
    n_steps, batch, n_neurons = 10, 4, 5
    silent = torch.zeros(n_steps, batch, n_neurons, requires_grad=True)
    rate_lower_bound(silent, 1.0).backward()
    # -2 min_count / (n_neurons * batch) = -2 / 20 = -0.1 on every entry, not -2 / 5 = -0.4
    torch.testing.assert_close(silent.grad, torch.full((n_steps, batch, n_neurons), -0.1))
    # The batch is averaged before the bound: neuron 0 fires 4 times on sample 0 only (batch mean 1),
    # so min_count = 1 is met for it, although it is silent on samples 1 to 3.
    spikes = torch.zeros(n_steps, batch, n_neurons)
    spikes[:4, 0, 0] = 1
    spikes[:, :, 1:] = 1  # the other neurons fire on every step of every sample
    assert rate_lower_bound(spikes, 1.0).item() == 0.0
    per_sample = torch.relu(1.0 - spikes.sum(dim=0)).pow(2).mean()  # bound per sample, then mean
    assert per_sample.item() == pytest.approx(3 / (batch * n_neurons))
    # spike_count_l1 * fan_out = SOPs per sample (batch mean) / n_neurons
    counts = torch.zeros(n_steps, batch, n_neurons)
    counts[:3, 0, 0] = 1
    counts[:, 1, 2] = 1
    counts[5, 3, 4] = 1  # 3 + 10 + 1 = 14 spikes over 4 samples
    fan_out = 7
    sops = synaptic_operations(counts, fan_out).float().mean()
    assert sops.item() == pytest.approx(14 * 7 / 4)
    assert (spike_count_l1(counts) * fan_out).item() == pytest.approx(sops.item() / n_neurons)


def test_l1_gradient_is_uniform():
    spikes = torch.zeros(4, 2, 5, requires_grad=True)
    spike_count_l1(spikes).backward()
    torch.testing.assert_close(spikes.grad, torch.full((4, 2, 5), 1 / (2 * 5)))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: synaptic_operations(torch.full((2, 1, 3), 0.5), 4),
            ValueError,
            r"spikes must hold only 0 and 1",
        ),
        (
            lambda: synaptic_operations(torch.zeros(3), 4),
            ValueError,
            r"spikes must have 2 dims \[time, neurons\] or 3 dims",
        ),
        (
            lambda: synaptic_operations(torch.zeros(2, 3), -1),
            ValueError,
            r"fan_out must be a non-negative int; got -1",
        ),
        (
            lambda: synaptic_operations(torch.zeros(2, 3, dtype=torch.int64), 1),
            TypeError,
            r"spikes must be a floating-point tensor",
        ),
        (
            lambda: count_synops(torch.nn.Linear(2, 3), torch.zeros(2, 2)),
            TypeError,
            r"model must be a snn_helpers.Model, a DigitsSNN or a ReadoutSNN; got Linear",
        ),
        (
            lambda: count_synops(DigitsSNN(), torch.zeros(2, 64)),
            ValueError,
            r"spikes must have 3 dims \[time, batch, inputs\]",
        ),
        (lambda: dense_macs(torch.nn.ReLU()), TypeError, r"model must be a snn_helpers.Model"),
        (
            lambda: rate_lower_bound(torch.zeros(2, 3), 0.0),
            ValueError,
            r"min_count must be a positive finite number of spikes; got 0.0",
        ),
        (
            lambda: rate_lower_bound(torch.zeros(2, 3), "1"),
            TypeError,
            r"min_count must be a number of spikes; got str",
        ),
        (
            lambda: rate_upper_bound(torch.zeros(2, 3), -1),
            ValueError,
            r"max_count must be a non-negative finite number of spikes; got -1",
        ),
        (lambda: spike_count_l1([0, 1]), TypeError, r"spikes must be a torch.Tensor; got list"),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
