"""The initialization layer: the post's bias trick, and fluctuation-driven initialization (notebook 13):
the closed form against hand-worked numbers, the measured free membrane against the closed form, and the
errors on bad arguments."""

import math

import pytest
import torch
from torch import nn

from snn_helpers.core.init import (
    MembraneStats,
    fluctuation_init_,
    fluctuation_weights,
    init_bias,
    measure_membrane,
    predicted_membrane,
)


def test_uniform_bias_lies_in_zero_one_and_default_is_left_alone():
    torch.manual_seed(0)
    layer = nn.Linear(10, 1000)
    before = layer.bias.detach().clone()
    init_bias(layer, "default")
    assert torch.equal(layer.bias, before)
    init_bias(layer, "uniform")
    assert 0 <= layer.bias.min() and layer.bias.max() <= 1 and abs(layer.bias.mean().item() - 0.5) < 0.05


def test_stationary_statistics_by_hand():
    # n = 48 inputs at p = 0.5, beta = 0.5: G1 = 1/(1 - 0.5) = 2, G2 = 1/(1 - 0.25) = 4/3;
    # sum p = 24, sum p (1 - p) = 12, sum p^2 = 12. Weights N(0.05, 0.1^2):
    # mean = 0.05 * 24 * 2 = 2.4; fluctuation^2 = (0.0025 + 0.01) * 12 * 4/3 = 0.2;
    # spread^2 = 0.01 * 12 * 2^2 = 0.48; std^2 = 0.68.
    stats = predicted_membrane(0.05, 0.1, 0.5, 48, beta=0.5)
    assert isinstance(stats, MembraneStats)
    assert stats.mean == pytest.approx(2.4)
    assert stats.fluctuation == pytest.approx(math.sqrt(0.2))
    assert stats.spread == pytest.approx(math.sqrt(0.48))
    assert stats.std == pytest.approx(math.sqrt(0.68))
    # a bias adds b G1 to the mean, nothing to the spread
    assert predicted_membrane(0.05, 0.1, 0.5, 48, beta=0.5, bias=0.25).mean == pytest.approx(2.9)


def test_per_input_rates_and_steps_by_hand():
    # rates (0, 0.5, 1): sum p = 1.5, sum p (1 - p) = 0.25, sum p^2 = 1.25. IF (beta = 1) at step 3:
    # G1 = G2 = 4. Weights N(0.1, 0.2^2): mean = 0.1 * 1.5 * 4 = 0.6;
    # fluctuation^2 = 0.05 * 0.25 * 4 = 0.05; spread^2 = 0.04 * 1.25 * 16 = 0.8.
    stats = predicted_membrane(0.1, 0.2, torch.tensor([0.0, 0.5, 1.0]), beta=1.0, step=3)
    assert stats.mean == pytest.approx(0.6)
    assert stats.fluctuation == pytest.approx(math.sqrt(0.05))
    assert stats.spread == pytest.approx(math.sqrt(0.8))
    # beta = 0.5 at step 1: G1 = 1 + 0.5 = 1.5, G2 = 1 + 0.25 = 1.25
    stats = predicted_membrane(0.1, 0.2, torch.tensor([0.0, 0.5, 1.0]), beta=0.5, step=1)
    assert stats.mean == pytest.approx(0.1 * 1.5 * 1.5)
    assert stats.fluctuation == pytest.approx(math.sqrt(0.05 * 0.25 * 1.25))
    # the stationary state is the limit of late steps
    late = predicted_membrane(0.1, 0.2, 0.3, 20, beta=0.8, step=200)
    assert late == pytest.approx(predicted_membrane(0.1, 0.2, 0.3, 20, beta=0.8))


