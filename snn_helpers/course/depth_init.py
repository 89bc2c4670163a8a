"""Initialization against depth on the digits: the runs of notebook 13 and of its recorded study.

Introduced in notebook 13 (initialization from the membrane's statistics). Three initializations of
:class:`snn_helpers.tasks.digits.DeepDigitsSNN` ("default": PyTorch's; "uniform": the post's U(0, 1)
bias trick on every hidden layer; "fluctuation": weights for a free-membrane mean ``xi`` spreads below
threshold, Rossbroich, Gygax & Zenke 2022), measured before training (:func:`layer_activity`) and after
training on the digits' training split (:func:`train_one`, scored on the validation split), over
depths and seeds (:func:`depth_grid`; ``tools/init_depth_grid.py`` runs it, docs/studies.md records a
run). The test split is scored once, by :meth:`DepthGrid.test`, for the configurations chosen on the
validation split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import torch

from ..core._checks import check_choice, check_positive
from ..core.encoding import rate_encode
from ..core.seed import set_seed
from ..tasks.digits import DEEP_INITS, DeepDigitsSNN, DigitsSplit, evaluate, train_digits

STUDY = dict(n_hidden=64, beta=0.8, n_time=20, epochs=5, lr=2e-3, batch_size=64, n_init=256)
"""The study's fixed settings (notebook 13 and ``tools/init_depth_grid.py``): 64 neurons a layer, leak
0.8 per step, 20 steps of rate code, 5 epochs of Adam at 2e-3 in batches of 64; the fluctuation init
reads its rates from the first 256 training images."""


class LayerActivity(NamedTuple):
    """Activity of each hidden layer (first layer first), fractions in [0, 1]; one float per layer.

    Attributes:
        first_step: spikes per neuron and sample at step 0 (the first step of the run).
        silent: the share of the layer's neurons that never fire, on any sample at any step.
        zero_input: the share of the layer's neurons that fire at least once with no input at all
            (every input 0 for the same number of steps): activity the data did not cause.
        rate: spikes per neuron, sample and step, over the whole run.

    Introduced in notebook 13.
    """

    first_step: list[float]
    silent: list[float]
    zero_input: list[float]
    rate: list[float]


def _check_model(model: object) -> None:
    if not isinstance(model, DeepDigitsSNN):
        raise TypeError(f"model must be a DeepDigitsSNN; got {type(model).__name__}")


def _check_depth(depth: object) -> None:
    check_positive("depth", depth, integer=True)


@torch.no_grad()
def layer_activity(model: DeepDigitsSNN, spikes: torch.Tensor) -> LayerActivity:
    """Measure every hidden layer of ``model`` on 0/1 input ``spikes`` ``[time, batch, n_inputs]``.

    ``zero_input`` runs the same number of steps on a batch of one all-zero input. Runs on the
    model's device. Introduced in notebook 13.
    """
    _check_model(model)
    device = model.hidden.weight.device
    hidden, _ = model.layer_spikes(spikes.to(device))
    quiet, _ = model.layer_spikes(torch.zeros(len(spikes), 1, spikes.shape[-1], device=device))
    return LayerActivity(
        first_step=[h[0].mean().item() for h in hidden],
        silent=[(h.sum(dim=(0, 1)) == 0).float().mean().item() for h in hidden],
        zero_input=[(q.sum(dim=(0, 1)) > 0).float().mean().item() for q in quiet],
        rate=[h.mean().item() for h in hidden],
    )


def init_spikes_for(data: DigitsSplit, seed: int, n_time: int = 20, n_init: int = 256) -> torch.Tensor:
    """The rate code ``[n_time, n_init, 64]`` of the first ``n_init`` training images (generator seeded
    with ``seed``) from which the "fluctuation" init reads its inputs' rates. Introduced in notebook 13."""
    check_positive("n_init", n_init, integer=True)
    check_positive("n_time", n_time, integer=True)
    return rate_encode(data.x_train[:n_init], n_time, torch.Generator().manual_seed(seed))


def build_model(
    depth: int,
    init: str,
    seed: int,
    data: DigitsSplit,
    *,
    n_hidden: int = 64,
    beta: float = 0.8,
    n_time: int = 20,
    n_init: int = 256,
    xi: float = 1.0,
    sigma: float = 1.0,
    device: torch.device | str | None = None,
) -> DeepDigitsSNN:
    """A :class:`DeepDigitsSNN` of ``depth`` hidden layers with ``init`` (one of ``DEEP_INITS``), drawn
    from ``seed`` (the same seed gives the same network on every device: it is drawn on the CPU, then
    moved to ``device``). Introduced in notebook 13."""
    _check_depth(depth)
    check_choice("init", init, DEEP_INITS)
    set_seed(seed)
    extra: dict = {}
    if init == "fluctuation":
        extra = dict(
            init_spikes=init_spikes_for(data, seed, n_time, n_init),
            xi=xi,
            sigma=sigma,
            generator=torch.Generator().manual_seed(seed),
        )
    model = DeepDigitsSNN(n_hidden, depth, init=init, beta=beta, **extra)
    return model.to(device) if device is not None else model


