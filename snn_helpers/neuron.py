"""The integrate-and-fire (IF) neuron, one time step at a time.

Introduced in notebook 02 (the IF neuron). Membrane potential ``v`` and input
current are in units of the threshold's scale (dimensionless); time is counted in
steps.
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_positive
from .spike import resolve_slope, spike

RESETS = ("zero", "subtract")
"""Reset rules: "zero" sets v to 0 after a spike (the post's); "subtract" removes the threshold."""


class IF(nn.Module):
    """Integrate-and-fire neuron with the post's step signature.

    One step, with ``s`` the spikes and ``theta`` the threshold::

        reset "zero":      v_t = v_{t-1} * (1 - s_{t-1}) + I_t
        reset "subtract":  v_t = v_{t-1} - theta * s_{t-1} + I_t
        s_t = H(v_t - theta)   (step forward, surrogate backward)

    The reset acts at the step after the spike, so the returned ``v_t`` of a neuron
    that fires is above threshold (as in the post). With ``detach_reset=True`` the
    reset term carries no gradient (``s_{t-1}`` is detached there), which keeps the
    gradient from being multiplied by ``-v`` at each consecutive spike (notebook 05).

    Args:
        threshold: firing threshold ``theta`` (> 0).
        reset: "zero" or "subtract".
        surrogate: a name from ``snn_helpers.SURROGATES``; "post" is the post's rule.
        detach_reset: stop the gradient through the reset term.
        slope: surrogate sharpness; None takes the surrogate's default.
    """

    def __init__(
        self,
        threshold: float = 1.0,
        reset: str = "zero",
        surrogate: str = "post",
        detach_reset: bool = False,
        slope: float | None = None,
    ) -> None:
        super().__init__()
        check_positive("threshold", threshold)
        check_choice("reset", reset, RESETS)
        if not isinstance(detach_reset, bool):
            raise TypeError(f"detach_reset must be a bool; got {type(detach_reset).__name__}")
        self.threshold = float(threshold)
        self.reset = reset
        self.surrogate = surrogate
        self.slope = resolve_slope(surrogate, slope)
        self.detach_reset = detach_reset

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
            v = v_previous * (1 - s_reset) + input_
        else:
            v = v_previous - self.threshold * s_reset + input_
        return v, spike(v - self.threshold, self.surrogate, self.slope)

    def extra_repr(self) -> str:
        return (
            f"threshold={self.threshold}, reset={self.reset!r}, surrogate={self.surrogate!r}, "
            f"detach_reset={self.detach_reset}"
        )
