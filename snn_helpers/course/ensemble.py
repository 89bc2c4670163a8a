"""Many independent copies of a course network, trained as one batched computation.

Introduced in notebook 08 (which surrogate, at which width?), where 260 short trainings must fit in
seconds. Training N small networks one after the other pays Python's and autograd's per-operation
overhead N times, on tensors too small to share between cores; here the N networks' weights are
stacked along a first ``members`` dimension and every step is one batched matrix product
(``torch.baddbmm``), one IF recurrence over all members (the fused engine itself,
:func:`snn_helpers.if_sequence`, given each member's surrogate derivative as a function) and one
optimizer step. The members do not interact: each member's loss
is its own, and the sum that is back-propagated gives each member exactly its own gradient. Many
members are trained in groups of about ``TRAIN_BUDGET`` float entries, one group after the other
(sorted by seed, so that members sharing a seed mostly share a group): the size measured fastest.

A member is a :class:`Member`: a seed (which fixes its initial weights and its data, exactly as the
single-network runs of :mod:`snn_helpers.course.experiments` do), a surrogate, a slope ``k`` and a
``scale`` that multiplies the surrogate derivative (``scale * g(x)``: to match surrogates in area or
in peak). Members that share a seed share their initial weights and their input draws, so a
comparison of surrogates over the same seeds is paired.

Two tasks:

- :class:`PostEnsemble` and :func:`train_post_ensemble`: the post's task (Linear 300 -> 500 then IF,
  10 steps, silence as the target, SGD), as ``snn_helpers.training.train`` runs it on a
  ``Model(..., engine="fused")``;
- :class:`DigitsEnsemble` and :func:`train_digits_ensemble`: the digits network of notebook 07
  (64 -> 128 -> 10, two IF layers), as ``snn_helpers.digits.train_digits`` trains a ``DigitsSNN``.

Each member's spikes, losses and weights equal those of the single-network run with the same seed, up
to the rounding of a batched matrix product (tests/test_ensemble.py measures how close). Shapes are
member-major: ``[members, time, batch, neurons]``. What it gains in time is measured in
benchmarks/RESULTS.md ("Many networks as one"): 1.2 to 2 times the throughput of separate runs for 20
digits networks on a 2-core CPU, most where members share a seed and so their input draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from ..core._checks import check_choice, check_positive, check_tensor
from ..core.encoding import random_binary_input, rate_encode
from ..core.fused import if_sequence
from ..core.neuron import RESETS
from ..core.spike import SURROGATES, _grad, resolve_slope
from ..tasks.digits import TRACKED, DigitsSNN, DigitsSplit, check_track
from ..tasks.post import Model

SPLITS = TRACKED
"""The splits that :func:`train_digits_ensemble` can score after each epoch, in the order it draws them."""


class Member(NamedTuple):
    """One network of an ensemble.

    Attributes:
        seed: fixes the initial weights and the data draws (as ``set_seed(seed)`` before building
            the single network does).
        surrogate: a name from ``snn_helpers.SURROGATES``.
        slope: the surrogate's ``k``; None takes its default.
        scale: multiplies the surrogate derivative, ``scale * g(x)`` (1 leaves it as defined).

    Introduced in notebook 08.
    """

    seed: int
    surrogate: str = "fast_sigmoid"
    slope: float | None = None
    scale: float = 1.0


def check_members(members: object) -> list[Member]:
    """Return ``members`` as a list of :class:`Member` with resolved slopes, or raise a clear error.

    Introduced in notebook 08.
    """
    if isinstance(members, Member) or not isinstance(members, list | tuple):
        raise TypeError(f"members must be a list of Member; got {type(members).__name__}")
    if not members:
        raise ValueError("members must hold at least one Member; got an empty list")
    out = []
    for i, m in enumerate(members):
        if not isinstance(m, Member):
            raise TypeError(f"members[{i}] must be a Member; got {type(m).__name__} {m!r}")
        if isinstance(m.seed, bool) or not isinstance(m.seed, int):
            raise TypeError(f"members[{i}].seed must be an int; got {type(m.seed).__name__} {m.seed!r}")
        check_choice(f"members[{i}].surrogate", m.surrogate, SURROGATES)
        slope = resolve_slope(m.surrogate, m.slope)
        check_positive(f"members[{i}].scale", m.scale)
        out.append(Member(m.seed, m.surrogate, slope, float(m.scale)))
    return out


class _Surrogates:
    """The members' surrogate derivatives over a whole sequence, one computation per (family, slope).

    Members with the same surrogate and slope form a group (its ``scale`` may differ per member); a
    group of evenly spaced members (every one, or every fifth, ...) is a view, any other an index.
    Each group's derivative is computed
    with the same scalar arithmetic as :func:`snn_helpers.spike._grad` for one network, so that a member
    gets the gradient it would get alone, to the last bit.
    """

    def __init__(self, members: list[Member]) -> None:
        groups: dict[tuple[str, float | None], list[int]] = {}
        for i, m in enumerate(members):
            groups.setdefault((m.surrogate, m.slope), []).append(i)
        self.n_members = len(members)
        self.groups: list[tuple[str, float | None, slice | torch.Tensor, torch.Tensor | float]] = []
        for (surrogate, slope), index in groups.items():
            scales = [members[i].scale for i in index]
            scale = scales[0] if len(set(scales)) == 1 else torch.tensor(scales)
            step = index[1] - index[0] if len(index) > 1 else 1
            regular = step > 0 and index == list(range(index[0], index[-1] + 1, step))
            where = slice(index[0], index[-1] + 1, step) if regular else torch.tensor(index)
            self.groups.append((surrogate, slope, where, scale))

    def grad(self, x: torch.Tensor) -> torch.Tensor:
        """``scale * g(x)`` for ``x`` of shape ``[time, members, ...]`` (each member's own ``g``).

        With several groups, each group's ``g`` is written over its own slice of ``x``, which is
        returned (the fused engine hands over a buffer of its own: no fresh memory for the result)."""
        if len(self.groups) == 1:
            surrogate, slope, _, scale = self.groups[0]
            return self._scaled(_grad(x, surrogate, slope), scale)
        for surrogate, slope, where, scale in self.groups:  # the groups' members are disjoint
            if isinstance(where, slice):
                x[:, where] = self._scaled(_grad(x[:, where], surrogate, slope), scale)
            else:
                where = where.to(x.device)
                g = _grad(x.index_select(1, where), surrogate, slope)
                x.index_copy_(1, where, self._scaled(g, scale))
        return x

    @staticmethod
    def _scaled(g: torch.Tensor, scale: torch.Tensor | float) -> torch.Tensor:
        if isinstance(scale, float):
            return g if scale == 1.0 else g.mul_(scale)
        return g.mul_(scale.to(g).view(1, -1, *[1] * (g.dim() - 2)))


def _if_spikes(
    current: torch.Tensor, if_args: tuple[float, str, bool], surrogates: _Surrogates
) -> torch.Tensor:
    """The IF recurrence over ``[time, members, ...]`` currents, on the fused engine
    (:func:`snn_helpers.if_sequence`, no leak), each member with its own surrogate derivative in the
    backward: returns the spikes, the shape of ``current``."""
    threshold, reset, detach_reset = if_args
    spikes, _ = if_sequence(
        current, threshold=threshold, reset=reset, surrogate=surrogates.grad, detach_reset=detach_reset
    )
    return spikes


def _linear(x: torch.Tensor, weight_t: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``x @ weight_t + bias`` per member: ``[M, rows, in]`` -> ``[M, rows, out]``.

    The weights are stored transposed, ``[M, in, out]``, so that their gradient is contiguous (a
    transposed copy of all members' gradients at every step would cost as much as the product).
    """
    return torch.baddbmm(bias[:, None, :], x, weight_t)


def _device(device: torch.device | str | None) -> torch.device:
    if device is None:
        return torch.device("cpu")
    if not isinstance(device, str | torch.device):
        raise TypeError(f"device must be a torch.device, a string or None; got {type(device).__name__}")
    return torch.device(device)


def _seed_groups(members: list[Member]) -> tuple[list[int], torch.Tensor]:
    """The distinct seeds (first-seen order) and, per member, the index of its seed."""
    seeds = list(dict.fromkeys(m.seed for m in members))
    return seeds, torch.tensor([seeds.index(m.seed) for m in members])


def _check_index(index: object, n: int) -> None:
    if not isinstance(index, list | tuple) or not index:
        raise TypeError(f"index must be a non-empty list of member positions; got {index!r}")
    for i in index:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise ValueError(f"index must hold member positions 0 to {n - 1}; got {i!r}")


def _init_state(seed: int, build) -> tuple[nn.Module, torch.Tensor]:
    """Build a network as ``set_seed(seed); build()`` would, without touching the global generator."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = build()
        return net, torch.get_rng_state()


class PostEnsemble(nn.Module):
    """``len(members)`` copies of the post's network (Linear then IF, notebook 03), weights stacked.

    Member ``m`` starts from the weights of ``set_seed(m.seed); Model(size_input, size_hidden, n_time,
    bias_init)`` and uses ``m.surrogate``, ``m.slope`` and ``m.scale`` in its backward pass.

    Args:
        members: a list of :class:`Member`.
        size_input, size_hidden, n_time, bias_init, threshold, reset, detach_reset: as in
            :class:`snn_helpers.Model` (the defaults are the post's, with the detached reset of
            notebook 05).
        device: where the weights live (default the CPU).

    Attributes:
        weight_t: the members' ``linear.weight`` transposed, ``[members, size_input, size_hidden]``
            (:attr:`weight` is the view ``[members, size_hidden, size_input]``); bias:
            ``[members, size_hidden]``.

    ``forward(x)`` takes ``x`` of shape ``[members, n_time, size_input]`` (the post's unbatched
    input, one per member) or ``[members, n_time, batch, size_input]`` and returns the spikes,
    ``[members, n_time, size_hidden]`` or ``[members, n_time, batch, size_hidden]``.
    """

    def __init__(
        self,
        members: list[Member],
        size_input: int = 300,
        size_hidden: int = 500,
        n_time: int = 10,
        bias_init: str = "uniform",
        threshold: float = 1.0,
        reset: str = "zero",
        detach_reset: bool = True,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        self.members = check_members(members)
        check_positive("threshold", threshold)
        check_choice("reset", reset, RESETS)
        if not isinstance(detach_reset, bool):
            raise TypeError(f"detach_reset must be a bool; got {type(detach_reset).__name__}")
        seeds, self.seed_index = _seed_groups(self.members)
        states = {}
        for s in seeds:  # Model checks the sizes and bias_init
            states[s] = _init_state(s, lambda: Model(size_input, size_hidden, n_time, bias_init=bias_init))
        device = _device(device)
        weights = [states[m.seed][0].linear.weight.detach().t() for m in self.members]
        self.weight_t = nn.Parameter(torch.stack(weights).to(device))  # [M, size_input, size_hidden]
        self.bias = nn.Parameter(
            torch.stack([states[m.seed][0].linear.bias.detach() for m in self.members]).to(device)
        )
        self.seeds = seeds
        self.rng_states = [states[s][1] for s in seeds]  # the global generator after each seed's init
        self.size_input, self.size_hidden, self.n_time = size_input, size_hidden, n_time
        self._if_args = (float(threshold), reset, detach_reset)  # shared; surrogates per member
        self._surrogates = _Surrogates(self.members)

    @property
    def weight(self) -> torch.Tensor:
        """The weights as ``Model.linear.weight`` holds them: ``[members, size_hidden, size_input]``."""
        return self.weight_t.transpose(1, 2)

    def subset(self, index: list[int]) -> PostEnsemble:
        """A new ensemble of members ``index`` (positions in :attr:`members`), with copies of their
        current weights (the seed's draws follow them): to score or train some members only."""
        _check_index(index, len(self.members))
        return _subset(self, index)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x)
        m, t, i = len(self.members), self.n_time, self.size_input
        if x.dim() not in (3, 4) or x.shape[0] != m or x.shape[1] != t or x.shape[-1] != i:
            raise ValueError(
                f"x must have shape [members={m}, n_time={t}, size_input={i}] or "
                f"[members={m}, n_time={t}, batch, size_input={i}]; got {tuple(x.shape)}"
            )
        current = _linear(x.reshape(m, -1, i), self.weight_t, self.bias)  # [M, T*B, H]
        current = current.view(m, t, -1).transpose(0, 1).contiguous()  # [T, M, B*H]
        spikes = _if_spikes(current, self._if_args, self._surrogates)
        return spikes.transpose(0, 1).reshape(*x.shape[:-1], self.size_hidden)


@dataclass
class EnsembleHistory:
    """Per-iteration (or per-epoch) records of an ensemble's training, one row per iteration.

    Attributes:
        loss: ``[iterations, members]``, each member's loss before its update.
        silent: ``[iterations, members]``, fraction of hidden neurons that fired at no step (and no
            sample) of the iteration (post's task only).
        train_accuracy, val_accuracy, test_accuracy: ``[epochs, members]`` (digits: the splits
            tracked after each epoch; None for a split not tracked).

    Introduced in notebook 08.
    """

    loss: torch.Tensor
    silent: torch.Tensor | None = None
    train_accuracy: torch.Tensor | None = None
    val_accuracy: torch.Tensor | None = None
    test_accuracy: torch.Tensor | None = None


# Members trained together hold about this many float entries (weights with their gradient and
# optimizer state, and one iteration's arrays, a rough count); more are trained in groups, one after
# the other. Chosen by measurement on notebook 08's digits grid (benchmarks/RESULTS.md, "Sizes chosen by
# measurement"): smaller arrays are kinder to the cache, but every group pays Python's per-operation
# overhead again.
TRAIN_BUDGET = 20_000_000


def _groups(ensemble: PostEnsemble | DigitsEnsemble, per_member: int) -> list[list[int]]:
    """The members (indices) in training groups: sorted by seed, so that members sharing draws are
    together, and at most ``TRAIN_BUDGET // per_member`` (at least 1) in a group."""
    m, size = len(ensemble.members), max(1, TRAIN_BUDGET // per_member)
    if m <= size:
        return [list(range(m))]
    order = sorted(range(m), key=lambda i: int(ensemble.seed_index[i]))
    return [order[i : i + size] for i in range(0, m, size)]


def _subset(ensemble: PostEnsemble | DigitsEnsemble, index: list[int]) -> PostEnsemble | DigitsEnsemble:
    """A new ensemble of the members ``index`` of ``ensemble``, with copies of their current weights."""
    sub = object.__new__(type(ensemble))
    sub.__dict__.update(ensemble.__dict__)
    sub._parameters = {}
    rows = torch.tensor(index, device=next(ensemble.parameters()).device)
    for name, param in ensemble.named_parameters(recurse=False):
        sub.register_parameter(name, nn.Parameter(param.detach().index_select(0, rows)))
    sub.members = [ensemble.members[i] for i in index]
    sub.seeds, sub.seed_index = _seed_groups(sub.members)
    if hasattr(ensemble, "rng_states"):
        sub.rng_states = [ensemble.rng_states[ensemble.seeds.index(s)] for s in sub.seeds]
    sub._surrogates = _Surrogates(sub.members)
    return sub


@torch.no_grad()
def _store(ensemble: PostEnsemble | DigitsEnsemble, index: list[int], sub: nn.Module) -> None:
    """Write the weights of ``sub`` (from :func:`_subset`) back into members ``index`` of ``ensemble``."""
    rows = torch.tensor(index, device=next(ensemble.parameters()).device)
    for name, param in ensemble.named_parameters(recurse=False):
        param.index_copy_(0, rows, getattr(sub, name))


def train_post_ensemble(
    ensemble: PostEnsemble,
    n_iter: int = 100,
    lr: float = 0.1,
    momentum: float = 0.9,
    batch_size: int | None = None,
) -> EnsembleHistory:
    """Train every member on the post's task, as ``snn_helpers.training.train`` trains one ``Model``.

    Each member's inputs are the draws that ``set_seed(seed); Model(...); train(model)`` would make
    from torch's global generator (on the CPU; moved to the ensemble's device). The global
    generator itself is not touched. Loss per member: ``mean(spikes) ** 2``; SGD with momentum, as
    ``torch.optim.SGD`` steps (``buffer = momentum * buffer + gradient``, ``weight -= lr * buffer``),
    with the weight gradient computed straight into the buffer (one batched product: the weights are
    read and written as few times as possible). Members are trained in groups (``TRAIN_BUDGET``); as
    they do not interact, the grouping changes nothing but the time taken (and the last bit of a
    batched product).

    Args:
        ensemble: a :class:`PostEnsemble`.
        n_iter, lr, momentum, batch_size: as in :func:`snn_helpers.train`.

    Returns:
        An :class:`EnsembleHistory` with ``loss`` and ``silent``, ``[n_iter, members]``.

    Introduced in notebook 08.
    """
    if not isinstance(ensemble, PostEnsemble):
        raise TypeError(f"ensemble must be a PostEnsemble; got {type(ensemble).__name__}")
    check_positive("n_iter", n_iter, integer=True)
    check_positive("lr", lr)
    if batch_size is not None:
        check_positive("batch_size", batch_size, integer=True)
    if isinstance(momentum, bool) or not isinstance(momentum, int | float) or not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
    m = len(ensemble.members)
    loss, silent = torch.empty(n_iter, m), torch.empty(n_iter, m)
    rows = ensemble.n_time * (batch_size or 1) * ensemble.size_hidden
    groups = _groups(ensemble, 2 * ensemble.size_input * ensemble.size_hidden + 8 * rows)
    for index in groups:
        sub = ensemble if len(groups) == 1 else _subset(ensemble, index)
        loss[:, index], silent[:, index] = _train_post_group(sub, n_iter, lr, momentum, batch_size)
        if sub is not ensemble:
            _store(ensemble, index, sub)
    return EnsembleHistory(loss, silent)


def _train_post_group(
    ensemble: PostEnsemble, n_iter: int, lr: float, momentum: float, batch_size: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`train_post_ensemble` for one group: loss and silent fraction ``[n_iter, members]``."""
    gens = [torch.Generator().set_state(state) for state in ensemble.rng_states]
    weight_t, bias = ensemble.weight_t, ensemble.bias
    device, m, t = weight_t.device, len(ensemble.members), ensemble.n_time
    i, h = ensemble.size_input, ensemble.size_hidden
    index = ensemble.seed_index.to(device)
    buffer_w, buffer_b = torch.zeros_like(weight_t), torch.zeros_like(bias)
    loss_rows, silent_rows = [], []
    for iteration in range(n_iter):
        drawn = torch.stack([random_binary_input(t, i, batch_size, g) for g in gens])
        x = drawn.to(device).index_select(0, index).reshape(m, -1, i)  # [M, T*B, I]
        with torch.no_grad():
            current = _linear(x, weight_t, bias).view(m, t, -1).transpose(0, 1).contiguous()
        current.requires_grad_(True)  # [T, M, B*H]
        spikes = _if_spikes(current, ensemble._if_args, ensemble._surrogates)
        losses = spikes.mean(dim=(0, 2)) ** 2  # [M]: mean over steps, samples and neurons
        (grad,) = torch.autograd.grad(losses.sum(), current)
        grad = grad.view(t, m, -1, h).transpose(0, 1).reshape(m, -1, h)  # dL/dcurrent, [M, T*B, H]
        with torch.no_grad():  # buffer = momentum * buffer + x^T grad; weight -= lr * buffer
            beta = momentum if iteration else 0.0
            buffer_w.baddbmm_(x.transpose(1, 2), grad, beta=beta)
            buffer_b.mul_(beta).add_(grad.sum(dim=1))
            weight_t.add_(buffer_w, alpha=-lr)
            bias.add_(buffer_b, alpha=-lr)
        loss_rows.append(losses.detach())
        fired = spikes.detach().view(t, m, -1, h).sum(dim=(0, 2))  # [M, H]
        silent_rows.append((fired == 0).float().mean(dim=1))
    return torch.stack(loss_rows).cpu(), torch.stack(silent_rows).cpu()


class DigitsEnsemble(nn.Module):
    """``len(members)`` copies of the digits network of notebook 07 (64 -> IF 128 -> IF 10), stacked.

    Member ``m`` starts from the weights of ``set_seed(m.seed); DigitsSNN(n_hidden, ...)`` and uses
    ``m.surrogate``, ``m.slope`` and ``m.scale`` in both IF layers' backward.

    Args:
        members: a list of :class:`Member`.
        n_hidden, threshold, reset, detach_reset, bias_init, n_inputs, n_classes: as in
            :class:`snn_helpers.digits.DigitsSNN`.
        device: where the weights live (default the CPU).

    Attributes:
        w1, b1: the hidden layer's weights transposed ``[members, n_inputs, n_hidden]`` and biases
            ``[members, n_hidden]``; w2, b2: the output layer's, ``[members, n_hidden, n_classes]``
            and ``[members, n_classes]``.

    ``forward(spikes)`` takes 0/1 input ``[members, time, batch, n_inputs]`` and returns the output
    spike counts ``[members, batch, n_classes]``; with ``return_hidden=True`` also the hidden spikes
    ``[members, time, batch, n_hidden]``.
    """

    def __init__(
        self,
        members: list[Member],
        n_hidden: int = 128,
        threshold: float = 1.0,
        reset: str = "zero",
        detach_reset: bool = True,
        bias_init: str = "default",
        n_inputs: int = 64,
        n_classes: int = 10,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        self.members = check_members(members)
        if not isinstance(detach_reset, bool):
            raise TypeError(f"detach_reset must be a bool; got {type(detach_reset).__name__}")
        seeds, self.seed_index = _seed_groups(self.members)
        nets = {}
        for s in seeds:  # DigitsSNN checks the sizes, threshold, reset and bias_init
            nets[s], _ = _init_state(
                s,
                lambda: DigitsSNN(
                    n_hidden,
                    threshold=threshold,
                    reset=reset,
                    surrogate="post",
                    detach_reset=detach_reset,
                    bias_init=bias_init,
                    n_inputs=n_inputs,
                    n_classes=n_classes,
                ),
            )
        device = _device(device)

        def stack(get) -> nn.Parameter:
            return nn.Parameter(torch.stack([get(nets[m.seed]).detach() for m in self.members]).to(device))

        self.w1, self.b1 = stack(lambda n: n.hidden.weight.t()), stack(lambda n: n.hidden.bias)
        self.w2, self.b2 = stack(lambda n: n.output.weight.t()), stack(lambda n: n.output.bias)
        self.seeds = seeds
        self.n_inputs, self.n_hidden, self.n_classes = n_inputs, n_hidden, n_classes
        self._if_args = (float(threshold), reset, detach_reset)  # shared; surrogates per member
        self._surrogates = _Surrogates(self.members)

    def subset(self, index: list[int]) -> DigitsEnsemble:
        """A new ensemble of members ``index`` (positions in :attr:`members`), with copies of their
        current weights (the seed's draws follow them): to score or train some members only."""
        _check_index(index, len(self.members))
        return _subset(self, index)

    def forward(
        self, spikes: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        check_tensor("spikes", spikes)
        m = len(self.members)
        if spikes.dim() != 4 or spikes.shape[0] != m or spikes.shape[-1] != self.n_inputs:
            raise ValueError(
                f"spikes must have shape [members={m}, time, batch, {self.n_inputs}]; "
                f"got {tuple(spikes.shape)}"
            )
        counts, hidden = self._forward_time_major(spikes.transpose(0, 1))
        return (counts, hidden.transpose(0, 1)) if return_hidden else counts

    def _forward_time_major(
        self, spikes: torch.Tensor, index: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``[time, members, batch, n_inputs]`` -> counts ``[members, batch, classes]``, hidden spikes
        ``[time, members, batch, n_hidden]`` (time-major: the IF recurrence needs no transposed copy).
        With ``index``, only those members run (``spikes`` then holds one slice per selected member)."""
        params, surrogates = (self.w1, self.b1, self.w2, self.b2), self._surrogates
        if index is not None:
            params = tuple(p[index] for p in params)
            surrogates = _Surrogates([self.members[i] for i in index.tolist()])
        w1, b1, w2, b2 = params
        hidden = _if_spikes(_LinearPerStep.apply(spikes, w1, b1), self._if_args, surrogates)
        out = _if_spikes(_LinearPerStep.apply(hidden, w2, b2), self._if_args, surrogates)
        return out.sum(dim=0), hidden


class _LinearPerStep(torch.autograd.Function):
    """``x [T, M, B, in] @ w_t [M, in, out] + b [M, out]`` -> ``[T, M, B, out]``, one batched product per
    step, written in place: the time-major layout that the IF recurrence reads, with no transposed copy."""

    @staticmethod
    def forward(ctx, x, w_t, b):
        out = x.new_empty(*x.shape[:-1], w_t.shape[-1])
        bias = b[:, None, :]
        for t in range(x.shape[0]):
            torch.baddbmm(bias, x[t], w_t, out=out[t])
        ctx.save_for_backward(x, w_t)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w_t = ctx.saved_tensors
        grad = grad.contiguous()
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x, w = torch.empty_like(x), w_t.transpose(1, 2)
            for t in range(x.shape[0]):
                torch.bmm(grad[t], w, out=grad_x[t])
        grad_w = torch.bmm(x[0].transpose(1, 2), grad[0])
        for t in range(1, x.shape[0]):
            grad_w.baddbmm_(x[t].transpose(1, 2), grad[t])
        return grad_x, grad_w, grad.sum(dim=0).sum(dim=1)  # two stages: much faster than dim=(0, 2)


# Members evaluated at once: at most this many hidden-spike entries (time x members x samples x
# neurons), about 8 MB in float32, a size that stays in cache (benchmarks/RESULTS.md, "Sizes chosen by
# measurement").
EVAL_CHUNK = 2_000_000


@torch.no_grad()
def evaluate_ensemble(
    ensemble: DigitsEnsemble,
    x: torch.Tensor,
    y: torch.Tensor,
    n_time: int = 20,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Accuracy of every member on one rate code of ``x`` ``[n, 64]`` (the same code for all).

    As :func:`snn_helpers.digits.evaluate` scores one network: the predicted label is the output
    neuron with the most spikes, a tie going to the lower digit.

    Returns:
        ``[members]`` accuracies (fractions of ``y`` ``[n]`` predicted right).

    Introduced in notebook 08.
    """
    if not isinstance(ensemble, DigitsEnsemble):
        raise TypeError(f"ensemble must be a DigitsEnsemble; got {type(ensemble).__name__}")
    check_tensor("x", x)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape[:1]:
        raise ValueError(
            f"y must be a tensor of {x.shape[0]} labels (one per row of x); got {getattr(y, 'shape', y)}"
        )
    code = rate_encode(x, n_time, generator).to(ensemble.w1.device)  # [T, n, inputs]
    return _accuracy(ensemble, code[:, None], y, torch.zeros(len(ensemble.members), dtype=torch.long))


@torch.no_grad()
def _accuracy(
    ensemble: DigitsEnsemble, codes: torch.Tensor, y: torch.Tensor, which: torch.Tensor
) -> torch.Tensor:
    """Each member's accuracy on ``codes[:, which[member]]`` (``codes``: ``[time, codes, n, inputs]``)."""
    m, (t, _, n, _) = len(ensemble.members), codes.shape
    chunk = max(1, EVAL_CHUNK // (t * n * ensemble.n_hidden))
    acc = torch.empty(m)
    for start in range(0, m, chunk):
        index = torch.arange(start, min(m, start + chunk))
        counts, _ = ensemble._forward_time_major(codes.index_select(1, which[index].to(codes.device)), index)
        acc[index] = (counts.argmax(dim=2).cpu() == y).float().mean(dim=1)
    return acc


def train_digits_ensemble(
    ensemble: DigitsEnsemble,
    data: DigitsSplit,
    n_time: int = 20,
    epochs: int = 15,
    lr: float = 2e-3,
    batch_size: int = 64,
    track: tuple[str, ...] = ("train", "test"),
) -> EnsembleHistory:
    """Train every member as :func:`snn_helpers.digits.train_digits` trains one network (seed = member's).

    Each seed's generator (``torch.Generator().manual_seed(seed)``) shuffles the training set and
    draws the rate codes; members that share a seed share those draws. Cross-entropy on each
    member's output spike counts, Adam.

    Args:
        ensemble: a :class:`DigitsEnsemble`.
        data: from :func:`snn_helpers.digits.load_digits_split`.
        n_time, epochs, lr, batch_size: as in ``train_digits``.
        track: as in ``train_digits``: the splits ("train", "val", "test") scored after each epoch,
            each on a fresh rate code drawn from the seed's generator, as ``train_digits`` draws it
            (so that the members follow ``train_digits(..., track=track)``). ``()`` looks at no
            split during training and skips those draws and forwards (several times faster).

    Returns:
        An :class:`EnsembleHistory` with ``loss`` (mean over each epoch, ``[epochs, members]``) and
        the tracked accuracies.

    A member follows the single run up to rounding: with a surrogate that jumps (the boxcar's
    edges), a last-bit difference in a membrane can switch one gradient entry on or off, and the
    two runs then drift apart as two seeds would, slowly.

    Introduced in notebook 08.
    """
    if not isinstance(ensemble, DigitsEnsemble):
        raise TypeError(f"ensemble must be a DigitsEnsemble; got {type(ensemble).__name__}")
    if not isinstance(data, DigitsSplit):
        raise TypeError(f"data must be a DigitsSplit (from load_digits_split); got {type(data).__name__}")
    for name, value in [("n_time", n_time), ("epochs", epochs), ("batch_size", batch_size)]:
        check_positive(name, value, integer=True)
    check_positive("lr", lr)
    if not isinstance(track, tuple | list):
        raise ValueError(f"track must be a tuple of names from {SPLITS}; got {track!r}")
    check_track(track, data)
    m = len(ensemble.members)
    loss = torch.empty(epochs, m)
    tracked = {f"{name}_accuracy": torch.empty(epochs, m) for name in SPLITS if name in track}
    n_weights = sum(p[0].numel() for p in ensemble.parameters())  # one member's; x4 with Adam's state
    per_step = batch_size * (ensemble.n_hidden + ensemble.n_classes)
    groups = _groups(ensemble, 4 * n_weights + 8 * n_time * per_step)
    for index in groups:
        sub = ensemble if len(groups) == 1 else _subset(ensemble, index)
        history = _train_digits_group(sub, data, n_time, epochs, lr, batch_size, track)
        loss[:, index] = history.loss
        for name, values in tracked.items():
            values[:, index] = getattr(history, name)
        if sub is not ensemble:
            _store(ensemble, index, sub)
    return EnsembleHistory(loss, **tracked)


def _train_digits_group(
    ensemble: DigitsEnsemble,
    data: DigitsSplit,
    n_time: int,
    epochs: int,
    lr: float,
    batch_size: int,
    track: tuple[str, ...],
) -> EnsembleHistory:
    """:func:`train_digits_ensemble` for one group of members."""
    gens = [torch.Generator().manual_seed(s) for s in ensemble.seeds]
    device, index = ensemble.w1.device, ensemble.seed_index
    optimizer = torch.optim.Adam(ensemble.parameters(), lr=lr)
    n, m = len(data.y_train), len(ensemble.members)
    losses, accuracies = [], {name: [] for name in SPLITS if name in track}
    for _ in range(epochs):
        orders = torch.stack([torch.randperm(n, generator=g) for g in gens])  # [S, n]
        total = torch.zeros(m, dtype=torch.float64)
        for start in range(0, n, batch_size):
            idx = orders[:, start : start + batch_size]
            codes = [rate_encode(data.x_train[i], n_time, g) for i, g in zip(idx, gens, strict=True)]
            codes = torch.stack(codes, dim=1).to(device)  # [T, seeds, B, inputs]
            labels = data.y_train[idx][index].to(device)  # [M, B]
            counts, _ = ensemble._forward_time_major(
                codes.index_select(1, index.to(device))
            )  # [M, B, classes]
            per_sample = nn.functional.cross_entropy(
                counts.reshape(-1, ensemble.n_classes), labels.reshape(-1), reduction="none"
            )
            loss = per_sample.view(m, -1).mean(dim=1)
            optimizer.zero_grad()
            loss.sum().backward()
            optimizer.step()
            total += loss.detach().double().cpu() * idx.shape[1]
        losses.append((total / n).float())
        for name, rows in accuracies.items():  # in train_digits' order: train, val, test
            x, y = {"train": (data.x_train, data.y_train), "val": (data.x_val, data.y_val)}.get(
                name, (data.x_test, data.y_test)
            )
            codes = torch.stack([rate_encode(x, n_time, g) for g in gens], dim=1)  # one code per seed
            rows.append(_accuracy(ensemble, codes.to(device), y, index))
    tracked = {f"{name}_accuracy": torch.stack(rows) for name, rows in accuracies.items()}
    return EnsembleHistory(torch.stack(losses), **tracked)
