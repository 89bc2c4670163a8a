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
    # A tensor on the meta device has no values to look at.
    if allow_nan or value.device.type == "meta" or not value.numel():
        return
    if torch.isnan(value.sum()) and torch.isnan(value).any():
        raise ValueError(f"{name} must not contain NaN; got {int(torch.isnan(value).sum())} NaN entries")


def check_bool(name: str, value: object) -> None:
    """Raise TypeError unless ``value`` is a bool (not merely truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool; got {type(value).__name__} {value!r}")


def check_beta(value: object) -> float:
    """Return the leak factor ``beta`` as a float; TypeError/ValueError unless it is in (0, 1].

    ``beta = exp(-dt / tau)``: 1 is no leak (the IF neuron), smaller is a faster leak.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"beta must be a number in (0, 1] (beta = exp(-dt/tau)); got {type(value).__name__} {value!r}"
        )
    if not 0 < value <= 1:  # NaN fails this too
        raise ValueError(f"beta must be a number in (0, 1] (beta = exp(-dt/tau), 1 = no leak); got {value!r}")
    return float(value)
