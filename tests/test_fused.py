"""The fused engine gives the loop's spikes and gradients, explosions and NaN included, with and
without the leak; its public entry checks its arguments as IF does."""

import itertools
import math

import pytest
import torch

from snn_helpers import IF, SURROGATES, Model, if_sequence, random_binary_input, set_seed, train
from snn_helpers.core import kernel

CASES = list(itertools.product(SURROGATES, ["zero", "subtract"], [False, True], [False, True]))
BETAS = [1.0, 0.8]  # no leak (the post's IF) and a leak


@pytest.fixture(autouse=True, params=["compiled", "torch ops"])
def backend(request, monkeypatch):
    """Run every test with the compiled kernel (tests/conftest.py's require_kernel) and with torch ops."""
    if request.param == "torch ops":
        monkeypatch.setattr(kernel, "load", lambda: None)
    else:
        request.getfixturevalue("require_kernel")
    return request.param


def assert_grads_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """allclose at 1e-5, relative to each entry and to the tensor's largest entry: the
    two engines add the same terms in a different order, so an entry that is a
    near-cancelling sum differs by rounding of its terms, not of itself."""
    assert torch.equal(torch.isnan(actual), torch.isnan(expected))
    finite = expected[torch.isfinite(expected)]
    scale = finite.abs().max().item() if finite.numel() else 0.0
    assert torch.allclose(actual, expected, rtol=1e-5, atol=1e-5 * scale, equal_nan=True)


