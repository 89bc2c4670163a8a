"""The recurrent LIF layer: the fused engine gives the loop's spikes and gradients; kernel = torch ops."""

import itertools
import os

import pytest
import torch

from snn_helpers import set_seed
from snn_helpers.core import recurrent_kernel
from snn_helpers.core._checks import check_beta
from snn_helpers.core.recurrent import RecurrentLIF, recurrent_lif_sequence

SURROGATES_TESTED = ["post", "fast_sigmoid", "atan"]
CASES = list(itertools.product(SURROGATES_TESTED, ["zero", "subtract"], [False, True], [True, False]))


def require_kernel() -> None:
    if recurrent_kernel.build() is None:  # an explicit build, as make does at setup
        # CI sets SNN_HELPERS_REQUIRE_KERNEL=1: there the kernel must build.
        if os.environ.get("SNN_HELPERS_REQUIRE_KERNEL") == "1":
            pytest.fail(f"the recurrent C++ kernel did not build: {recurrent_kernel._state.get('error')}")
        pytest.skip("no C++ compiler here: the recurrent engine uses torch ops (tested by the other param)")


@pytest.fixture(params=["compiled", "torch ops"])
def backend(request, monkeypatch):
    """Run a test with the compiled kernel and with the torch-ops fallback."""
    if request.param == "torch ops":
        monkeypatch.setattr(recurrent_kernel, "load", lambda: None)
    else:
        require_kernel()
    return request.param


def assert_grads_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """allclose at 1e-5 relative to each entry and to the tensor's largest entry (sums in another order)."""
    finite = expected[torch.isfinite(expected)]
    scale = finite.abs().max().item() if finite.numel() else 0.0
    assert torch.allclose(actual, expected, rtol=1e-5, atol=1e-5 * scale)


def layer_pair(seed: int, **kwargs) -> tuple[RecurrentLIF, RecurrentLIF]:
    """A loop layer and a fused layer with the same weights, strong enough that neurons fire often."""
    set_seed(seed)
    loop = RecurrentLIF(20, 30, engine="loop", **kwargs)
    with torch.no_grad():
        loop.input.bias.uniform_(0.0, 0.6)
        if loop.recurrent_weight is not None:
            loop.recurrent_weight.mul_(3.0)
    fused = RecurrentLIF(20, 30, engine="fused", **kwargs)
    fused.load_state_dict(loop.state_dict())
    return loop, fused


