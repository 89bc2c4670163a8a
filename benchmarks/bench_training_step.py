"""Median time of one training step (forward + backward + SGD) of Linear(300 -> 500) + IF.

Run with `make bench` (installs benchmarks/requirements.txt first). Everything is measured in
one process, in interleaved rounds (each round times every implementation once, in a shuffled
order), so that a change of the machine's load hits all of them alike; compare the ratios.

Implementations, all the same network (threshold 1, reset to 0, beta 1 / no leak):
- course loop:  snn_helpers.Model(engine="loop"), the post's per-step loop;
- course fused: snn_helpers.Model(engine="fused"), one matmul + one autograd Function;
- snnTorch:     Linear per step + snntorch.Leaky(beta=1, reset_mechanism="zero"), its idiom;
- SpikingJelly: Linear over all steps + IFNode(v_reset=0, step_mode="m"), its multi-step idiom;
- Norse:        Linear per step + norse.torch.IAFCell, its idiom;
- bound:        the Linear alone, one matmul over all steps, forward + backward + SGD: no
                implementation of this network can do less work.
A peer that is not installed is skipped with a line saying so.

Subnormal floats are flushed to zero (see main).
"saved MB" is the memory the forward pass keeps for the backward pass (tensors saved by autograd,
unique storages, parameters and input included), measured with saved_tensors_hooks.
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable

import torch
from harness import interleaved_medians
from torch import nn

from snn_helpers import Model, set_seed
from snn_helpers.core.profiling import saved_megabytes

SIZES = [(1, 10, 500), (128, 10, 500), (128, 100, 500)]
SIZE_INPUT = 300


def loss_of(spikes: torch.Tensor) -> torch.Tensor:
    return spikes.mean() ** 2


def course(engine: str, batch: int, n_time: int, hidden: int) -> tuple[nn.Module, Callable]:
    model = Model(SIZE_INPUT, hidden, n_time=n_time, engine=engine)
    return model, lambda x: model(x)


def bound(batch: int, n_time: int, hidden: int) -> tuple[nn.Module, Callable]:
    linear = nn.Linear(SIZE_INPUT, hidden)
    return linear, lambda x: linear(x)


def snntorch_peer(batch: int, n_time: int, hidden: int) -> tuple[nn.Module, Callable]:
    import snntorch

    net = nn.ModuleDict(
        {"fc": nn.Linear(SIZE_INPUT, hidden), "lif": snntorch.Leaky(beta=1.0, reset_mechanism="zero")}
    )

    def forward(x):
        mem = net["lif"].init_leaky()
        out = []
        for t in range(x.shape[0]):
            spk, mem = net["lif"](net["fc"](x[t]), mem)
            out.append(spk)
        return torch.stack(out)

    return net, forward


def spikingjelly_peer(batch: int, n_time: int, hidden: int) -> tuple[nn.Module, Callable]:
    from spikingjelly.activation_based import functional, neuron

    net = nn.ModuleDict(
        {"fc": nn.Linear(SIZE_INPUT, hidden), "if": neuron.IFNode(v_reset=0.0, step_mode="m")}
    )

    def forward(x):
        functional.reset_net(net)
        return net["if"](net["fc"](x))

    return net, forward


def norse_peer(batch: int, n_time: int, hidden: int) -> tuple[nn.Module, Callable]:
    import norse.torch as norse

    net = nn.ModuleDict({"fc": nn.Linear(SIZE_INPUT, hidden), "iaf": norse.IAFCell()})

    def forward(x):
        state, out = None, []
        for t in range(x.shape[0]):
            z, state = net["iaf"](net["fc"](x[t]), state)
            out.append(z)
        return torch.stack(out)

    return net, forward


IMPLEMENTATIONS: dict[str, Callable] = {
    "course loop": lambda *s: course("loop", *s),
    "course fused": lambda *s: course("fused", *s),
    "snnTorch Leaky": snntorch_peer,
    "SpikingJelly IFNode": spikingjelly_peer,
    "Norse IAFCell": norse_peer,
    "bound (Linear only)": bound,
}
PEERS = ["snnTorch Leaky", "SpikingJelly IFNode", "Norse IAFCell"]


def make_step(factory: Callable, size: tuple[int, int, int], device: torch.device) -> Callable[[], None]:
    batch, n_time, hidden = size
    module, forward = factory(batch, n_time, hidden)
    module.to(device)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1, momentum=0.9)
    x = torch.randint(0, 2, (n_time, batch, SIZE_INPUT), device=device).float()

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
            factory(1, 2, 4)
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
    args = parser.parse_args()
    device = torch.device(args.device)
    # The task drives every network to silence, so gradients and SGD's momentum decay towards
    # zero and, after a few hundred steps, into subnormal floats, which x86 CPUs process up to
    # 100 times slower. Flushing them to zero keeps every implementation on the normal path.
    torch.set_flush_denormal(True)
    set_seed(0)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    impls = available()
    for size in SIZES:
        steps = {name: make_step(factory, size, device) for name, factory in impls.items()}
        report(
            size,
            interleaved_medians(steps, args.rounds, args.budget_ms, device),
            {n: saved_megabytes(lambda s=s: loss_of(s.forward(s.x))) for n, s in steps.items()},
        )


def report(size: tuple[int, int, int], median: dict[str, float], saved: dict[str, float]) -> None:
    bound_ms = median.get("bound (Linear only)")
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