def step_through(neuron: IF, current: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    v, s = torch.zeros((), dtype=current.dtype), torch.zeros((), dtype=current.dtype)
    spikes, membrane = [], []
    for t in range(current.shape[0]):
        v, s = neuron(current[t], v, s)
        spikes.append(s)
        membrane.append(v)
    return torch.stack(spikes), torch.stack(membrane)


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize(("surrogate", "reset", "detach", "batched"), CASES)
def test_sequence_equals_stepping_the_neuron(surrogate, reset, detach, batched, beta):
    set_seed(1)
    shape = (12, 5, 40) if batched else (12, 40)
    current = torch.randn(shape) * 1.5 + 0.5
    neuron = IF(threshold=1.0, reset=reset, surrogate=surrogate, detach_reset=detach, beta=beta)
    i_loop, i_fused = current.clone().requires_grad_(), current.clone().requires_grad_()
    s_loop, v_loop = step_through(neuron, i_loop)
    s_fused, v_fused = if_sequence(i_fused, **neuron.neuron._asdict())
    assert torch.equal(s_loop, s_fused) and torch.equal(v_loop, v_fused)
    w, u = torch.randn_like(s_loop), torch.randn_like(v_loop)
    ((s_loop * w).sum() + (v_loop * u).sum()).backward()
    ((s_fused * w).sum() + (v_fused * u).sum()).backward()
    assert_grads_close(i_fused.grad, i_loop.grad)


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize(("surrogate", "reset", "detach", "batched"), CASES)
def test_fused_model_equals_loop_model(surrogate, reset, detach, batched, beta):
    set_seed(2)
    kwargs = dict(n_time=12, surrogate=surrogate, reset=reset, detach_reset=detach, beta=beta)
    loop, fused = Model(30, 40, **kwargs), Model(30, 40, engine="fused", **kwargs)
    fused.load_state_dict(loop.state_dict())
    x = random_binary_input(12, 30, 5 if batched else None)
    s_loop, s_fused = loop(x), fused(x)
    assert torch.equal(s_loop, s_fused)
    (s_loop.mean() ** 2).backward()
    (s_fused.mean() ** 2).backward()
    for p_fused, p_loop in zip(fused.parameters(), loop.parameters(), strict=True):
        assert_grads_close(p_fused.grad, p_loop.grad)


def test_explosion_is_reproduced_exactly():
    # Five consecutive spikes at v = 3: the gradient to the first current is (-3)^4 = 81
    # through the un-detached reset, and a large enough current overflows to inf/NaN.
    for value, t_len in [(3.0, 5), (1e12, 6)]:
        current = torch.full((t_len, 2), value)
        i_loop, i_fused = current.clone().requires_grad_(), current.clone().requires_grad_()
        step_through(IF(), i_loop)[0][-1].sum().backward()
        if_sequence(i_fused)[0][-1].sum().backward()
        assert_grads_close(i_fused.grad, i_loop.grad)
    assert torch.isnan(i_fused.grad).any() or torch.isinf(i_fused.grad).any()


def test_post_training_run_explodes_the_same_way():
    histories = []
    for engine in ["loop", "fused"]:
        set_seed(0)
        histories.append(train(Model(300, 500, engine=engine), n_iter=12))
    loop, fused = histories
    assert fused.nonfinite == loop.nonfinite and fused.nan_neurons == loop.nan_neurons
    assert fused.loss == pytest.approx(loop.loss, rel=1e-5)
    assert fused.grad_max == pytest.approx(loop.grad_max, rel=1e-4)
    assert max(fused.grad_max) > 1e20 and fused.nan_neurons[-1] > 0


def test_sizes_on_both_sides_of_the_small_step_cutoff():
    # the torch-ops backward precomputes over all steps below SMALL_STEP neurons per step
    from snn_helpers.core.fused import SMALL_STEP

    for n in (SMALL_STEP // 64, SMALL_STEP // 64 + 1):
        current = torch.randn(6, 64, n) + 0.8
        i_loop, i_fused = current.clone().requires_grad_(), current.clone().requires_grad_()
        (step_through(IF(), i_loop)[0] ** 2).sum().backward()
        (if_sequence(i_fused)[0] ** 2).sum().backward()
        assert_grads_close(i_fused.grad, i_loop.grad)


def test_saves_only_the_membrane():
    current = torch.randn(10, 3, 7, requires_grad=True)
    spikes, membrane = if_sequence(current)
    saved = spikes.grad_fn.saved_tensors
    assert len(saved) == 1 and saved[0].shape == (10, 3, 7)
    assert torch.equal(saved[0], membrane)


def test_saved_megabytes_counts_each_storage_once():
    from snn_helpers import saved_megabytes

    w = torch.ones(256, 1024, requires_grad=True)  # 1 MB
    x = torch.ones(256, 1024)  # 1 MB
    y = torch.ones(256, 1024, requires_grad=True)  # 1 MB
    assert saved_megabytes(lambda: (w * x).sum()) == 1.0  # dL/dw needs x; x needs no gradient
    assert saved_megabytes(lambda: (w * y).sum()) == 2.0  # both need one: both saved
    assert saved_megabytes(lambda: (w[:128] * y[:128]).sum()) == 2.0  # views: whole storages, once each
    assert saved_megabytes(lambda: (w + y).sum()) == 0.0  # add saves nothing


@pytest.mark.parametrize("reset", ["zero", "subtract"])
def test_leak_by_hand(reset):
    # beta 0.5, currents 0.8, 0.8, 0.0, 0.4: v0 = 0.8; v1 = 0.4 + 0.8 = 1.2 fires;
    # zero: v2 = 0 + 0 = 0, v3 = 0 + 0.4 = 0.4; subtract: v2 = 0.5 * 0.2 = 0.1, v3 = 0.05 + 0.4 = 0.45
    spikes, membrane = if_sequence(torch.tensor([0.8, 0.8, 0.0, 0.4]), reset=reset, beta=0.5)
    expected = [0.8, 1.2, 0.0, 0.4] if reset == "zero" else [0.8, 1.2, 0.1, 0.45]
    assert membrane.tolist() == pytest.approx(expected) and spikes.tolist() == [0, 1, 0, 0]


def test_gradient_through_time_is_multiplied_by_beta_per_step():
    # Below threshold, dL/dI_t for L = v_{T-1} is beta^(T-1-t): the factor through time is beta (1 - s).
    current = torch.full((6,), 0.05, dtype=torch.float64, requires_grad=True)
    _, membrane = if_sequence(current, beta=0.7)
    membrane[-1].backward()
    assert current.grad.tolist() == pytest.approx([0.7**k for k in range(5, -1, -1)], rel=1e-12)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("beta", [1.0, 0.5])
def test_half_precision_runs_and_equals_the_loop(dtype, beta):
    # the kernel is compiled for float32/64: these dtypes run on torch ops whatever the machine
    current = (torch.randn(10, 3, 20, generator=torch.Generator().manual_seed(6)) + 0.6).to(dtype)
    s_loop, v_loop = step_through(IF(surrogate="fast_sigmoid", beta=beta), current)
    s_fused, v_fused = if_sequence(current.clone().requires_grad_(), surrogate="fast_sigmoid", beta=beta)
    assert s_fused.dtype == dtype and torch.equal(s_loop, s_fused) and torch.equal(v_loop, v_fused)
    s_fused.sum().backward()  # the backward runs in this dtype too


def test_surrogate_without_slope_takes_its_default():
    # if_sequence(x, surrogate="atan") used to crash in the backward (slope None)
    set_seed(7)
    current = torch.randn(8, 4, 10) + 0.5
    i_loop, i_fused = current.clone().requires_grad_(), current.clone().requires_grad_()
    step_through(IF(surrogate="atan"), i_loop)[0].sum().backward()
    if_sequence(i_fused, surrogate="atan")[0].sum().backward()
    assert torch.isfinite(i_fused.grad).all()
    assert_grads_close(i_fused.grad, i_loop.grad)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"reset": "soft"}, ValueError, r"reset must be one of 'zero', 'subtract'; got 'soft'"),
        ({"surrogate": "relu"}, ValueError, r"surrogate must be one of 'post', .*; got 'relu'"),
        ({"surrogate": "atan", "slope": -1.0}, ValueError, r"slope must be a positive number; got -1.0"),
        ({"surrogate": "atan", "slope": "2"}, TypeError, r"slope must be a positive number; got str '2'"),
        ({"slope": 2.0}, ValueError, r"slope is not used by surrogate 'post'; got slope=2.0"),
        ({"threshold": 0.0}, ValueError, r"threshold must be a positive number; got 0.0"),
        ({"threshold": "1"}, TypeError, r"threshold must be a positive number; got str '1'"),
        ({"detach_reset": "yes"}, TypeError, r"detach_reset must be a bool; got str 'yes'"),
        ({"beta": 0.0}, ValueError, r"beta must be a number in \(0, 1\] .*; got 0.0"),
        ({"beta": 1.5}, ValueError, r"beta must be a number in \(0, 1\] .*; got 1.5"),
        ({"beta": math.nan}, ValueError, r"beta must be a number in \(0, 1\] .*; got nan"),
        ({"beta": "0.9"}, TypeError, r"beta must be a number in \(0, 1\] .*; got str '0.9'"),
        ({"beta": True}, TypeError, r"beta must be a number in \(0, 1\] .*; got bool True"),
        (
            {"surrogate": torch.sigmoid, "slope": 2.0},
            ValueError,
            r"slope must be None when surrogate is a fun",
        ),
        ({"surrogate": 3}, ValueError, r"surrogate must be one of .*; got 3"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        if_sequence(torch.zeros(5, 3), **kwargs)


@pytest.mark.parametrize(
    ("current", "error", "message"),
    [
        ([[0.0, 1.0]], TypeError, r"current must be a torch.Tensor; got list"),
        (torch.zeros(5, 3, dtype=torch.int64), TypeError, r"current must be a floating-point tensor"),
        (torch.tensor(1.0), ValueError, r"current must be \[time, \(batch,\) neurons\] .*; got shape \(\)"),
        (torch.zeros(0, 3), ValueError, r"with at least one step; got shape \(0, 3\)"),
    ],
)
def test_bad_current_is_refused(current, error, message):
    with pytest.raises(error, match=message):
        if_sequence(current)


@pytest.mark.parametrize(("surrogate", "reset", "detach", "batched"), CASES)
def test_a_surrogate_function_gives_what_its_name_gives(surrogate, reset, detach, batched):
    # notebook 08's ensemble passes each member's derivative as a function of v - theta
    from snn_helpers.core.spike import _grad, resolve_slope

    slope = resolve_slope(surrogate, None)
    set_seed(5)
    current = torch.randn((9, 4, 30) if batched else (9, 30)) * 1.5 + 0.5
    seen = []

    def function(x):
        seen.append(x.shape)
        return _grad(x, surrogate, slope)

    results = []
    for how in [surrogate, function]:
        i = current.clone().requires_grad_()
        s, v = if_sequence(i, reset=reset, beta=0.8, surrogate=how, detach_reset=detach)
        w = torch.linspace(-1, 1, s.numel()).reshape(s.shape)
        ((s * w).sum() + (v * w.flip(0)).sum()).backward()
        results.append((s, v, i.grad))
    assert seen == [current.shape]  # called once, on the whole sequence
    for a, b in zip(*results, strict=True):
        assert torch.equal(torch.isnan(a), torch.isnan(b))
        assert torch.equal(a.nan_to_num(), b.nan_to_num())


def test_a_surrogate_function_scales_the_gradient():
    current = torch.tensor([[0.5], [0.7], [0.1]], requires_grad=True)  # v = 0.5, 1.2 (fires), 0.1
    spikes, _ = if_sequence(current, surrogate=lambda x: 3.0 * (x.abs() < 0.25).float(), detach_reset=True)
    spikes.sum().backward()
    # g(v - 1) = 3 at v = 1.2 only; dv_2/dv_1 = 1 - s_1 = 0 (fired), dv_1/dv_0 = 1 - s_0 = 1
    assert spikes.flatten().tolist() == [0.0, 1.0, 0.0]
    assert current.grad.flatten().tolist() == [3.0, 3.0, 0.0]