def run(layer: RecurrentLIF, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """Spikes, membrane and parameter gradients of a loss that weighs both outputs."""
    s, v = layer(x, return_membrane=True)
    w = torch.linspace(-1, 1, s.numel()).reshape(s.shape)
    ((s * w).sum() + 0.1 * (v * w.flip(0)).sum()).backward()
    return s, v, [p.grad for p in layer.parameters()]


@pytest.mark.parametrize(("surrogate", "reset", "detach", "recurrent"), CASES)
def test_fused_equals_loop(surrogate, reset, detach, recurrent, backend):
    kwargs = dict(beta=0.9, reset=reset, surrogate=surrogate, detach_reset=detach, recurrent=recurrent)
    loop, fused = layer_pair(1, **kwargs)
    x = (torch.rand(15, 4, 20, generator=torch.Generator().manual_seed(2)) < 0.3).float()
    s_loop, v_loop, g_loop = run(loop, x)
    s_fused, v_fused, g_fused = run(fused, x)
    assert 0.1 < s_loop.mean() < 0.6  # many spikes: resets and recurrent inputs are exercised
    assert torch.equal(s_loop, s_fused) and torch.equal(v_loop, v_fused)
    assert len(g_fused) == (3 if recurrent else 2)
    for a, b in zip(g_fused, g_loop, strict=True):
        assert_grads_close(a, b)


@pytest.mark.parametrize(("surrogate", "reset", "detach", "recurrent"), CASES)
def test_kernel_and_torch_ops_agree_to_the_last_bit(surrogate, reset, detach, recurrent, monkeypatch):
    require_kernel()
    kwargs = dict(beta=0.8, reset=reset, surrogate=surrogate, detach_reset=detach, recurrent=recurrent)
    _, fused = layer_pair(3, **kwargs)
    x = (torch.rand(12, 3, 20, generator=torch.Generator().manual_seed(4)) < 0.4).float()
    compiled = run(fused, x)
    fused.zero_grad(set_to_none=True)
    monkeypatch.setattr(recurrent_kernel, "load", lambda: None)
    torch_ops = run(fused, x)
    assert torch.equal(compiled[0], torch_ops[0]) and torch.equal(compiled[1], torch_ops[1])
    for a, b in zip(compiled[2], torch_ops[2], strict=True):
        assert torch.equal(a, b)


def test_detach_reset_changes_the_gradient_only(backend):
    # same spikes; different gradients: the reset term carries gradient only when not detached
    grads = []
    for detach in [False, True]:
        _, fused = layer_pair(5, detach_reset=detach)
        x = (torch.rand(10, 2, 20, generator=torch.Generator().manual_seed(6)) < 0.3).float()
        grads.append(run(fused, x))
    assert torch.equal(grads[0][0], grads[1][0])
    assert not torch.allclose(grads[0][2][0], grads[1][2][0])


def test_hand_worked_single_neuron(backend):
    # one neuron, beta 0.5, threshold 1, reset zero, recurrent weight 0.25, currents 1.5, 0.5, 0.5:
    # v0 = 1.5 (spike); v1 = 0.5 * 1.5 * 0 + 0.5 + 0.25 = 0.75; v2 = 0.5 * 0.75 + 0.5 + 0 = 0.875
    current = torch.tensor([1.5, 0.5, 0.5]).reshape(3, 1, 1).requires_grad_()
    weight = torch.tensor([[0.25]], requires_grad=True)
    s, v = recurrent_lif_sequence(current, weight, beta=0.5, surrogate="fast_sigmoid", detach_reset=True)
    assert v.flatten().tolist() == [1.5, 0.75, 0.875]
    assert s.flatten().tolist() == [1.0, 0.0, 0.0]
    v[2].sum().backward()
    # g(x) = 1 / (1 + 10|x|)^2 (fast sigmoid); the reset is detached, so through v_{t+1}:
    # dv_{t+1}/dv_t = beta (1 - s_t) + W g(v_t - 1); dv1/dW = s0, dv2/dW = s1 + dv2/dv1 * s0
    g0, g1 = 1 / (1 + 10 * 0.5) ** 2, 1 / (1 + 10 * 0.25) ** 2
    dv2_dv1 = 0.5 * 1 + 0.25 * g1
    dv1_dv0 = 0.5 * 0 + 0.25 * g0
    expected = torch.tensor([dv2_dv1 * dv1_dv0, dv2_dv1, 1.0])
    assert torch.allclose(current.grad.flatten(), expected, rtol=1e-6)
    assert torch.allclose(weight.grad, torch.tensor([[0.0 + dv2_dv1 * 1.0]]), rtol=1e-6)


def test_subtract_reset_hand_worked(backend):
    # beta 1, threshold 1, subtract, no recurrence: v = 1.5, 1.5 - 1 + 0.2 = 0.7, 0.7 + 0.4 = 1.1
    current = torch.tensor([1.5, 0.2, 0.4]).reshape(3, 1, 1)
    s, v = recurrent_lif_sequence(current, None, beta=1.0, reset="subtract")
    assert torch.allclose(v.flatten(), torch.tensor([1.5, 0.7, 1.1]))
    assert s.flatten().tolist() == [1.0, 0.0, 1.0]


def test_unbatched_input_and_shapes():
    layer = RecurrentLIF(6, 5)
    x = torch.ones(7, 6)
    assert layer(x).shape == (7, 5)
    s, v = layer(torch.ones(7, 3, 6), return_membrane=True)
    assert s.shape == v.shape == (7, 3, 5)
    assert set(s.unique().tolist()) <= {0.0, 1.0}


def test_zero_recurrent_init_starts_as_the_feed_forward_layer():
    set_seed(0)
    ff = RecurrentLIF(4, 3, recurrent=False)
    set_seed(0)
    rec = RecurrentLIF(4, 3, recurrent_init="zero")
    assert torch.equal(rec.recurrent_weight, torch.zeros(3, 3))
    assert torch.equal(ff.input.weight, rec.input.weight)  # no random draw spent on the zero weight
    x = (torch.rand(6, 2, 4, generator=torch.Generator().manual_seed(1)) < 0.5).float()
    assert torch.equal(ff(x), rec(x))
    with pytest.raises(ValueError, match="recurrent_init must be one of 'uniform', 'zero'"):
        RecurrentLIF(4, 3, recurrent_init="normal")


def test_feed_forward_has_no_recurrent_weight():
    assert RecurrentLIF(4, 3, recurrent=False).recurrent_weight is None
    assert sum(p.numel() for p in RecurrentLIF(4, 3).parameters()) == 4 * 3 + 3 + 3 * 3


def test_gradient_check_double(backend):
    # where the surrogate plays no part (loss on the membrane, no recurrence, reset detached), the
    # hand-written backward is the true derivative: finite differences in float64 agree
    current = torch.rand(6, 2, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(7)) * 0.6
    current.requires_grad_()

    def membrane(i):
        return recurrent_lif_sequence(i, None, beta=0.7, surrogate="sigmoid", detach_reset=True)[1]

    assert torch.autograd.gradcheck(membrane, (current,))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(n_inputs=0, n_hidden=3), ValueError, "n_inputs must be a positive integer"),
        (dict(n_inputs=2, n_hidden=2.5), TypeError, "n_hidden must be a positive integer"),
        (dict(n_inputs=2, n_hidden=3, beta=0.0), ValueError, r"beta must be a number in \(0, 1\]"),
        (dict(n_inputs=2, n_hidden=3, beta=1.5), ValueError, r"beta must be a number in \(0, 1\]"),
        (dict(n_inputs=2, n_hidden=3, beta="0.9"), TypeError, "beta must be a number"),
        (dict(n_inputs=2, n_hidden=3, threshold=-1.0), ValueError, "threshold must be a positive number"),
        (dict(n_inputs=2, n_hidden=3, reset="soft"), ValueError, "reset must be one of 'zero', 'subtract'"),
        (dict(n_inputs=2, n_hidden=3, surrogate="relu"), ValueError, "surrogate must be one of"),
        (dict(n_inputs=2, n_hidden=3, engine="fast"), ValueError, "engine must be one of 'loop', 'fused'"),
        (dict(n_inputs=2, n_hidden=3, detach_reset=1), TypeError, "detach_reset must be a bool"),
        (dict(n_inputs=2, n_hidden=3, recurrent="yes"), TypeError, "recurrent must be a bool"),
    ],
)
def test_layer_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        RecurrentLIF(**kwargs)


