"""The adaptive LIF neuron (Bellec et al. 2018) of the recurrent layer, notebook 14.

a_t = rho a_{t-1} + (1 - rho) s_{t-1}, A_t = theta + beta_a a_t, s_t = H(v_t - A_t); the subtract
reset removes A_{t-1}. The loop engine is checked against numbers worked by hand; the fused engine
(torch ops and the C++ kernel) against the loop.
"""

import itertools
import os

import pytest
import torch

from snn_helpers import set_seed
from snn_helpers.core import recurrent_kernel
from snn_helpers.core.recurrent import (
    AdaptiveLIFSequence,
    RecurrentLIF,
    RecurrentLIFSequence,
    check_adaptation,
    recurrent_lif_sequence,
)

ENGINES = ["loop", "fused"]
CASES = list(itertools.product(["fast_sigmoid", "atan"], ["zero", "subtract"], [False, True], [True, False]))


def require_kernel() -> None:
    if recurrent_kernel.build() is None:  # an explicit build, as make does at setup
        # CI sets SNN_HELPERS_REQUIRE_KERNEL=1: there the kernel must build.
        if os.environ.get("SNN_HELPERS_REQUIRE_KERNEL") == "1":
            pytest.fail(f"the recurrent C++ kernel did not build: {recurrent_kernel._state.get('error')}")
        pytest.skip("no C++ compiler here: the recurrent engine uses torch ops (tested by the other param)")


@pytest.fixture(params=["compiled", "torch ops"])
def backend(request, monkeypatch):
    """Run a test with the compiled kernel and with the torch-ops fall-back."""
    if request.param == "torch ops":
        monkeypatch.setattr(recurrent_kernel, "load", lambda: None)
    else:
        require_kernel()
    return request.param


def identity_layer(engine: str, **kwargs) -> RecurrentLIF:
    """One neuron whose input Linear is the identity (weight 1, bias 0: exact), no recurrence."""
    layer = RecurrentLIF(1, 1, recurrent=False, engine=engine, **kwargs)
    with torch.no_grad():
        layer.input.weight.fill_(1.0)
        layer.input.bias.zero_()
    return layer


