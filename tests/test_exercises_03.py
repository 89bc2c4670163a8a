"""Notebook 03's exercise checkers accept right answers and refuse each mistake with its own hint."""

import random

import pytest
import torch

from snn_helpers.course import exercises_03


def right_two_layers(i, h, o):
    return i * h + h + h * o + o


def test_two_layer_parameter_checker(capsys):
    exercises_03.check_n_params_two_layers(right_two_layers)
    assert "155,510" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda i, h, o: i * h + h * o, r"expected 155510, got 155000.*count the biases too"),
        (lambda i, h, o: i * h + h, r"got 150500.*the first layer only"),
        (lambda i, h, o: 10 * right_two_layers(i, h, o), r"do not multiply by n_time"),
        (lambda i, h, o: i * h + h + i * o + o, r"the second layer's inputs are the hidden neurons' spikes"),
        (lambda i, h, o: (i + 1) * (h + 1) * o, r"one bias per neuron"),
    ],
    ids=["no-bias", "one-layer", "times-n_time", "input-to-output", "other"],
)
def test_two_layer_parameter_checker_hints(answer, hint):
    with pytest.raises(AssertionError, match=f"(?s){hint}"):
        exercises_03.check_n_params_two_layers(answer)


def test_sparse_input_is_measured():
    synops, mult_adds = exercises_03.measure_sparse_input(0.1)
    assert mult_adds == 10 * (300 * 500 + 500)  # dense count: the input's values do not matter
    assert synops % 500 == 0 and 0.8 * 150_000 < synops < 1.2 * 150_000  # 0.1 x 300 x 500 x 10


def test_sparse_input_prediction(capsys):
    exercises_03.check_sparse_input_prediction(150_000, 1_505_000)
    assert "synaptic operations and 1,505,000 mult-adds" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("synops", "mult_adds", "hint"),
    [
        (150_000, 150_500, r"a 0 is multiplied like a 1"),
        (150_000, 752_500_000, r"unbatched miscount"),
        (150_000, 3_000_000, r"one multiply-add per weight and per bias entry"),
        (750_000, 1_505_000, r"that is the post's input"),
        (15_000, 1_505_000, r"count per sample, over all 10 steps"),
        (40_000, 1_505_000, r"0.1 x 300 inputs x 500 neurons x 10 steps"),
        (-1, 1_505_000, r"expected predicted_synops as a count, got -1"),
    ],
)
def test_sparse_input_prediction_hints(synops, mult_adds, hint):
    with pytest.raises(AssertionError, match=f"(?s){hint}"):
        exercises_03.check_sparse_input_prediction(synops, mult_adds)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(11)
    random.seed(11)
    before = torch.random.get_rng_state(), random.getstate()
    exercises_03.check_n_params_two_layers(right_two_layers)
    exercises_03.check_sparse_input_prediction(150_000, 1_505_000)
    assert torch.equal(torch.random.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()
