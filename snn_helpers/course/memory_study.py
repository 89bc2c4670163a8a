"""Notebook 14's study: feed-forward, recurrent and adaptive recurrent LIF networks against the delay.

Too long for a notebook: run by ``tools/memory_grid.py``, recorded in docs/studies.md, cited by
notebook 14 (memory). One network per (kind, delay, seed): the data of :func:`memory_split` (a fixed
data seed, so every seed sees the same trials), the model's init and the shuffles from the seed.
The two after-training controls (:func:`snn_helpers.tasks.memory.without_adaptation`,
:func:`~snn_helpers.tasks.memory.without_recurrence`) are scored on the trained networks; the third,
a delay longer than every time constant, is a column of the grid.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch

from ..core._checks import check_choice, check_positive
from ..core.seed import set_seed
from ..tasks.memory import (
    KINDS,
    MemorySNN,
    MemorySplit,
    make_memory,
    memory_accuracy,
    readout_probe,
    split_memory,
    train_memory,
    without_adaptation,
    without_recurrence,
)


@dataclass(frozen=True)
class MemorySettings:
    """Everything but the kind, the delay and the seed: the task's, the networks' and the training's.

    Time constants in steps: the membrane's ``tau_m = -1 / ln(beta)`` (0.9: 9.5 steps), the
    adaptation's ``tau_a`` (``adapt_decay = exp(-1 / tau_a)``). Introduced in notebook 14.
    """

    n_samples: int = 400
    n_channels: int = 16
    cue_steps: int = 10
    recall_steps: int = 10
    cue_rate: float = 0.5
    distractor_rate: float = 0.05
    data_seed: int = 0
    n_hidden: int = 32
    beta: float = 0.9
    tau_a: float = 200.0
    adapt_strength: float = 20.0
    epochs: int = 20
    lr: float = 1e-2
    batch_size: int = 32
    engine: str = "fused"


def memory_split(delay: int, settings: MemorySettings = MemorySettings()) -> MemorySplit:
    """The study's data at ``delay``: ``settings.n_samples`` trials split 60/20/20, class-balanced.

    Introduced in notebook 14.
    """
    s = settings
    data = make_memory(
        s.n_samples, delay, n_channels=s.n_channels, cue_steps=s.cue_steps, recall_steps=s.recall_steps,
        cue_rate=s.cue_rate, distractor_rate=s.distractor_rate, seed=s.data_seed,
    )  # fmt: skip
    return split_memory(data, 0.2, 0.2, seed=s.data_seed)


def memory_model(kind: str, seed: int, settings: MemorySettings = MemorySettings()) -> MemorySNN:
    """A fresh network of ``kind``, its weights drawn after ``set_seed(seed)``. Introduced in notebook 14."""
    check_choice("kind", kind, KINDS)
    s = settings
    set_seed(seed)
    return MemorySNN(
        s.n_channels, s.n_hidden, kind, recall_steps=s.recall_steps, beta=s.beta,
        adapt_decay=math.exp(-1 / s.tau_a), adapt_strength=s.adapt_strength, engine=s.engine,
    )  # fmt: skip


@dataclass
class MemoryGrid:
    """The grid's trained networks and their validation accuracies, keyed by ``(kind, delay)``.

    ``validation[(kind, delay)]`` is a tensor ``[n_seeds]``; ``models[(kind, delay)]`` the trained
    networks in seed order; ``data[delay]`` the split. Introduced in notebook 14.
    """

    settings: MemorySettings
    seeds: list[int]
    data: dict[int, MemorySplit] = field(default_factory=dict)
    models: dict[tuple[str, int], list[MemorySNN]] = field(default_factory=dict)
    validation: dict[tuple[str, int], torch.Tensor] = field(default_factory=dict)

    def controls(self, delay: int, split: str = "validation") -> dict[str, torch.Tensor]:
        """The trained "alif" networks at ``delay`` on ``split``: as trained, adaptation off, recurrence off.

        Returns accuracies ``[n_seeds]`` under the keys "alif", "adaptation off", "recurrence off".
        """
        check_choice("split", split, ("validation", "test"))
        data = getattr(self.data[delay], split)
        models = self.models[("alif", delay)]
        runs = {"alif": models, "adaptation off": [without_adaptation(m) for m in models]}
        runs["recurrence off"] = [without_recurrence(m) for m in models]
        return {name: torch.tensor([memory_accuracy(m, data) for m in ms]) for name, ms in runs.items()}

    def probes(self, delay: int) -> dict[str, torch.Tensor]:
        """Validation accuracies ``[n_seeds]`` of a readout refitted (:func:`readout_probe`) to the recall
        counts of the "alif" networks at ``delay`` (as trained, adaptation off, recurrence off) and of the
        "ff" networks there (the probe's baseline: a network that has no memory)."""
        data = self.data[delay]
        models = self.models[("alif", delay)]
        runs = {"alif": models, "adaptation off": [without_adaptation(m) for m in models]}
        runs["recurrence off"] = [without_recurrence(m) for m in models]
        if ("ff", delay) in self.models:
            runs["ff"] = self.models[("ff", delay)]
        return {name: torch.tensor([readout_probe(m, data) for m in ms]) for name, ms in runs.items()}

    def test(self, delay: int) -> dict[str, torch.Tensor]:
        """Test accuracies ``[n_seeds]`` of every kind trained at ``delay`` (look at them once)."""
        data = self.data[delay].test
        return {
            kind: torch.tensor([memory_accuracy(m, data) for m in self.models[(kind, delay)]])
            for kind in KINDS
            if (kind, delay) in self.models
        }


def memory_grid(
    kinds: list[str] | tuple[str, ...],
    delays: list[int] | tuple[int, ...],
    seeds: list[int],
    settings: MemorySettings = MemorySettings(),
) -> MemoryGrid:
    """Train every kind at every delay for every seed (one network each, one after another).

    Introduced in notebook 14.
    """
    for kind in kinds:
        check_choice("kind", kind, KINDS)
    if not seeds:
        raise ValueError("seeds must name at least one seed; got []")
    check_positive("epochs", settings.epochs, integer=True)
    grid = MemoryGrid(settings, list(seeds))
    for delay in delays:
        grid.data[delay] = data = memory_split(delay, settings)
        for kind in kinds:
            models, accuracies = [], []
            for seed in seeds:
                model = memory_model(kind, seed, settings)
                history = train_memory(
                    model,
                    data,
                    epochs=settings.epochs,
                    lr=settings.lr,
                    batch_size=settings.batch_size,
                    seed=seed,
                )
                models.append(model)
                accuracies.append(history.validation_accuracy[-1])
            grid.models[(kind, delay)] = models
            grid.validation[(kind, delay)] = torch.tensor(accuracies)
    return grid


def settings_dict(settings: MemorySettings) -> dict[str, object]:
    """The settings as a plain dict (for a printed record). Introduced in notebook 14."""
    return asdict(settings)
