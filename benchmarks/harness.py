"""What the benchmark scripts share: timing a training step the same way on the CPU and on CUDA."""

from __future__ import annotations

import random
import statistics
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


def interleaved_medians(
    steps: dict[str, Callable[[], None]], rounds: int, budget_ms: float, device: torch.device
) -> dict[str, float]:
    """Median ms per step of each of ``steps``, timed in ``rounds`` interleaved rounds.

    Each step is warmed up (3 calls) and sized: one sample repeats it about ``budget_ms`` worth. Each
    round times every step once, in a new random order, so that a change of the machine's load hits
    all of them alike.
    """
    repeats = {}
    for name, step in steps.items():
        for _ in range(3):
            step()
        repeats[name] = max(1, round(budget_ms / max(timed(step, 1, device), 1e-3)))
    samples: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps)
    for _ in range(rounds):
        random.shuffle(order)
        for name in order:
            samples[name].append(timed(steps[name], repeats[name], device))
    return {name: statistics.median(s) for name, s in samples.items()}
