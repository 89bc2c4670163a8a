"""Checkers of notebook 06 (The fused engine)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..core.encoding import random_binary_input
from ..core.neuron import IF
from ..core.profiling import saved_megabytes
from ..tasks.post import Model
from .checking import ExerciseError, as_number, call, fail, isolated_rng, passed, prediction_miss

# The prediction's configuration: 50 steps, a batch of 64, 300 inputs -> 1,000 IF neurons, fused engine.
MEMORY_CASE = {"n_time": 50, "batch": 64, "n_inputs": 300, "n_neurons": 1000}


def measure_fused_memory() -> float:
    """MB (2**20 bytes) that the fused engine keeps for the backward in ``MEMORY_CASE``."""
    t, b, n_in, n = (MEMORY_CASE[k] for k in ("n_time", "batch", "n_inputs", "n_neurons"))
    with isolated_rng(6):
        model = Model(n_in, n, n_time=t, engine="fused")
        x = random_binary_input(t, n_in, batch=b)
    return saved_megabytes(lambda: model(x).mean())


def check_memory_prediction(predicted_mb: object, tolerance: float = 0.02) -> None:
    """Notebook 06, exercise 1 (a prediction): the predicted MB kept by the fused engine, against the
    measurement.

    Passes within ``tolerance`` (relative); each wrong count the learner is likely to make has its hint.
    """
    value = as_number(predicted_mb)
    if value is None or value <= 0:
        hint = (
            "predicted_mb() returned nothing: end it with `return` and your number, e.g. `return 12.5`."
            if predicted_mb is None
            else "return your prediction from predicted_mb() as one positive number, e.g. `return 12.5`."
        )
        raise ExerciseError(
            f"expected a positive number of MB (a float), got {predicted_mb!r}.\nHint: {hint}"
        )
    predicted_mb = value
    measured = measure_fused_memory()
    if math.isclose(predicted_mb, measured, rel_tol=tolerance):
        passed(f"the fused engine keeps {measured:.2f} MB here; your prediction is within {tolerance:.0%}")
        return
    t, b, n_in, n = (MEMORY_CASE[k] for k in ("n_time", "batch", "n_inputs", "n_neurons"))
    mb = 4 / 2**20  # one float32, in MB
    membranes, inputs = t * b * n * mb, t * b * n_in * mb
    mistakes = [
        (membranes, "that is the membranes alone; the Linear keeps its input [T, batch, 300] too."),
        (
            2 * membranes + inputs,
            "the spikes are not kept: the backward recomputes them from the membranes (v > threshold).",
        ),
        (
            membranes + inputs + n * n_in * mb,
            "the weight W is not kept: the input needs no gradient, so the Linear's backward needs only x.",
        ),
        ((membranes + inputs) * 2**20 / 1e6, "MB here is 2**20 bytes (saved_megabytes), not 10**6."),
        ((membranes + inputs) / 4, "each float32 number takes 4 bytes."),
        (
            (membranes + inputs) * 10 / t,
            "you used the 10 steps of section 4's example; this case has T = 50 steps.",
        ),
    ]
    hint = next(
        (why for value, why in mistakes if math.isclose(predicted_mb, value, rel_tol=tolerance)),
        "count the tensors the fused Function and the Linear save (section 4): each is T x batch x width "
        "float32 numbers of 4 bytes.",
    )
    raise prediction_miss(
        "06-1", f"about {measured:.2f} MB (within {tolerance:.0%})", f"{predicted_mb:.4g} MB", hint
    )


def _autograd_grad(currents: list[float], weights: list[float], threshold: float) -> tuple[list, list]:
    """Membranes and dL/dI through the library's IF, reset "subtract", the post's rule."""
    current = torch.tensor(currents, dtype=torch.float64, requires_grad=True)
    neuron = IF(threshold=threshold, reset="subtract", surrogate="post")
    v, s = torch.zeros((), dtype=torch.float64), torch.zeros((), dtype=torch.float64)
    vs, ss = [], []
    for t in range(len(currents)):
        v, s = neuron(current[t], v, s)
        vs.append(v.item())
        ss.append(s)
    (torch.stack(ss) * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    return vs, current.grad.tolist()


def _sweep(vs: list[float], weights: list[float], threshold: float, variant: str) -> list[float]:
    """The backward recursion; ``variant`` names a learner's mistake ("right" for none)."""
    a_next, out = 0.0, []
    for t in reversed(range(len(vs))):
        spike = float(vs[t] > threshold)
        reset_term = {"zero_formula": vs[t], "membrane": vs[t], "detached": 0.0}.get(variant, threshold)
        dl_ds = weights[t] - a_next * reset_term
        carry = 1 - spike if variant in ("zero_formula", "keep") else 1.0
        g = 1.0 if variant == "no_g" else spike
        a_next = a_next * carry + dl_ds * g
        out.insert(0, a_next)
    return out


_CASES = [  # (currents, weights e_t, threshold): chosen so that every mistake gives another answer
    ([0.6, 0.9, 1.4, 0.3, 1.2, 0.8], [1.0, -2.0, 0.5, 1.0, 3.0, -1.0], 1.0),
    ([0.5, 0.5, 0.9, 0.2, 0.7, 0.1, 0.9], [0.5, 1.0, -1.5, 2.0, 1.0, -0.5, 2.0], 0.8),
]
_HINTS = {
    "zero_formula": "that is the reset-to-zero backward: with subtract, v_{t+1} = v_t - theta*s_t + I_{t+1}, "
    "so dv_{t+1}/ds_t = -theta and dv_{t+1}/dv_t = 1.",
    "membrane": "dv_{t+1}/ds_t is -theta with reset='subtract' (a spike removes theta), not -v_t.",
    "keep": "with reset='subtract' the membrane carries over whole: dv_{t+1}/dv_t = 1, no (1 - s_t) factor.",
    "detached": "you dropped the reset term: without detach_reset, dL/ds_t = e_t - a_{t+1} * theta.",
    "no_g": "the spike's gradient reaches v_t only through the surrogate: a_t gets dL/ds_t * g, with g = s_t "
    "(the post's rule) here.",
}


def check_subtract_backward(fn: Callable[[list[float], list[float], float], list[float]]) -> None:
    """Notebook 06, exercise 2: ``fn(membranes, weights, threshold)`` = dL/dI_t for reset "subtract", the
    post's rule.

    ``membranes`` are v_0 .. v_{T-1} of one neuron; the loss is ``sum_t weights[t] * s_t``.
    """
    for currents, weights, threshold in _CASES:
        vs, expected = _autograd_grad(currents, weights, threshold)
        got = call(fn, list(vs), list(weights), threshold)
        if not isinstance(got, list | tuple | torch.Tensor) or len(got) != len(vs):
            raise fail(f"a list of {len(vs)} numbers", repr(got), "return dL/dI_t for every step t.")
        got = [float(g) for g in got]
        if all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(got, expected, strict=True)):
            continue
        hint = next(
            (
                why
                for variant, why in _HINTS.items()
                if all(
                    math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                    for a, b in zip(got, _sweep(vs, weights, threshold, variant), strict=True)
                )
            ),
            "go backwards from the last step with a_T = 0: dL/ds_t = e_t - a_{t+1} * theta, "
            "a_t = a_{t+1} + dL/ds_t * s_t (the post's g), and dL/dI_t = a_t.",
        )
        membranes = [round(v, 2) for v in vs]
        raise fail(
            [round(e, 4) for e in expected],
            [round(g, 4) for g in got],
            f"membranes {membranes}, threshold {threshold}: {hint}",
        )
    passed("your backward sweep matches autograd for the subtract reset")
