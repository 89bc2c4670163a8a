"""The adaptive LIF neuron (Bellec et al. 2018) of the recurrent layer, notebook 14.

a_t = rho a_{t-1} + (1 - rho) s_{t-1}, A_t = theta + beta_a a_t, s_t = H(v_t - A_t); the subtract
reset removes A_{t-1}. The loop engine is checked against numbers worked by hand; the fused engine
(torch ops and the C++ kernel) against the loop.
"""

import pytest
import torch

from snn_helpers.core.recurrent import RecurrentLIF, check_adaptation


def identity_layer(engine: str, **kwargs) -> RecurrentLIF:
    """One neuron whose input Linear is the identity (weight 1, bias 0: exact), no recurrence."""
    layer = RecurrentLIF(1, 1, recurrent=False, engine=engine, **kwargs)
    with torch.no_grad():
        layer.input.weight.fill_(1.0)
        layer.input.bias.zero_()
    return layer


HAND = dict(beta=0.5, threshold=1.0, adapt_decay=0.5, adapt_strength=1.0)


@pytest.mark.parametrize("engine", ["loop"])
def test_hand_worked_adaptive_threshold_zero_reset(engine):
    # beta 0.5, theta 1, rho 0.5, beta_a 1, reset zero, currents 1.5, 1.25, 0.75, 1.5:
    # t0: a = 0,                     A = 1,     v = 1.5                       > 1     -> s = 1
    # t1: a = 0.5*0 + 0.5*1 = 0.5,   A = 1.5,   v = 0.5*1.5*(1-1) + 1.25 = 1.25 < 1.5  -> s = 0
    # t2: a = 0.5*0.5 + 0 = 0.25,    A = 1.25,  v = 0.5*1.25 + 0.75 = 1.375   > 1.25  -> s = 1
    # t3: a = 0.125 + 0.5 = 0.625,   A = 1.625, v = 0 + 1.5 = 1.5             < 1.625 -> s = 0
    # (without adaptation: v = 1.5, 1.25, 0.75, 1.875 and s = 1, 1, 0, 1)
    layer = identity_layer(engine, reset="zero", **HAND)
    x = torch.tensor([1.5, 1.25, 0.75, 1.5]).reshape(4, 1)
    s, v, a = layer(x, return_threshold=True)
    assert s.flatten().tolist() == [1.0, 0.0, 1.0, 0.0]
    assert v.flatten().tolist() == [1.5, 1.25, 1.375, 1.5]
    assert a.flatten().tolist() == [1.0, 1.5, 1.25, 1.625]
    layer.adapt_strength = 0.0  # switched off after training: the plain LIF neuron
    s, v, a = layer(x, return_threshold=True)
    assert s.flatten().tolist() == [1.0, 1.0, 0.0, 1.0]
    assert v.flatten().tolist() == [1.5, 1.25, 0.75, 1.875]
    assert a.flatten().tolist() == [1.0] * 4


@pytest.mark.parametrize("engine", ["loop"])
def test_hand_worked_adaptive_threshold_subtract_reset(engine):
    # as above with reset subtract and currents 1.5, 1.0, 0.75, 1.5: the reset removes A_{t-1}
    # t0: A = 1,     v = 1.5                            -> s = 1
    # t1: A = 1.5,   v = 0.5*(1.5 - 1*1) + 1.0 = 1.25   -> s = 0
    # t2: A = 1.25,  v = 0.5*(1.25 - 0) + 0.75 = 1.375  -> s = 1
    # t3: A = 1.625, v = 0.5*(1.375 - 1.25) + 1.5 = 1.5625 < 1.625 -> s = 0
    layer = identity_layer(engine, reset="subtract", **HAND)
    x = torch.tensor([1.5, 1.0, 0.75, 1.5]).reshape(4, 1)
    s, v, a = layer(x, return_threshold=True)
    assert s.flatten().tolist() == [1.0, 0.0, 1.0, 0.0]
    assert v.flatten().tolist() == [1.5, 1.25, 1.375, 1.5625]
    assert a.flatten().tolist() == [1.0, 1.5, 1.25, 1.625]


@pytest.mark.parametrize("engine", ["loop"])
def test_hand_worked_gradient_through_the_adaptation(engine):
    # the zero-reset example with detach_reset, L = s_2. g(x) = 1 / (1 + 10|x|)^2 (fast sigmoid) at
    # x_t = v_t - A_t = 0.5, -0.25, 0.125. dv_1/dI_0 = 0.5 * (1 - s_0) = 0 (reset detached), so I_0
    # reaches s_2 only through the threshold: da_1/dI_0 = 0.5 g0, ds_1/dI_0 = g1 (0 - da_1/dI_0),
    # da_2/dI_0 = 0.5 da_1/dI_0 + 0.5 ds_1/dI_0 = 0.25 g0 (1 - g1), dL/dI_0 = g2 (0 - da_2/dI_0).
    # dL/dI_1 = g2 (dv_2/dI_1 - da_2/dI_1) = g2 (0.5 (1 - s_1) - 0.5 g1); dL/dI_2 = g2; dL/dI_3 = 0.
    layer = identity_layer(engine, reset="zero", detach_reset=True, **HAND)
    layer.input.weight.requires_grad_(False)
    layer.input.bias.requires_grad_(False)
    x = torch.tensor([1.5, 1.25, 0.75, 1.5], dtype=torch.float64).reshape(4, 1).requires_grad_()
    layer.double()
    s = layer(x)
    s[2].sum().backward()
    g0, g1, g2 = 1 / (1 + 10 * 0.5) ** 2, 1 / (1 + 10 * 0.25) ** 2, 1 / (1 + 10 * 0.125) ** 2
    expected = [-0.25 * g0 * (1 - g1) * g2, g2 * (0.5 - 0.5 * g1), g2, 0.0]
    assert torch.allclose(x.grad.flatten(), torch.tensor(expected, dtype=torch.float64), rtol=1e-12, atol=0)
    assert expected[0] < 0  # an earlier input raises the later threshold: it lowers the later spike


