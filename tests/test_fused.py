"""The fused engine gives the loop's spikes and gradients, explosions and NaN included."""

import itertools
import os

import pytest
import torch

from snn_helpers import IF, SURROGATES, Model, if_sequence, kernel, random_binary_input, set_seed, train

CASES = list(itertools.product(SURROGATES, ["zero", "subtract"], [False, True], [False, True]))


@pytest.fixture(autouse=True, params=["compiled", "torch ops"])
def backend(request, monkeypatch):
    """Run every test with the compiled kernel and with the torch-ops fallback."""
    if request.param == "torch ops":
        monkeypatch.setattr(kernel, "load", lambda: None)
    elif kernel.load() is None:
        # CI sets SNN_HELPERS_REQUIRE_KERNEL=1: there the kernel must build. A laptop without a
        # C++ compiler runs the fallback only (the engine falls back the same way).
        if os.environ.get("SNN_HELPERS_REQUIRE_KERNEL") == "1":
            pytest.fail(f"the C++ kernel did not build: {kernel._state.get('error')}")
        pytest.skip("no C++ compiler here: the fused engine uses torch ops (tested by the other param)")
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
    v, s = torch.zeros(()), torch.zeros(())
    spikes, membrane = [], []
    for t in range(current.shape[0]):
        v, s = neuron(current[t], v, s)
        spikes.append(s)
        membrane.append(v)
    return torch.stack(spikes), torch.stack(membrane)


@pytest.mark.parametrize(("surrogate", "reset", "detach", "batched"), CASES)
def test_sequence_equals_stepping_the_neuron(surrogate, reset, detach, batched):
    set_seed(1)
    shape = (12, 5, 40) if batched else (12, 40)
    current = torch.randn(shape) * 1.5 + 0.5
    neuron = IF(1.0, reset, surrogate, detach)
    i_loop, i_fused = current.clone().requires_grad_(), current.clone().requires_grad_()
    s_loop, v_loop = step_through(neuron, i_loop)
    s_fused, v_fused = if_sequence(i_fused, 1.0, reset, surrogate, neuron.slope, detach)
    assert torch.equal(s_loop, s_fused) and torch.equal(v_loop, v_fused)
    w, u = torch.randn_like(s_loop), torch.randn_like(v_loop)
    ((s_loop * w).sum() + (v_loop * u).sum()).backward()
    ((s_fused * w).sum() + (v_fused * u).sum()).backward()
    assert_grads_close(i_fused.grad, i_loop.grad)


@pytest.mark.parametrize(("surrogate", "reset", "detach", "batched"), CASES)
def test_fused_model_equals_loop_model(surrogate, reset, detach, batched):
    set_seed(2)
    kwargs = dict(n_time=12, surrogate=surrogate, reset=reset, detach_reset=detach)
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
    from snn_helpers.fused import SMALL_STEP

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
