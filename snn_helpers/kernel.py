"""Optional compiled kernel for the fused IF engine (notebook 06).

``load()`` builds ``csrc/if_kernel.cpp`` with torch's C++ extension tools the first time
(about a minute; cached in torch's extension folder afterwards) and returns the module, or
None where it cannot be built (no compiler, no ninja) or is switched off with the
environment variable ``SNN_HELPERS_KERNEL=0``. The fused engine then uses torch ops
instead: the same results, somewhat slower. Every ``make`` target builds it ahead of time
(``python -c "from snn_helpers import kernel; print(kernel.backend())"``).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).parent / "csrc" / "if_kernel.cpp"
_state: dict[str, ModuleType | None] = {}


def load() -> ModuleType | None:
    """The compiled module, or None (then the fused engine runs on torch ops)."""
    if "module" not in _state:
        _state["module"] = None
        if os.environ.get("SNN_HELPERS_KERNEL", "1") != "0":
            try:
                from torch.utils.cpp_extension import load as load_extension

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _state["module"] = load_extension(
                        name="snn_helpers_if_kernel",
                        sources=[str(SOURCE)],
                        extra_cflags=["-O3", "-ffp-contract=off", "-fopenmp"],
                        verbose=False,
                    )
            except Exception as exc:  # no compiler, no ninja, a failed build: fall back quietly
                _state["error"] = exc  # type: ignore[assignment]
    return _state["module"]


def backend() -> str:
    """ "compiled" or "torch ops": what the fused engine uses on the CPU here."""
    return "compiled" if load() is not None else "torch ops"
