"""The ensemble engine: each member trains as the single-network code trains it alone."""

import pytest
import torch
from ensemble_reference import EnsembleIFReference

import snn_helpers.course.ensemble as ensemble_module
from snn_helpers import Model, random_binary_input, set_seed, surrogate_grad, train
from snn_helpers.core import kernel
from snn_helpers.course.ensemble import (
    DigitsEnsemble,
    Member,
    PostEnsemble,
    check_members,
    evaluate_ensemble,
    train_digits_ensemble,
    train_post_ensemble,
)
from snn_helpers.tasks.digits import DigitsSNN, evaluate, load_digits_split, train_digits

POST_MEMBERS = [Member(0, "atan"), Member(1, "fast_sigmoid", 3.0), Member(0, "post")]


@pytest.fixture(scope="module")
def data():
    return load_digits_split()


def single_post_model(m: Member) -> Model:
    set_seed(m.seed)
    return Model(300, 500, surrogate=m.surrogate, slope=m.slope, detach_reset=True, engine="fused")


def test_post_members_start_as_single_models_and_spike_alike():
    ensemble = PostEnsemble(POST_MEMBERS)
    x = torch.stack(
        [random_binary_input(10, 300, generator=torch.Generator().manual_seed(i)) for i in range(3)]
    )
    spikes = ensemble(x)
    assert spikes.shape == (3, 10, 500)
    for i, m in enumerate(POST_MEMBERS):
        model = single_post_model(m)
        assert torch.equal(ensemble.weight[i], model.linear.weight)
        assert torch.equal(spikes[i], model(x[i]))  # the first forward: the same spikes, bit for bit


def test_post_members_train_as_train_does():
    history = train_post_ensemble(PostEnsemble(POST_MEMBERS), n_iter=15)
    assert history.loss.shape == history.silent.shape == (15, 3)
    for i, m in enumerate(POST_MEMBERS):
        alone = train(single_post_model(m), n_iter=15)
        # same inputs, same spikes: equal here; a batched product may round its last bit otherwise
        assert torch.allclose(history.loss[:, i], torch.tensor(alone.loss), rtol=1e-5, atol=0)
        assert torch.allclose(history.silent[:, i], torch.tensor(alone.silent))


def test_post_ensemble_batched_input_and_scale_multiplies_the_surrogate():
    # same seed, same surrogate, scale 1 and 2: with the detached reset the gradient is linear in g
    ensemble = PostEnsemble([Member(0, "atan", 2.0, 1.0), Member(0, "atan", 2.0, 2.0)], bias_init="default")
    x = (
        torch.randint(0, 2, (1, 10, 4, 300), generator=torch.Generator().manual_seed(0))
        .float()
        .expand(2, -1, -1, -1)
    )
    spikes = ensemble(x)
    assert spikes.shape == (2, 10, 4, 500) and torch.equal(spikes[0], spikes[1])
    (spikes.mean(dim=(1, 2, 3)) ** 2).sum().backward()
    assert ensemble.bias.grad[0].abs().sum() > 0
    assert torch.equal(ensemble.bias.grad[1], 2 * ensemble.bias.grad[0])
    # with the reset attached the gradient crosses the surrogate again at every reset: not linear in
    # the scale, so an optimizer that divides out a constant factor (Adam) cannot cancel it (notebook 08)
    attached = PostEnsemble(
        [Member(0, "atan", 2.0, 1.0), Member(0, "atan", 2.0, 2.0)], bias_init="default", detach_reset=False
    )
    (attached(x).mean(dim=(1, 2, 3)) ** 2).sum().backward()
    ratio = attached.bias.grad[1] / attached.bias.grad[0]
    assert ratio.min() < 1.9 or ratio.max() > 2.1


def test_a_member_does_not_depend_on_the_others():
    alone = train_post_ensemble(PostEnsemble([Member(3, "boxcar", 0.5)]), n_iter=10)
    together = train_post_ensemble(PostEnsemble([Member(1, "sigmoid"), Member(3, "boxcar", 0.5)]), n_iter=10)
    assert torch.allclose(alone.loss[:, 0], together.loss[:, 1], rtol=1e-5, atol=0)


