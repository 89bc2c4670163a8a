"""The post's network: one Linear applied at every time step, then the IF neuron.

Introduced in notebook 03 (the model and its torchinfo summary); the fused engine
in notebook 06; the leak ``beta`` in notebook 09.
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_positive, check_tensor
from .fused import if_sequence
from .neuron import IF

BIAS_INITS = ("uniform", "default")
ENGINES = ("loop", "fused")


class Model(nn.Module):
    """Linear(size_input -> size_hidden) at each step, then an IF neuron (an unrolled RNN).

    Args:
        size_input: input features per step (the post: 300).
        size_hidden: IF neurons (the post: 500).
        n_time: time steps (the post: 10).
        bias_init: "uniform" draws the Linear's bias from U(0, 1) (the post's trick,
            notebook 04); "default" keeps PyTorch's U(-1/sqrt(in), 1/sqrt(in)).
        surrogate, reset, threshold, detach_reset, slope, beta: passed to :class:`IF`
            (``beta < 1`` makes it leaky, notebook 09; 1, the default, is the post's IF).
        engine: "loop" steps the Linear and :class:`IF` through time as the post
            does (what torchinfo shows); "fused" runs the Linear once over all steps
            and the recurrence as one autograd Function (notebook 06). Both give the
            same spikes and gradients.

    ``forward(x)`` takes ``x`` of shape ``[n_time, size_input]`` (the post's unbatched
    input) or ``[n_time, batch, size_input]`` and returns the spikes (0.0/1.0),
    ``[n_time, size_hidden]`` or ``[n_time, batch, size_hidden]``; with
    ``return_membrane=True`` it returns ``(spikes, membrane)``, the membrane being
    ``v_t`` before its reset, same shape.
    """

    def __init__(
        self,
        size_input: int,
        size_hidden: int,
        n_time: int = 10,
        bias_init: str = "uniform",
        surrogate: str = "post",
        reset: str = "zero",
        threshold: float = 1.0,
        detach_reset: bool = False,
        slope: float | None = None,
        engine: str = "loop",
        beta: float = 1.0,
    ) -> None:
        super().__init__()
        check_positive("size_input", size_input, integer=True)
        check_positive("size_hidden", size_hidden, integer=True)
        check_positive("n_time", n_time, integer=True)
        check_choice("bias_init", bias_init, BIAS_INITS)
        check_choice("engine", engine, ENGINES)
        self.linear = nn.Linear(size_input, size_hidden)
        if bias_init == "uniform":
            nn.init.uniform_(self.linear.bias, 0.0, 1.0)
        self.if_layer = IF(threshold, reset, surrogate, detach_reset, slope, beta)
        self.size_input, self.size_hidden, self.n_time = size_input, size_hidden, n_time
        self.engine = engine

    def check_input(self, x: object) -> None:
        """Raise a clear TypeError/ValueError unless ``x`` fits ``[n_time, (batch,) size_input]``."""
        check_tensor("x", x)
        if x.dim() not in (2, 3):
            raise ValueError(
                f"x must have 2 dims [n_time, size_input] or 3 dims [n_time, batch, size_input]; "
                f"got {x.dim()} dims, shape {tuple(x.shape)}"
            )
        if x.shape[0] != self.n_time:
            raise ValueError(
                f"x must have n_time={self.n_time} steps on dim 0; got {x.shape[0]} (shape {tuple(x.shape)})"
            )
        if x.shape[-1] != self.size_input:
            raise ValueError(
                f"x must have size_input={self.size_input} features on its last dim; "
                f"got {x.shape[-1]} (shape {tuple(x.shape)})"
            )

    def forward(
        self, x: torch.Tensor, return_membrane: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        self.check_input(x)
        if self.engine == "fused":
            n = self.if_layer
            spikes, membrane = if_sequence(
                self.linear(x), n.threshold, n.reset, n.surrogate, n.slope, n.detach_reset, n.beta
            )
        else:
            spikes, membrane = self._loop(x)
        return (spikes, membrane) if return_membrane else spikes

    def _loop(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The post's loop: Linear then IF at each step, state carried in ``v`` and ``s``."""
        v = torch.zeros((), dtype=x.dtype, device=x.device)
        s = torch.zeros((), dtype=x.dtype, device=x.device)
        spikes, membrane = [], []
        for t in range(self.n_time):
            v, s = self.if_layer(self.linear(x[t]), v, s)
            spikes.append(s)
            membrane.append(v)
        return torch.stack(spikes), torch.stack(membrane)
