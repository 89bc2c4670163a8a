"""A stratified three-way split of labelled samples: training, validation and test indices.

Introduced in notebook 12 (Randman's split); notebook 14's memory task splits the same way.
"""

from __future__ import annotations

import torch


def check_fraction(name: str, value: object) -> None:
    """A share strictly between 0 and 1, else a ValueError naming ``name``. Introduced in notebook 12."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError(f"{name} must be a number between 0 and 1 (exclusive); got {value!r}")


def stratified_split(
    labels: torch.Tensor,
    validation_fraction: float,
    test_fraction: float,
    seed: int,
    unit: str = "samples",
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Indices of the training, validation and test sets, class by class (the same share of each class in
    each set), each set shuffled.

    Args:
        labels: class labels ``[n]`` (integer).
        validation_fraction, test_fraction: shares of each class (rounded down, at least one each); the rest
            is for training. Each strictly between 0 and 1, together below 1.
        seed: for the shuffles (a CPU ``torch.Generator``: the same split on every machine).
        unit: the word the error messages use for one sample ("samples", "trials").

    Returns:
        ``(train, validation, test)`` index tensors. Introduced in notebook 12.
    """
    check_fraction("validation_fraction", validation_fraction)
    check_fraction("test_fraction", test_fraction)
    if validation_fraction + test_fraction >= 1:
        raise ValueError(
            f"validation_fraction + test_fraction must be below 1 (leave {unit} to train on); "
            f"got {validation_fraction} + {test_fraction}"
        )
    gen = torch.Generator().manual_seed(seed)
    parts: list[list[torch.Tensor]] = [[], [], []]
    for k in torch.unique(labels):
        idx = torch.nonzero(labels == k).flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        n_val = max(1, int(len(idx) * validation_fraction))
        n_test = max(1, int(len(idx) * test_fraction))
        if n_val + n_test >= len(idx):
            raise ValueError(f"class {int(k)} has {len(idx)} {unit}: too few to split three ways")
        parts[0].append(idx[n_val + n_test :])
        parts[1].append(idx[:n_val])
        parts[2].append(idx[n_val : n_val + n_test])
    sets = []
    for chosen in parts:
        idx = torch.cat(chosen)
        sets.append(idx[torch.randperm(len(idx), generator=gen)])
    return sets[0], sets[1], sets[2]
