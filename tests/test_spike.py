"""The spike function: exact step forward, each surrogate's backward against its formula."""

import math

import pytest
import torch

from snn_helpers import SURROGATES, Heaviside, spike, surrogate_grad

X = torch.tensor([-2.0, -0.6, -0.25, -0.05, 0.0, 0.05, 0.25, 0.6, 2.0])


def backward_of(x: torch.Tensor, **kwargs) -> torch.Tensor:
    x = x.clone().requires_grad_()
    spike(x, **kwargs).sum().backward()
    return x.grad


@pytest.mark.parametrize("name", list(SURROGATES))
def test_forward_is_the_step(name):
    out = spike(X, surrogate=name)
    assert out.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert out.dtype == X.dtype


def test_heaviside_forward_and_post_backward():
    x = X.clone().requires_grad_()
    out = Heaviside.apply(x)
    out.backward(torch.full_like(x, 3.0))
    assert out.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert x.grad.tolist() == [0, 0, 0, 0, 0, 3, 3, 3, 3]


def test_plain_step_has_no_gradient():
    x = X.clone().requires_grad_()
    assert not (x > 0).float().requires_grad  # a comparison leaves the graph


# Closed forms written out by hand, with k the slope.
def fast_sigmoid(x, k):
    return [1 / (1 + k * abs(v)) ** 2 for v in x]


def sigmoid(x, k):
    return [k * math.exp(-k * v) / (1 + math.exp(-k * v)) ** 2 for v in x]


def atan(x, k):
    return [(k / 2) / (1 + (math.pi / 2 * k * v) ** 2) for v in x]


def triangle(x, k):
    return [k * max(0.0, 1 - k * abs(v)) for v in x]


def boxcar(x, k):
    return [k if abs(v) < 1 / (2 * k) else 0.0 for v in x]


FORMULAS = {
    "fast_sigmoid": fast_sigmoid,
    "sigmoid": sigmoid,
    "atan": atan,
    "triangle": triangle,
    "boxcar": boxcar,
}


@pytest.mark.parametrize("name", list(FORMULAS))
@pytest.mark.parametrize("slope", [None, 0.5, 3.0])
def test_surrogate_backward_matches_closed_form(name, slope):
    k = SURROGATES[name].default_slope if slope is None else slope
    expected = torch.tensor(FORMULAS[name](X.tolist(), k))
    torch.testing.assert_close(backward_of(X, surrogate=name, slope=slope), expected)
    torch.testing.assert_close(surrogate_grad(X, name, slope), expected)


def test_post_backward_passes_only_where_fired():
    assert backward_of(X, surrogate="post").tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]


def test_default_slopes_and_peaks():
    zero = torch.zeros(1)
    assert SURROGATES["fast_sigmoid"].default_slope == 10.0
    assert surrogate_grad(zero, "fast_sigmoid").item() == 1.0
    assert surrogate_grad(zero, "sigmoid").item() == pytest.approx(4.0 / 4)
    assert surrogate_grad(zero, "atan").item() == pytest.approx(1.0)
    assert surrogate_grad(zero, "triangle").item() == 1.0
    assert surrogate_grad(zero, "boxcar").item() == 1.0


@pytest.mark.parametrize(
    ("name", "area"), [("sigmoid", 1), ("atan", 1), ("triangle", 1), ("boxcar", 1), ("fast_sigmoid", 0.2)]
)
def test_surrogate_areas(name, area):
    x = torch.linspace(-60, 60, 1_200_001, dtype=torch.float64)
    # atan and fast_sigmoid have heavy tails: their area outside [-60, 60] is under 4e-3
    assert torch.trapezoid(surrogate_grad(x, name), x).item() == pytest.approx(area, abs=4e-3)


def test_unknown_surrogate_is_refused():
    with pytest.raises(ValueError, match=r"surrogate must be one of .*'post'.*got 'tanh'"):
        spike(X, surrogate="tanh")


def test_bad_slope_is_refused():
    with pytest.raises(ValueError, match=r"slope must be a positive number; got -1"):
        spike(X, surrogate="atan", slope=-1)
    with pytest.raises(TypeError, match=r"slope must be a positive number; got str"):
        spike(X, surrogate="atan", slope="2")
    with pytest.raises(ValueError, match=r"slope is not used by surrogate 'post'"):
        spike(X, surrogate="post", slope=2.0)


def test_non_tensor_and_integer_input_are_refused():
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor; got list"):
        spike([0.5, -0.5])
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor; got dtype torch.int64"):
        spike(torch.tensor([1, 0]))


def test_post_rule_is_the_relu_derivative_bit_for_bit():
    x = torch.randn(1000, generator=torch.Generator().manual_seed(0)) * 2
    x[:3] = 0.0  # the strict comparison: no gradient at x = 0, as ReLU's backward
    upstream = torch.randn(1000, generator=torch.Generator().manual_seed(1))
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    spike(a, "post").backward(upstream)
    torch.relu(b).backward(upstream)
    assert torch.equal(a.grad, b.grad)


@pytest.mark.parametrize("k", [0.5, 1.0, 4.0])
def test_finite_supports_and_peaks(k):
    # triangle is zero from |x| = 1/k on, boxcar from |x| = 1/(2k) on, on both sides of threshold
    edges = torch.tensor([-1 / k, 1 / k, -2 / k, 2 / k])
    assert surrogate_grad(edges, "triangle", k).tolist() == [0, 0, 0, 0]
    half = torch.tensor([-1 / (2 * k), 1 / (2 * k), -1 / k])
    assert surrogate_grad(half, "boxcar", k).tolist() == [0, 0, 0]
    assert surrogate_grad(torch.tensor([-0.9 / (2 * k)]), "boxcar", k).item() == k
    # fast sigmoid peaks at 1 whatever k; triangle and boxcar at k; sigmoid at k/4, atan at k/2
    zero = torch.zeros(1)
    assert surrogate_grad(zero, "fast_sigmoid", k).item() == 1.0
    assert surrogate_grad(zero, "triangle", k).item() == k == surrogate_grad(zero, "boxcar", k).item()
    assert surrogate_grad(zero, "sigmoid", k).item() == pytest.approx(k / 4)
    assert surrogate_grad(zero, "atan", k).item() == pytest.approx(k / 2)


def test_bump_surrogates_reach_below_threshold_and_post_does_not():
    below = torch.tensor([-3.0, -1.0, -1e-3])
    assert surrogate_grad(below, "post").tolist() == [0, 0, 0]
    for name in ("fast_sigmoid", "sigmoid", "atan"):
        assert (surrogate_grad(below, name) > 0).all(), name
