"""Membrane readout, scores over time, the ReadoutSNN and its training on two codes."""

import pytest
import torch

from snn_helpers.core.encoding import encode
from snn_helpers.core.readout import READOUTS, leaky_integrate, scores_over_time, tie_stats
from snn_helpers.tasks.digits import DigitsSNN, ReadoutSNN, evaluate_readout, load_digits_split, train_readout


def test_leaky_integrate_by_hand():
    current = torch.tensor([[1.0], [0.0], [0.0], [1.0]])
    assert leaky_integrate(current, 0.5).flatten().tolist() == [1.0, 0.5, 0.25, 1.125]
    assert leaky_integrate(current, 1.0).flatten().tolist() == [1.0, 1.0, 1.0, 2.0]  # no leak: a sum
    assert leaky_integrate(current, 0.0).flatten().tolist() == [1.0, 0.0, 0.0, 1.0]  # no memory


def test_leaky_integrate_gradient_is_the_decay():
    current = torch.zeros(3, 1, requires_grad=True)
    leaky_integrate(current, 0.5)[-1].sum().backward()
    assert current.grad.flatten().tolist() == [0.25, 0.5, 1.0]  # d u_2 / d I_t = beta^(2 - t)


def test_scores_over_time_by_hand():
    trace = torch.tensor([[[1.0, 0.0]], [[-1.0, 2.0]], [[3.0, 0.0]]])  # [time 3, batch 1, classes 2]
    assert scores_over_time(trace, "count")[:, 0].tolist() == [[1, 0], [0, 2], [3, 2]]
    assert scores_over_time(trace, "max")[:, 0].tolist() == [[1, 0], [1, 2], [3, 2]]
    torch.testing.assert_close(
        scores_over_time(trace, "mean")[:, 0], torch.tensor([[1, 0], [0, 1], [1, 2 / 3]])
    )


def test_tie_stats_by_hand():
    # 3 samples, 3 classes, 2 steps; labels 0, 1, 2
    scores = torch.tensor(
        [
            [[0, 0, 0], [1, 1, 0], [0, 0, 1]],  # all tied (1/3), tied pair with label (1/2), right
            [[1, 0, 0], [1, 2, 0], [1, 0, 1]],  # right, right, tied pair with label (1/2)
        ]
    ).float()
    tied, credit = tie_stats(scores, torch.tensor([0, 1, 2]))
    torch.testing.assert_close(tied, torch.tensor([2 / 3, 1 / 3]))
    torch.testing.assert_close(credit, torch.tensor([(1 / 3 + 1 / 2 + 1) / 3, (1 + 1 + 1 / 2) / 3]))
    _, wrong = tie_stats(scores, torch.tensor([1, 0, 0]))  # label not among the top: 0
    torch.testing.assert_close(wrong, torch.tensor([(1 / 3 + 1 / 2 + 0) / 3, (0 + 0 + 1 / 2) / 3]))
    with pytest.raises(ValueError, match=r"scores must have shape \[time, batch, classes\]; got \(2, 3\)"):
        tie_stats(torch.zeros(2, 3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"labels must have shape \[batch\] = \(3,\); got \(2,\)"):
        tie_stats(scores, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"labels must have shape \[batch\] = \(3,\); got list"):
        tie_stats(scores, [0, 1, 2])


def test_count_readout_is_digits_snn():
    torch.manual_seed(0)
    reference = DigitsSNN(n_hidden=16)
    model = ReadoutSNN("count", n_hidden=16)
    model.load_state_dict(reference.state_dict())
    spikes = (torch.rand(6, 4, 64, generator=torch.Generator().manual_seed(1)) < 0.3).float()
    assert torch.equal(model(spikes), reference(spikes))
    trace, hidden = model.trace(spikes)
    assert trace.shape == (6, 4, 10) and hidden.shape == (6, 4, 16)


def test_membrane_readout_scores_are_max_or_mean_of_the_leaky_membrane():
    torch.manual_seed(0)
    spikes = (torch.rand(5, 3, 64, generator=torch.Generator().manual_seed(2)) < 0.3).float()
    for readout, reduce in [("max", lambda u: u.amax(0)), ("mean", lambda u: u.mean(0))]:
        model = ReadoutSNN(readout, readout_beta=0.8, n_hidden=8)
        _, hidden = model(spikes, return_hidden=True)
        u = leaky_integrate(model.output(hidden), 0.8)
        torch.testing.assert_close(model(spikes), reduce(u))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"readout must be one of 'count', 'max', 'mean'; got 'last'"):
        ReadoutSNN("last")
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\] \(1 = no leak\); got 1.5"):
        ReadoutSNN("max", readout_beta=1.5)
    with pytest.raises(TypeError, match=r"beta must be a number in \[0, 1\]; got str"):
        leaky_integrate(torch.zeros(2, 1), "0.5")
    with pytest.raises(ValueError, match=r"current must have a time dim first"):
        leaky_integrate(torch.tensor(1.0), 0.5)
    with pytest.raises(ValueError, match=r"spikes must have shape \[time, batch, 64\]; got \(5, 64\)"):
        ReadoutSNN()(torch.zeros(5, 64))
    with pytest.raises(ValueError, match=r"readout must be one of"):
        scores_over_time(torch.zeros(2, 1, 3), "sum")
    with pytest.raises(ValueError, match=r"trace must have a non-empty time dim first"):
        scores_over_time(torch.zeros(0, 1, 3), "max")
    data = load_digits_split()
    with pytest.raises(ValueError, match=r"code must be one of 'rate', 'latency'; got 'phase'"):
        train_readout(ReadoutSNN(), data, code="phase")
    with pytest.raises(
        TypeError, match=r"penalty must be a function of the hidden spikes or None; got float"
    ):
        train_readout(ReadoutSNN(), data, penalty=0.1)