def test_fluctuation_weights_by_hand_and_as_the_inverse():
    # targets sigma = 1, xi = 1: mean 0, so weight_mean = 0 and weight_std^2 = 1 / (S2 G2 + S3 G1^2);
    # n = 48, p = 0.5, beta = 0.5: 1 / (12 * 4/3 + 12 * 4) = 1/64, weight_std = 1/8.
    assert fluctuation_weights(0.5, 48, beta=0.5) == pytest.approx((0.0, 0.125))
    # mean 0.6 with xi = 2, sigma = 0.2 (threshold 1): weight_mean = 0.6 / (24 * 2) = 0.0125
    mu_w, sigma_w = fluctuation_weights(0.5, 48, beta=0.5, xi=2.0, sigma=0.2)
    assert mu_w == pytest.approx(0.0125)
    stats = predicted_membrane(mu_w, sigma_w, 0.5, 48, beta=0.5)
    assert stats.mean == pytest.approx(0.6) and stats.std == pytest.approx(0.2)
    # another threshold scales both targets
    stats = predicted_membrane(
        *fluctuation_weights(0.1, 100, beta=0.9, threshold=2.0, xi=1.5), 0.1, 100, beta=0.9
    )
    assert stats.std == pytest.approx(2.0) and stats.mean == pytest.approx(2.0 - 1.5 * 2.0)


def test_fluctuation_init_sets_the_layer():
    layer = nn.Linear(50, 4000)
    mu_w, sigma_w = fluctuation_init_(layer, 0.2, beta=0.8, generator=torch.Generator().manual_seed(0))
    assert (mu_w, sigma_w) == pytest.approx(fluctuation_weights(0.2, 50, beta=0.8))
    assert torch.equal(layer.bias, torch.zeros(4000))
    # 200,000 draws: the sample mean and std are within 4 standard errors of mu_w and sigma_w
    n = layer.weight.numel()
    assert abs(layer.weight.mean().item() - mu_w) < 4 * sigma_w / math.sqrt(n)
    assert abs(layer.weight.std().item() / sigma_w - 1) < 4 / math.sqrt(2 * n)
    again = nn.Linear(50, 4000)
    fluctuation_init_(again, 0.2, beta=0.8, generator=torch.Generator().manual_seed(0))
    assert torch.equal(again.weight, layer.weight)


@pytest.mark.parametrize(("beta", "rate", "xi", "sigma"), [(0.8, 0.2, 1.0, 1.0), (0.5, 0.05, 2.0, 0.5)])
def test_measured_free_membrane_matches_the_theory(beta, rate, xi, sigma):
    # N = 2000 neurons, each with its own weights: they are the independent samples (steps of one neuron
    # are correlated over ~1/(1 - beta) steps, and 16 rows x 100 kept steps per neuron make its own mean
    # and spread precise). Standard errors: mean, std / sqrt(N); a spread, relative 1 / sqrt(2 N) = 1.6%.
    # Tolerance: 4 standard errors, and 0.5% of the std for what 100 steps leave of the transient
    # (beta^50 <= 1e-5 after the burn-in) and the within-neuron sampling.
    n_neurons, n_inputs = 2000, 100
    gen = torch.Generator().manual_seed(1)
    layer = nn.Linear(n_inputs, n_neurons)
    fluctuation_init_(layer, rate, beta=beta, xi=xi, sigma=sigma, generator=gen)
    spikes = (torch.rand(150, 16, n_inputs, generator=gen) < rate).float()
    with torch.no_grad():
        measured = measure_membrane(layer(spikes), beta, burn_in=50)
    theory = predicted_membrane(
        *fluctuation_weights(rate, n_inputs, beta=beta, xi=xi, sigma=sigma), rate, n_inputs, beta=beta
    )
    assert theory.std == pytest.approx(sigma) and theory.mean == pytest.approx(1 - xi * sigma)
    se_rel = 1 / math.sqrt(2 * n_neurons)
    assert abs(measured.mean - theory.mean) < 4 * theory.std / math.sqrt(n_neurons) + 0.005 * theory.std
    for name in ("std", "fluctuation", "spread"):
        got, want = getattr(measured, name), getattr(theory, name)
        assert abs(got / want - 1) < 4 * se_rel + 0.005, (name, got, want)
    assert measured.std**2 == pytest.approx(measured.fluctuation**2 + measured.spread**2)


