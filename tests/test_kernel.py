"""The optional C++ kernel: it gives the torch-ops results to the last bit, is built only when asked,
and falls back with a warning that says why."""

import itertools
import warnings

import pytest
import torch

from snn_helpers import SURROGATES, if_sequence, set_seed
from snn_helpers.core import kernel

CASES = list(itertools.product(SURROGATES, ["zero", "subtract"], [False, True], [1.0, 0.8]))


def run_both_backends(current, reset, surrogate, detach, monkeypatch, beta=1.0):
    """(spikes, membrane, dL/dcurrent) with the kernel, then with torch ops, for a fixed weighted loss."""
    results = []
    for compiled in [True, False]:
        if not compiled:
            monkeypatch.setattr(kernel, "load", lambda: None)
        i = current.clone().requires_grad_()
        s, v = if_sequence(i, reset=reset, beta=beta, surrogate=surrogate, detach_reset=detach)
        w = torch.linspace(-1, 1, s.numel(), dtype=s.dtype).reshape(s.shape)
        ((s * w).sum() + (v * w.flip(0)).sum()).backward()
        results.append((s, v, i.grad))
    monkeypatch.undo()
    return results


@pytest.mark.usefixtures("require_kernel")
@pytest.mark.parametrize(("surrogate", "reset", "detach", "beta"), CASES)
@pytest.mark.parametrize("batched", [False, True])
def test_kernel_and_torch_ops_agree_to_the_last_bit(surrogate, reset, detach, beta, batched, monkeypatch):
    # Notebook outputs must not depend on whether a C++ compiler was there.
    set_seed(3)
    current = torch.randn((12, 5, 40) if batched else (12, 40)) * 1.5 + 0.5
    results = run_both_backends(current, reset, surrogate, detach, monkeypatch, beta)
    for a, b in zip(*results, strict=True):
        assert torch.equal(a, b)


