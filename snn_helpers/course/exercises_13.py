"""Checkers of notebook 13 (Initialization from the membrane's statistics)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.fused import if_sequence
from ..core.init import fluctuation_weights
from .checking import ExerciseError, NotAnswered, as_number, call, fail, isolated_rng, passed, prediction_miss

# (rate p, inputs n, beta, target mean, target std, what the case tests)
_TARGET_CASES = [
    (0.2, 100, 0.8, 0.0, 1.0, "the study's leak, a mean at 0 (xi = sigma = 1)"),
    (0.1, 64, 0.9, 0.5, 0.25, "a mean halfway to threshold, a small spread"),
    (0.3, 200, 0.5, -0.2, 0.6, "a short time constant, a mean below rest"),
    (0.05, 500, 0.95, 0.3, 0.5, "a long time constant, sparse inputs"),
]


def _sums(p: float, n: int, beta: float) -> tuple[float, float, float, float, float]:
    """``(S1, S2, S3, G1, G2)`` of the derivation: n p, n p (1 - p), n p^2, 1/(1-beta), 1/(1-beta^2)."""
    return n * p, n * p * (1 - p), n * p * p, 1 / (1 - beta), 1 / (1 - beta * beta)


def _mistakes(p: float, n: int, beta: float, mean: float, std: float) -> dict[str, tuple[float, float]]:
    """A learner's slips, each as the (mu_w, sigma_w) it gives (NaN where it has no real answer)."""
    s1, s2, s3, g1, g2 = _sums(p, n, beta)
    mu = mean / (s1 * g1)

    def root(x: float) -> float:
        return math.sqrt(x) if x >= 0 else math.nan

    right = root((std**2 - mu**2 * s2 * g2) / (s2 * g2 + s3 * g1 * g1))
    return {
        "g2_as_g1": (mu, root((std**2 - mu**2 * s2 * g1) / (s2 * g1 + s3 * g1 * g1))),
        "no_spread": (mu, root((std**2 - mu**2 * s2 * g2) / (s2 * g2))),
        "no_mean_noise": (mu, root(std**2 / (s2 * g2 + s3 * g1 * g1))),
        "no_leak": (mean / s1, root((std**2 - (mean / s1) ** 2 * s2) / (s2 + s3))),
        "variance": (mu, right**2),
        "bernoulli": (mu, root((std**2 - mu**2 * s1 * g2) / (s1 * g2 + s3 * g1 * g1))),
        "paper": (mu, root(std**2 / (s1 * g2) - mu**2)),
        "swapped": (right, mu),
    }


_HINTS = {
    "g2_as_g1": (
        "the variance sums squared weights of the past inputs, beta^(2k), so its factor is "
        "G2 = 1 / (1 - beta^2), not the mean's G1 = 1 / (1 - beta)."
    ),
    "no_spread": (
        "the target spread counts two parts: each neuron's own fluctuation over time and the spread of "
        "the neurons' means, sigma_w^2 (sum_j p_j^2) G1^2 (each neuron's weights are its own draw)."
    ),
    "no_mean_noise": (
        "the mean weight is noise too: a spike that may or may not arrive carries w_j, so the "
        "fluctuation has (mu_w^2 + sigma_w^2), not sigma_w^2 alone: subtract mu_w^2 S2 G2 first."
    ),
    "no_leak": (
        "this is one step's current, without the leak: the stationary membrane adds every past step, "
        "G1 = 1 / (1 - beta) for the mean and G2 = 1 / (1 - beta^2) for the variance."
    ),
    "variance": "this is sigma_w squared: return the standard deviation, sigma_w = sqrt(...).",
    "bernoulli": (
        "a Bernoulli input's variance is p (1 - p), not p: S2 = n p (1 - p) (p alone is its mean)."
    ),
    "paper": (
        "this is the paper's form (Poisson variance n p, the fluctuation in time alone); the exercise "
        "targets the spread of every value, both parts: see the closing note of the derivation."
    ),
    "swapped": "the two numbers are swapped: return (mu_w, sigma_w), the mean first.",
}


def _pair(got: object) -> tuple[float, float] | None:
    if not isinstance(got, tuple | list) or len(got) != 2:
        return None
    a, b = as_number(got[0]), as_number(got[1])
    return None if a is None or b is None else (a, b)


