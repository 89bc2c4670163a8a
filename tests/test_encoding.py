"""The rate and latency codes: hand-worked spike times, one spike at most, shapes, errors."""

import pytest
import torch

from snn_helpers.core.encoding import CODES, encode, latency_encode, latency_times, rate_encode
from snn_helpers.core.encoding import rate_encode as digits_rate_encode


def test_latency_times_by_hand():
    # T = 5: time = round((1 - x) * 4); 0.875 -> 0.5 rounds to even (0); 0.1 -> 3.6 -> 4
    x = torch.tensor([[1.0, 0.5, 0.25, 0.0, 0.1, 0.875]])
    assert latency_times(x, 5).tolist() == [[0, 2, 3, -1, 4, 0]]
    assert latency_times(x, 1).tolist() == [[0, 0, 0, -1, 0, 0]]  # one step: every lit input at once


def test_latency_code_by_hand():
    x = torch.tensor([[1.0, 0.5, 0.0], [0.25, 0.0, 0.75]])
    spikes = latency_encode(x, 3)  # times: [[0, 1, -], [2, -, 0]] (0.25 -> 1.5 -> 2, 0.75 -> 0.5 -> 0)
    expected = torch.zeros(3, 2, 3)
    expected[0, 0, 0] = expected[1, 0, 1] = expected[2, 1, 0] = expected[0, 1, 2] = 1
    assert torch.equal(spikes, expected)
    assert spikes.dtype == x.dtype


def test_latency_code_one_spike_at_most_brighter_earlier():
    x = torch.rand(50, 64, generator=torch.Generator().manual_seed(0))
    x[:, :8] = 0
    spikes = latency_encode(x, 10)
    assert spikes.shape == (10, 50, 64)
    per_input = spikes.sum(dim=0)
    assert torch.equal(per_input, (x > 0).float())  # exactly one spike per lit input, none for 0
    first = spikes.argmax(dim=0)
    lit = x > 0
    brighter = x[:, None, :] > x[:, :, None]  # brighter[b, i, j]: input j brighter than input i
    both = lit[:, None, :] & lit[:, :, None] & brighter
    assert bool((first[:, None, :] <= first[:, :, None])[both].all())


def test_rate_code_is_the_digits_one_and_encode_dispatches():
    assert rate_encode is digits_rate_encode
    assert CODES == ("rate", "latency")
    x = torch.tensor([[0.0, 0.5, 1.0]])
    assert torch.equal(encode(x, 4, "latency"), latency_encode(x, 4))
    a = encode(x, 6, "rate", torch.Generator().manual_seed(3))
    assert torch.equal(a, rate_encode(x, 6, torch.Generator().manual_seed(3)))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: latency_encode(torch.tensor([[0.0, 1.5]]), 5),
            ValueError,
            r"x must hold intensities in \[0, 1\]; got values from 0 to 1.5",
        ),
        (
            lambda: latency_encode(torch.tensor([0.0, 1.0]), 5),
            ValueError,
            r"x must have 2 dims \[batch, features\]; got shape \(2,\)",
        ),
        (
            lambda: latency_encode(torch.zeros(1, 3, dtype=torch.int64), 5),
            TypeError,
            r"x must be a floating-point tensor",
        ),
        (lambda: latency_encode([[0.5]], 5), TypeError, r"x must be a torch.Tensor; got list"),
        (
            lambda: latency_encode(torch.zeros(1, 3), 0),
            ValueError,
            r"n_time must be a positive integer; got 0",
        ),
        (
            lambda: latency_times(torch.zeros(1, 3), 2.5),
            TypeError,
            r"n_time must be a positive integer; got float 2.5",
        ),
        (
            lambda: encode(torch.zeros(1, 3), 5, "delta"),
            ValueError,
            r"code must be one of 'rate', 'latency'; got 'delta'",
        ),
        (
            lambda: encode(torch.tensor([[2.0]]), 5, "rate"),
            ValueError,
            r"x must hold intensities in \[0, 1\]",
        ),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
