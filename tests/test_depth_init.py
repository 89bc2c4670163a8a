"""The study of notebook 13 (snn_helpers.course.depth_init): activity measured as defined, against
hand-built networks, the runs reproducible, the grid and its test split, and clear errors."""

import pytest
import torch

from snn_helpers.course import depth_init
from snn_helpers.tasks.digits import DeepDigitsSNN, DigitsSplit, load_digits_split


@pytest.fixture(scope="module")
def data():
    return load_digits_split()


@pytest.fixture(scope="module")
def small(data):
    """300 training and 100 validation and test images: enough to learn, quick to train."""
    return DigitsSplit(
        data.x_train[:300],
        data.y_train[:300],
        data.x_test[:100],
        data.y_test[:100],
        data.x_val[:100],
        data.y_val[:100],
    )


def set_layers(model, weights, biases):
    with torch.no_grad():
        for layer, w, b in zip([*model.layers, model.output], weights, biases, strict=True):
            layer.weight.fill_(w)
            layer.bias.fill_(b)


def test_layer_activity_by_hand():
    # two layers of 3 neurons on 2 inputs, threshold 1, beta 0.5, reset to zero
    model = DeepDigitsSNN(3, 2, n_inputs=2, n_classes=2, beta=0.5)
    with torch.no_grad():
        model.layers[0].weight.copy_(torch.tensor([[1.5, 0.0], [0.6, 0.0], [0.0, 0.0]]))
        model.layers[0].bias.copy_(
            torch.tensor([0.0, 0.0, 0.6])
        )  # neuron 3: 0.6, 0.9, 1.05 -> fires at step 2
        model.layers[1].weight.zero_()
        model.layers[1].bias.copy_(
            torch.tensor([2.0, 0.0, 0.0])
        )  # fires at every step, with or without input
    # input 1 spikes at steps 0 and 1 of sample 0; sample 1 is all zeros; 3 steps
    spikes = torch.zeros(3, 2, 2)
    spikes[0, 0, 0] = spikes[1, 0, 0] = 1.0
    act = depth_init.layer_activity(model, spikes)
    # layer 1, step 0: neuron 1 fires in sample 0 only (1.5 > 1), neuron 2 has 0.6, neuron 3 0.6: 1 of 6
    assert act.first_step == pytest.approx([1 / 6, 1 / 3])
    # neuron 2: 0.6, then 0.3 + 0.6 = 0.9, then 0.45: never; neuron 3 fires at step 2 in both samples
    assert act.silent == pytest.approx([1 / 3, 2 / 3])
    assert act.zero_input == pytest.approx([1 / 3, 1 / 3])  # the bias-driven neurons only
    # layer 1 spikes: neuron 1 at steps 0, 1 of sample 0 (2), neuron 3 at step 2 of both (2): 4 of 18
    assert act.rate == pytest.approx([4 / 18, 6 / 18])


def test_layer_activity_refuses_other_models():
    with pytest.raises(TypeError, match="model must be a DeepDigitsSNN; got Linear"):
        depth_init.layer_activity(torch.nn.Linear(2, 2), torch.zeros(3, 1, 2))


def test_bias_trick_fires_with_no_input_where_the_closed_form_says(data):
    # first layer, zero input: fires within 20 steps iff b > 0.2 / (1 - 0.8^20) = 0.2023; 64 U(0, 1) draws
    model = depth_init.build_model(1, "uniform", 0, data)
    act = depth_init.layer_activity(model, depth_init.init_spikes_for(data, 0, 20, 32))
    expected = (model.layers[0].bias > 0.2 / (1 - 0.8**20)).float().mean().item()
    assert act.zero_input[0] == expected and 0.6 < expected < 0.95
    default = depth_init.build_model(1, "default", 0, data)
    zero = depth_init.layer_activity(default, torch.zeros(20, 1, 64))
    # PyTorch's bias is at most 1/8 = 0.125 < 0.2: no neuron can fire on its bias alone
    assert default.layers[0].bias.max() < 0.2 and zero.zero_input == [0.0]


