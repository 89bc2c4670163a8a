"""Notebook 13's exercise checkers accept right answers and refuse each mistake with its own hint."""

import math

import pytest

from snn_helpers.course import checking, exercises_13


def right(p, n, beta, mean, std):
    s1, s2, s3 = n * p, n * p * (1 - p), n * p * p
    g1, g2 = 1 / (1 - beta), 1 / (1 - beta * beta)
    mu = mean / (s1 * g1)
    return mu, math.sqrt((std**2 - mu**2 * s2 * g2) / (s2 * g2 + s3 * g1 * g1))


def test_the_first_case_by_hand():
    # p = 0.2, n = 100, beta = 0.8, mean 0, std 1: mu_w = 0; S2 = 16, S3 = 4, G1 = 5, G2 = 1/0.36:
    # sigma_w^2 = 1 / (16 / 0.36 + 4 * 25) = 1 / 144.44, sigma_w = 0.083205
    assert right(0.2, 100, 0.8, 0.0, 1.0) == pytest.approx((0.0, 0.0832050294), rel=1e-9)


def test_weights_checker_accepts_the_derivation(capsys):
    exercises_13.check_weights_for_target(right)
    assert "passed" in capsys.readouterr().out


def slip(name):
    return lambda p, n, b, m, s: exercises_13._mistakes(p, n, b, m, s)[name]


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (slip("g2_as_g1"), r"G2 = 1 / \(1 - beta\^2\)"),
        (slip("no_spread"), r"spread of the neurons' means"),
        (slip("no_mean_noise"), r"mean weight is noise too"),
        (slip("no_leak"), r"one step's current, without the leak"),
        (slip("variance"), r"sigma_w squared"),
        (slip("bernoulli"), r"p \(1 - p\), not p"),
        (
            lambda p, n, b, m, s: (
                m * (1 - b) / (n * p),
                math.sqrt(s**2 * (1 - b * b) / (n * p) - (m * (1 - b) / (n * p)) ** 2),
            ),
            r"the paper's form",
        ),
        (lambda p, n, b, m, s: right(p, n, b, m, s)[::-1], r"the two numbers are swapped"),
        (lambda p, n, b, m, s: (right(p, n, b, m, s)[0], 1.0), r"mu_w is right; look again at sigma_w"),
        (lambda p, n, b, m, s: right(p, n, b, m, s)[1], r"expected a tuple of two numbers"),
        (lambda p, n, b, m, s: 1 / 0, r"(?s)your code raised ZeroDivisionError.*rate=0.2"),
    ],
    ids=[
        "g2-as-g1",
        "no-spread",
        "no-mean-noise",
        "no-leak",
        "variance",
        "bernoulli",
        "paper",
        "swapped",
        "sigma",
        "one",
        "raises",
    ],
)
def test_weights_checker_names_each_mistake(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        exercises_13.check_weights_for_target(answer)


def test_a_blank_exercise_is_not_answered():
    def blank(*args):
        raise NotImplementedError()

    with pytest.raises(checking.NotAnswered, match="exercise 1"):
        exercises_13.check_weights_for_target(blank)


def test_zero_input_fraction_is_the_closed_form():
    # fires within 20 steps iff b (1 - 0.8^20) / 0.2 > 1: b > 0.2 / (1 - 0.8^20) = 0.20233; U(0, 1) above it
    closed = 1 - 0.2 / (1 - 0.8**20)
    assert exercises_13.bias_zero_input_fraction() == pytest.approx(closed, abs=0.005)
    assert exercises_13.bias_zero_input_fraction(beta=0.5, n_time=40) == pytest.approx(0.5, abs=0.005)


def test_prediction_checker_passes_near_the_measurement(capsys):
    exercises_13.check_zero_input_prediction(0.78)
    assert "with no input, 0.798 of the neurons fire" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("predicted", "hint"),
    [
        (0.0, r"no input is not no current"),
        (1.0, r"the leak caps the membrane"),
        (0.5, r"not when b passes the mean bias 0.5"),
        (0.2, r"the share that stays silent"),
        (0.65, r"find the smallest bias that fires"),
    ],
)
def test_prediction_checker_names_each_mistake(predicted, hint):
    checking.forget_attempts()
    with pytest.raises(AssertionError, match=hint) as first:
        exercises_13.check_zero_input_prediction(predicted)
    assert "0.798" not in str(first.value)  # the first miss hides the measurement
    with pytest.raises(AssertionError, match=r"expected 0.798 \(measured\)"):
        exercises_13.check_zero_input_prediction(predicted)
    checking.forget_attempts()


@pytest.mark.parametrize("predicted", ["0.8", True, 1.5, -0.1, None])
def test_prediction_checker_refuses_what_is_not_a_fraction(predicted):
    with pytest.raises(AssertionError, match="expected a fraction between 0 and 1"):
        exercises_13.check_zero_input_prediction(predicted)
