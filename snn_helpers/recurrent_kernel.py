"""Optional compiled kernel for the recurrent LIF engine (notebook 12).

``load()`` builds ``csrc/recurrent_kernel.cpp`` with torch's C++ extension tools the first time
(about a minute; cached in torch's extension folder afterwards) and returns the module, or None
where it cannot be built (no compiler, no ninja; a warning says why, once) or is switched off with
the environment variable ``SNN_HELPERS_KERNEL=0``. :mod:`snn_helpers.recurrent` then runs the same
loops as torch operations: the same results to the last bit, somewhat slower. Build it ahead of
time with ``python -c "from snn_helpers import recurrent_kernel; print(recurrent_kernel.backend())"``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).parent / "csrc" / "recurrent_kernel.cpp"
_state: dict[str, object] = {}


def load() -> ModuleType | None:
    """The compiled module, or None (then the recurrent engine runs on torch ops)."""
    if "module" not in _state:
        _state["module"] = None
        if os.environ.get("SNN_HELPERS_KERNEL", "1") != "0":
            try:
                from torch.utils.cpp_extension import load as load_extension

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _state["module"] = load_extension(
                        name="snn_helpers_recurrent_kernel",
                        sources=[str(SOURCE)],
                        extra_cflags=["-O3", "-ffp-contract=off", "-fopenmp"],
                        verbose=False,
                    )
            except Exception as exc:  # no compiler, no ninja, a failed build: fall back, say so once
                _state["error"] = exc
                warnings.warn(
                    f"the recurrent engine's C++ kernel could not be built ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else ''}); "
                    "it runs on torch ops: same results, slower",
                    RuntimeWarning,
                    stacklevel=2,
                )
    return _state["module"]  # type: ignore[return-value]


def backend() -> str:
    """ "compiled" or "torch ops": what the recurrent engine uses on the CPU here."""
    return "compiled" if load() is not None else "torch ops"
