"""The IF neuron against hand-worked examples, for both resets, with and without detach."""

import pytest
import torch

from snn_helpers import IF


def run(neuron: IF, currents: list[float]) -> tuple[torch.Tensor, list[float], list[float], torch.Tensor]:
    """Step ``neuron`` through ``currents``; return (input, v per step, spikes per step, dL/dI)
    for the loss L = total spike count."""
    current = torch.tensor(currents, requires_grad=True)
    v, s = torch.zeros(()), torch.zeros(())
    vs, ss = [], []
    for t in range(len(currents)):
        v, s = neuron(current[t], v, s)
        vs.append(v)
        ss.append(s)
    torch.stack(ss).sum().backward()
    return current, [x.item() for x in vs], [x.item() for x in ss], current.grad


def test_zero_reset_dynamics_by_hand():
    # v: 0.6 | 0.6+0.6=1.2 fires | reset: 0+0.6=0.6 | 0.6+0.3=0.9 | 0.9+1.5=2.4 fires
    _, v, s, _ = run(IF(reset="zero"), [0.6, 0.6, 0.6, 0.3, 1.5])
    assert v == pytest.approx([0.6, 1.2, 0.6, 0.9, 2.4])
    assert s == [0, 1, 0, 0, 1]


def test_subtract_reset_dynamics_by_hand():
    # v: 0.6 | 1.2 fires | 1.2-1+0.6=0.8 | 0.8+0.3=1.1 fires | 1.1-1+1.5=1.6 fires
    _, v, s, _ = run(IF(reset="subtract"), [0.6, 0.6, 0.6, 0.3, 1.5])
    assert v == pytest.approx([0.6, 1.2, 0.8, 1.1, 1.6])
    assert s == [0, 1, 0, 1, 1]


def test_threshold_is_used():
    _, v, s, _ = run(IF(threshold=2.0), [1.5, 1.0, 1.0])
    assert v == pytest.approx([1.5, 2.5, 1.0])
    assert s == [0, 1, 0]


# Currents 1.5, 1.2, 1.1 make three consecutive spikes (threshold 1), loss = spike count.
# Seed rule: g = 1 where fired. Back from t=2 with a_t = dL/dv_t:
# zero reset:   a2 = 1; dL/ds1 = 1 + a2*(-v1) = -0.2, a1 = a2*(1-s1) + (-0.2) = -0.2;
#               dL/ds0 = 1 + a1*(-v0) = 1.3, a0 = 1.3
# zero, detach: dL/ds = 1 everywhere, a_t = a_{t+1}*(1-s_t) + 1 = 1
# subtract:     v = 1.5, 1.7, 1.8; a2 = 1; dL/ds1 = 1 - a2 = 0, a1 = a2 + 0 = 1; a0 = 1
# subtract, detach: a_t = a_{t+1} + 1: 3, 2, 1
@pytest.mark.parametrize(
    ("reset", "detach", "expected"),
    [
        ("zero", False, [1.3, -0.2, 1.0]),
        ("zero", True, [1.0, 1.0, 1.0]),
        ("subtract", False, [1.0, 1.0, 1.0]),
        ("subtract", True, [3.0, 2.0, 1.0]),
    ],
)
def test_gradient_through_the_reset_by_hand(reset, detach, expected):
    _, _, s, grad = run(IF(reset=reset, detach_reset=detach), [1.5, 1.2, 1.1])
    assert s == [1, 1, 1]
    assert grad.tolist() == pytest.approx(expected)


def test_consecutive_spikes_multiply_the_gradient_by_minus_v():
    # A constant current 3 fires every step; v_t = 3 after each reset. Only the last
    # spike is in the loss: its gradient reaches the first current through
    # dL/ds_t = a_{t+1} * (-v_t) = a_{t+1} * (-3) at each step back: (-3)^(T-1).
    n_time = 6
    current = torch.full((n_time,), 3.0, requires_grad=True)
    neuron = IF()
    v, s = torch.zeros(()), torch.zeros(())
    for t in range(n_time):
        v, s = neuron(current[t], v, s)
    s.backward()
    assert current.grad[0].item() == pytest.approx((-3.0) ** (n_time - 1))


def test_batched_shapes_and_broadcast_state():
    v, s = IF()(torch.full((4, 7), 1.5), torch.zeros(()), torch.zeros(()))
    assert v.shape == s.shape == (4, 7)
    assert s.sum().item() == 28


@pytest.mark.parametrize("threshold", [0, -1.0])
def test_non_positive_threshold_is_refused(threshold):
    with pytest.raises(ValueError, match=rf"threshold must be a positive number; got {threshold}"):
        IF(threshold=threshold)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match=r"threshold must be a positive number; got str"):
        IF(threshold="1")
    with pytest.raises(ValueError, match=r"reset must be one of 'zero', 'subtract'; got 'soft'"):
        IF(reset="soft")
    with pytest.raises(ValueError, match=r"surrogate must be one of .*; got 'relu'"):
        IF(surrogate="relu")
    with pytest.raises(TypeError, match=r"detach_reset must be a bool; got str"):
        IF(detach_reset="yes")
