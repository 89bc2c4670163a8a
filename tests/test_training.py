"""The post's experiment and what its history shows; the loss by hand; argument errors."""

import pytest
import torch

from post_reference import PostModel
from snn_helpers import Model, rate_loss, set_seed, train


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


def test_batched_training_and_generator():
    gen = torch.Generator().manual_seed(1)
    h = train(Model(20, 10, n_time=4), n_iter=3, batch_size=8, generator=gen)
    assert len(h.loss) == len(h.grad_max) == len(h.nan_neurons) == 3


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
