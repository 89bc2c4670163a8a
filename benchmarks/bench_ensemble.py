"""Throughput of the ensemble engine: N digit networks trained as one batched computation against N runs.

Run with `python benchmarks/bench_ensemble.py` (defaults: 20 networks, 1 epoch each, 5 rounds, torch's
default thread count; `--threads 1` pins one). The work is notebook 08's digits run
(snn_helpers.course.experiments): the 64-128-10 network of notebook 07, T = 10 steps, batch 64, Adam
lr 3e-3, on the 1,077 training images, for one epoch.

Two sets of 20 networks:
- distinct: seeds 0 to 19, the five bump surrogates in turn; no two networks share a draw;
- paired:   seeds 0 to 3, each with the five bump surrogates: notebook 08's design (every surrogate
            sees the same initial weights and inputs), where members that share a seed share the
            input draws that 20 separate runs make 5 times over.
Two kinds of work:
- scored:   as `train_digits` runs by default: after the epoch every network is scored on fresh
            rate codes of the training and test splits;
- training: no split is scored during training (`track=()`), as notebook 08 trains.

Each (set, work) pair is timed both ways: `set_seed(seed); DigitsSNN(...); train_digits(...)` for
each network in turn ("sequential"), and `DigitsEnsemble` + `train_digits_ensemble` ("ensemble"),
which does the same work with the same results up to rounding. Interleaved rounds: each round times
every variant once, in a shuffled order, so that a change of the machine's load hits all alike.
Printed: the median wall time and CPU time per variant, the ensemble's networks trained per second,
and for each pair the ratio of the sequential median to the ensemble median, measured in the same run.
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
from snn_helpers.course.ensemble import DigitsEnsemble, Member, train_digits_ensemble
from snn_helpers.tasks.digits import DigitsSNN, load_digits_split, train_digits

FAMILIES = ["fast_sigmoid", "sigmoid", "atan", "triangle", "boxcar"]
SETTINGS = {"n_time": 10, "lr": 3e-3, "batch_size": 64}
WORK = {"scored": ("train", "test"), "training": ()}


def member_sets(n: int) -> dict[str, list[Member]]:
    distinct = [Member(seed, FAMILIES[seed % len(FAMILIES)]) for seed in range(n)]
    paired = [Member(i // len(FAMILIES), FAMILIES[i % len(FAMILIES)]) for i in range(n)]
    return {"distinct": distinct, "paired": paired}


def sequential(members: list[Member], data, epochs: int, track: tuple[str, ...]) -> None:
    for m in members:
        set_seed(m.seed)
        model = DigitsSNN(128, m.surrogate, m.slope)
        train_digits(model, data, epochs=epochs, seed=m.seed, track=track, **SETTINGS)


def ensemble(members: list[Member], data, epochs: int, track: tuple[str, ...]) -> None:
    train_digits_ensemble(DigitsEnsemble(members), data, epochs=epochs, track=track, **SETTINGS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    data = load_digits_split()
    variants = {}
    for set_name, members in member_sets(args.networks).items():
        for work, track in WORK.items():
            for how, fn in [("sequential", sequential), ("ensemble", ensemble)]:
                variants[(set_name, work, how)] = lambda fn=fn, m=members, t=track: fn(
                    m, data, args.epochs, t
                )
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.machine()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    print(
        f"{args.networks} networks x {args.epochs} epoch(s), {args.rounds} rounds; load average before: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    ensemble(member_sets(2)["distinct"], data, 1, ("train", "test"))  # warm-up: allocator, first calls
    sequential(member_sets(2)["distinct"], data, 1, ("train", "test"))
    wall = {key: [] for key in variants}
    cpu = {key: [] for key in variants}
    order = list(variants)
    rng = random.Random(0)
    for _ in range(args.rounds):
        rng.shuffle(order)
        for key in order:
            w, c = time.perf_counter(), time.process_time()
            variants[key]()
            wall[key].append(time.perf_counter() - w)
            cpu[key].append(time.process_time() - c)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| networks | work     | sequential s (CPU s) | ensemble s (CPU s) | networks/s | x sequential |")
    print("|----------|----------|----------------------|--------------------|------------|--------------|")
    for set_name in member_sets(args.networks):
        for work in WORK:
            seq, ens = (statistics.median(wall[(set_name, work, how)]) for how in ("sequential", "ensemble"))
            seq_cpu, ens_cpu = (
                statistics.median(cpu[(set_name, work, h)]) for h in ("sequential", "ensemble")
            )
            rate = args.networks * args.epochs / ens
            print(
                f"| {set_name:8s} | {work:8s} | {seq:8.2f} ({seq_cpu:5.2f})      "
                f"| {ens:8.2f} ({ens_cpu:5.2f})    | {rate:10.1f} | {seq / ens:12.2f} |"
            )


if __name__ == "__main__":
    main()
