"""Initializing a layer before training: the post's bias trick.

Introduced in notebook 04 (the bias-initialization trick, measured); the networks of the post's task
(notebook 03) and of the digits (notebook 07) take it as ``bias_init``.
"""

from __future__ import annotations

from torch import nn

from ._checks import check_choice

BIAS_INITS = ("uniform", "default")
"""``bias_init`` choices: "uniform" draws the bias from U(0, 1) (the post's trick); "default" keeps
PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""


def init_bias(linear: nn.Linear, bias_init: str) -> None:
    """Apply ``bias_init`` to ``linear``'s bias, in place ("default" leaves PyTorch's draw as it is).

    Args:
        linear: an ``nn.Linear`` just built (its weights drawn by PyTorch).
        bias_init: one of :data:`BIAS_INITS`.

    Raises:
        ValueError: ``bias_init`` not one of :data:`BIAS_INITS`.

    Introduced in notebook 04.
    """
    check_choice("bias_init", bias_init, BIAS_INITS)
    if bias_init == "uniform":
        nn.init.uniform_(linear.bias, 0.0, 1.0)