HAND = dict(beta=0.5, threshold=1.0, adapt_decay=0.5, adapt_strength=1.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_hand_worked_adaptive_threshold_zero_reset(engine, backend):
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


@pytest.mark.parametrize("engine", ENGINES)
def test_hand_worked_adaptive_threshold_subtract_reset(engine, backend):
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


@pytest.mark.parametrize("engine", ENGINES)
def test_hand_worked_gradient_through_the_adaptation(engine, backend):
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


@pytest.mark.parametrize("engine", ENGINES)
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


def layer_pair(seed: int, **kwargs) -> tuple[RecurrentLIF, RecurrentLIF]:
    """A loop layer and a fused layer with the same weights, strong enough that neurons fire often."""
    set_seed(seed)
    loop = RecurrentLIF(20, 30, engine="loop", **kwargs)
    with torch.no_grad():
        loop.input.bias.uniform_(0.3, 1.2)
        if loop.recurrent_weight is not None:
            loop.recurrent_weight.mul_(3.0)
    fused = RecurrentLIF(20, 30, engine="fused", **kwargs)
    fused.load_state_dict(loop.state_dict())
    return loop, fused


def run(layer: RecurrentLIF, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Spikes, membranes, thresholds, dL/dx and the parameters' gradients of a loss weighing all three."""
    x = x.clone().requires_grad_()
    s, v, a = layer(x, return_threshold=True)
    w = torch.linspace(-1, 1, s.numel(), dtype=s.dtype).reshape(s.shape)
    ((s * w).sum() + 0.1 * (v * w.flip(0)).sum() + 0.3 * (a * w.flip(1)).sum()).backward()
    return s, v, a, x.grad, *(p.grad for p in layer.parameters())


def assert_grads_close(actual: torch.Tensor, expected: torch.Tensor, rtol: float) -> None:
    """allclose at rtol relative to each entry and to the tensor's largest entry (sums in another order)."""
    scale = expected.abs().max().item()
    assert torch.allclose(actual, expected, rtol=rtol, atol=rtol * scale)


ADAPT = dict(beta=0.9, adapt_decay=0.8, adapt_strength=0.7)


@pytest.mark.parametrize(("surrogate", "reset", "detach", "recurrent"), CASES)
def test_fused_equals_loop(surrogate, reset, detach, recurrent, backend):
    kwargs = dict(reset=reset, surrogate=surrogate, detach_reset=detach, recurrent=recurrent, **ADAPT)
    loop, fused = layer_pair(1, **kwargs)
    x = (torch.rand(15, 4, 20, generator=torch.Generator().manual_seed(2)) < 0.3).float()
    expected, actual = run(loop, x), run(fused, x)
    assert 0.1 < expected[0].mean() < 0.6  # many spikes: resets, recurrence and adaptation exercised
    assert expected[2].max() > 1.2  # the thresholds rose well above theta = 1
    for a, b in zip(actual[:3], expected[:3], strict=True):  # spikes, membranes, thresholds
        assert torch.equal(a, b)
    assert len(actual) == (7 if recurrent else 6)
    for a, b in zip(actual[3:], expected[3:], strict=True):  # dL/dx, W_in, b, W_rec
        assert_grads_close(a, b, 1e-5)


@pytest.mark.parametrize(("reset", "detach"), list(itertools.product(["zero", "subtract"], [False, True])))
def test_fused_equals_loop_in_float64_to_rounding(reset, detach, backend):
    # the hand-written adjoint against autograd: in float64 they differ by rounding only (1e-12)
    kwargs = dict(reset=reset, surrogate="fast_sigmoid", detach_reset=detach, **ADAPT)
    loop, fused = layer_pair(3, **kwargs)
    loop.double()
    fused.double()
    x = (
        torch.rand(20, 3, 20, generator=torch.Generator().manual_seed(4), dtype=torch.float64) < 0.3
    ).double()
    expected, actual = run(loop, x), run(fused, x)
    for a, b in zip(actual[:3], expected[:3], strict=True):
        assert torch.equal(a, b)
    for a, b in zip(actual[3:], expected[3:], strict=True):
        assert_grads_close(a, b, 1e-12)


@pytest.mark.parametrize(("surrogate", "reset", "detach", "recurrent"), CASES)
def test_kernel_and_torch_ops_agree_to_the_last_bit(surrogate, reset, detach, recurrent, monkeypatch):
    require_kernel()
    kwargs = dict(reset=reset, surrogate=surrogate, detach_reset=detach, recurrent=recurrent, **ADAPT)
    for dtype in [torch.float32, torch.float64]:
        _, fused = layer_pair(5, **kwargs)
        fused.to(dtype)
        x = (torch.rand(12, 3, 20, generator=torch.Generator().manual_seed(6)) < 0.4).to(dtype)
        compiled = run(fused, x)
        fused.zero_grad(set_to_none=True)
        with monkeypatch.context() as patch:
            patch.setattr(recurrent_kernel, "load", lambda: None)
            torch_ops = run(fused, x)
        for a, b in zip(compiled, torch_ops, strict=True):
            assert torch.equal(a, b)


def test_detach_reset_keeps_the_adaptation_gradient(backend):
    # detach_reset stops the reset's spike only: a loss on the thresholds still reaches the input
    current = torch.tensor([1.5, 1.25, 0.75, 1.5]).reshape(4, 1, 1).requires_grad_()
    _, _, a = recurrent_lif_sequence(current, None, detach_reset=True, return_threshold=True, **HAND)
    a[3].sum().backward()
    # A_3 = 1 + a_3, a_3 = 0.25 a_1 + 0.25 s_1 + 0.5 s_2, a_1 = 0.5 s_0: dA_3/dI_0 through s_0 is > 0
    assert current.grad[0].item() > 0 and current.grad[3].item() == 0.0


def test_gradient_check_double(backend):
    # where the surrogate plays no part (loss on the membrane, zero reset detached, no recurrence),
    # the adaptive engine's backward is the true derivative: finite differences in float64 agree
    current = torch.rand(6, 2, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(7)) + 0.4
    current.requires_grad_()

    def membrane(i):
        return recurrent_lif_sequence(
            i, None, beta=0.7, surrogate="sigmoid", detach_reset=True, adapt_decay=0.6, adapt_strength=0.5
        )[1]

    assert recurrent_lif_sequence(current, None, adapt_decay=0.6, adapt_strength=0.5)[0].sum() > 0
    assert torch.autograd.gradcheck(membrane, (current,))


def test_sequence_returns_the_threshold_and_checks_its_arguments():
    current = torch.full((3, 1, 2), 1.5)
    s, v, a = recurrent_lif_sequence(current, None, threshold=0.5, return_threshold=True)
    assert torch.equal(a, torch.full((3, 1, 2), 0.5)) and len(recurrent_lif_sequence(current, None)) == 2
    s, v, a = recurrent_lif_sequence(
        current, None, return_threshold=True, adapt_decay=0.5, adapt_strength=1.0
    )
    # beta 1, I = 1.5: v0 = 1.5 > A0 = 1 (s = 1); v1 = 0 + 1.5, not above A1 = 1 + 0.5 (s = 0);
    # v2 = 1.5 + 1.5 = 3 > A2 = 1 + 0.5 * 0.5 (s = 1)
    assert a[:, 0, 0].tolist() == [1.0, 1.5, 1.25]
    assert s[:, 0, 0].tolist() == [1.0, 0.0, 1.0] and v[:, 0, 0].tolist() == [1.5, 1.5, 3.0]
    with pytest.raises(ValueError, match=r"adapt_decay must be None or a number in \(0, 1\)"):
        recurrent_lif_sequence(current, None, adapt_decay=1.5, adapt_strength=1.0)
    with pytest.raises(ValueError, match="adapt_strength=0.5 needs adapt_decay"):
        recurrent_lif_sequence(current, None, adapt_strength=0.5)
    with pytest.raises(TypeError, match="return_threshold must be a bool"):
        recurrent_lif_sequence(current, None, return_threshold="yes")


def test_adaptive_engine_runs_on_the_input_device():
    # never hard-codes the CPU: on a CUDA device the adaptive engine runs on torch ops there
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    loop, fused = layer_pair(8, **ADAPT)
    x = (torch.rand(10, 2, 20, generator=torch.Generator().manual_seed(9)) < 0.3).float()
    expected = run(loop, x)
    actual = run(fused.to(device), x.to(device))
    assert actual[0].device.type == device.type
    assert torch.equal(actual[0].cpu(), expected[0])
    assert_grads_close(actual[3].cpu(), expected[3], 1e-4)


@pytest.mark.parametrize(("reset", "detach"), list(itertools.product(["zero", "subtract"], [False, True])))
def test_the_adaptive_engine_at_strength_zero_is_the_plain_engine_bit_for_bit(reset, detach, backend):
    # a control of the adaptive code itself (the layer routes strength 0 to the plain engine):
    # with beta_a = 0, A_t = theta exactly and q_t = 0, so every rounding is the plain engine's
    gen = torch.Generator().manual_seed(10)
    current = (torch.rand(14, 3, 8, generator=gen) * 1.6).requires_grad_()
    weight = (torch.randn(8, 8, generator=gen) * 0.5).requires_grad_()
    config = (0.8, 1.0, reset, "fast_sigmoid", 10.0, detach)
    results = []
    for adaptive in [False, True]:
        if adaptive:
            s, v, a = AdaptiveLIFSequence.apply(current, weight, *config, 0.9, 0.0)
            assert torch.equal(a, torch.ones_like(a))
        else:
            s, v = RecurrentLIFSequence.apply(current, weight, *config)
        w = torch.linspace(-1, 1, s.numel()).reshape(s.shape)
        grads = torch.autograd.grad((s * w).sum() + 0.1 * (v * w.flip(0)).sum(), (current, weight))
        results.append((s, v, *grads))
    assert 0.1 < results[0][0].mean() < 0.7
    for a, b in zip(*results, strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("adapt", [{}, ADAPT])
def test_half_precision_gives_the_same_result_with_and_without_a_compiler(dtype, adapt, monkeypatch):
    # the kernel is compiled for float32/float64 only: other dtypes take torch ops on every machine
    # (the plain engine too: before, its kernel raised NotImplementedError on a bfloat16 CPU tensor)
    require_kernel()
    x = (torch.rand(10, 3, 20, generator=torch.Generator().manual_seed(11)) < 0.4).to(dtype)
    _, fused = layer_pair(12, **adapt)
    fused.to(dtype)
    with_kernel = run(fused, x)
    fused.zero_grad(set_to_none=True)
    monkeypatch.setattr(recurrent_kernel, "load", lambda: None)
    without = run(fused, x)
    for a, b in zip(with_kernel, without, strict=True):
        assert a.dtype == dtype and torch.equal(a, b)
    assert with_kernel[0].sum() > 0