@pytest.mark.usefixtures("require_kernel")
@pytest.mark.parametrize(
    ("surrogate", "reset", "beta"),
    [("post", "zero", 1.0), ("atan", "zero", 0.9), ("sigmoid", "subtract", 1.0), ("boxcar", "subtract", 0.7)],
)
def test_kernel_and_torch_ops_agree_above_the_cutoff(surrogate, reset, beta, monkeypatch):
    from snn_helpers.core.fused import SMALL_STEP

    current = torch.randn(8, 64, SMALL_STEP // 64 + 3, generator=torch.Generator().manual_seed(4)) + 0.7
    (_, _, grad_compiled), (_, _, grad_torch_ops) = run_both_backends(
        current, reset, surrogate, False, monkeypatch, beta
    )
    assert torch.equal(grad_compiled, grad_torch_ops)


@pytest.mark.usefixtures("require_kernel")
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("reset", ["zero", "subtract"])
def test_half_precision_gives_the_same_result_with_and_without_a_compiler(dtype, reset, monkeypatch):
    # The kernel is compiled for float32/float64 only: other dtypes take torch ops on every machine.
    current = (torch.randn(10, 3, 20, generator=torch.Generator().manual_seed(5)) + 0.6).to(dtype)
    with_kernel, without = run_both_backends(current, reset, "fast_sigmoid", False, monkeypatch, 0.5)
    for a, b in zip(with_kernel, without, strict=True):
        assert a.dtype == dtype and torch.equal(a, b)
    assert with_kernel[0].sum() > 0  # some spikes: the comparison is not between empty trains


def test_kernel_can_be_switched_off_without_a_warning(monkeypatch):
    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.setenv("SNN_HELPERS_KERNEL", "0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kernel.load() is None and kernel.build() is None
    assert kernel.backend() == "torch ops"


def never_compile(**kwargs):
    raise AssertionError("the engine must not compile the kernel")


def test_an_unbuilt_kernel_is_not_compiled_by_the_engine_and_is_announced_once(monkeypatch, tmp_path):
    import torch.utils.cpp_extension

    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.delenv("SNN_HELPERS_KERNEL", raising=False)
    monkeypatch.delenv("SNN_HELPERS_KERNEL_WARN", raising=False)  # the notebooks' quiet setting
    monkeypatch.setattr(kernel, "_build_dir", lambda name: tmp_path)  # an empty build folder
    monkeypatch.setattr(torch.utils.cpp_extension, "load", never_compile)
    with pytest.warns(UserWarning, match=r"not built for this source.*kernel\.backend\(\)"):
        spikes, _ = if_sequence(torch.full((3, 2), 1.5))  # runs on torch ops
    assert spikes.sum().item() == 6
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process: the second forward is silent
        if_sequence(torch.full((3, 2), 1.5))


def test_a_failed_build_falls_back_with_the_reason(monkeypatch, tmp_path):
    import torch.utils.cpp_extension

    def broken(**kwargs):
        raise RuntimeError("Error building extension 'snn_helpers_if_kernel'\nlong compiler log")

    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.delenv("SNN_HELPERS_KERNEL", raising=False)
    monkeypatch.delenv("SNN_HELPERS_KERNEL_WARN", raising=False)  # the notebooks' quiet setting
    monkeypatch.setattr(kernel, "_build_dir", lambda name: tmp_path)
    monkeypatch.setattr(torch.utils.cpp_extension, "load", broken)
    with pytest.warns(UserWarning, match=r"could not be built \(RuntimeError: Error building extension"):
        assert kernel.backend() == "torch ops"
    assert "Error building" in str(kernel._state["error"])
    assert kernel.load() is None
    spikes, _ = if_sequence(torch.full((3, 2), 1.5))  # the engine still runs, on torch ops
    assert spikes.sum().item() == 6


def test_a_missing_source_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.delenv("SNN_HELPERS_KERNEL", raising=False)
    monkeypatch.delenv("SNN_HELPERS_KERNEL_WARN", raising=False)  # the notebooks' quiet setting
    monkeypatch.setattr(kernel, "SOURCE", tmp_path / "if_kernel.cpp")
    with pytest.warns(UserWarning, match=r"its source .*if_kernel\.cpp is missing from this installation"):
        assert kernel.build() is None


def test_a_built_kernel_loads_without_compiling(require_kernel, monkeypatch):
    import torch.utils.cpp_extension

    monkeypatch.setattr(kernel, "_state", {})  # a fresh process, the build already done
    monkeypatch.setattr(torch.utils.cpp_extension, "load", never_compile)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = kernel.load()
    assert module is not None and module.__name__ == require_kernel.__name__
    assert module.__name__.endswith(kernel._name()[-12:])  # the build of this very source


def test_the_build_name_follows_the_source(monkeypatch, tmp_path):
    copy = tmp_path / "if_kernel.cpp"
    copy.write_bytes(kernel.SOURCE.read_bytes())
    name = kernel._name()
    monkeypatch.setattr(kernel, "SOURCE", copy)
    assert kernel._name() == name
    copy.write_bytes(copy.read_bytes() + b"\n// changed\n")
    assert kernel._name() != name  # a stale build is never loaded for a changed source


def test_the_notebooks_environment_keeps_the_fall_back_quiet(monkeypatch, tmp_path):
    # a learner without a compiler: the notebooks print what every machine prints (make said it at setup)
    monkeypatch.setattr(kernel, "_state", {})
    monkeypatch.delenv("SNN_HELPERS_KERNEL", raising=False)
    monkeypatch.setenv("SNN_HELPERS_KERNEL_WARN", "0")
    monkeypatch.setattr(kernel, "_build_dir", lambda name: tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kernel.load() is None
    assert "not built" in kernel._state["error"]


def test_the_recurrent_kernel_shares_the_machinery(monkeypatch, tmp_path):
    from snn_helpers.core import recurrent_kernel

    monkeypatch.setattr(recurrent_kernel, "_state", {})
    monkeypatch.delenv("SNN_HELPERS_KERNEL", raising=False)
    monkeypatch.delenv("SNN_HELPERS_KERNEL_WARN", raising=False)
    monkeypatch.setattr(kernel, "_build_dir", lambda name: tmp_path)
    with pytest.warns(
        UserWarning, match=r"the recurrent engine runs on torch ops.*recurrent_kernel\.backend\(\)"
    ):
        assert recurrent_kernel.load() is None
    assert kernel._name(recurrent_kernel._spec()).startswith("snn_helpers_recurrent_kernel_")
