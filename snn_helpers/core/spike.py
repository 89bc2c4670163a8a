"""The spike function: a Heaviside step with a hand-written ("surrogate") backward.

Introduced in notebook 01 (the spike function and its surrogate gradient); the
surrogates are compared in notebook 08.

Every function here takes ``x``, the membrane's distance to threshold
``v - threshold``, of any shape, for example ``[time, batch, neurons]``. ``x`` is not
rescaled: it is in units of the threshold only when the threshold is 1 (the post's
and the course's default); with a threshold of 4, a neuron at rest sits at x = -4.
The forward pass is always the step ``H(x) = 1 if x > 0 else 0`` (strict: x = 0
does not fire); only the backward pass differs.

Surrogate derivatives ``dH/dx ~ g(x)``, with ``k`` the slope (per unit of x):

============== ======================================== ========================================
name           g(x)                                     default k; where the formula comes from
============== ======================================== ========================================
post           1 where the neuron fired (x > 0), else 0 none; the blog post's rule, snnTorch's
                                                        ``surrogate.heaviside`` (``grad * spike``)
fast_sigmoid   1 / (1 + k|x|)^2                         10, chosen here (snnTorch uses 25,
                                                        SpyTorch and Norse 100); the formula is
                                                        SuperSpike's (Zenke & Ganguli 2018)
sigmoid        k * sig(kx) * (1 - sig(kx))              4; derivative of sig(kx)
atan           (k/2) / (1 + (pi/2 * k * x)^2)           2; Fang et al. 2021 (SpikingJelly)
triangle       k * max(0, 1 - k|x|)                     1; Esser et al. 2016, Bellec et al. 2018;
                                                        SpikingJelly's PiecewiseQuadratic
boxcar         k where |x| < 1/(2k), else 0             1; rectangular, Wu et al. 2018
============== ======================================== ========================================

The post's rule is the derivative of ReLU, ``1[x > 0]``, used in place of the step's:
the straight-through estimator (backward = identity) gated by the neuron's own spike.
snnTorch's ``surrogate.triangular`` is another function than ``triangle`` here: its
backward is ``+threshold`` below threshold and ``-threshold`` at or above it, not a bump.

Where g is zero: "post" for every x <= 0, so a neuron that never fired receives no
gradient; "triangle" for |x| >= 1/k and "boxcar" for |x| >= 1/(2k), on both sides of
the threshold; "fast_sigmoid", "sigmoid" and "atan" are positive for every x in exact
arithmetic (yet "sigmoid" is about 4.5e-7 at x = -4 with k = 4, and its float32 tails
underflow to 0 far out). Peaks, at x = 0: 1 for
"fast_sigmoid" (whatever k), ``k`` for "triangle" and "boxcar", ``k/4`` for "sigmoid",
``k/2`` for "atan" (all equal 1 at the default slopes). Over all x, "sigmoid", "atan",
"triangle" and "boxcar" integrate to 1 (the step's total rise); "fast_sigmoid"
integrates to ``2/k`` (0.2 at k = 10): it is the unnormalized form.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import check_choice, check_positive, check_tensor


class Surrogate(NamedTuple):
    """A surrogate's default slope and formula (for tables and plot legends). Introduced in notebook 01."""

    default_slope: float | None
    formula: str


SURROGATES: dict[str, Surrogate] = {
    "post": Surrogate(None, "1[x > 0] (only where it fired)"),
    "fast_sigmoid": Surrogate(10.0, "1 / (1 + k|x|)^2"),
    "sigmoid": Surrogate(4.0, "k sig(kx) (1 - sig(kx))"),
    "atan": Surrogate(2.0, "(k/2) / (1 + (pi k x / 2)^2)"),
    "triangle": Surrogate(1.0, "k max(0, 1 - k|x|)"),
    "boxcar": Surrogate(1.0, "k 1[|x| < 1/(2k)]"),
}
"""The surrogate names, each with its default slope ``k`` and its formula."""


