"""The integrate-and-fire neuron, with an optional leak, one time step at a time.

Introduced in notebook 02 (the IF neuron); the leak ``beta`` in notebook 09 (the leak, LIF).
Membrane potential ``v`` and input current are in units of the threshold's scale
(dimensionless); time is counted in steps of length ``dt``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ._checks import check_beta, check_bool, check_choice, check_positive
from .spike import resolve_slope, spike

RESETS = ("zero", "subtract")
"""Reset rules: "zero" sets v to 0 after a spike (the post's); "subtract" removes the threshold."""


class NeuronSpec(NamedTuple):
    """A spiking neuron's parameters, in the one order every layer and engine of the library takes them
    (always as keywords): the record a network keeps as ``network.neuron``.

    Attributes:
        threshold: firing threshold ``theta`` (> 0, threshold units).
        reset: "zero" or "subtract" (:data:`RESETS`; the rule is :class:`IF`'s, in every engine).
        beta: leak factor per step in (0, 1]; 1 is no leak (the IF neuron).
        surrogate: a name of :data:`snn_helpers.SURROGATES`; "post" is the post's rule.
        slope: the surrogate's sharpness (resolved: never None once made by :func:`neuron_spec`).
        detach_reset: no gradient through the reset term (notebook 05).

    Build one with :func:`neuron_spec`, which checks every field; pass it on as
    ``**spec._asdict()``. Introduced in notebook 07 (it prints a network's ``neuron``).
    """

    threshold: float = 1.0
    reset: str = "zero"
    beta: float = 1.0
    surrogate: str = "post"
    slope: float | None = None
    detach_reset: bool = False


def neuron_spec(
    *,
    threshold: float = 1.0,
    reset: str = "zero",
    beta: float = 1.0,
    surrogate: str = "post",
    slope: float | None = None,
    detach_reset: bool = False,
) -> NeuronSpec:
    """A checked :class:`NeuronSpec`: each field validated (a TypeError or ValueError naming it), the
    threshold and beta as floats, ``slope=None`` resolved to the surrogate's default.

    Introduced in notebook 07.
    """
    check_positive("threshold", threshold)
    check_choice("reset", reset, RESETS)
    check_bool("detach_reset", detach_reset)
    beta = check_beta(beta)
    return NeuronSpec(float(threshold), reset, beta, surrogate, resolve_slope(surrogate, slope), detach_reset)


class IF(nn.Module):
    """Integrate-and-fire neuron with the post's step signature; with ``beta < 1``, leaky (LIF).

    One step, with ``s`` the spikes, ``theta`` the threshold and ``beta`` the leak factor::

        reset "zero":      v_t = v_{t-1} * (beta * (1 - s_{t-1})) + I_t
        reset "subtract":  v_t = beta * (v_{t-1} - theta * s_{t-1}) + I_t
        s_t = H(v_t - theta)   (step forward, surrogate backward)

    computed in exactly this order (each product and sum rounded on its own; the fused engine
    of notebook 06 and its C++ kernel round the same way). In words: the reset of a spike at
    step ``t-1`` acts at the start of step ``t`` (as in the post), then what is left of the
    membrane decays by ``beta`` over the step, then the input is added. So the returned ``v_t``
    of a neuron that fires is above threshold. ``beta = exp(-dt / tau)`` for a membrane time
    constant ``tau``; ``beta = 1`` is the post's IF neuron, bit for bit (a product by 1.0 is
    exact). Without input, ``v`` decays as ``beta**t``; a constant current ``I`` brings it to
    ``I / (1 - beta)``, so ``I <= theta * (1 - beta)`` never fires (the rheobase, notebook 09).

    This is the library's one subtract rule: the fused engine (notebook 06), the recurrent layer
    (notebook 12) and both C++ kernels compute it in this order (tests/test_parity.py).

    In the backward, the factor from ``v_t`` to ``v_{t-1}`` is ``beta * (1 - s_{t-1})`` (zero
    reset) or ``beta`` (subtract). With ``detach_reset=True`` the reset term carries no gradient
    (``s_{t-1}`` is detached there), which keeps the gradient from being multiplied by
    ``-beta * v`` at each consecutive spike (notebook 05).

    Args (keyword-only, the order of :class:`NeuronSpec`):
        threshold: firing threshold ``theta`` (> 0).
        reset: "zero" or "subtract".
        beta: leak factor per step, in (0, 1]; 1 (the default) is no leak.
        surrogate: a name from ``snn_helpers.SURROGATES``; "post" is the post's rule.
        slope: surrogate sharpness; None takes the surrogate's default.
        detach_reset: stop the gradient through the reset term.

    ``neuron.neuron`` is the checked :class:`NeuronSpec`.
    """

    def __init__(
        self,
        *,
        threshold: float = 1.0,
        reset: str = "zero",
        beta: float = 1.0,
        surrogate: str = "post",
        slope: float | None = None,
        detach_reset: bool = False,
    ) -> None:
        super().__init__()
        self.neuron = neuron_spec(
            threshold=threshold,
            reset=reset,
            beta=beta,
            surrogate=surrogate,
            slope=slope,
            detach_reset=detach_reset,
        )
        self.threshold, self.reset, self.beta, self.surrogate, self.slope, self.detach_reset = self.neuron

    def forward(
        self, input_: torch.Tensor, v_previous: torch.Tensor, s_previous: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One step.

        Args:
            input_: input current ``I_t``, shape ``[(batch,) neurons]``.
            v_previous: membrane ``v_{t-1}``, same shape (or broadcastable, e.g. a zero scalar).
            s_previous: spikes ``s_{t-1}`` (0/1), same shape.

        Returns:
            ``(v_t, s_t)``: the membrane before its reset and the spikes, shape of ``input_``.
        """
        s_reset = s_previous.detach() if self.detach_reset else s_previous
        if self.reset == "zero":
            v = v_previous * (self.beta * (1 - s_reset)) + input_
        else:
            v = self.beta * (v_previous - self.threshold * s_reset) + input_
        return v, spike(v - self.threshold, self.surrogate, self.slope)

    def extra_repr(self) -> str:
        leak = "" if self.beta == 1 else f", beta={self.beta}"  # the IF neuron prints as before
        return (
            f"threshold={self.threshold}, reset={self.reset!r}, surrogate={self.surrogate!r}, "
            f"detach_reset={self.detach_reset}{leak}"
        )
