"""The post's experiment and what its history shows; the loss by hand; argument errors."""

import math

import pytest
import torch

from post_reference import PostModel
from snn_helpers import History, Model, rate_loss, set_seed, train


@pytest.fixture(scope="module")
def post_run():
    set_seed(0)
    return train(Model(300, 500))


@pytest.fixture(scope="module")
def detached_run():
    set_seed(0)
    return train(Model(300, 500, detach_reset=True))


def test_post_experiment_loss_falls_100_fold(post_run):
    assert len(post_run) == 100
    assert post_run.loss[0] == pytest.approx(0.1242, abs=1e-4)
    assert post_run.loss_drop() >= 100


def test_post_experiment_hides_an_exploding_gradient(post_run):
    # measured: 6.6e21 at iteration 5, then non-finite gradients, 4 neurons with NaN weights
    assert max(post_run.grad_max[:6]) > 1e20
    assert sum(post_run.nonfinite) > 0
    assert post_run.nan_neurons[-1] == 4


def test_detached_reset_keeps_gradients_small(detached_run):
    assert max(detached_run.grad_max) < 1e-2
    assert sum(detached_run.nonfinite) == 0 and detached_run.nan_neurons[-1] == 0
    assert detached_run.loss_drop() >= 5000


def test_history_matches_the_posts_own_training_loop(post_run):
    # The post's code, trained as the post trains it, for the first 8 iterations.
    set_seed(0)
    model = PostModel(300, 500)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for j in range(8):
        pred = model(torch.randint(0, 2, (10, 300)).float())
        loss = (pred.mean() - 0) ** 2
        loss.backward()
        grads = torch.cat([p.grad.flatten() for p in model.parameters()]).abs()
        grad_max = grads[~torch.isnan(grads)].max().item()
        optimizer.step()
        optimizer.zero_grad()
        assert loss.item() == post_run.loss[j]
        assert grad_max == post_run.grad_max[j]


def test_history_fields_are_consistent(post_run):
    assert all(0 <= r <= 1 for r in post_run.rate + post_run.silent + post_run.first_step_rate)
    assert post_run.loss[0] == pytest.approx(post_run.rate[0] ** 2)


def test_rate_loss_by_hand():
    spikes = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])  # [time 4, neurons 2]
    # mean 3/8: (3/8)^2; per neuron: rates 3/4 and 0 -> ((3/4-0.5)^2 + (0-0.5)^2)/2
    assert rate_loss(spikes).item() == pytest.approx(9 / 64)
    assert rate_loss(spikes, 0.5, per_neuron=True).item() == pytest.approx((1 / 16 + 1 / 4) / 2)


def batched_run(input_seed: int, global_seed: int = 0) -> History:
    torch.manual_seed(0)  # the same initial weights for every run
    model = Model(20, 10, n_time=4)
    torch.manual_seed(global_seed)  # the global RNG, which the generator should make irrelevant
    return train(model, n_iter=3, batch_size=8, generator=torch.Generator().manual_seed(input_seed))


def test_batched_training_and_generator():
    h = batched_run(1)
    assert len(h.loss) == len(h.rate) == len(h.grad_max) == len(h.nan_neurons) == 3
    assert batched_run(1).loss == h.loss and batched_run(1).rate == h.rate  # same generator: same run
    assert batched_run(1, global_seed=5).loss == h.loss  # the inputs come from the generator alone
    assert batched_run(2).loss != h.loss  # another generator: another run


def test_loss_drop_by_hand_and_its_edge_cases():
    assert History(loss=[0.5, 0.1, 0.02]).loss_drop() == pytest.approx(25.0)
    assert History(loss=[0.1, 0.2]).loss_drop() == pytest.approx(0.5)  # a rising loss drops < 1-fold
    assert History(loss=[0.1, 0.0]).loss_drop() == math.inf  # the floor reached: every neuron silent
    assert math.isnan(History(loss=[0.1, math.nan]).loss_drop())  # a NaN loss did not fall
    assert math.isnan(History(loss=[math.nan, 0.1]).loss_drop())
    assert math.isnan(History(loss=[0.0, 0.0]).loss_drop())  # nothing to fall from
    with pytest.raises(ValueError, match=r"loss_drop needs at least one iteration; got an empty History"):
        History().loss_drop()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_iter": 0}, ValueError, r"n_iter must be a positive integer; got 0"),
        ({"lr": -0.1}, ValueError, r"lr must be a positive number; got -0.1"),
        ({"momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\); got 1.0"),
        ({"batch_size": 0}, ValueError, r"batch_size must be a positive integer; got 0"),
        ({"generator": 0}, TypeError, r"generator must be a torch.Generator or None; got int"),
    ],
)
def test_bad_training_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        train(Model(20, 10, n_time=4), **kwargs)
