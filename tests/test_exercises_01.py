"""Notebook 01's exercise checkers accept right answers and refuse each mistake with its own hint."""

import math
import random

import pytest
import torch

from snn_helpers.course import exercises_01
from snn_helpers.course.checking import ExerciseError


def boxcar(forward, backward):
    """An autograd Function from a forward ``x -> (out, saved)`` and a backward ``(grad, x, out) -> grad``."""

    class Boxcar(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = forward(x)
            ctx.save_for_backward(x, out)
            return out

        @staticmethod
        def backward(ctx, grad):
            x, out = ctx.saved_tensors
            return backward(grad, x, out)

    return Boxcar


def step(x):
    return (x > 0).float()


def window(grad, x, out):
    return grad * (x.abs() < 0.5).float()


def test_boxcar_checker_accepts_the_right_answer(capsys):
    exercises_01.check_boxcar_spike(boxcar(step, window))
    assert capsys.readouterr().out.startswith("passed:")


@pytest.mark.parametrize(
    ("forward", "backward", "hint"),
    [
        (lambda x: (x >= 0).float(), window, r"expected \[0.0, 0.0, 0.0, 0.0, 1.0.*0 itself does not fire"),
        (lambda x: x > 0, window, r"expected torch.float32, got torch.bool.*bool tensor cannot"),
        (lambda x: (x > 0.5).float(), window, r"the forward pass is the step of notebook 01"),
        (step, lambda g, x, out: g, r"straight-through estimator"),
        (step, lambda g, x, out: g * out, r"that is the post's rule.*save x in forward"),
        (step, lambda g, x, out: (x.abs() < 0.5).float(), r"multiply the window by grad_output"),
        (step, lambda g, x, out: g * (x.abs() <= 0.5).float(), r"the window is open: \|x\| < 0.5, strict"),
        (
            step,
            lambda g, x, out: g * (x.abs() < 1).float(),
            r"backward returns grad_output \* \(\|x\| < 0.5\)",
        ),
    ],
    ids=[
        "greater-equal",
        "bool",
        "wrong-threshold",
        "straight-through",
        "post-rule",
        "no-chain-rule",
        "closed-window",
        "wrong-width",
    ],
)
def test_boxcar_checker_names_each_mistake(forward, backward, hint):
    with pytest.raises(AssertionError, match=f"(?s){hint}"):
        exercises_01.check_boxcar_spike(boxcar(forward, backward))


def test_boxcar_checker_reports_a_crashing_backward():
    def crash(grad, x, out):
        raise RuntimeError("shapes do not match")

    with pytest.raises(AssertionError, match=r"your code raised RuntimeError: shapes do not match"):
        exercises_01.check_boxcar_spike(boxcar(step, crash))


RIGHT_WIDTH = 2 * (math.sqrt(2) - 1) / 10  # (1 + 10|x|)^2 = 2 on both sides: 0.0828


def right_fast_sigmoid(x, k):
    return 1 / (1 + k * x.abs()) ** 2


def test_fast_sigmoid_checker(capsys):
    exercises_01.check_fast_sigmoid_grad(right_fast_sigmoid, 1.0, RIGHT_WIDTH)
    assert "full width at half height 0.0828" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)Hint: \(k=10.0\) use the absolute value"):
        exercises_01.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x) ** 2, 1.0, RIGHT_WIDTH)
    with pytest.raises(AssertionError, match=r"(?s)square the whole denominator"):
        exercises_01.check_fast_sigmoid_grad(lambda x, k: 1 / (1 + k * x.abs()), 1.0, RIGHT_WIDTH)


@pytest.mark.parametrize(
    ("peak", "width", "hint"),
    [
        (10.0, RIGHT_WIDTH, r"expected peak = 1.0, got peak = 10.*peaks at 1, not at k"),
        (0.5, RIGHT_WIDTH, r"evaluate g at the threshold"),
        (1.0, RIGHT_WIDTH / 2, r"expected full_width = 0.0828, got full_width = 0.04142.*half-width"),
        (1.0, 0.2, r"1 \+ k\|x\| = sqrt\(2\), not 2"),
        (1.0, 0.5, r"solve 1 / \(1 \+ k\|x\|\)\^2 = 1/2"),
        ("0.08", RIGHT_WIDTH, r"expected peak as a number, got str"),
    ],
)
def test_fast_sigmoid_checker_questions(peak, width, hint):
    with pytest.raises(AssertionError, match=f"(?s){hint}"):
        exercises_01.check_fast_sigmoid_grad(right_fast_sigmoid, peak, width)


