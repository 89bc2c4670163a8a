"""Seeding every generator a notebook uses. Introduced in notebook 01 (every setup cell calls it)."""

from __future__ import annotations

import random

import torch


def set_seed(seed: int) -> None:
    """Seed Python's and torch's generators (every notebook's setup cell calls it).

    Introduced in notebook 01.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int; got {type(seed).__name__} {seed!r}")
    random.seed(seed)
    torch.manual_seed(seed)
