"""Optional compiled kernel for the fused IF engine (notebook 06).

Building is an explicit step: :func:`build` compiles ``csrc/if_kernel.cpp`` with torch's C++
extension tools (about a minute the first time; ``make`` does it in its setup step, by
``python -c "from snn_helpers import kernel; print(kernel.backend())"``). The build lands in
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
whether or not the kernel is there.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).parent / "csrc" / "if_kernel.cpp"
CFLAGS = ("-O3", "-ffp-contract=off", "-fopenmp")
BUILD_COMMAND = 'python -c "from snn_helpers import kernel; print(kernel.backend())"'
_state: dict[str, object] = {}
"""``module`` (once decided), ``error`` (why there is none), ``warned`` (the warning was given)."""


def _disabled() -> bool:
    return os.environ.get("SNN_HELPERS_KERNEL", "1") == "0"


def _name() -> str:
    """The extension's name: one per source text, compiler flags and torch version."""
    import torch

    digest = hashlib.sha256(SOURCE.read_bytes() + repr((CFLAGS, torch.__version__)).encode())
    return f"snn_helpers_if_kernel_{digest.hexdigest()[:12]}"


def _build_dir(name: str) -> Path:
    from torch.utils.cpp_extension import _get_build_directory

    return Path(_get_build_directory(name, verbose=False))


def _fall_back(reason: str) -> None:
    """Remember why there is no kernel and say it once per process."""
    _state["module"], _state["error"] = None, reason
    if not _state.get("warned"):
        _state["warned"] = True
        warnings.warn(
            f"snn_helpers: the fused engine runs on torch ops (the same results, slower): {reason}. "
            f"Build the C++ kernel once with: {BUILD_COMMAND}",
            stacklevel=3,
        )


def _import(name: str, folder: Path) -> ModuleType | None:
    """Import a finished build of this source (a fraction of a second), or None if there is none."""
    if not (folder / "built.stamp").exists():
        return None
    from torch.utils.cpp_extension import _import_module_from_library

    return _import_module_from_library(name, str(folder), True)


def load() -> ModuleType | None:
    """The compiled module if it is already built, else None (the fused engine uses torch ops).

    Never compiles; warns once when it returns None for a reason other than ``SNN_HELPERS_KERNEL=0``.
    """
    if "module" in _state:
        return _state["module"]  # type: ignore[return-value]
    if _disabled():
        _state["module"], _state["error"] = None, "switched off by SNN_HELPERS_KERNEL=0"
        return None
    if not SOURCE.exists():
        _fall_back(f"its source {SOURCE} is missing from this installation")
        return None
    name = _name()
    folder = _build_dir(name)
    try:
        module = _import(name, folder)
    except Exception as exc:  # a build for another machine: rebuild
        _fall_back(f"the built kernel in {folder} does not load ({type(exc).__name__}: {exc})")
        return None
    if module is None:
        _fall_back("the C++ kernel is not built for this source")
        return None
    _state["module"] = module
    return module


def build(verbose: bool = False) -> ModuleType | None:
    """Compile the kernel if needed (about a minute the first time) and return it, or None.

    None where it is switched off (``SNN_HELPERS_KERNEL=0``) or cannot be built (no compiler, no
    ninja, the source missing): then a warning says why, once per process.
    """
    if _state.get("module") is not None:
        return _state["module"]  # type: ignore[return-value]
    _state.pop("module", None)
    if _disabled() or not SOURCE.exists():
        return load()
    name = _name()
    folder = _build_dir(name)
    try:
        module = _import(name, folder)  # already built: no compiler call
    except Exception:  # a build for another machine: build again
        module = None
    if module is not None:
        _state["module"] = module
        return module
    try:
        from torch.utils.cpp_extension import load as load_extension

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = load_extension(
                name=name,
                sources=[str(SOURCE)],
                extra_cflags=list(CFLAGS),
                build_directory=str(folder),
                verbose=verbose,
            )
    except Exception as exc:  # no compiler, no ninja, a failed build
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _fall_back(f"the C++ kernel could not be built ({type(exc).__name__}: {first_line})")
        return None
    (folder / "built.stamp").write_text(f"{name}\n")
    _state["module"] = module
    return module


def backend() -> str:
    """ "compiled" or "torch ops": what the fused engine uses on the CPU here (builds if needed)."""
    return "compiled" if build() is not None else "torch ops"
