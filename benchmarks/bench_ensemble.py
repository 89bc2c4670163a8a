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

`--against REV` (a git revision, e.g. `main`) times this tree's ensemble against the ensemble of REV
instead, in one process: REV's `snn_helpers` is extracted with `git archive` into a temporary folder and
imported as `snn_helpers_old`. Timed in interleaved rounds, old and new alike: one IF layer's forward and
backward at notebook 08's shape `[T=10, members=20, batch=64, neurons=128]` (163,840 columns per step,
fast-sigmoid surrogate, detached reset), and the two member sets trained for an epoch without scoring.
Printed: medians and the ratio new / old (the gate of issue 26: at most 1.05).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def load_old(rev: str, folder: Path):
    """REV's snn_helpers, extracted into ``folder`` and imported as the package ``snn_helpers_old``."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", rev, "snn_helpers"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "snn_helpers").rename(folder / "snn_helpers_old")
    sys.path.insert(0, str(folder))
    return importlib.import_module("snn_helpers_old.course.ensemble")


def layer_step(module, surrogate_layer: bool):
    """One IF layer, forward and backward, at [10, 20, 64, 128], on ``module``'s ensemble code."""
    gen = torch.Generator().manual_seed(0)
    current = torch.rand(10, 20, 64, 128, generator=gen) * 1.2
    weight = torch.randn(10, 20, 64, 128, generator=gen)
    members = [module.Member(*m) for m in member_sets(20)["paired"]]
    surrogates = module._Surrogates(module.check_members(members))
    args = (1.0, "zero", True)

    def step() -> None:
        c = current.clone().requires_grad_()
        if surrogate_layer:  # this tree: the fused engine with the members' surrogates
            spikes = module._if_spikes(c, args, surrogates)
        else:  # a2720d0 and before: the ensemble's own IF Function
            spikes = module._EnsembleIF.apply(c, *args, surrogates)
        (spikes * weight).sum().backward()

    return step


def against(rev: str, args) -> None:
    """Time this tree's ensemble against REV's in one process (see the module docstring)."""
    from snn_helpers.course import ensemble as new

    data = load_digits_split()
    short = subprocess.run(
        ["git", "rev-parse", "--short", rev], capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old(rev, Path(tmp))
        old_data = importlib.import_module("snn_helpers_old.tasks.digits").load_digits_split()
        variants = {
            ("IF layer [10, 20, 64, 128]", "old"): layer_step(old, hasattr(old, "_if_spikes")),
            ("IF layer [10, 20, 64, 128]", "new"): layer_step(new, True),
        }
        for set_name, members in member_sets(args.networks).items():
            for how, module, split in [("old", old, old_data), ("new", new, data)]:
                variants[(f"{set_name}, training", how)] = lambda mod=module, m=members, d=split: (
                    mod.train_digits_ensemble(
                        mod.DigitsEnsemble([mod.Member(*x) for x in m]),
                        d,
                        epochs=args.epochs,
                        track=(),
                        **SETTINGS,
                    )
                )
        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.machine()}, "
            f"{os.cpu_count()} CPUs; old = {rev} "
            f"({short}), "
            f"new = this tree; {args.rounds} rounds; load average before: "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        for fn in variants.values():  # warm-up: allocator, first calls, kernel load
            fn()
        wall, cpu, faults = ({key: [] for key in variants} for _ in range(3))
        order = list(variants)
        rng = random.Random(0)
        for _ in range(args.rounds):
            rng.shuffle(order)
            for key in order:
                f, c, w = (
                    resource.getrusage(resource.RUSAGE_SELF).ru_minflt,
                    time.process_time(),
                    time.perf_counter(),
                )
                variants[key]()
                wall[key].append(time.perf_counter() - w)
                cpu[key].append(time.process_time() - c)
                faults[key].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("Medians; CPU ms is this process's CPU time; faults: minor page faults (fresh memory pages).")
    print(
        "| work                       | old ms (CPU ms, faults) | new ms (CPU ms, faults) | new / old (CPU) |"
    )
    print(
        "|----------------------------|-------------------------|-------------------------|-----------------|"
    )
    for work in dict.fromkeys(w for w, _ in variants):
        row = {}
        for how in ("old", "new"):
            key = (work, how)
            row[how] = [statistics.median(d[key]) for d in (wall, cpu)] + [statistics.median(faults[key])]
        (ow, oc, of), (nw, nc, nf) = row["old"], row["new"]
        old_cells = f"{ow * 1e3:7.1f} ({oc * 1e3:6.1f}, {of:6.0f})"
        new_cells = f"{nw * 1e3:7.1f} ({nc * 1e3:6.1f}, {nf:6.0f})"
        print(f"| {work:26s} | {old_cells} | {new_cells} | {nw / ow:5.2f} ({nc / oc:5.2f})    |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--against", metavar="REV", help="time this tree's ensemble against REV's")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.against:
        against(args.against, args)
        return
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