def test_measure_membrane_by_hand():
    # one neuron, one row, current 1, 0, 1 with beta 0.5: v = 1, 0.5, 1.25 -> mean 11/12
    current = torch.tensor([1.0, 0.0, 1.0]).reshape(3, 1, 1)
    stats = measure_membrane(current, 0.5)
    assert stats.mean == pytest.approx(2.75 / 3) and stats.spread == 0.0
    assert stats.std == pytest.approx(torch.tensor([1.0, 0.5, 1.25]).std(unbiased=False).item())
    assert measure_membrane(current, 0.5, burn_in=2).mean == pytest.approx(1.25)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: predicted_membrane(0.1, 0.1, 0.2, 10, beta=1.0), ValueError, r"beta = 1 .* no stationary"),
        (
            lambda: predicted_membrane(0.1, 0.1, 1.5, 10, beta=0.9),
            ValueError,
            r"rate must be a probability .* got 1.5",
        ),
        (lambda: predicted_membrane(0.1, 0.1, "0.2", 10, beta=0.9), TypeError, r"rate must be .* got str"),
        (lambda: predicted_membrane(0.1, 0.1, 0.2, None, beta=0.9), TypeError, r"n_inputs must be given"),
        (
            lambda: predicted_membrane(0.1, 0.1, 0.2, 0, beta=0.9),
            ValueError,
            r"n_inputs must be a positive integer",
        ),
        (
            lambda: predicted_membrane(0.1, 0.1, torch.tensor([0.2, 0.3]), 3, beta=0.9),
            ValueError,
            r"n_inputs must equal len\(rate\) = 2",
        ),
        (
            lambda: predicted_membrane(0.1, 0.1, torch.tensor([0.2, -0.1]), beta=0.9),
            ValueError,
            r"rate must hold probabilities .* from -0.1",
        ),
        (
            lambda: predicted_membrane(0.1, -0.1, 0.2, 10, beta=0.9),
            ValueError,
            r"weight_std must be a number >= 0",
        ),
        (
            lambda: predicted_membrane(None, 0.1, 0.2, 10, beta=0.9),
            TypeError,
            r"weight_mean must be a finite number",
        ),
        (
            lambda: predicted_membrane(0.1, 0.1, 0.2, 10, beta=1.5),
            ValueError,
            r"beta must be a number in \(0, 1\]",
        ),
        (lambda: predicted_membrane(0.1, 0.1, 0.2, 10, beta=0.9, step=-1), ValueError, r"step must be None"),
        (
            lambda: fluctuation_weights(0.2, 10, beta=0.9, sigma=0.0),
            ValueError,
            r"sigma must be a positive number",
        ),
        (lambda: fluctuation_weights(0.0, 10, beta=0.9), ValueError, r"at least one input that fires"),
        (lambda: fluctuation_weights(0.2, 10, beta=0.9, xi="1"), TypeError, r"xi must be a finite number"),
        (
            lambda: fluctuation_weights(0.5, 10, beta=0.5, xi=-20.0, sigma=0.1),
            ValueError,
            r"no weights reach sigma=0.1",
        ),
        (
            lambda: fluctuation_init_(nn.Conv1d(1, 1, 1), 0.2, beta=0.9),
            TypeError,
            r"linear must be a torch.nn.Linear",
        ),
        (
            lambda: fluctuation_init_(nn.Linear(3, 2), torch.tensor([0.2, 0.3]), beta=0.9),
            ValueError,
            r"rate must have one entry per input, 3; got 2",
        ),
        (
            lambda: measure_membrane(torch.zeros(5, 3), 0.9),
            ValueError,
            r"current must have shape \[time, batch, neurons\]",
        ),
        (
            lambda: measure_membrane(torch.zeros(5, 1, 3), 0.9, burn_in=5),
            ValueError,
            r"burn_in must be an integer from 0 to time - 1 = 4",
        ),
        (
            lambda: measure_membrane(torch.zeros(5, 1, 3, dtype=torch.int64), 0.9),
            TypeError,
            r"floating-point",
        ),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
