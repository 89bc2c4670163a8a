"""Measuring what a forward pass keeps for its backward. Introduced in notebook 06."""

from __future__ import annotations

from collections.abc import Callable

import torch


def saved_megabytes(fn: Callable[[], torch.Tensor]) -> float:
    """MB (2**20 bytes) of tensors that autograd keeps for the backward while ``fn()`` runs.

    Counts each storage once (views share one), parameters and inputs included, with
    ``torch.autograd.graph.saved_tensors_hooks``; works for custom autograd Functions too.

    Introduced in notebook 06.
    """
    storages: dict[tuple[str, int], int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        storages[(str(t.device), storage.data_ptr())] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return sum(storages.values()) / 2**20