def test_forward_input_errors():
    layer = RecurrentLIF(4, 3)
    with pytest.raises(TypeError, match="x must be a floating-point tensor"):
        layer(torch.ones(5, 2, 4, dtype=torch.int64))
    with pytest.raises(
        ValueError, match=r"x must have shape \[time, batch, 4\] or \[time, 4\]; got \(5, 2, 3\)"
    ):
        layer(torch.ones(5, 2, 3))
    with pytest.raises(ValueError, match="x must have shape"):
        layer(torch.ones(5))


def test_sequence_argument_errors():
    current = torch.zeros(4, 2, 3)
    with pytest.raises(ValueError, match=r"current must have 3 dims \[time, batch, hidden\]; got 2 dims"):
        recurrent_lif_sequence(torch.zeros(4, 3), None)
    with pytest.raises(
        ValueError, match=r"weight must have shape \[hidden, hidden\] = \(3, 3\); got \(3, 2\)"
    ):
        recurrent_lif_sequence(current, torch.zeros(3, 2))
    with pytest.raises(ValueError, match="weight must have current's dtype and device"):
        recurrent_lif_sequence(current, torch.zeros(3, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="weight must be a torch.Tensor"):
        recurrent_lif_sequence(current, [[0.0] * 3] * 3)
    with pytest.raises(ValueError, match="slope is not used by surrogate 'post'"):
        recurrent_lif_sequence(current, None, surrogate="post", slope=2.0)
    with pytest.raises(TypeError, match="detach_reset must be a bool"):
        recurrent_lif_sequence(current, None, detach_reset="no")
    assert check_beta(1) == 1.0


def test_runs_on_the_input_device_with_torch_ops():
    # the engine never hard-codes the CPU: on a CUDA device it runs on torch ops there
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    layer = RecurrentLIF(4, 3).to(device)
    s = layer(torch.ones(5, 2, 4, device=device))
    s.sum().backward()
    assert s.device.type == device.type and layer.recurrent_weight.grad.device.type == device.type
