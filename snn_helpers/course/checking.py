"""What every exercise checker shares.

A checker runs the learner's answer on a few cases and prints one line that starts with
"passed", or raises :class:`ExerciseError`, whose message says what was expected, what was
got, a hint and where to look. In Jupyter the error shows that message alone (no traceback
through torch or through the checker, whose source would give the answer away); the cell
still fails, as nbgrader needs. A blank exercise (the learner's code still raises
``NotImplementedError``) gets one line, "Not answered yet: exercise N ...", the same way.

Messages are in English, or in Japanese when the notebook runs from a folder named ``ja``
(``notebooks/ja``, ``student/ja``): see :func:`language`. The Japanese lives in the catalog
``snn_helpers/course/locale/ja/checkers.po``, one entry per English message template: the
checkers keep writing English f-strings, and :func:`localize` finds the template a message was
made from (its fields, named by the f-string's expressions, hold the values) and fills the
Japanese template with the same values. The machinery is in :mod:`snn_helpers.course.i18n`;
``tools/translate.py update`` extracts the templates from this module and the checkers into the
catalog, ``stale`` lists those without Japanese.

Checkers leave the learner's kernel as they found it: random draws happen inside
:func:`isolated_rng`, which restores Python's and torch's generators afterwards.
"""

from __future__ import annotations

import contextlib
import numbers
import random
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import torch

from .i18n import language, localize

__all__ = ["ExerciseError", "NotAnswered", "call", "fail", "isolated_rng", "language", "localize", "passed"]


class ExerciseError(AssertionError):
    """A failed check: rendered in IPython as its message only (in the notebook's language)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(localize(message))

    def _render_traceback_(self) -> list[str]:  # IPython's hook: these lines replace the traceback
        red, reset = "\x1b[31m", "\x1b[0m"
        lines = str(self).splitlines() or [""]
        return [f"{red}{localize('Not yet.')}{reset} {lines[0]}", *lines[1:]]


def passed(what: str) -> None:
    """Print the one line of a passed check."""
    print(localize(f"passed: {what}"))


def fail(expected: object, got: object, hint: str) -> ExerciseError:
    """The error for a wrong answer: expected, got, and a hint that says where to look."""
    return ExerciseError(f"expected {expected}, got {got}.\nHint: {hint}")


def _exercise_number() -> str:
    """The number of the exercise whose checker is running, from its docstring ("exercise 2")."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith(f"{__package__}.exercises_"):
            checker = frame.f_globals.get(frame.f_code.co_name)
            found = re.search(r"exercise (\d+)", getattr(checker, "__doc__", None) or "")
            if found:
                return found.group(1)
        frame = frame.f_back
    return "?"


class NotAnswered(ExerciseError):
    """A check run on a blank exercise: one line, "Not answered yet", without the "Not yet." opening."""

    def _render_traceback_(self) -> list[str]:
        red, reset = "\x1b[31m", "\x1b[0m"
        return [f"{red}{self}{reset}"]


def not_answered() -> ExerciseError:
    """The one-line error of a blank exercise (its code still raises NotImplementedError)."""
    number = _exercise_number()
    return NotAnswered(
        f"Not answered yet: exercise {number} still raises NotImplementedError; "
        "replace `raise NotImplementedError()` in the cell above with your code, run it, then this one."
    )


def call(fn: Callable, *args: Any) -> Any:
    """Call the learner's function; a blank exercise or an error in it becomes a one-line ExerciseError."""
    if not callable(fn):
        raise ExerciseError(f"expected a function or class to call, got {type(fn).__name__} {fn!r}.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise not_answered() from None
    except Exception as exc:  # the learner's code failed: say how, without the checker's frames
        raise ExerciseError(f"your code raised {type(exc).__name__}: {exc}") from None


def require_function_class(fn: object, what: str) -> None:
    """Refuse anything but a subclass of ``torch.autograd.Function`` (``what``: its role, for the message)."""
    if isinstance(fn, type) and issubclass(fn, torch.autograd.Function):
        return
    if isinstance(fn, type):
        kind = f"the class {fn.__name__}, which does not subclass torch.autograd.Function"
    elif isinstance(fn, torch.autograd.Function):
        kind = f"an instance of {type(fn).__name__}"
    elif callable(fn):
        kind = f"a plain function, {getattr(fn, '__name__', repr(fn))}"
    else:
        kind = f"{type(fn).__name__} {fn!r}"
    raise ExerciseError(
        f"expected {what}, a class that subclasses torch.autograd.Function, got {kind}.\n"
        f"Hint: write class {what}(torch.autograd.Function) with the static methods forward(ctx, x) "
        f"and backward(ctx, grad_output), and pass the class itself: the check calls {what}.apply(x)."
    )


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


def as_number(value: object) -> float | None:
    """``value`` as a float when it is one real number (int, float, numpy scalar, 0-dim tensor), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, torch.Tensor):
        if value.dim() != 0 or value.dtype == torch.bool or value.is_complex():
            return None
        return float(value.item())
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        import numpy as np

        if isinstance(value, np.bool_):
            return None
        return float(value)
    return None


_MISSES: dict[str, int] = {}


def prediction_miss(key: str, expected: str, got: str, hint: str) -> ExerciseError:
    """The error for a prediction outside its tolerance, the same policy in every notebook.

    The first miss of a prediction (``key``: its checker) does not show the measured value: it says
    what to reconsider, so that the second try is a new prediction, not the number copied. From the
    second miss on, the message shows the measurement (``expected``) as any other check does.
    """
    _MISSES[key] = _MISSES.get(key, 0) + 1
    if _MISSES[key] == 1:
        return ExerciseError(
            f"your prediction {got} is outside the tolerance.\nHint: {hint}\n"
            "Think it over, change your prediction and run this check again "
            "(from the second try on, the check shows the measured value)."
        )
    return fail(expected, got, hint)


def forget_attempts() -> None:
    """Forget the predictions' earlier misses (the next miss of each is a first one again)."""
    _MISSES.clear()
