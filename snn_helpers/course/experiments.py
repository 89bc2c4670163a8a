"""Repeated runs for comparing surrogates. Introduced in notebook 08 (surrogates compared).

Each function runs one configuration for one seed and returns a small dict of numbers,
so that a notebook can loop over surrogates, seeds and inits in a few short lines.
"""

from __future__ import annotations

import torch

from ..data import set_seed
from ..digits import DigitsSNN, DigitsSplit, evaluate, train_digits
from ..model import Model
from ..training import train


def post_task_run(
    surrogate: str,
    seed: int,
    bias_init: str = "uniform",
    slope: float | None = None,
    n_iter: int = 100,
    target: float = 1e-3,
) -> dict[str, float]:
    """The post's task (silence, 300 -> 500, 10 steps, SGD) with a detached reset, one seed.

    Returns:
        ``final_loss``; ``iters_to_target``, the first iteration whose loss is below
        ``target`` (``n_iter`` if none); ``silent``, the fraction of neurons that never
        fired in the last iteration; ``first_silent``, the same in the first.
    """
    set_seed(seed)
    model = Model(
        300, 500, bias_init=bias_init, surrogate=surrogate, slope=slope, detach_reset=True, engine="fused"
    )
    history = train(model, n_iter=n_iter)
    below = [i for i, loss in enumerate(history.loss) if loss < target]
    return {
        "final_loss": history.loss[-1],
        "iters_to_target": float(below[0] if below else n_iter),
        "silent": history.silent[-1],
        "first_silent": history.silent[0],
    }


def digits_run(
    data: DigitsSplit,
    surrogate: str,
    seed: int,
    bias_init: str = "default",
    slope: float | None = None,
    epochs: int = 4,
    n_time: int = 10,
    target: float = 0.9,
) -> dict[str, float]:
    """The digits task (notebook 07) shortened to ``epochs`` epochs, one seed.

    Returns:
        ``accuracy`` on the test set (one fixed rate code); ``epochs_to_target``, the first
        epoch (counted from 1) whose test accuracy reaches ``target`` (``epochs + 1`` if
        none); ``silent``, the fraction of hidden neurons that never fire on the test set.
    """
    set_seed(seed)
    model = DigitsSNN(n_hidden=128, surrogate=surrogate, slope=slope, bias_init=bias_init)
    history = train_digits(model, data, n_time=n_time, epochs=epochs, lr=3e-3, seed=seed)
    result = evaluate(model, data.x_test, data.y_test, n_time, torch.Generator().manual_seed(1000 + seed))
    reached = [i + 1 for i, acc in enumerate(history.test_accuracy) if acc >= target]
    return {
        "accuracy": result.accuracy,
        "epochs_to_target": float(reached[0] if reached else epochs + 1),
        "silent": result.silent,
    }


def summarize(runs: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """Mean and standard deviation over runs, per key."""
    out = {}
    for key in runs[0]:
        values = torch.tensor([run[key] for run in runs], dtype=torch.float64)
        out[key] = (values.mean().item(), values.std().item() if len(runs) > 1 else 0.0)
    return out
