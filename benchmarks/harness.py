"""What the benchmark scripts share: timing a training step the same way on the CPU and on CUDA."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def timed(step: Callable[[], None], repeats: int, device: torch.device) -> float:
    """Mean ms of `repeats` consecutive steps (one sample); waits for CUDA before and after."""
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats * 1e3
