"""Median time of one training step (forward + backward + SGD) of a recurrent LIF layer.

Run with `python benchmarks/bench_recurrent.py` after `make bench` has installed the peers
(benchmarks/requirements.txt, with --no-deps). Everything is measured in one process, in
interleaved rounds (each round times every implementation once, in a shuffled order), so that a
change of the machine's load hits all of them alike; compare the ratios.

The network: Linear(100 -> hidden) input, then `hidden` LIF neurons with a recurrent weight on the
previous step's spikes, leak beta = 0.9, threshold 1, reset to 0; input `[steps, batch, 100]` of
0s and 1s (each 1 with probability 0.2); loss `(mean(spikes) - 0.1) ** 2`, which keeps the neurons
firing. Implementations, each the way its documentation writes it:
- course loop:  snn_helpers.core.recurrent.RecurrentLIF(engine="loop"), step by step under autograd;
- course fused: RecurrentLIF(engine="fused"): one input matmul, the recurrence in one autograd Function;
- snnTorch:     Linear per step + snntorch.RLeaky(beta, linear_features=hidden, reset_mechanism="zero");
- SpikingJelly: Linear over all steps + layer.LinearRecurrentContainer(neuron.LIFNode(tau=10,
                decay_input=False, v_reset=0), hidden, hidden, step_mode="m") (its recurrent
                Linear maps [input, previous spikes] of 2 x hidden features to hidden: twice our
                recurrent product, as its documentation builds it);
- Norse:        norse.torch.LIFRecurrentCell(100, hidden) per step, its default parameters (it holds
                the input and recurrent weights itself and also integrates a synaptic current);
- bound:        the input Linear over all steps and one [steps x batch, hidden] x [hidden, hidden]
                product standing for all the recurrent products, forward + backward + SGD: the
                matrix products any implementation must do, without a time loop.
A peer that is not installed is skipped with a line saying so.

Subnormal floats are flushed to zero. "saved MB" is the memory the forward pass keeps for the
backward pass (tensors saved by autograd, unique storages, parameters and input included).
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable

import torch
from harness import interleaved_medians
from torch import nn

from snn_helpers import set_seed
from snn_helpers.core import recurrent_kernel
from snn_helpers.core.profiling import saved_megabytes
from snn_helpers.core.recurrent import RecurrentLIF

SIZES = [(1, 100, 256), (128, 100, 256)]
SIZE_INPUT = 100
BETA = 0.9


def loss_of(spikes: torch.Tensor) -> torch.Tensor:
    return (spikes.mean() - 0.1) ** 2


def course(engine: str, hidden: int) -> tuple[nn.Module, Callable]:
    layer = RecurrentLIF(SIZE_INPUT, hidden, beta=BETA, reset="zero", surrogate="fast_sigmoid", engine=engine)
    return layer, lambda x: layer(x)


def bound(hidden: int) -> tuple[nn.Module, Callable]:
    net = nn.ModuleDict({"fc": nn.Linear(SIZE_INPUT, hidden), "rec": nn.Linear(hidden, hidden, bias=False)})

    def forward(x):
        current = net["fc"](x)
        return net["rec"](current.reshape(-1, hidden))

    return net, forward


def snntorch_peer(hidden: int) -> tuple[nn.Module, Callable]:
    import snntorch

    net = nn.ModuleDict(
        {
            "fc": nn.Linear(SIZE_INPUT, hidden),
            "lif": snntorch.RLeaky(beta=BETA, linear_features=hidden, reset_mechanism="zero"),
        }
    )

    def forward(x):
        spk, mem = net["lif"].init_rleaky()
        out = []
        for t in range(x.shape[0]):
            spk, mem = net["lif"](net["fc"](x[t]), spk, mem)
            out.append(spk)
        return torch.stack(out)

    return net, forward


def spikingjelly_peer(hidden: int) -> tuple[nn.Module, Callable]:
    from spikingjelly.activation_based import functional, layer, neuron

    lif = neuron.LIFNode(tau=1 / (1 - BETA), decay_input=False, v_reset=0.0)
    net = nn.ModuleDict(
        {
            "fc": nn.Linear(SIZE_INPUT, hidden),
            "rec": layer.LinearRecurrentContainer(lif, hidden, hidden, step_mode="m"),
        }
    )

    def forward(x):
        functional.reset_net(net)
        return net["rec"](net["fc"](x))

    return net, forward


def norse_peer(hidden: int) -> tuple[nn.Module, Callable]:
    import norse.torch as norse

    cell = norse.LIFRecurrentCell(SIZE_INPUT, hidden)

    def forward(x):
        state, out = None, []
        for t in range(x.shape[0]):
            z, state = cell(x[t], state)
            out.append(z)
        return torch.stack(out)

    return cell, forward


IMPLEMENTATIONS: dict[str, Callable] = {
    "course loop": lambda h: course("loop", h),
    "course fused": lambda h: course("fused", h),
    "snnTorch RLeaky": snntorch_peer,
    "SpikingJelly RecCont": spikingjelly_peer,
    "Norse LIFRecurrent": norse_peer,
    "bound (matmuls only)": bound,
}
PEERS = ["snnTorch RLeaky", "SpikingJelly RecCont", "Norse LIFRecurrent"]


def make_step(factory: Callable, size: tuple[int, int, int], device: torch.device) -> Callable[[], None]:
    batch, n_time, hidden = size
    module, forward = factory(hidden)
    module.to(device)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1, momentum=0.9)
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(n_time, batch, SIZE_INPUT, generator=gen) < 0.2).float().to(device)

    def step() -> None:
        loss = loss_of(forward(x))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step.forward = forward  # type: ignore[attr-defined]
    step.x = x  # type: ignore[attr-defined]
    return step


def available() -> dict[str, Callable]:
    found = {}
    for name, factory in IMPLEMENTATIONS.items():
        try:
            factory(4)
            found[name] = factory
        except ImportError as exc:
            hint = "`make bench` installs benchmarks/requirements.txt"
            print(f"skipped {name}: not installed ({exc.name}); {hint}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per size")
    parser.add_argument("--budget-ms", type=float, default=100.0, help="target ms per sample (sets repeats)")
    parser.add_argument("--profile", action="store_true", help="also print the fused engine's top operations")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.set_flush_denormal(True)
    set_seed(0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"recurrent engine on the CPU: {recurrent_kernel.backend()}, load average {load:.2f}"
    )
    impls = available()
    for size in SIZES:
        steps = {name: make_step(factory, size, device) for name, factory in impls.items()}
        report(
            size,
            interleaved_medians(steps, args.rounds, args.budget_ms, device),
            {n: saved_megabytes(lambda s=s: loss_of(s.forward(s.x))) for n, s in steps.items()},
        )
        if args.profile:
            profile(steps["course fused"])
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at the end: {end_load:.2f}")


def profile(step: Callable[[], None]) -> None:
    from torch.profiler import profile as torch_profile

    with torch_profile() as prof:
        for _ in range(5):
            step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))


def report(size: tuple[int, int, int], median: dict[str, float], saved: dict[str, float]) -> None:
    bound_ms = median.get("bound (matmuls only)")
    peers = {n: median[n] for n in PEERS if n in median}
    fastest = min(peers, key=peers.get) if peers else None
    batch, n_time, hidden = size
    print(f"\n(batch, steps, hidden) = ({batch}, {n_time}, {hidden}); ", end="")
    print(f"fastest peer: {fastest or 'none installed'}")
    head = ["median ms", "x bound", "x fastest", "saved MB"]
    print(f"| {'implementation':20s} | " + " | ".join(f"{h:>9s}" for h in head) + " |")
    print(f"|{'-' * 22}|" + "|".join("-" * 11 for _ in head) + "|")
    for name, ms in median.items():
        xb = f"{ms / bound_ms:.2f}" if bound_ms else "-"
        xp = f"{ms / peers[fastest]:.2f}" if fastest else "-"
        print(f"| {name:20s} | {ms:9.3f} | {xb:>9s} | {xp:>9s} | {saved[name]:9.2f} |")


if __name__ == "__main__":
    main()
