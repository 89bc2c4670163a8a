"""One neuron, one subtract rule: every engine and kernel of the library computes :class:`IF`'s step.

The feed-forward engines (``if_sequence``, torch ops and the C++ kernel), the recurrent layer without
recurrent weights (``recurrent_lif_sequence`` with ``weight=None``, torch ops and its kernel, and
``RecurrentLIF(recurrent=False)`` on its loop engine) and ``IF`` stepped by hand give the same spikes
and the same membranes to the last bit, for both resets, with and without a leak and a detached reset;
their gradients agree up to the order of a sum.
"""

import itertools

import pytest
import torch

from snn_helpers import IF, RecurrentLIF, if_sequence, recurrent_lif_sequence
from snn_helpers.core import kernel, recurrent_kernel
from snn_helpers.core.neuron import NeuronSpec, neuron_spec

CASES = list(
    itertools.product(["zero", "subtract"], [1.0, 0.5, 0.9], [False, True], ["post", "fast_sigmoid"])
)


def step_if(current: torch.Tensor, **neuron) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: :class:`IF` stepped through time under autograd."""
    layer = IF(**neuron)
    v = s = torch.zeros((), dtype=current.dtype)
    spikes, membranes = [], []
    for step in current:
        v, s = layer(step, v, s)
        spikes.append(s)
        membranes.append(v)
    return torch.stack(spikes), torch.stack(membranes)


def recurrent_loop(current: torch.Tensor, **neuron) -> tuple[torch.Tensor, torch.Tensor]:
    """``RecurrentLIF(recurrent=False)``'s loop engine, its input Linear the identity (exact)."""
    n = current.shape[-1]
    layer = RecurrentLIF(n, n, recurrent=False, engine="loop", **neuron)
    with torch.no_grad():
        layer.input.weight.copy_(torch.eye(n))
        layer.input.bias.zero_()
    layer.input.weight.requires_grad_(False)
    layer.input.bias.requires_grad_(False)
    return layer(current, return_membrane=True)


def engines(backend: str) -> dict:
    """The engines to compare, on one backend ("compiled" or "torch ops")."""
    return {
        "IF stepped": step_if,
        "if_sequence": if_sequence,
        "recurrent_lif_sequence": lambda c, **n: recurrent_lif_sequence(c, None, **n),
        "RecurrentLIF loop": recurrent_loop,
    }


@pytest.fixture(params=["compiled", "torch ops"])
def backend(request, monkeypatch):
    if request.param == "torch ops":
        monkeypatch.setattr(kernel, "load", lambda: None)
        monkeypatch.setattr(recurrent_kernel, "load", lambda: None)
    else:
        request.getfixturevalue("require_kernel")
        if recurrent_kernel.build() is None:
            pytest.skip("no recurrent kernel here: torch ops are tested by the other param")
    return request.param


@pytest.mark.parametrize(("reset", "beta", "detach", "surrogate"), CASES)
def test_every_engine_gives_if_s_spikes_membranes_and_gradients(backend, reset, beta, detach, surrogate):
    neuron = {"reset": reset, "beta": beta, "detach_reset": detach, "surrogate": surrogate}
    base = torch.randn(12, 3, 16, generator=torch.Generator().manual_seed(1)) * 0.8 + 0.7
    results = {}
    for name, run in engines(backend).items():
        current = base.clone().requires_grad_()
        spikes, membrane = run(current, **neuron)
        weights = torch.linspace(0.5, 1.5, spikes.numel()).reshape(spikes.shape)
        ((spikes * weights).sum() + (membrane**2).sum() * 0.01).backward()
        results[name] = (spikes.detach(), membrane.detach(), current.grad)
    ref_s, ref_v, ref_g = results["IF stepped"]
    assert 0.1 < ref_s.mean() < 0.9  # the case fires and rests: resets happen
    for name, (s, v, g) in results.items():
        assert torch.equal(s, ref_s), name
        assert torch.equal(v, ref_v), name
        assert torch.allclose(g, ref_g, rtol=1e-5, atol=1e-5 * ref_g.abs().max()), name


@pytest.mark.parametrize("name", ["IF stepped", "if_sequence", "recurrent_lif_sequence", "RecurrentLIF loop"])
def test_the_subtract_rule_by_hand(backend, name):
    # beta 0.5, threshold 1, input 1.2, 0.3, 0, 0: a spike at step 0, then v = 0.5 * (1.2 - 1) + 0.3 = 0.4,
    # 0.5 * 0.4 = 0.2, 0.1: the reset acts first, then what is left leaks (0.2 is kept, not 0.2 - 0.5 = -0.3)
    current = torch.tensor([1.2, 0.3, 0.0, 0.0]).reshape(4, 1, 1)
    spikes, membrane = engines(backend)[name](current, reset="subtract", beta=0.5)
    assert torch.allclose(membrane.flatten(), torch.tensor([1.2, 0.4, 0.2, 0.1]), rtol=0, atol=1e-6)
    assert spikes.flatten().tolist() == [1.0, 0.0, 0.0, 0.0]


def test_one_parameter_record_everywhere():
    fields = ("threshold", "reset", "beta", "surrogate", "slope", "detach_reset")
    assert NeuronSpec._fields == fields
    spec = neuron_spec(threshold=2, beta=1, surrogate="fast_sigmoid")
    assert spec == NeuronSpec(2.0, "zero", 1.0, "fast_sigmoid", 10.0, False)
    assert isinstance(spec.threshold, float) and isinstance(spec.beta, float)
    assert IF(threshold=2.0, surrogate="fast_sigmoid").neuron == spec
    layer = RecurrentLIF(3, 4, beta=0.5, reset="subtract")
    assert layer.neuron == NeuronSpec(1.0, "subtract", 0.5, "fast_sigmoid", 10.0, False)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: IF(1.0), r"takes 1 positional argument"),
        (lambda: RecurrentLIF(3, 4, 0.9), r"takes 3 positional arguments"),
        (lambda: if_sequence(torch.zeros(2, 3), 1.0), r"takes 1 positional argument"),
        (lambda: recurrent_lif_sequence(torch.zeros(2, 1, 3), None, 0.9), r"takes 2 positional arguments"),
    ],
)
def test_the_neuron_is_given_by_keyword(make, message):
    with pytest.raises(TypeError, match=message):
        make()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"threshold": 0}, ValueError, r"threshold must be a positive number; got 0"),
        ({"reset": "soft"}, ValueError, r"reset must be one of"),
        ({"beta": 1.5}, ValueError, r"beta must be a number in \(0, 1\]"),
        ({"detach_reset": 1}, TypeError, r"detach_reset must be a bool; got int 1"),
        ({"surrogate": "relu"}, ValueError, r"surrogate must be one of .*; got .relu."),
    ],
)
def test_neuron_spec_names_the_bad_field(kwargs, error, message):
    with pytest.raises(error, match=message):
        neuron_spec(**kwargs)
