"""Notebook 04's exercise checkers accept right answers and refuse each mistake with its own hint."""

import pytest
import torch

from snn_helpers.course import exercises_04


def right_silent(s):
    return (s.reshape(-1, s.shape[-1]).sum(0) == 0).float().mean().item()


def test_right_answers_pass(capsys):
    exercises_04.check_first_step_fraction(lambda model, x: model(x)[0].mean().item())
    exercises_04.check_silent_fraction(right_silent)
    exercises_04.check_prediction_is_a_fraction(lambda: 0.3)
    exercises_04.check_silent_prediction(lambda: 0.3, 0.31)
    out = capsys.readouterr().out
    assert out.count("passed") == 4
    assert out.endswith("passed: your prediction 0.30 is within 0.1 of the measured fraction (table above)\n")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda model, x: model(x).mean().item(), r"averaged over all 10 steps"),
        (lambda model, x: model(x)[0].sum().item(), r"counted the neurons that fire"),
        (lambda model, x: (model(x).sum(0) > 0).float().mean().item(), r"fires at some step of the window"),
        (lambda model, x: 0.5, r"take the spikes of step 0 only"),
    ],
)
def test_first_step_mistakes_get_their_own_hint(wrong, hint):
    with pytest.raises(AssertionError, match=r"(?s)bias_init='uniform'.*" + hint):
        exercises_04.check_first_step_fraction(wrong)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda s: 1 - right_silent(s), r"expected 0.4, got 0.6.*fired at least once; silent is the rest"),
        (lambda s: (s == 0).float().mean().item(), r"expected 0.4, got 0.7333.*counted zero entries"),
        (lambda s: (s.sum(0) == 0).float().mean().item(), r"expected 0.2, got 0.6.*fires in no sample"),
        (lambda s: 0.0, r"expected 0.4, got 0.*sum over every dim but the last"),
    ],
)
def test_silent_fraction_mistakes_get_their_own_hint(wrong, message):
    with pytest.raises(AssertionError, match=r"(?s)" + message):
        exercises_04.check_silent_fraction(wrong)


@pytest.mark.parametrize("bad", ["0.3", 30, -0.1, True, None])
def test_a_prediction_must_be_a_fraction(bad):
    with pytest.raises(AssertionError, match=r"expected a fraction between 0 and 1 \(a float\)"):
        exercises_04.check_prediction_is_a_fraction(lambda: bad)
    with pytest.raises(AssertionError, match=r"expected a fraction between 0 and 1"):
        exercises_04.check_silent_prediction(lambda: bad, 0.3)


def test_a_wrong_prediction_says_what_to_reconsider():
    with pytest.raises(
        AssertionError, match=r"(?s)^your prediction 0.05 is outside.*too low.*no gradient"
    ) as first:
        exercises_04.check_silent_prediction(lambda: 0.05, 0.31)
    assert "0.31" not in str(first.value)
    with pytest.raises(
        AssertionError, match=r"(?s)within 0.1 of the measured 0.31, got 0.05.*too low.*no gradient"
    ):
        exercises_04.check_silent_prediction(lambda: 0.05, 0.31)
    with pytest.raises(AssertionError, match=r"(?s)got 0.60.*too high.*fresh input"):
        exercises_04.check_silent_prediction(lambda: 0.6, 0.31)


def test_checks_leave_the_global_rng_alone():
    torch.manual_seed(7)
    state = torch.get_rng_state()
    exercises_04.check_first_step_fraction(lambda model, x: model(x)[0].mean().item())
    exercises_04.check_silent_fraction(right_silent)
    assert torch.equal(torch.get_rng_state(), state)


def test_an_unanswered_prediction_stops_at_its_check():
    def stub():
        raise NotImplementedError()

    with pytest.raises(
        AssertionError, match=r"^Not answered yet: exercise 3 still raises NotImplementedError"
    ):
        exercises_04.check_prediction_is_a_fraction(stub)


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Each test meets a prediction's first miss afresh (checking counts the misses per kernel)."""
    from snn_helpers.course import checking

    checking.forget_attempts()
