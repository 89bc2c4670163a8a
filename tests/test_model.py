"""The model: the post's parameter count, shapes, equality with the post's code, errors."""

import pytest
import torch

from post_reference import PostModel
from snn_helpers import Model, random_binary_input, set_seed


def test_parameter_count_of_the_post():
    model = Model(300, 500)
    assert sum(p.numel() for p in model.parameters()) == 300 * 500 + 500 == 150_500


@pytest.mark.parametrize("engine", ["loop", "fused"])
def test_shapes_unbatched_and_batched(engine):
    model = Model(30, 20, n_time=7, engine=engine)
    assert model(torch.zeros(7, 30)).shape == (7, 20)
    spikes, membrane = model(torch.zeros(7, 4, 30), return_membrane=True)
    assert spikes.shape == membrane.shape == (7, 4, 20)


@pytest.mark.parametrize("engine", ["loop", "fused"])
def test_batched_equals_each_sample_alone(engine):
    set_seed(3)
    model = Model(30, 40, engine=engine)
    x = random_binary_input(10, 30, batch=5)
    batched = model(x)
    for b in range(5):
        assert torch.equal(batched[:, b], model(x[:, b]))


def test_spikes_and_gradients_equal_the_posts_code():
    set_seed(0)
    post = PostModel(300, 500)
    ours = Model(300, 500)
    ours.load_state_dict(post.state_dict())
    x = random_binary_input(10, 300)
    s_post, s_ours = post(x), ours(x)
    assert torch.equal(s_post, s_ours)
    (s_post.mean() ** 2).backward()
    (s_ours.mean() ** 2).backward()
    for p_post, p_ours in zip(post.parameters(), ours.parameters(), strict=True):
        torch.testing.assert_close(p_ours.grad, p_post.grad, rtol=0, atol=0)


def test_bias_init():
    set_seed(0)
    uniform, default = Model(300, 500).linear.bias, Model(300, 500, bias_init="default").linear.bias
    assert 0 <= uniform.min() and uniform.max() <= 1 and uniform.mean() > 0.4
    assert default.abs().max() <= 300**-0.5


@pytest.mark.parametrize(("bias_init", "low", "high"), [("default", 0.0, 0.03), ("uniform", 0.10, 1.0)])
def test_first_step_firing_fraction(bias_init, low, high):
    set_seed(0)
    model = Model(300, 500, bias_init=bias_init)
    fraction = model(random_binary_input(10, 300))[0].mean().item()
    assert low <= fraction < high


def test_membrane_is_before_reset():
    model = Model(1, 1, n_time=3)
    with torch.no_grad():
        model.linear.weight.fill_(0.0)
        model.linear.bias.fill_(0.6)
    spikes, membrane = model(torch.zeros(3, 1), return_membrane=True)
    assert membrane.flatten().tolist() == pytest.approx([0.6, 1.2, 0.6])
    assert spikes.flatten().tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        (torch.zeros(300), ValueError, r"x must have 2 dims .* or 3 dims .*; got 1 dims, shape \(300,\)"),
        (torch.zeros(10, 2, 3, 300), ValueError, r"got 4 dims"),
        (torch.zeros(9, 300), ValueError, r"x must have n_time=10 steps on dim 0; got 9"),
        (torch.zeros(10, 299), ValueError, r"x must have size_input=300 features on its last dim; got 299"),
        (torch.full((10, 300), float("nan")), ValueError, r"x must not contain NaN; got 3000 NaN"),
        (
            torch.zeros(10, 300, dtype=torch.int64),
            TypeError,
            r"x must be a floating-point tensor; got dtype torch.int64",
        ),
        ([[0.0] * 300] * 10, TypeError, r"x must be a torch.Tensor; got list"),
    ],
)
@pytest.mark.parametrize("engine", ["loop", "fused"])
def test_bad_input_is_refused(x, error, message, engine):
    with pytest.raises(error, match=message):
        Model(300, 500, engine=engine)(x)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"threshold": 0.0}, ValueError, r"threshold must be a positive number; got 0.0"),
        ({"reset": "hard"}, ValueError, r"reset must be one of 'zero', 'subtract'; got 'hard'"),
        ({"surrogate": "erf"}, ValueError, r"surrogate must be one of 'post', .*; got 'erf'"),
        ({"bias_init": "zeros"}, ValueError, r"bias_init must be one of 'uniform', 'default'; got 'zeros'"),
        ({"engine": "cuda"}, ValueError, r"engine must be one of 'loop', 'fused'; got 'cuda'"),
        ({"n_time": 0}, ValueError, r"n_time must be a positive integer; got 0"),
        ({"n_time": 2.5}, TypeError, r"n_time must be a positive integer; got float 2.5"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        Model(300, 500, **kwargs)


def test_bad_sizes_are_refused():
    with pytest.raises(TypeError, match=r"size_input must be a positive integer; got float 300.0"):
        Model(300.0, 500)
    with pytest.raises(ValueError, match=r"size_hidden must be a positive integer; got -5"):
        Model(300, -5)


@pytest.mark.parametrize("engine", ["loop", "fused"])
def test_forward_and_backward_run_where_the_input_is(engine):
    # The meta device has no data: forward and backward there show that no step of either engine
    # creates its tensors on the CPU (a CPU tensor meeting a meta one raises).
    model = Model(30, 20, engine=engine, surrogate="fast_sigmoid", beta=0.9).to("meta")
    spikes, membrane = model(torch.empty(10, 4, 30, device="meta"), return_membrane=True)
    assert spikes.device.type == membrane.device.type == "meta" and spikes.shape == (10, 4, 20)
    (spikes.sum() + membrane.sum()).backward()
    assert model.linear.weight.grad.device.type == "meta" and model.linear.weight.grad.shape == (20, 30)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)")
@pytest.mark.parametrize("beta", [1.0, 0.8])
def test_loop_and_fused_agree_on_a_gpu(beta):
    set_seed(5)
    kwargs = dict(n_time=12, surrogate="atan", beta=beta)
    loop, fused = Model(30, 40, **kwargs).cuda(), Model(30, 40, engine="fused", **kwargs).cuda()
    fused.load_state_dict(loop.state_dict())
    x = random_binary_input(12, 30, 8).cuda()
    (s_loop, v_loop), (s_fused, v_fused) = loop(x, return_membrane=True), fused(x, return_membrane=True)
    assert s_fused.device.type == "cuda" and torch.equal(s_loop, s_fused) and torch.equal(v_loop, v_fused)
    (s_loop.mean() ** 2).backward()
    (s_fused.mean() ** 2).backward()
    for p_fused, p_loop in zip(fused.parameters(), loop.parameters(), strict=True):
        torch.testing.assert_close(p_fused.grad, p_loop.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("engine", ["loop", "fused"])
def test_beta_reaches_the_neuron(engine):
    # weight 0, bias 0.6, beta 0.5: v = 0.6, 0.9, 1.05 (fires), 0.6 (reset to zero)
    model = Model(1, 1, n_time=4, engine=engine, beta=0.5)
    assert model.if_layer.beta == 0.5
    with torch.no_grad():
        model.linear.weight.fill_(0.0)
        model.linear.bias.fill_(0.6)
    spikes, membrane = model(torch.zeros(4, 1), return_membrane=True)
    assert membrane.flatten().tolist() == pytest.approx([0.6, 0.9, 1.05, 0.6])
    assert spikes.flatten().tolist() == [0, 0, 1, 0]


def test_bad_beta_is_refused():
    with pytest.raises(ValueError, match=r"beta must be a number in \(0, 1\] .*; got 1.2"):
        Model(30, 20, beta=1.2)
