"""What every exercise checker shares.

A checker runs the learner's answer on a few cases and prints one line that starts with
"passed", or raises :class:`ExerciseError`, whose message says what was expected, what was
got, a hint and where to look. In Jupyter the error shows that message alone (no traceback
through torch or through the checker, whose source would give the answer away); the cell
still fails, as nbgrader needs.

Checkers leave the learner's kernel as they found it: random draws happen inside
:func:`isolated_rng`, which restores Python's and torch's generators afterwards.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from typing import Any

import torch


class ExerciseError(AssertionError):
    """A failed check: rendered in IPython as its message only."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook: these lines replace the traceback
        red, reset = "\x1b[31m", "\x1b[0m"
        lines = str(self).splitlines() or [""]
        return [f"{red}Not yet.{reset} {lines[0]}", *lines[1:]]


def passed(what: str) -> None:
    """Print the one line of a passed check."""
    print(f"passed: {what}")


def fail(expected: object, got: object, hint: str) -> ExerciseError:
    """The error for a wrong answer: expected, got, and a hint that says where to look."""
    return ExerciseError(f"expected {expected}, got {got}.\nHint: {hint}")


def call(fn: Callable, *args: Any) -> Any:
    """Call the learner's function; re-raise NotImplementedError as is, report the rest."""
    if not callable(fn):
        raise ExerciseError(f"expected a function or class to call, got {type(fn).__name__} {fn!r}.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as exc:  # the learner's code failed: say how, without the checker's frames
        raise ExerciseError(f"your code raised {type(exc).__name__}: {exc}") from None


@contextlib.contextmanager
def isolated_rng(seed: int) -> Iterator[None]:
    """Seed Python's and torch's generators for the block, then restore their states."""
    state = random.getstate()
    with torch.random.fork_rng(devices=[]):
        random.seed(seed)
        torch.manual_seed(seed)
        try:
            yield
        finally:
            random.setstate(state)
