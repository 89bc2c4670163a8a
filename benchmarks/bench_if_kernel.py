"""The fused IF engine's C++ kernel against its torch-ops fall-back, forward and backward, by size.

Run with `python benchmarks/bench_if_kernel.py` (defaults: T = 10 steps, the sizes below, 7 rounds,
torch's default thread count; `--threads 1` pins one). Each size N is the number of columns (batch x
neurons, or members x batch x neurons in notebook 08's ensemble) that the recurrence runs over: notebook
07's digits network has 64 x 128 = 8,192 in its hidden layer, notebook 08's ensemble of 20 members
163,840. The work is what the engine does for a network trained with a detached reset and the
fast-sigmoid surrogate (notebook 08's setting), with a gradient on the spikes only:

- forward:  the recurrence, ``[T, N]`` currents to spikes and membranes
  (``kernel.if_forward`` against ``fused._forward``);
- backward: the surrogate derivative over the sequence, then the recurrence back in time
  (``kernel.if_backward`` against ``fused._backward``).

Interleaved rounds (benchmarks/harness.py): each round times every variant once, in a shuffled order.
Printed: the median ms per call of each, and the ratio compiled / torch ops (below 1: the kernel is
faster). The two give the same results to the last bit (tests/test_kernel.py).
"""

from __future__ import annotations

import argparse
import os
import platform

import torch
from harness import interleaved_medians

from snn_helpers.core import kernel
from snn_helpers.core.fused import _EMPTY, _backward, _forward
from snn_helpers.core.spike import _grad

SIZES = (1_024, 8_192, 40_960, 81_920, 163_840, 327_680)
SURROGATE, SLOPE, THRESHOLD = "fast_sigmoid", 10.0, 1.0


def steps(n_time: int, n: int, compiled, reset: str) -> dict[str, callable]:
    gen = torch.Generator().manual_seed(n)
    current = torch.rand(n_time, n, generator=gen) * 1.2
    grad_spikes = torch.randn(n_time, n, generator=gen)
    zero = reset == "zero"
    _, v_all = _forward(current, THRESHOLD, reset)
    config = (THRESHOLD, reset, SURROGATE, SLOPE, True, 1.0)

    def backward_compiled() -> None:
        g_all = _grad(v_all - THRESHOLD, SURROGATE, SLOPE)
        compiled.if_backward(v_all, grad_spikes, _EMPTY, g_all, THRESHOLD, zero, True, 1.0)

    return {
        "forward compiled": lambda: compiled.if_forward(current, THRESHOLD, zero, 1.0),
        "forward torch ops": lambda: _forward(current, THRESHOLD, reset),
        "backward compiled": backward_compiled,
        "backward torch ops": lambda: _backward(v_all, grad_spikes, None, config),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--reset", choices=["zero", "subtract"], default="zero")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--budget-ms", type=float, default=30.0, help="time per sample")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    compiled = kernel.build()
    if compiled is None:
        raise SystemExit("the C++ kernel is not available here: nothing to compare")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; T = {args.time}, reset {args.reset}, {args.rounds} rounds; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; kernel {kernel._name()}"
    )
    print("|       N | forward compiled ms | torch ops ms | ratio | backward compiled | torch ops | ratio |")
    print("|---------|---------------------|--------------|-------|-------------------|-----------|-------|")
    cpu = torch.device("cpu")
    for n in args.sizes:
        ms = interleaved_medians(steps(args.time, n, compiled, args.reset), args.rounds, args.budget_ms, cpu)
        fc, ft, bc, bt = (ms[k] for k in ("forward compiled", "forward torch ops", "backward compiled",
                                           "backward torch ops"))  # fmt: skip
        row = f"| {n:7d} | {fc:19.3f} | {ft:12.3f} | {fc / ft:5.2f} | {bc:17.3f} | {bt:9.3f} | {bc / bt:5.2f}"
        print(row + " |")


if __name__ == "__main__":
    main()