def test_digits_members_spike_as_digits_snn(data):
    members = [Member(0, "atan"), Member(1, "fast_sigmoid", 3.0)]
    ensemble = DigitsEnsemble(members)
    code = torch.bernoulli(data.x_val[:32].expand(6, 32, 64), generator=torch.Generator().manual_seed(0))
    counts, hidden = ensemble(code.expand(2, -1, -1, -1), return_hidden=True)
    assert counts.shape == (2, 32, 10) and hidden.shape == (2, 6, 32, 128)
    for i, m in enumerate(members):
        set_seed(m.seed)
        model = DigitsSNN(128, surrogate=m.surrogate, slope=m.slope)
        c, h = model(code, return_hidden=True)
        assert torch.equal(counts[i], c) and torch.equal(hidden[i], h)


def test_digits_members_train_as_train_digits(data):
    members = [Member(0, "atan"), Member(1, "fast_sigmoid", 3.0), Member(0, "sigmoid")]
    ensemble = DigitsEnsemble(members)
    history = train_digits_ensemble(ensemble, data, n_time=5, epochs=2, lr=3e-3)
    assert history.loss.shape == history.test_accuracy.shape == history.train_accuracy.shape == (2, 3)
    for i, m in enumerate(members):
        set_seed(m.seed)
        model = DigitsSNN(128, surrogate=m.surrogate, slope=m.slope)
        alone = train_digits(model, data, n_time=5, epochs=2, lr=3e-3, seed=m.seed)
        assert torch.allclose(history.loss[:, i], torch.tensor(alone.loss, dtype=torch.float32), rtol=1e-5)
        # accuracies are counts over 450 and 1,077 images: a last-bit difference moves none here
        assert history.test_accuracy[:, i].tolist() == pytest.approx(alone.test_accuracy, abs=1 / 450)
        assert history.train_accuracy[:, i].tolist() == pytest.approx(alone.train_accuracy, abs=1 / 1077)
        assert torch.allclose(ensemble.w1[i].t(), model.hidden.weight, atol=1e-5)
        assert torch.allclose(ensemble.b2[i], model.output.bias, atol=1e-5)


def test_evaluate_ensemble_scores_each_member_as_evaluate_does(data):
    members = [Member(2, "sigmoid"), Member(4, "triangle", 0.5)]
    ensemble = DigitsEnsemble(members)
    acc = evaluate_ensemble(ensemble, data.x_val, data.y_val, 5, torch.Generator().manual_seed(7))
    assert acc.shape == (2,)
    for i, m in enumerate(members):
        set_seed(m.seed)
        model = DigitsSNN(128, surrogate=m.surrogate, slope=m.slope)
        assert (
            acc[i].item()
            == evaluate(model, data.x_val, data.y_val, 5, torch.Generator().manual_seed(7)).accuracy
        )


@pytest.mark.parametrize("track", [(), ("val",), ("train", "val", "test")])
def test_digits_members_follow_train_digits_whatever_is_tracked(data, track):
    ensemble = DigitsEnsemble([Member(5, "atan"), Member(6, "sigmoid", 2.0, 0.5)])
    history = train_digits_ensemble(ensemble, data, n_time=4, epochs=2, track=track)
    assert (history.test_accuracy is None) == ("test" not in track) and history.loss.shape == (2, 2)
    set_seed(5)
    alone = train_digits(DigitsSNN(128, surrogate="atan"), data, n_time=4, epochs=2, seed=5, track=track)
    assert torch.allclose(history.loss[:, 0], torch.tensor(alone.loss, dtype=torch.float32), rtol=1e-5)
    if "val" in track:
        assert history.val_accuracy[:, 0].tolist() == pytest.approx(alone.val_accuracy, abs=1 / 270)