def resolve_slope(surrogate: str, slope: float | None) -> float | None:
    """Check a surrogate name and slope; return the slope to use (None for "post").

    Introduced in notebook 01.
    """
    check_choice("surrogate", surrogate, SURROGATES)
    if surrogate == "post":
        if slope is not None:
            raise ValueError(f"slope is not used by surrogate 'post'; got slope={slope!r} (leave it None)")
        return None
    if slope is None:
        return SURROGATES[surrogate].default_slope
    check_positive("slope", slope)
    return float(slope)


def surrogate_grad(x: torch.Tensor, surrogate: str = "post", slope: float | None = None) -> torch.Tensor:
    """The surrogate derivative ``g(x)`` that replaces ``dH/dx`` in the backward pass.

    Args:
        x: distance to threshold ``v - threshold``, any shape (e.g. ``[time, batch, neurons]``).
        surrogate: one of ``SURROGATES``.
        slope: the sharpness ``k`` (per unit of x); None takes the default.

    Returns:
        ``g(x)``, same shape and dtype as ``x``. Introduced in notebook 01.
    """
    slope = resolve_slope(surrogate, slope)
    return _grad(x, surrogate, slope)


def _grad(x: torch.Tensor, surrogate: str, k: float | None) -> torch.Tensor:
    """``g(x)`` without argument checks (used inside backward passes)."""
    if surrogate == "post":
        return (x > 0).to(x.dtype)
    if surrogate == "fast_sigmoid":
        return 1.0 / (1.0 + k * x.abs()) ** 2
    if surrogate == "sigmoid":
        sig = torch.sigmoid(k * x)
        return k * sig * (1.0 - sig)
    if surrogate == "atan":
        return (k / 2) / (1.0 + (math.pi / 2 * k * x) ** 2)
    if surrogate == "triangle":
        return k * torch.clamp(1.0 - k * x.abs(), min=0.0)
    if surrogate == "boxcar":
        return k * (x.abs() < 1.0 / (2 * k)).to(x.dtype)
    raise ValueError(f"surrogate must be one of {', '.join(map(repr, SURROGATES))}; got {surrogate!r}")


class Heaviside(torch.autograd.Function):
    """The blog post's spike function: step forward, ``grad_out * spike`` backward.

    ``Heaviside.apply(x)`` with ``x`` of any shape returns float spikes (0/1) of the same
    shape. The backward lets the gradient through only where the neuron fired, as the
    post defines it (it is not the derivative of the step, which is 0 almost
    everywhere). It is snnTorch's ``surrogate.heaviside`` and equals, bit for bit, the
    gradient autograd gives for ``torch.relu(x)``: the straight-through estimator gated by
    the spike. Introduced in notebook 01.
    """

    @staticmethod
    def forward(ctx, input_: torch.Tensor) -> torch.Tensor:
        out = (input_ > 0).to(input_.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        (out,) = ctx.saved_tensors
        return grad_output * out


class SurrogateSpike(torch.autograd.Function):
    """Step forward, ``grad_out * g(x)`` backward for a named surrogate ``g``.

    Call through :func:`spike`, which checks the arguments. Introduced in notebook 01.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, surrogate: str, slope: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.surrogate, ctx.slope = surrogate, slope
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        (x,) = ctx.saved_tensors
        return grad_output * _grad(x, ctx.surrogate, ctx.slope), None, None


def spike(x: torch.Tensor, surrogate: str = "post", slope: float | None = None) -> torch.Tensor:
    """Spikes ``H(x)`` (0.0 or 1.0) with the surrogate backward named by ``surrogate``.

    Args:
        x: distance to threshold ``v - threshold``, a float tensor of any shape.
        surrogate: one of ``SURROGATES`` ("post" is the post's :class:`Heaviside`).
        slope: sharpness ``k`` of the surrogate; None takes its default.

    Returns:
        Float spikes, same shape as ``x``. Introduced in notebook 01.
    """
    check_tensor("x", x, allow_nan=True)
    slope = resolve_slope(surrogate, slope)
    if surrogate == "post":
        return Heaviside.apply(x)
    return SurrogateSpike.apply(x, surrogate, slope)
