"""The optional C++ kernel: it gives the torch-ops results to the last bit, and falls back cleanly."""

import itertools
import os

import pytest
import torch

from snn_helpers import IF, SURROGATES, if_sequence, kernel, set_seed

CASES = list(itertools.product(SURROGATES, ["zero", "subtract"], [False, True], [False, True]))


@pytest.fixture
def require_kernel():
    if kernel.load() is None:
        if os.environ.get("SNN_HELPERS_REQUIRE_KERNEL") == "1":  # set by CI
            pytest.fail(f"the C++ kernel did not build: {kernel._state.get('error')}")
        pytest.skip("no C++ compiler here: nothing to compare the torch-ops engine with")


def run_both_backends(current, reset, surrogate, detach, monkeypatch):
    """(spikes, membrane, dL/dcurrent) with the kernel, then with torch ops, for a fixed weighted loss."""
    results = []
    for compiled in [True, False]:
        if not compiled:
            monkeypatch.setattr(kernel, "load", lambda: None)
        i = current.clone().requires_grad_()
        s, v = if_sequence(i, 1.0, reset, surrogate, IF(1.0, reset, surrogate).slope, detach)
        w = torch.linspace(-1, 1, s.numel()).reshape(s.shape)
        ((s * w).sum() + (v * w.flip(0)).sum()).backward()
        results.append((s, v, i.grad))
    return results


@pytest.mark.usefixtures("require_kernel")
@pytest.mark.parametrize(("surrogate", "reset", "detach", "batched"), CASES)
def test_kernel_and_torch_ops_agree_to_the_last_bit(surrogate, reset, detach, batched, monkeypatch):
    # Notebook outputs must not depend on whether a C++ compiler was there.
    set_seed(3)
    current = torch.randn((12, 5, 40) if batched else (12, 40)) * 1.5 + 0.5
    results = run_both_backends(current, reset, surrogate, detach, monkeypatch)
    for a, b in zip(*results, strict=True):
        assert torch.equal(a, b)


@pytest.mark.usefixtures("require_kernel")
@pytest.mark.parametrize(
    ("surrogate", "reset"), [("post", "zero"), ("atan", "zero"), ("sigmoid", "subtract")]
)
def test_kernel_and_torch_ops_agree_above_the_cutoff(surrogate, reset, monkeypatch):
    from snn_helpers.fused import SMALL_STEP

    current = torch.randn(8, 64, SMALL_STEP // 64 + 3, generator=torch.Generator().manual_seed(4)) + 0.7
    (_, _, grad_compiled), (_, _, grad_torch_ops) = run_both_backends(
        current, reset, surrogate, False, monkeypatch
    )
    assert torch.equal(grad_compiled, grad_torch_ops)


def test_kernel_can_be_switched_off(monkeypatch):
    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.setenv("SNN_HELPERS_KERNEL", "0")
    assert kernel.load() is None


def test_a_failed_build_falls_back_quietly(monkeypatch):
    import torch.utils.cpp_extension

    def broken(**kwargs):
        raise RuntimeError("Error building extension 'snn_helpers_if_kernel'")

    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.delenv("SNN_HELPERS_KERNEL", raising=False)
    monkeypatch.setattr(torch.utils.cpp_extension, "load", broken)
    assert kernel.load() is None and "Error building" in str(kernel._state["error"])
    spikes, _ = if_sequence(torch.full((3, 2), 1.5))  # the engine still runs, on torch ops
    assert spikes.sum().item() == 6
