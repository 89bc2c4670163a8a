"""Where the modules of snn_helpers 0.2 went in 0.3, and the aliases that keep the old paths working.

snn_helpers 0.3 lays the package out by role (``core``, ``tasks``, ``course``: docs/maintaining.md,
"Architecture"). For one version the 0.2 module paths still import, with a ``DeprecationWarning``
that names the new one: ``import snn_helpers.digits`` gives the module ``snn_helpers.tasks.digits``
itself (not a copy), so its functions and classes are the same objects. They go in 0.4.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

MOVED = {
    "activity": "core.activity",
    "data": "core.seed",
    "digits": "tasks.digits",
    "encoding": "core.encoding",
    "ensemble": "course.ensemble",
    "fused": "core.fused",
    "kernel": "core.kernel",
    "model": "tasks.post",
    "neuron": "core.neuron",
    "plotting": "core.plotting",
    "profiling": "core.profiling",
    "randman": "tasks.randman",
    "readout": "core.readout",
    "recurrent": "core.recurrent",
    "recurrent_kernel": "core.recurrent_kernel",
    "spike": "core.spike",
    "training": "tasks.post",
}
"""0.2 module name (under ``snn_helpers.``) -> its 0.3 home."""

MOVED_NAMES = {
    ("data", "random_binary_input"): "core.encoding",
    ("digits", "rate_encode"): "core.encoding",
    ("randman", "permute_times"): "core.encoding",
    **{
        ("readout", name): "tasks.digits"
        for name in ("ReadoutSNN", "ReadoutHistory", "ReadoutEvaluation", "train_readout", "evaluate_readout")
    },
}
"""Names that left their 0.2 module for another home than the module's own."""


class _Alias(importlib.abc.Loader):
    """Loads an old path as a view of the new module, warning once per import."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def create_module(self, spec):  # noqa: ANN001, ANN201 - importlib's protocol
        return None

    def exec_module(self, module) -> None:  # noqa: ANN001 - importlib's protocol
        warnings.warn(
            f"snn_helpers.{self.old} moved to snn_helpers.{self.new} in 0.3; the old path goes in 0.4",
            DeprecationWarning,
            stacklevel=2,  # Python skips importlib's own frames: the warning names the importer
        )
        target = importlib.import_module(f"snn_helpers.{self.new}")
        old = self.old

        def __getattr__(name: str) -> object:
            home = MOVED_NAMES.get((old, name))
            if home is not None:
                return getattr(importlib.import_module(f"snn_helpers.{home}"), name)
            return getattr(target, name)

        module.__getattr__ = __getattr__
        module.__doc__ = f"Moved: see snn_helpers.{self.new}."


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path, target=None):  # noqa: ANN001, ANN201 - importlib's protocol
        prefix, _, rest = fullname.partition(".")
        if prefix != "snn_helpers" or rest not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(rest, MOVED[rest]))


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` (once; ``snn_helpers/__init__.py`` calls it)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())  # before any finder that could still see a 0.2 file
