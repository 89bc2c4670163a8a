"""Argument checks shared by the library: clear errors instead of torch tracebacks."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


def check_positive(name: str, value: object, *, integer: bool = False) -> None:
    """Raise TypeError/ValueError unless ``value`` is a positive (integer) number."""
    kind = "a positive integer" if integer else "a positive number"
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__} {value!r}")
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be {kind}; got {value!r}")


def check_choice(name: str, value: object, choices: Iterable[str]) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def check_tensor(name: str, value: object, *, allow_nan: bool = False) -> None:
    """Raise TypeError unless ``value`` is a floating-point tensor; ValueError on NaN."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor; got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor; got dtype {value.dtype} (convert with .float())"
        )
    # A sum is NaN if any entry is NaN (or if +inf and -inf meet): one cheap pass, then count.
    if not allow_nan and value.numel() and torch.isnan(value.sum()) and torch.isnan(value).any():
        raise ValueError(f"{name} must not contain NaN; got {int(torch.isnan(value).sum())} NaN entries")
