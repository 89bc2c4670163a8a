"""Optional compiled kernel for the recurrent LIF engine (notebook 12; the adaptive threshold, notebook 14).

Four functions: ``forward`` and ``backward`` for the plain neurons, ``forward_adaptive`` and
``backward_adaptive`` for the adaptive threshold, each rounding as its torch-ops twin in
:mod:`snn_helpers.core.recurrent`.

Built, named and loaded as the fused IF engine's kernel is (:mod:`snn_helpers.kernel`): building is
an explicit step, :func:`build` (``make`` runs it at setup, by
``python -c "from snn_helpers.core import recurrent_kernel; print(recurrent_kernel.backend())"``);
:func:`load`, which :mod:`snn_helpers.recurrent` calls, never compiles: it imports a finished build
of this very source or returns None, and the engine then runs the same loops as torch operations
(the same results to the last bit, ``-ffp-contract=off``; somewhat slower), saying why once.
``SNN_HELPERS_KERNEL=0`` switches it off.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from . import kernel

SOURCE = Path(__file__).parent / "csrc" / "recurrent_kernel.cpp"
BUILD_COMMAND = 'python -c "from snn_helpers.core import recurrent_kernel; print(recurrent_kernel.backend())"'
_state: dict[str, object] = {}


def _spec() -> kernel.KernelSpec:
    return kernel.KernelSpec(
        SOURCE, "snn_helpers_recurrent_kernel", _state, "the recurrent engine", BUILD_COMMAND
    )


def load() -> ModuleType | None:
    """The compiled module if it is built, else None (the recurrent engine runs on torch ops).

    Introduced in notebook 12.
    """
    return kernel.load(_spec())


def build(verbose: bool = False) -> ModuleType | None:
    """Compile the kernel if needed (about a minute the first time) and return it, or None.

    Introduced in notebook 12.
    """
    return kernel.build(verbose, _spec())


def backend() -> str:
    """ "compiled" or "torch ops": what the recurrent engine uses on the CPU here (builds if needed).

    Introduced in notebook 12.
    """
    return "compiled" if build() is not None else "torch ops"