@dataclass
class RunResult:
    """One trained configuration: its validation accuracy after the last epoch, its hidden layers'
    activity on the validation split before and after training, and the model. Notebook 13."""

    val_accuracy: float
    before: LayerActivity
    after: LayerActivity
    model: DeepDigitsSNN = field(repr=False)


def train_one(
    depth: int,
    init: str,
    seed: int,
    data: DigitsSplit,
    *,
    epochs: int = 5,
    lr: float = 2e-3,
    batch_size: int = 64,
    device: torch.device | str | None = None,
    **model_kwargs,
) -> RunResult:
    """Build (:func:`build_model`), measure, train on the training split (:func:`train_digits`, Adam,
    tracking the validation split only) and measure again. ``model_kwargs`` go to :func:`build_model`
    (``n_hidden``, ``beta``, ``n_time``, ...). Introduced in notebook 13."""
    n_time = model_kwargs.get("n_time", 20)
    model = build_model(depth, init, seed, data, device=device, **model_kwargs)
    probe = rate_encode(data.x_val, n_time, torch.Generator().manual_seed(10_000 + seed))
    before = layer_activity(model, probe)
    history = train_digits(
        model, data, n_time=n_time, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, track=("val",)
    )
    return RunResult(history.val_accuracy[-1], before, layer_activity(model, probe), model)


@dataclass
class DepthGrid:
    """Validation accuracies of :func:`depth_grid`: ``results[(depth, init)]`` is a tensor ``[seeds]``;
    ``activity[(depth, init)]`` the list of ``(before, after)`` :class:`LayerActivity` per seed.
    :meth:`test` scores the test split, to be called once, for the chosen configurations."""

    data: DigitsSplit = field(repr=False)
    seeds: list[int]
    settings: dict
    results: dict[tuple[int, str], torch.Tensor] = field(default_factory=dict)
    activity: dict[tuple[int, str], list[tuple[LayerActivity, LayerActivity]]] = field(default_factory=dict)

    def mean_sd(self, config: tuple[int, str]) -> tuple[float, float]:
        """Mean and standard deviation (n - 1) over the seeds of a configuration's validation accuracy."""
        values = self.results[config]
        return values.mean().item(), (values.std().item() if len(values) > 1 else 0.0)

    def chosen(self, depth: int) -> str:
        """The init with the highest mean validation accuracy at ``depth`` (a tie at three decimals goes
        to the first of ``DEEP_INITS``)."""
        inits = [i for i in DEEP_INITS if (depth, i) in self.results]
        if not inits:
            raise ValueError(f"depth must be one of the grid's depths; got {depth!r}")
        return max(inits, key=lambda i: round(self.mean_sd((depth, i))[0], 3))

    def test(self, configs: list[tuple[int, str]], device: torch.device | str | None = None) -> dict:
        """Retrain each configuration with the grid's seeds and settings, score the test split:
        ``{config: tensor [seeds]}``."""
        out = {}
        kw = dict(self.settings)
        for depth, init in configs:
            accs = []
            for seed in self.seeds:
                run = train_one(depth, init, seed, self.data, device=device, **kw)
                gen = torch.Generator().manual_seed(20_000 + seed)
                accs.append(
                    evaluate(run.model, self.data.x_test, self.data.y_test, kw["n_time"], gen).accuracy
                )
            out[(depth, init)] = torch.tensor(accs)
        return out


def depth_grid(
    data: DigitsSplit,
    depths: list[int],
    seeds: list[int],
    inits: tuple[str, ...] = DEEP_INITS,
    *,
    device: torch.device | str | None = None,
    **settings,
) -> DepthGrid:
    """Train every depth x init x seed (:func:`train_one`) and keep the validation accuracies and the
    activity. ``settings`` override :data:`STUDY` (``epochs``, ``lr``, ``n_hidden``, ``beta``,
    ``n_time``, ...). Introduced in notebook 13."""
    if not depths or not seeds:
        raise ValueError(f"depths and seeds must each hold at least one value; got {depths!r} and {seeds!r}")
    for init in inits:
        check_choice("init", init, DEEP_INITS)
    unknown = set(settings) - set(STUDY)
    if unknown:
        raise TypeError(f"settings must be among {sorted(STUDY)}; got {sorted(unknown)}")
    kw = {**STUDY, **settings}
    grid = DepthGrid(data, list(seeds), kw)
    for depth in depths:
        for init in inits:
            runs = [train_one(depth, init, seed, data, device=device, **kw) for seed in seeds]
            grid.results[(depth, init)] = torch.tensor([r.val_accuracy for r in runs])
            grid.activity[(depth, init)] = [(r.before, r.after) for r in runs]
    return grid