def test_a_blank_exercise_says_not_answered_yet_in_one_line():
    def stub(x, k):
        raise NotImplementedError()

    with pytest.raises(ExerciseError) as info:
        exercises_01.check_fast_sigmoid_grad(stub, 1.0, RIGHT_WIDTH)
    message = str(info.value)
    assert message.startswith("Not answered yet: exercise 2 still raises NotImplementedError; ")
    assert "replace `raise NotImplementedError()` in the cell above" in message
    assert "\n" not in message and info.value.__cause__ is None and info.value.__suppress_context__


def test_a_blank_autograd_function_says_not_answered_yet():
    class Blank(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError()

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError()

    with pytest.raises(ExerciseError, match=r"^Not answered yet: exercise 1 still raises"):
        exercises_01.check_boxcar_spike(Blank)


def test_a_plain_function_for_the_autograd_class_says_what_was_expected():
    def boxcar_spike(x):
        return (x > 0).float()

    with pytest.raises(ExerciseError) as info:
        exercises_01.check_boxcar_spike(boxcar_spike)
    message = str(info.value)
    assert message.startswith(
        "expected BoxcarSpike, a class that subclasses torch.autograd.Function, got a plain function, boxcar_spike."
    )
    assert "the check calls BoxcarSpike.apply(x)" in message
    with pytest.raises(ExerciseError, match=r"got the class int, which does not subclass"):
        exercises_01.check_boxcar_spike(int)
    with pytest.raises(ExerciseError, match=r"got NoneType None"):
        exercises_01.check_boxcar_spike(None)


def test_gradient_reach_is_measured_near_its_closed_form():
    # x ~ N(-0.5, 0.5^2): post reaches P(x > 0) = P(Z > 1) = 0.1587, boxcar P(-0.5 < x < 0.5) = 0.4772
    reach = exercises_01.reach_of_the_gradient()
    assert reach["post"] == pytest.approx(0.1587, abs=0.005)
    assert reach["boxcar"] == pytest.approx(0.4772, abs=0.005)


def test_gradient_reach_prediction(capsys):
    exercises_01.check_gradient_reach(0.2, 0.45)
    assert "the post's rule reaches 0.158" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("post", "box", "hint"),
    [
        (0.5, 0.45, r"zero wherever the neuron did not fire"),
        (0.02, 0.45, r"one standard deviation above the mean"),
        (0.16, 0.16, r"not gated by the spike"),
        (0.16, 1.0, r"a window, not a constant"),
        (0.16, 0.33, r"from the mean to two standard deviations"),
        (1.5, 0.4, r"expected predicted_post as a fraction between 0 and 1, got 1.5"),
        (0.16, None, r"expected predicted_boxcar as a fraction"),
    ],
)
def test_gradient_reach_prediction_hints(post, box, hint):
    with pytest.raises(AssertionError, match=f"(?s){hint}"):
        exercises_01.check_gradient_reach(post, box)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(123)
    random.seed(123)
    before = torch.random.get_rng_state(), random.getstate()
    exercises_01.check_gradient_reach(0.16, 0.48)
    exercises_01.check_boxcar_spike(boxcar(step, window))
    assert torch.equal(torch.random.get_rng_state(), before[0]) and random.getstate() == before[1]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()


def test_a_blank_exercise_renders_as_one_line_without_the_not_yet_opening():
    def stub(x, k):
        raise NotImplementedError()

    with pytest.raises(ExerciseError) as info:
        exercises_01.check_fast_sigmoid_grad(stub, 1.0, RIGHT_WIDTH)
    (line,) = info.value._render_traceback_()  # what Jupyter shows in place of a traceback
    assert line == f"\x1b[31m{info.value}\x1b[0m" and "Not yet" not in line
    with pytest.raises(ExerciseError) as wrong:
        exercises_01.check_fast_sigmoid_grad(lambda x, k: x, 1.0, RIGHT_WIDTH)
    assert wrong.value._render_traceback_()[0].startswith("\x1b[31mNot yet.\x1b[0m expected ")
