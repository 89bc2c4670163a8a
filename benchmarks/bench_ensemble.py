"""Throughput of the ensemble engine: N digit networks trained as one batched computation against N runs.

Run with `python benchmarks/bench_ensemble.py` (defaults: 20 networks, 1 epoch each, 5 rounds).
The work is notebook 08's digits run (snn_helpers.course.experiments): the 64-128-10 network of
notebook 07, T = 10 steps, batch 64, Adam lr 3e-3, on the 1,077 training images, for one epoch.

Compared, in interleaved rounds (each round times every variant once, in a shuffled order, so that
a change of the machine's load hits all of them alike; compare the ratios):
- sequential: `set_seed(seed); DigitsSNN(...); train_digits(...)` for each of the N networks in turn;
- ensemble:   `DigitsEnsemble` + `train_digits_ensemble` (its default track): the same work
              (it also scores every network on fresh codes of the training and test splits after the
              epoch, as train_digits does) and the same results up to rounding;
- ensemble, no evaluation: `track=()`, how notebook 08 trains (it scores the
              networks once, at the end, on the validation split).
Networks differ in seed (0 to N-1) and surrogate (the five bump families in turn), so no draw is
shared between members. Throughput is networks trained per second; "x sequential" is the ratio of
medians taken in the same run. The load average is printed before and after: on a shared machine
absolute times drift with it, the ratios much less.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time

import torch

from snn_helpers import set_seed
from snn_helpers.digits import DigitsSNN, load_digits_split, train_digits
from snn_helpers.ensemble import DigitsEnsemble, Member, train_digits_ensemble

FAMILIES = ["fast_sigmoid", "sigmoid", "atan", "triangle", "boxcar"]
SETTINGS = {"n_time": 10, "lr": 3e-3, "batch_size": 64}


def sequential(members: list[Member], data, epochs: int) -> None:
    for m in members:
        set_seed(m.seed)
        model = DigitsSNN(128, m.surrogate, m.slope)
        train_digits(model, data, epochs=epochs, seed=m.seed, **SETTINGS)


def ensemble(members: list[Member], data, epochs: int, evaluate: bool) -> None:
    train_digits_ensemble(
        DigitsEnsemble(members), data, epochs=epochs, track=("train", "test") if evaluate else (), **SETTINGS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data = load_digits_split()
    members = [Member(seed, FAMILIES[seed % len(FAMILIES)]) for seed in range(args.networks)]
    variants = {
        "sequential (train_digits)": lambda: sequential(members, data, args.epochs),
        "ensemble": lambda: ensemble(members, data, args.epochs, True),
        "ensemble, no evaluation": lambda: ensemble(members, data, args.epochs, False),
    }
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.machine()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    print(
        f"{args.networks} networks x {args.epochs} epoch(s), {args.rounds} rounds; load average before: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    ensemble(members[:2], data, 1, True)  # warm-up: kernel, allocator
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    order = list(variants)
    rng = random.Random(0)
    for _ in range(args.rounds):
        rng.shuffle(order)
        for name in order:
            w, c = time.perf_counter(), time.process_time()
            variants[name]()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base = statistics.median(wall["sequential (train_digits)"])
    print("| variant                   | median s | CPU s | networks/s | x sequential |")
    print("|---------------------------|----------|-------|------------|--------------|")
    for name in variants:
        med = statistics.median(wall[name])
        print(
            f"| {name:25s} | {med:8.2f} | {statistics.median(cpu[name]):5.2f} | "
            f"{args.networks / med:10.2f} | {base / med:12.2f} |"
        )


if __name__ == "__main__":
    main()
