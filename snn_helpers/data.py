"""Seeds and the post's random 0/1 inputs. Introduced in notebook 03."""

from __future__ import annotations

import random

import torch

from ._checks import check_positive


def set_seed(seed: int) -> None:
    """Seed Python's and torch's generators (every notebook's setup cell calls it)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int; got {type(seed).__name__} {seed!r}")
    random.seed(seed)
    torch.manual_seed(seed)


def random_binary_input(
    n_time: int,
    size_input: int,
    batch: int | None = None,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The post's input: independent 0/1 values, each 1 with probability 1/2.

    Args:
        n_time: time steps.
        size_input: features per step.
        batch: None for the post's unbatched ``[n_time, size_input]``, else the batch size.
        generator: a ``torch.Generator`` (default: torch's global one, as in the post).
        device: where to create it (default: the CPU, or the generator's device).

    Returns:
        Float tensor ``[n_time, size_input]`` or ``[n_time, batch, size_input]`` of 0.0/1.0.
    """
    check_positive("n_time", n_time, integer=True)
    check_positive("size_input", size_input, integer=True)
    if batch is not None:
        check_positive("batch", batch, integer=True)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None; got {type(generator).__name__}")
    shape = (n_time, size_input) if batch is None else (n_time, batch, size_input)
    if device is None and generator is not None:
        device = generator.device
    return torch.randint(0, 2, shape, generator=generator, device=device).float()
