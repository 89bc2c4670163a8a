"""Optional compiled kernel for the fused IF engine (notebook 06).

Building is an explicit step: :func:`build` compiles ``csrc/if_kernel.cpp`` with torch's C++
extension tools (about a minute the first time; ``make`` does it in its setup step, by
``python -c "from snn_helpers.core import kernel; print(kernel.backend())"``). The build lands in
torch's extension folder (``TORCH_EXTENSIONS_DIR``, default ``~/.cache/torch_extensions``)
under a name that carries a hash of the source and the compiler flags, so a changed source is
never run from an old build.

The fused engine calls :func:`load`, which never compiles: it returns the module if a build
of this very source is already there (a fraction of a second to import), else None. The engine
then runs on torch ops, which give the same results to the last bit (the kernel is compiled
with ``-ffp-contract=off`` and does each product and sum in the torch ops' order), only slower.
Falling back is announced once per process by a warning that says why (not built, the build
failed and how, the source missing from the installation) and how to build. The environment
variable ``SNN_HELPERS_KERNEL=0`` switches the kernel off without a warning (a deliberate
choice: ``make test-portable``'s "no-kernel" setting). The kernel is compiled for float32 and
float64 CPU tensors; other dtypes (bfloat16, float16) and other devices run on torch ops
whether or not the kernel is there. ``SNN_HELPERS_KERNEL_WARN=0`` keeps the fall-back warning quiet
(the notebooks' test and regenerate environment sets it, so that a machine without a compiler
prints what every other machine prints; ``make`` has said it at setup).

The recurrent engine's kernel (:mod:`snn_helpers.core.recurrent_kernel`, notebook 12) is built, named and
loaded by the same functions, given its own :class:`KernelSpec`.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).parent / "csrc" / "if_kernel.cpp"
CFLAGS = ("-O3", "-ffp-contract=off", "-fopenmp")
BUILD_COMMAND = 'python -c "from snn_helpers.core import kernel; print(kernel.backend())"'
_state: dict[str, object] = {}
"""``module`` (once decided), ``error`` (why there is none), ``warned`` (the warning was given)."""


@dataclass(frozen=True)
class KernelSpec:
    """One optional compiled kernel: its source, build-name prefix, state, who uses it, how to build.

    Introduced in notebook 06.
    """

    source: Path
    prefix: str
    state: dict
    user: str
    build_command: str


def _spec() -> KernelSpec:
    """The fused IF engine's kernel (read at call time, so tests can swap SOURCE and _state)."""
    return KernelSpec(SOURCE, "snn_helpers_if_kernel", _state, "the fused engine", BUILD_COMMAND)


def _disabled() -> bool:
    return os.environ.get("SNN_HELPERS_KERNEL", "1") == "0"


def _name(spec: KernelSpec | None = None) -> str:
    """The extension's name: one per source text, compiler flags and torch version."""
    import torch

    spec = spec or _spec()
    digest = hashlib.sha256(spec.source.read_bytes() + repr((CFLAGS, torch.__version__)).encode())
    return f"{spec.prefix}_{digest.hexdigest()[:12]}"


def _build_dir(name: str) -> Path:
    from torch.utils.cpp_extension import _get_build_directory

    return Path(_get_build_directory(name, verbose=False))


def _fall_back(reason: str, spec: KernelSpec | None = None) -> None:
    """Remember why there is no kernel and say it once per process (unless SNN_HELPERS_KERNEL_WARN=0)."""
    spec = spec or _spec()
    spec.state["module"], spec.state["error"] = None, reason
    if not spec.state.get("warned") and os.environ.get("SNN_HELPERS_KERNEL_WARN", "1") != "0":
        spec.state["warned"] = True
        warnings.warn(
            f"snn_helpers: {spec.user} runs on torch ops (the same results, slower): {reason}. "
            f"Build the C++ kernel once with: {spec.build_command}",
            stacklevel=3,
        )


def _import(name: str, folder: Path) -> ModuleType | None:
    """Import a finished build of this source (a fraction of a second), or None if there is none."""
    if not (folder / "built.stamp").exists():
        return None
    from torch.utils.cpp_extension import _import_module_from_library

    return _import_module_from_library(name, str(folder), True)


def load(spec: KernelSpec | None = None) -> ModuleType | None:
    """The compiled module if it is already built, else None (the fused engine uses torch ops).

    Never compiles; warns once when it returns None for a reason other than ``SNN_HELPERS_KERNEL=0``.
    ``spec``: another kernel than the fused IF engine's (the recurrent engine's passes its own).

    Introduced in notebook 06.
    """
    spec = spec or _spec()
    state = spec.state
    if "module" in state:
        return state["module"]  # type: ignore[return-value]
    if _disabled():
        state["module"], state["error"] = None, "switched off by SNN_HELPERS_KERNEL=0"
        return None
    if not spec.source.exists():
        _fall_back(f"its source {spec.source} is missing from this installation", spec)
        return None
    name = _name(spec)
    folder = _build_dir(name)
    try:
        module = _import(name, folder)
    except Exception as exc:  # a build for another machine: rebuild
        _fall_back(f"the built kernel in {folder} does not load ({type(exc).__name__}: {exc})", spec)
        return None
    if module is None:
        _fall_back("the C++ kernel is not built for this source", spec)
        return None
    state["module"] = module
    return module


def build(verbose: bool = False, spec: KernelSpec | None = None) -> ModuleType | None:
    """Compile the kernel if needed (about a minute the first time) and return it, or None.

    None where it is switched off (``SNN_HELPERS_KERNEL=0``) or cannot be built (no compiler, no
    ninja, the source missing): then a warning says why, once per process.

    Introduced in notebook 06.
    """
    spec = spec or _spec()
    state = spec.state
    if state.get("module") is not None:
        return state["module"]  # type: ignore[return-value]
    state.pop("module", None)
    if _disabled() or not spec.source.exists():
        return load(spec)
    name = _name(spec)
    folder = _build_dir(name)
    try:
        module = _import(name, folder)  # already built: no compiler call
    except Exception:  # a build for another machine: build again
        module = None
    if module is not None:
        state["module"] = module
        return module
    try:
        from torch.utils.cpp_extension import load as load_extension

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = load_extension(
                name=name,
                sources=[str(spec.source)],
                extra_cflags=list(CFLAGS),
                build_directory=str(folder),
                verbose=verbose,
            )
    except Exception as exc:  # no compiler, no ninja, a failed build
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _fall_back(f"the C++ kernel could not be built ({type(exc).__name__}: {first_line})", spec)
        return None
    (folder / "built.stamp").write_text(f"{name}\n")
    state["module"] = module
    return module


def backend() -> str:
    """ "compiled" or "torch ops": what the fused engine uses on the CPU here (builds if needed).

    Introduced in notebook 06.
    """
    return "compiled" if build() is not None else "torch ops"