@pytest.mark.parametrize(("code", "readout"), [("rate", "mean"), ("latency", "max")])
def test_training_learns_and_evaluation_counts_spikes(code, readout):
    data = load_digits_split()
    torch.manual_seed(0)
    model = ReadoutSNN(readout, n_hidden=32)
    history = train_readout(model, data, code=code, n_time=8, epochs=2, seed=0)
    assert len(history.loss) == 2 and history.loss[1] < history.loss[0] and history.penalty == [0.0, 0.0]
    result = evaluate_readout(model, data.x_val, data.y_val, code, 8, torch.Generator().manual_seed(1))
    assert result.accuracy > 0.3  # chance is 0.1; 2 epochs of 32 neurons reach 0.44 to 0.9 here
    assert result.accuracy_over_time.shape == (8,) and result.accuracy_over_time[-1] == result.accuracy
    if code == "latency":  # one spike per lit pixel
        assert result.input_spikes == pytest.approx((data.x_val > 0).sum(1).float().mean().item())
    assert result.hidden_spikes == pytest.approx(result.hidden.sum().item() / len(data.y_val), rel=1e-5)
    assert result.output_spikes == 0.0 and READOUTS == ("count", "max", "mean")


def test_penalty_lowers_hidden_activity():
    data = load_digits_split()
    spikes_per_run = []
    for strength in [0.0, 1.0]:
        torch.manual_seed(0)
        model = ReadoutSNN("mean", n_hidden=32)
        history = train_readout(
            model, data, n_time=8, epochs=2, seed=0, penalty=lambda h, s=strength: s * h.sum(0).mean()
        )
        spikes_per_run.append(evaluate_readout(model, data.x_val, data.y_val, "rate", 8).hidden_spikes)
    assert history.penalty[0] > 0 and spikes_per_run[1] < 0.5 * spikes_per_run[0]


def readout_loop_as_it_was(model, data, code, n_time, epochs, lr, batch_size, seed, penalty):
    """train_readout's own loop before it joined train_digits (a2720d0), kept as the reference."""
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses, penalties, n = [], [], len(data.y_train)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        totals = [0.0, 0.0]
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            scores, hidden = model(encode(data.x_train[idx], n_time, code, gen), return_hidden=True)
            loss = torch.nn.functional.cross_entropy(scores, data.y_train[idx])
            extra = penalty(hidden) if penalty is not None else torch.zeros(())
            optimizer.zero_grad()
            (loss + extra).backward()
            optimizer.step()
            totals[0] += loss.item() * len(idx)
            totals[1] += extra.item() * len(idx)
        losses.append(totals[0] / n)
        penalties.append(totals[1] / n)
    return losses, penalties


@pytest.mark.parametrize(
    ("code", "readout", "penalty"),
    [("rate", "mean", None), ("latency", "max", None), ("rate", "count", lambda h: 0.5 * h.sum(0).mean())],
)
def test_train_readout_runs_the_loop_it_replaced_to_the_last_bit(code, readout, penalty):
    data = load_digits_split()
    runs = []
    for train in [train_readout, readout_loop_as_it_was]:
        torch.manual_seed(0)
        model = ReadoutSNN(readout, n_hidden=16)
        if train is train_readout:
            history = train(model, data, code, 6, 2, 3e-3, 64, 1, penalty)
            runs.append((history.loss, history.penalty, list(model.parameters())))
        else:
            runs.append((*train(model, data, code, 6, 2, 3e-3, 64, 1, penalty), list(model.parameters())))
    (loss, pen, weights), (ref_loss, ref_pen, ref_weights) = runs
    assert loss == ref_loss and pen == ref_pen and loss[1] < loss[0]
    assert (pen[0] > 0) == (penalty is not None)
    assert all(torch.equal(a, b) for a, b in zip(weights, ref_weights, strict=True))