def test_build_model_is_reproducible_and_sets_the_study(data):
    for init in ("default", "uniform", "fluctuation"):
        a = depth_init.build_model(3, init, 7, data)
        b = depth_init.build_model(3, init, 7, data)
        assert all(
            torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
        )
        assert len(a.layers) == 3 and a.neuron.beta == 0.8 and a.layers[0].out_features == 64
    c = depth_init.build_model(3, "fluctuation", 8, data)
    assert not torch.equal(c.layers[0].weight, b.layers[0].weight)
    assert torch.equal(c.layers[1].bias, torch.zeros(64))  # the fluctuation init's bias is 0


def test_init_spikes_are_the_first_training_images(data):
    s = depth_init.init_spikes_for(data, 3, 5, 10)
    assert s.shape == (5, 10, 64) and set(s.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(s, depth_init.init_spikes_for(data, 3, 5, 10))
    assert (s[:, data.x_train[:10] == 0] == 0).all()  # a black pixel never spikes
    with pytest.raises(ValueError, match="n_init must be a positive integer; got 0"):
        depth_init.init_spikes_for(data, 0, 5, 0)


def test_train_one_learns_and_measures_before_and_after(small):
    run = depth_init.train_one(1, "default", 0, small, epochs=3)
    assert run.val_accuracy > 0.4  # chance 0.1
    assert len(run.before.silent) == 1 and len(run.after.rate) == 1
    again = depth_init.train_one(1, "default", 0, small, epochs=3)
    assert again.val_accuracy == run.val_accuracy  # same seed, same machine: the same run


def test_depth_grid_keeps_every_seed_and_tests_once(small):
    grid = depth_init.depth_grid(small, [1, 2], [0, 1], inits=("default", "uniform"), epochs=1)
    assert set(grid.results) == {(1, "default"), (1, "uniform"), (2, "default"), (2, "uniform")}
    assert grid.results[(2, "uniform")].shape == (2,) and len(grid.activity[(2, "uniform")]) == 2
    single = depth_init.train_one(2, "uniform", 1, small, epochs=1)
    assert grid.results[(2, "uniform")][1].item() == pytest.approx(single.val_accuracy)
    m, s = grid.mean_sd((1, "default"))
    values = grid.results[(1, "default")]
    assert m == pytest.approx(values.mean().item()) and s == pytest.approx(
        abs(values[0] - values[1]).item() / 2**0.5
    )
    assert grid.chosen(1) in ("default", "uniform")
    test = grid.test([(1, "default")])
    assert test[(1, "default")].shape == (2,) and (test[(1, "default")] > 0.1).all()
    with pytest.raises(ValueError, match="depth must be one of the grid's depths; got 5"):
        grid.chosen(5)


def test_errors_name_the_argument(data):
    with pytest.raises(
        ValueError, match="init must be one of 'default', 'uniform', 'fluctuation'; got 'bias'"
    ):
        depth_init.build_model(2, "bias", 0, data)
    with pytest.raises(ValueError, match="depth must be a positive integer; got 0"):
        depth_init.build_model(0, "default", 0, data)
    with pytest.raises(TypeError, match="depth must be a positive integer; got float 2.0"):
        depth_init.build_model(2.0, "default", 0, data)
    with pytest.raises(ValueError, match="depths and seeds must each hold at least one value"):
        depth_init.depth_grid(data, [], [0])
    with pytest.raises(TypeError, match=r"settings must be among .*; got \['lr_decay'\]"):
        depth_init.depth_grid(data, [1], [0], lr_decay=0.5)


def test_device_is_taken_from_the_argument_and_the_model(data):
    # drawn on the CPU, then moved: the same weights whatever the device (CUDA where a test machine has it)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = depth_init.build_model(2, "fluctuation", 0, data, device=device)
    cpu = depth_init.build_model(2, "fluctuation", 0, data)
    assert model.hidden.weight.device.type == device
    assert torch.equal(model.layers[1].weight.cpu(), cpu.layers[1].weight)
    act = depth_init.layer_activity(model, torch.zeros(5, 3, 64))  # CPU input, moved to the model's device
    assert act.first_step == [0.0, 0.0] and act.silent == [1.0, 1.0]