@pytest.mark.parametrize(
    ("members", "error", "match"),
    [
        (Member(0), TypeError, r"members must be a list of Member; got Member"),
        ([], ValueError, r"at least one Member; got an empty list"),
        ([(0, "atan")], TypeError, r"members\[0\] must be a Member; got tuple"),
        ([Member(True)], TypeError, r"members\[0\]\.seed must be an int; got bool"),
        ([Member(0, "relu")], ValueError, r"members\[0\]\.surrogate must be one of .*; got 'relu'"),
        ([Member(0, "atan", -1.0)], ValueError, r"slope must be a positive number; got -1.0"),
        ([Member(0, "post", 2.0)], ValueError, r"slope is not used by surrogate 'post'"),
        (
            [Member(0, "atan", None, 0.0)],
            ValueError,
            r"members\[0\]\.scale must be a positive number; got 0.0",
        ),
    ],
)
def test_bad_members_are_refused(members, error, match):
    with pytest.raises(error, match=match):
        check_members(members)


def test_bad_arguments_are_refused(data):
    post = PostEnsemble([Member(0, "atan")], size_input=3, size_hidden=2, n_time=2)
    with pytest.raises(
        ValueError, match=r"x must have shape \[members=1, n_time=2, size_input=3\].*got \(1, 2, 4\)"
    ):
        post(torch.zeros(1, 2, 4))
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor"):
        post(torch.zeros(1, 2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\); got 1.5"):
        train_post_ensemble(post, momentum=1.5)
    with pytest.raises(TypeError, match=r"n_iter must be a positive integer; got float 2.5"):
        train_post_ensemble(post, n_iter=2.5)
    with pytest.raises(TypeError, match=r"ensemble must be a PostEnsemble; got Model"):
        train_post_ensemble(Model(3, 2))
    with pytest.raises(ValueError, match=r"reset must be one of 'zero', 'subtract'; got 'none'"):
        PostEnsemble([Member(0)], reset="none")
    with pytest.raises(TypeError, match=r"device must be a torch.device, a string or None; got int"):
        PostEnsemble([Member(0)], size_input=3, size_hidden=2, device=0)
    digits = DigitsEnsemble([Member(0)], n_hidden=4)
    with pytest.raises(
        ValueError, match=r"spikes must have shape \[members=1, time, batch, 64\]; got \(2, 64\)"
    ):
        digits(torch.zeros(2, 64))
    with pytest.raises(TypeError, match=r"data must be a DigitsSplit .*; got tuple"):
        train_digits_ensemble(digits, tuple(data))
    with pytest.raises(ValueError, match=r"track must be a tuple of names from .*; got 'val'"):
        train_digits_ensemble(digits, data, track="val")
    with pytest.raises(ValueError, match=r"track includes 'val' but data has no validation split"):
        train_digits_ensemble(digits, load_digits_split(validation_fraction=0), track=("val",))
    with pytest.raises(ValueError, match=r"y must be a tensor of 270 labels"):
        evaluate_ensemble(digits, data.x_val, data.y_test)


def test_training_in_groups_changes_nothing_but_the_time(data, monkeypatch):
    # members are independent: trained one by one (a tiny budget) or all together, every member has
    # the same losses and accuracies and, up to the rounding of a batched product, the same weights
    post_members = [Member(1, "atan"), Member(0, "boxcar", 2.0, 0.5), Member(1, "post"), Member(0)]
    digit_members = [Member(1, "sigmoid"), Member(0, "triangle", 2.0), Member(1, "atan", 1.0, 2.0)]
    together = [PostEnsemble(post_members), DigitsEnsemble(digit_members)]
    post_all = train_post_ensemble(together[0], n_iter=6)
    digits_all = train_digits_ensemble(together[1], data, n_time=4, epochs=1, track=("val",))
    monkeypatch.setattr(ensemble_module, "TRAIN_BUDGET", 1)
    assert ensemble_module._groups(together[0], 10) == [[0], [2], [1], [3]]  # by seed, first seen first
    grouped = [PostEnsemble(post_members), DigitsEnsemble(digit_members)]
    post_grouped = train_post_ensemble(grouped[0], n_iter=6)
    digits_grouped = train_digits_ensemble(grouped[1], data, n_time=4, epochs=1, track=("val",))
    # groups of three: the first holds both members of seed 1 and one of seed 0, the second the other
    monkeypatch.setattr(ensemble_module, "TRAIN_BUDGET", 3 * 340_000)
    assert ensemble_module._groups(together[0], 340_000) == [[0, 2, 1], [3]]
    across = PostEnsemble(post_members)
    post_across = train_post_ensemble(across, n_iter=6)
    for other in (post_grouped, post_across):
        assert torch.equal(post_all.loss, other.loss) and torch.equal(post_all.silent, other.silent)
    assert torch.equal(digits_all.loss, digits_grouped.loss)
    assert torch.equal(digits_all.val_accuracy, digits_grouped.val_accuracy)
    for a, b in [*zip(together, grouped, strict=True), (together[0], across)]:
        for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
            assert torch.allclose(p, q, rtol=1e-5, atol=1e-7), name


def test_subset_copies_the_chosen_members(data):
    ensemble = DigitsEnsemble([Member(0, "atan"), Member(1, "sigmoid"), Member(2, "boxcar")])
    sub = ensemble.subset([2, 0])
    assert [m.seed for m in sub.members] == [2, 0] and sub.seeds == [2, 0]
    assert torch.equal(sub.w1[0], ensemble.w1[2]) and torch.equal(sub.b2[1], ensemble.b2[0])
    with torch.no_grad():
        sub.w1.zero_()
    assert ensemble.w1.abs().sum() > 0  # a copy, not a view
    code = torch.Generator().manual_seed(5)
    whole = evaluate_ensemble(ensemble, data.x_test, data.y_test, 4, code)
    part = evaluate_ensemble(
        ensemble.subset([2, 0]), data.x_test, data.y_test, 4, torch.Generator().manual_seed(5)
    )
    assert torch.equal(part, whole[[2, 0]])
    with pytest.raises(ValueError, match=r"index must hold member positions 0 to 2; got 3"):
        ensemble.subset([0, 3])
    with pytest.raises(TypeError, match=r"index must be a non-empty list of member positions; got \[\]"):
        ensemble.subset([])
    post = PostEnsemble([Member(0), Member(1)], size_input=3, size_hidden=2, n_time=2)
    assert post.subset([1]).rng_states[0] is post.rng_states[1]


def test_a_second_backward_through_the_same_graph_gives_the_same_gradient():
    # the fused engine keeps the membrane it saved (the ensemble's own IF Function reused its memory)
    ensemble = PostEnsemble([Member(0, "atan")], size_input=6, size_hidden=4, n_time=3, bias_init="default")
    x = torch.rand(1, 3, 6, generator=torch.Generator().manual_seed(0)) * 2
    loss = (ensemble(x).mean() - 0.3) ** 2
    loss.backward(retain_graph=True)
    first = ensemble.bias.grad.clone()
    assert first.abs().sum() > 0
    ensemble.bias.grad = None
    loss.backward()
    assert torch.equal(ensemble.bias.grad, first)


def test_each_member_gets_its_own_surrogate_derivative():
    # groups by (surrogate, slope): contiguous, evenly spaced (every 2nd) and irregular members
    members = check_members(
        [
            Member(0, "atan", 2.0),
            Member(0, "boxcar", 1.0, 3.0),
            Member(0, "atan", 2.0, 0.5),
            Member(0, "boxcar", 1.0),
            Member(0, "post"),
            Member(0, "atan", 2.0),
            Member(0, "sigmoid"),
        ]
    )
    x = torch.linspace(-2, 2, 3 * 7 * 5).reshape(3, 7, 5)  # [time, members, neurons]
    got = ensemble_module._Surrogates(members).grad(x.clone())
    for i, m in enumerate(members):
        assert torch.equal(got[:, i], m.scale * surrogate_grad(x[:, i], m.surrogate, m.slope)), m


@pytest.mark.parametrize("reset", ["zero", "subtract"])
@pytest.mark.parametrize("detach_reset", [True, False])
def test_every_reset_gives_each_member_the_fused_engines_gradient(reset, detach_reset):
    # scale 1: with an attached reset the gradient crosses the surrogate many times, so it is not linear in scale
    members = [Member(0, "atan", 2.0), Member(1, "triangle", 0.5), Member(0, "post")]
    ensemble = PostEnsemble(
        members,
        size_input=12,
        size_hidden=8,
        n_time=6,
        bias_init="default",
        reset=reset,
        detach_reset=detach_reset,
    )
    x = torch.rand(3, 6, 4, 12, generator=torch.Generator().manual_seed(3)) * 2  # currents around threshold
    spikes = ensemble(x)
    (spikes.mean(dim=(1, 2, 3)) ** 2).sum().backward()
    for i, m in enumerate(members):
        set_seed(m.seed)
        model = Model(12, 8, 6, bias_init="default", surrogate=m.surrogate, slope=m.slope, reset=reset,
                      detach_reset=detach_reset, engine="fused")  # fmt: skip
        alone = model(x[i])
        (alone.mean() ** 2).backward()
        assert torch.equal(spikes[i], alone)
        assert alone.sum() > 0 and model.linear.bias.grad.abs().sum() > 0
        torch.testing.assert_close(ensemble.bias.grad[i], model.linear.bias.grad, rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(
            ensemble.weight_t.grad[i].t(), model.linear.weight.grad, rtol=1e-5, atol=1e-7
        )


# Eight members: shared and distinct seeds, every bump family, slopes and scales (notebook 08's design)
EIGHT = [
    Member(0, "fast_sigmoid"),
    Member(0, "atan", 2.0),
    Member(1, "sigmoid"),
    Member(1, "triangle", 0.5, 2.0),
    Member(2, "boxcar"),
    Member(0, "fast_sigmoid", 25.0, 0.5),
    Member(3, "post"),
    Member(2, "atan"),
]


def trained_both_ways(monkeypatch, run, compiled=True):
    """``run()`` on the fused engine, then on the ensemble's own IF Function as it was before (the reference)."""
    if not compiled:
        monkeypatch.setattr(kernel, "load", lambda: None)
    new = run()
    monkeypatch.setattr(
        ensemble_module,
        "_if_spikes",
        lambda current, if_args, surrogates: EnsembleIFReference.apply(current, *if_args, surrogates),
    )
    old = run()
    monkeypatch.undo()
    return new, old


def assert_same_bits(new, old):
    # NaN where the other has NaN (the attached zero reset with "post" explodes), else the same values
    for (name, a), (_, b) in zip(new.items(), old.items(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True, msg=name)


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize(("reset", "detach_reset"), [("zero", True), ("zero", False), ("subtract", True)])
def test_post_ensemble_on_the_fused_engine_trains_as_its_own_function_did(
    monkeypatch, compiled, reset, detach_reset
):
    if compiled and kernel.build() is None:
        pytest.fail("the C++ kernel did not build: the compiled path is not tested")

    def run():
        ensemble = PostEnsemble(EIGHT, size_hidden=200, reset=reset, detach_reset=detach_reset)
        history = train_post_ensemble(ensemble, n_iter=12, batch_size=3)
        return {"loss": history.loss, "silent": history.silent, "weight": ensemble.weight_t.detach(),
                "bias": ensemble.bias.detach()}  # fmt: skip

    new, old = trained_both_ways(monkeypatch, run, compiled)
    assert (old["silent"][-1] > old["silent"][0]).all()  # the training silenced neurons, as in the post
    assert_same_bits(new, old)


def test_digits_ensemble_on_the_fused_engine_trains_as_its_own_function_did(monkeypatch, data):
    def run():
        ensemble = DigitsEnsemble(EIGHT)
        history = train_digits_ensemble(ensemble, data, n_time=10, epochs=2, lr=3e-3, track=("train", "val"))
        result = {"loss": history.loss, "train": history.train_accuracy, "val": history.val_accuracy}
        result |= {name: p.detach() for name, p in ensemble.named_parameters()}
        result["test"] = evaluate_ensemble(
            ensemble, data.x_test, data.y_test, 10, torch.Generator().manual_seed(1)
        )
        return result

    new, old = trained_both_ways(monkeypatch, run)
    assert old["val"][-1].median() > 0.7 and (old["loss"][1] < old["loss"][0]).all()  # they learned
    assert_same_bits(new, old)
