"""DeepDigitsSNN (notebook 13): the layers chained as the one-layer network is, its three initializations,
and clear errors."""

import pytest
import torch

from snn_helpers.core.fused import if_sequence
from snn_helpers.core.init import fluctuation_weights
from snn_helpers.tasks.digits import DEEP_INITS, DeepDigitsSNN


def spikes_like(time=6, batch=5, n=64, seed=0, p=0.3):
    return (torch.rand(time, batch, n, generator=torch.Generator().manual_seed(seed)) < p).float()


def test_forward_chains_the_layers_through_the_lif_engine():
    torch.manual_seed(0)
    model = DeepDigitsSNN(16, 3)
    x = spikes_like()
    counts, hidden = model(x, return_hidden=True)
    assert counts.shape == (5, 10) and hidden.shape == (6, 5, 48)
    spec = model.neuron._asdict()
    assert spec["beta"] == 0.9 and spec["surrogate"] == "fast_sigmoid" and spec["detach_reset"]
    s, layers = x, []
    for layer in model.layers:
        s, _ = if_sequence(layer(s), **spec)
        layers.append(s)
    out, _ = if_sequence(model.output(s), **spec)
    assert torch.equal(counts, out.sum(dim=0)) and torch.equal(hidden, torch.cat(layers, dim=-1))
    assert model.hidden is model.layers[0] and len(model.layers) == 3


def test_uniform_init_puts_every_hidden_bias_in_zero_one():
    torch.manual_seed(0)
    model = DeepDigitsSNN(200, 2, init="uniform")
    for layer in model.layers:
        assert 0 <= layer.bias.min() and layer.bias.max() <= 1 and layer.bias.mean() > 0.4
    assert model.output.bias.abs().max() <= 1 / 200**0.5  # the output keeps PyTorch's default


def test_fluctuation_init_uses_each_layers_measured_input_rates():
    x = spikes_like(time=20, batch=30, seed=1)
    gen = torch.Generator().manual_seed(3)
    model = DeepDigitsSNN(
        300, 2, init="fluctuation", init_spikes=x, xi=1.5, sigma=0.8, beta=0.8, generator=gen
    )
    assert len(model.weight_stats) == 3  # two hidden layers and the output
    mu_w, sigma_w = fluctuation_weights(x.mean(dim=(0, 1)), beta=0.8, xi=1.5, sigma=0.8)
    assert model.weight_stats[0] == pytest.approx((mu_w, sigma_w))
    w = model.layers[0].weight
    assert (
        abs(w.std().item() / sigma_w - 1) < 0.02
        and abs(w.mean().item() - mu_w) < 4 * sigma_w / w.numel() ** 0.5
    )
    first, _ = if_sequence(model.layers[0](x), **model.neuron._asdict())  # the second layer's input
    assert model.weight_stats[1] == pytest.approx(
        fluctuation_weights(first.mean(dim=(0, 1)), beta=0.8, xi=1.5, sigma=0.8)
    )
    assert all(
        torch.equal(layer.bias, torch.zeros_like(layer.bias)) for layer in [*model.layers, model.output]
    )
    same = DeepDigitsSNN(
        300,
        2,
        init="fluctuation",
        init_spikes=x,
        xi=1.5,
        sigma=0.8,
        beta=0.8,
        generator=torch.Generator().manual_seed(3),
    )
    assert torch.equal(same.layers[1].weight, model.layers[1].weight)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"init": "xavier"},
            ValueError,
            r"init must be one of 'default', 'uniform', 'fluctuation'; got 'xavier'",
        ),
        ({"init": "fluctuation"}, ValueError, r"init='fluctuation' needs init_spikes"),
        ({"init_spikes": spikes_like()}, ValueError, r"init_spikes is used by init='fluctuation' only"),
        ({"n_layers": 0}, ValueError, r"n_layers must be a positive integer; got 0"),
        (
            {"init": "fluctuation", "init_spikes": spikes_like(n=10)},
            ValueError,
            r"spikes must have shape \[time, batch, 64\]",
        ),
        ({"beta": 0.0}, ValueError, r"beta must be a number in \(0, 1\]"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        DeepDigitsSNN(8, **kwargs)


def test_inits_are_the_documented_ones():
    assert DEEP_INITS == ("default", "uniform", "fluctuation")
    with pytest.raises(ValueError, match=r"spikes must have shape \[time, batch, 64\]; got \(6, 5, 3\)"):
        DeepDigitsSNN(8)(spikes_like(n=3))