def check_weights_for_target(fn: Callable[[float, int, float, float, float], tuple[float, float]]) -> None:
    """Notebook 13, exercise 1: ``fn(rate, n_inputs, beta, mean, std)`` = ``(mu_w, sigma_w)`` that give the
    free, stationary membrane that mean and standard deviation (threshold units)."""
    for p, n, beta, mean, std, what in _TARGET_CASES:
        expected = fluctuation_weights(p, n, beta=beta, threshold=1.0, sigma=std, xi=(1.0 - mean) / std)
        try:
            got = call(fn, p, n, beta, mean, std)
        except NotAnswered:
            raise
        except ExerciseError as exc:
            raise ExerciseError(
                f"{exc}\n(rate={p}, n_inputs={n}, beta={beta}, mean={mean}, std={std})\n"
                "Hint: the sums are numbers here (every input has the same rate): S1 = n p, S2 = n p (1 - p)."
            ) from None
        pair = _pair(got)
        if pair is None:
            raise fail(
                "a tuple of two numbers (mu_w, sigma_w)",
                f"{type(got).__name__} {got!r}",
                "return mu_w, sigma_w (two floats).",
            )
        if not all(
            math.isclose(g, e, rel_tol=1e-6, abs_tol=1e-12) for g, e in zip(pair, expected, strict=True)
        ):
            hint = f"{what}."
            for name, slip in _mistakes(p, n, beta, mean, std).items():
                if all(math.isclose(g, s, rel_tol=1e-6) for g, s in zip(pair, slip, strict=True)):
                    hint = _HINTS[name]
                    break
            else:
                if math.isclose(pair[0], expected[0], rel_tol=1e-6):
                    hint = f"{what}: mu_w is right; look again at sigma_w."
            raise fail(
                f"({expected[0]:.4g}, {expected[1]:.4g})",
                f"({pair[0]:.4g}, {pair[1]:.4g})",
                f"rate={p}, n_inputs={n}, beta={beta}, mean={mean}, std={std}: {hint}",
            )
    passed(
        "your weights give the target mean and spread in all four cases "
        "(the library's fluctuation_weights agrees)"
    )


def bias_zero_input_fraction(beta: float = 0.8, n_time: int = 20, n_neurons: int = 100_000) -> float:
    """The share of neurons with a U(0, 1) bias (the post's trick) that fire within ``n_time`` steps with
    no input: the bias alone drives them (measured with the fused engine, a fixed draw)."""
    with isolated_rng(13):
        bias = torch.rand(n_neurons)
    spikes, _ = if_sequence(bias.expand(n_time, n_neurons).contiguous(), beta=beta)
    return (spikes.sum(dim=0) > 0).float().mean().item()


def check_zero_input_prediction(predicted: float) -> None:
    """Notebook 13, exercise 2 (a prediction): the share of the bias trick's first hidden layer that fires
    with no input at all (beta 0.8, 20 steps, threshold 1)."""
    value = as_number(predicted)
    if value is None or not 0 <= value <= 1:
        raise ExerciseError(
            f"expected a fraction between 0 and 1, got {predicted!r}.\n"
            "Hint: store a number in predicted_fraction, for example 0.3."
        )
    measured = bias_zero_input_fraction()
    if abs(value - measured) > 0.05:
        if value < 0.1:
            hint = (
                "no input is not no current: the bias is added at every step, and a neuron fires once "
                "its membrane b (1 - beta^(t+1)) / (1 - beta) passes the threshold."
            )
        elif value > 0.95:
            hint = (
                "the leak caps the membrane at b / (1 - beta): a bias at or below the rheobase "
                "threshold (1 - beta) never fires, however long it waits."
            )
        elif abs(value - 0.5) <= 0.1:
            hint = (
                "a neuron fires when b / (1 - beta) > threshold, that is b > 1 - beta = 0.2, not when b "
                "passes the mean bias 0.5: what share of U(0, 1) lies above 0.2?"
            )
        elif abs(value - 0.2) <= 0.05:
            hint = "that is the share that stays silent (b at or below 1 - beta = 0.2): the rest fires."
        else:
            hint = "find the smallest bias that fires: b / (1 - beta) must exceed the threshold."
        raise prediction_miss("13-2", f"{measured:.3f} (measured)", f"{value:g}", hint)
    passed(
        f"with no input, {measured:.3f} of the neurons fire (you predicted {value:g}): every bias above "
        "(1 - beta) / (1 - beta^20) = 0.202 fires within the 20 steps"
    )