def seeded_layer(engine: str, **kwargs) -> RecurrentLIF:
    torch.manual_seed(0)
    layer = RecurrentLIF(5, 7, engine=engine, **kwargs)
    with torch.no_grad():
        layer.input.bias.uniform_(0.0, 0.6)
        layer.recurrent_weight.mul_(3.0)
    return layer


@pytest.mark.parametrize("engine", ["loop"])
@pytest.mark.parametrize("reset", ["zero", "subtract"])
def test_strength_zero_is_the_plain_layer(engine, reset):
    x = (torch.rand(12, 3, 5, generator=torch.Generator().manual_seed(1)) < 0.4).float()
    outputs = []
    for kwargs in [{}, dict(adapt_decay=0.9, adapt_strength=0.0)]:
        layer = seeded_layer(engine, reset=reset, **kwargs)
        s, v = layer(x, return_membrane=True)
        (s.sum() + 0.1 * v.sum()).backward()
        outputs.append([s, v, *(p.grad for p in layer.parameters())])
    assert outputs[0][0].sum() > 0
    for a, b in zip(*outputs, strict=True):
        assert torch.equal(a, b)


def test_adaptation_lowers_the_firing_and_can_be_switched_off():
    x = (torch.rand(30, 4, 5, generator=torch.Generator().manual_seed(2)) < 0.4).float()
    layer = seeded_layer("loop", adapt_decay=0.95, adapt_strength=1.5)
    adaptive = layer(x)
    layer.adapt_strength = 0.0
    plain = layer(x)
    assert adaptive.mean() < plain.mean()
    assert torch.equal(plain, seeded_layer("loop")(x))


def test_threshold_without_adaptation_is_theta_and_shapes():
    layer = RecurrentLIF(3, 4, threshold=0.8, engine="loop")
    s, v, a = layer(torch.ones(6, 2, 3), return_threshold=True)
    assert s.shape == v.shape == a.shape == (6, 2, 4)
    assert torch.equal(a, torch.full((6, 2, 4), 0.8))
    s, v, a = RecurrentLIF(3, 4, engine="loop", adapt_decay=0.9, adapt_strength=0.5)(
        torch.ones(6, 3), return_threshold=True
    )
    assert s.shape == v.shape == a.shape == (6, 4)
    assert layer(torch.ones(6, 2, 3)).shape == (6, 2, 4)


def test_attributes_and_repr():
    layer = RecurrentLIF(3, 4, adapt_decay=0.9, adapt_strength=2)
    assert layer.adapt_decay == 0.9 and layer.adapt_strength == 2.0
    assert isinstance(layer.adapt_strength, float)
    assert "adapt_decay=0.9, adapt_strength=2.0" in layer.extra_repr()
    plain = RecurrentLIF(3, 4)
    assert plain.adapt_decay is None and plain.adapt_strength == 0.0
    assert "adapt_decay=None, adapt_strength=0.0" in plain.extra_repr()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(adapt_decay=1.0), ValueError, r"adapt_decay must be None or a number in \(0, 1\).*got 1.0"),
        (dict(adapt_decay=0), ValueError, r"adapt_decay must be None or a number in \(0, 1\).*got 0"),
        (dict(adapt_decay=float("nan")), ValueError, "adapt_decay must be None or a number"),
        (dict(adapt_decay="0.9"), TypeError, "adapt_decay must be None or a number.*got str '0.9'"),
        (dict(adapt_decay=True), TypeError, "adapt_decay must be None or a number.*got bool"),
        (
            dict(adapt_decay=0.9, adapt_strength=-0.1),
            ValueError,
            "adapt_strength must be a finite number >= 0",
        ),
        (dict(adapt_decay=0.9, adapt_strength=float("inf")), ValueError, "adapt_strength must be a finite"),
        (
            dict(adapt_decay=0.9, adapt_strength=None),
            TypeError,
            "adapt_strength must be a number >= 0; got NoneType",
        ),
        (dict(adapt_strength=1.0), ValueError, r"adapt_strength=1.0 needs adapt_decay.*got adapt_decay=None"),
    ],
)
def test_adaptation_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        RecurrentLIF(3, 4, **kwargs)


def test_attributes_changed_to_bad_values_are_caught_at_forward():
    layer = RecurrentLIF(3, 4, adapt_decay=0.9, adapt_strength=1.0)
    layer.adapt_strength = -1.0
    with pytest.raises(ValueError, match="adapt_strength must be a finite number >= 0; got -1.0"):
        layer(torch.ones(5, 3))
    with pytest.raises(TypeError, match="return_threshold must be a bool"):
        RecurrentLIF(3, 4)(torch.ones(5, 3), return_threshold=1)


def test_check_adaptation_returns_floats():
    assert check_adaptation(None, 0) == (None, 0.0)
    rho, strength = check_adaptation(0.5, 1)
    assert (rho, strength) == (0.5, 1.0) and isinstance(strength, float)
