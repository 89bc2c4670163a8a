"""Notebook 14's exercise checkers accept right answers and refuse each mistake with its own hint."""

import math
import re

import pytest
import torch

from snn_helpers.course import exercises_14
from snn_helpers.course.checking import ExerciseError
from snn_helpers.tasks.memory import MemorySNN, make_memory, memory_accuracy, without_adaptation


def right(spikes, rho):
    trace, out = torch.zeros_like(spikes[0]), []
    for t in range(spikes.shape[0]):
        if t > 0:
            trace = rho * trace + (1 - rho) * spikes[t - 1]
        out.append(trace)
    return torch.stack(out)


def same_step(spikes, rho):  # counts s_t instead of s_{t-1}
    trace, out = torch.zeros_like(spikes[0]), []
    for t in range(spikes.shape[0]):
        trace = rho * trace + (1 - rho) * spikes[t]
        out.append(trace)
    return torch.stack(out)


def no_factor(spikes, rho):  # each spike adds 1
    return right(spikes, rho) / (1 - rho)


def swapped(spikes, rho):
    return right(spikes, 1 - rho)


def flat(spikes, rho):
    return right(spikes, rho).flatten()


def test_trace_by_hand():
    # a burst of 4 spikes, rho 0.9: the trace rises 0.1, 0.19, 0.271, 0.3439, then decays by 0.9 a step
    burst = torch.zeros(8, 1, 1)
    burst[:4] = 1.0
    expected = [0.0, 0.1, 0.19, 0.271, 0.3439, 0.3439 * 0.9, 0.3439 * 0.81, 0.3439 * 0.729]
    got = exercises_14.library_trace(burst, 0.9).flatten().tolist()
    assert got == pytest.approx(expected, rel=1e-6)


def test_trace_right_answer(capsys):
    exercises_14.check_adaptation_trace(right)
    assert capsys.readouterr().out.startswith("passed")


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (same_step, "a spike raises the threshold of the next step"),
        (no_factor, "each spike adds (1 - rho), not 1"),
        (swapped, "rho multiplies the old trace"),
        (flat, "stack the steps along dim 0"),
        (lambda s, rho: s.tolist(), "return the trace as a tensor"),
        (lambda s, rho: torch.zeros_like(s), "start at a_0 = 0"),
    ],
)
def test_trace_mistakes(fn, hint):
    with pytest.raises(ExerciseError, match=re.escape(hint)):
        exercises_14.check_adaptation_trace(fn)


def test_trace_reports_a_crash():
    def crash(spikes, rho):
        raise RuntimeError("boom")

    with pytest.raises(ExerciseError, match="your code raised RuntimeError: boom"):
        exercises_14.check_adaptation_trace(crash)


def adaptive_memory():
    """An "alif" network built by hand: neuron k hears cue k and the recall channels; a cue adapts its
    neuron, which then stays silent in the recall window; the readout says the class of the neuron that
    fires. Right on every trial with its adaptation; without it both fire alike, a tie: class 0, half right."""
    model = MemorySNN(
        8, 2, "alif", recall_steps=3, adapt_decay=math.exp(-1 / 50), adapt_strength=20.0, engine="loop"
    )
    with torch.no_grad():
        model.hidden.input.weight.copy_(
            torch.tensor([[2.0, 2.0, 0, 0, 0.6, 0.6, 0, 0], [0, 0, 2.0, 2.0, 0.6, 0.6, 0, 0]])
        )
        model.hidden.input.bias.zero_()
        model.hidden.recurrent_weight.zero_()
        model.readout.weight.copy_(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
        model.readout.bias.zero_()
    data = make_memory(40, 4, n_channels=8, cue_steps=4, recall_steps=3, cue_rate=1.0, distractor_rate=0.0)
    return model, data


def test_the_hand_built_network():
    model, data = adaptive_memory()
    assert memory_accuracy(model, data) == 1.0
    assert memory_accuracy(without_adaptation(model), data) == 0.5


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


@pytest.mark.parametrize("predicted", [0.5, 0.45, 0.59])
def test_prediction_near_chance_passes(predicted, capsys):
    exercises_14.check_adaptation_off_prediction(predicted, *adaptive_memory())
    assert capsys.readouterr().out.startswith(
        f"passed: your prediction {predicted:.4g} is within 0.1 of the measured accuracy without adaptation"
    )


@pytest.mark.parametrize(
    ("predicted", "hint"),
    [
        (50, "as a fraction"),
        (0.95, "every threshold is back at 1"),
        (0.3, "right half the time"),
        (0.75, "it is left guessing"),
    ],
)
def test_prediction_mistakes(predicted, hint):
    with pytest.raises(ExerciseError, match=re.escape(hint)):
        exercises_14.check_adaptation_off_prediction(predicted, *adaptive_memory())


def test_second_miss_shows_the_measurement():
    for _ in range(2):
        with pytest.raises(ExerciseError) as caught:
            exercises_14.check_adaptation_off_prediction(0.95, *adaptive_memory())
    assert "about 0.50 (measured), far below the trained 1.00" in str(caught.value)


def test_the_window_is_strict():
    # measured exactly 0.5: 0.39 is not within 0.1, 0.41 is
    with pytest.raises(ExerciseError):
        exercises_14.check_adaptation_off_prediction(0.39, *adaptive_memory())
    exercises_14.check_adaptation_off_prediction(0.41, *adaptive_memory())


def test_prediction_not_a_number():
    with pytest.raises(ExerciseError, match="expected a number for predicted_accuracy"):
        exercises_14.check_adaptation_off_prediction("chance", *adaptive_memory())


def test_a_measurement_below_chance_gets_its_own_hint(monkeypatch):
    # a trained network can be right less than half the time once a control changes its recall spikes
    # (notebook 14 measures it): the check then says so instead of pointing to chance
    measured = {"off": 0.05, "intact": 1.0}
    model, data = adaptive_memory()
    monkeypatch.setattr(
        exercises_14,
        "memory_accuracy",
        lambda m, d: measured["off" if m.hidden.adapt_strength == 0 else "intact"],
    )
    with pytest.raises(ExerciseError, match=re.escape("accuracy can fall below chance")):
        exercises_14.check_adaptation_off_prediction(0.5, model, data)
    exercises_14.check_adaptation_off_prediction(0.1, model, data)
