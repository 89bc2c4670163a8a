"""The blog post's network, kept as close to its code as runs (test reference only).

Differences from the post, all needed for it to run: forward/backward are static
methods, the time length is a parameter, the membrane starts as a float zero.
Its in-place spike buffer of shape (n_time + 1, hidden) is kept on purpose.
"""

import torch
from torch import nn


class PostHeaviside(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input_):
        out = (input_ > 0).float()
        ctx.save_for_backward(out.bool())
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out


class PostIF(nn.Module):
    def __init__(self, threshold=1):
        super().__init__()
        self.threshold = threshold

    def forward(self, input_, v_previous, s_previous):
        x = v_previous * (1 - s_previous) + input_
        return x, PostHeaviside.apply(x - self.threshold)


class PostModel(nn.Module):
    def __init__(self, size_input, size_hidden, n_time=10):
        super().__init__()
        self.linear = nn.Linear(size_input, size_hidden)
        nn.init.uniform_(self.linear.bias, 0, 1.0)
        self.if_layer = PostIF()
        self.n_time = n_time
        self.size_hidden = size_hidden

    def forward(self, x):
        spikes = torch.zeros(size=(self.n_time + 1, self.size_hidden))
        v = torch.tensor([0.0])
        for timestep in range(self.n_time):
            hidden = self.linear(x[timestep])
            v, spikes[timestep + 1] = self.if_layer(hidden, v, spikes[timestep])
        return spikes[1:]
