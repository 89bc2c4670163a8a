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


def test_leak_decays_the_membrane_without_input():
    # beta 0.5: one current of 0.8, then nothing: 0.8, 0.4, 0.2, 0.1 (halved each step)
    _, v, s, _ = run(IF(beta=0.5), [0.8, 0.0, 0.0, 0.0])
    assert v == pytest.approx([0.8, 0.4, 0.2, 0.1]) and s == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("reset", "expected_v", "expected_s"),
    [
        # zero:     0.6 | 0.5*0.6+0.6=0.9 | 0.45+0.6=1.05 fires | 0+0.6=0.6 | 0.3+1.5=1.8 fires
        ("zero", [0.6, 0.9, 1.05, 0.6, 1.8], [0, 0, 1, 0, 1]),
        # subtract: same to 1.05 fires | 0.5*(1.05-1)+0.6=0.625 | 0.3125+1.5=1.8125 fires
        ("subtract", [0.6, 0.9, 1.05, 0.625, 1.8125], [0, 0, 1, 0, 1]),
    ],
)
def test_leaky_dynamics_by_hand(reset, expected_v, expected_s):
    _, v, s, _ = run(IF(reset=reset, beta=0.5), [0.6, 0.6, 0.6, 0.6, 1.5])
    assert v == pytest.approx(expected_v) and s == expected_s


# Currents 1.5, 1.2, 1.1 with beta 0.5, loss = spike count, seed rule (g = 1 where fired).
# zero:    v = 1.5, 1.2 (0 + 1.2), 1.1: three spikes. a2 = 1; dL/ds1 = 1 + a2*(-beta*v1) = 1 - 0.6 = 0.4,
#          a1 = a2*beta*(1-s1) + 0.4 = 0.4; dL/ds0 = 1 + a1*(-beta*v0) = 1 - 0.3 = 0.7, a0 = 0.7
# subtract: v = 1.5, 0.5*0.5+1.2 = 1.45, 0.5*0.45+1.1 = 1.325: three spikes. a2 = 1;
#          dL/ds1 = 1 - beta*a2 = 0.5, a1 = beta*a2 + 0.5 = 1; dL/ds0 = 1 - 0.5 = 0.5, a0 = 0.5 + 0.5 = 1
# detached: zero a_t = 1 (beta * 0 + 1); subtract a_t = beta*a_{t+1} + 1: 1.75, 1.5, 1
@pytest.mark.parametrize(
    ("reset", "detach", "expected"),
    [
        ("zero", False, [0.7, 0.4, 1.0]),
        ("zero", True, [1.0, 1.0, 1.0]),
        ("subtract", False, [1.0, 1.0, 1.0]),
        ("subtract", True, [1.75, 1.5, 1.0]),
    ],
)
def test_leaky_gradient_through_the_reset_by_hand(reset, detach, expected):
    _, _, s, grad = run(IF(reset=reset, detach_reset=detach, beta=0.5), [1.5, 1.2, 1.1])
    assert s == [1, 1, 1]
    assert grad.tolist() == pytest.approx(expected)


@pytest.mark.parametrize("reset", ["zero", "subtract"])
def test_beta_one_is_the_if_neuron_bit_for_bit(reset):
    # the pre-leak formulas, written out: IF(beta=1) must give the same bits (1.0 * x is exact)
    current = torch.randn(20, 30, generator=torch.Generator().manual_seed(0)) * 0.7 + 0.4
    neuron = IF(reset=reset, beta=1.0)
    v, s, v_old, s_old = torch.zeros(()), torch.zeros(()), torch.zeros(()), torch.zeros(())
    for t in range(20):
        v, s = neuron(current[t], v, s)
        v_old = v_old * (1 - s_old) + current[t] if reset == "zero" else v_old - 1.0 * s_old + current[t]
        s_old = (v_old > 1.0).float()
        assert torch.equal(v, v_old) and torch.equal(s, s_old)


def test_repr_shows_the_leak_only_when_there_is_one():
    assert "beta" not in repr(IF())  # the IF neuron prints as it always did (notebooks 02, 03)
    assert repr(IF(beta=0.9)).endswith("detach_reset=False, beta=0.9)")


@pytest.mark.parametrize(
    ("beta", "error", "message"),
    [
        (0, ValueError, r"beta must be a number in \(0, 1\] \(beta = exp\(-dt/tau\), 1 = no leak\); got 0"),
        (-0.5, ValueError, r"got -0.5"),
        (1.01, ValueError, r"got 1.01"),
        (float("nan"), ValueError, r"got nan"),
        ("0.9", TypeError, r"beta must be a number in \(0, 1\] .*; got str '0.9'"),
        (None, TypeError, r"got NoneType None"),
        (torch.tensor(0.9), TypeError, r"got Tensor"),
    ],
)
def test_bad_beta_is_refused(beta, error, message):
    with pytest.raises(error, match=message):
        IF(beta=beta)


def test_integer_beta_one_is_accepted():
    assert IF(beta=1).beta == 1.0 and isinstance(IF(beta=1).beta, float)
