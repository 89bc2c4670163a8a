"""Notebook 14's study: ff, rec and alif LIF networks against the delay of the memory task.

Usage: python tools/memory_grid.py [--seeds N] [--delays D,D,...] [--epochs E] [--engine fused|loop]

The memory task of notebook 14 (400 trials: 240 training, 80 validation, 80 test; 16 channels, a
10-step cue, a 10-step recall window, distractors at 0.05 per step; data seed 0) and its three
networks (32 hidden neurons, beta 0.9 so tau_m = 9.5 steps; the adaptive one with tau_a = 200 steps
and strength 20; the fused engine), Adam lr 1e-2, 20 epochs, batch 32, over seeds 0 to N-1 (5)
(`snn_helpers.course.memory_study`). Prints the validation accuracy (mean ± sd over the seeds) of
every kind at every delay; picks, on validation, the largest delay at which alif succeeds (mean at
least 0.9); there, the two after-training controls on validation, then, once, the test accuracy of
the three kinds and of the controls. A delay of 400 steps, two tau_a, is longer than every time
constant (the third control), and so is the chosen delay for an adaptive network whose tau_a is
10 steps (trained at that delay over the same seeds), once at strength 20 and once at the strength
that keeps the jump per spike, strength * (1 - exp(-1 / tau_a)), at its tau_a = 200 value. A new
readout, fitted to the recall-window counts with the hidden layer kept, asks whether the cue is still
there after each control (`readout_probe`). docs/studies.md records a run.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from dataclasses import replace

import torch

from snn_helpers.course.memory_study import MemorySettings, memory_grid
from snn_helpers.tasks.memory import KINDS

SUCCESS = 0.9
SHORT_TAU = 10.0


def cell(values: torch.Tensor) -> str:
    seeds = " ".join(f"{v:.4f}" for v in values.tolist())
    return f"{values.mean():.3f} ± {values.std():.3f}   seeds {seeds}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--delays", default="0,25,50,100,200,400")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--engine", default="fused", choices=("loop", "fused"))
    args = parser.parse_args()
    delays = [int(d) for d in args.delays.split(",")]
    torch.set_num_threads(1)
    settings = MemorySettings(epochs=args.epochs, engine=args.engine)
    print(f"torch {torch.__version__}, 1 thread, {platform.machine()}, Python {platform.python_version()}")
    print(f"settings: {settings}")
    start = time.perf_counter()
    grid = memory_grid(KINDS, delays, list(range(args.seeds)), settings)
    elapsed = time.perf_counter() - start
    load = os.getloadavg()[0]
    print(f"{len(KINDS) * len(delays) * args.seeds} networks in {elapsed:.0f} s (load average {load:.1f})")
    print(f"\nvalidation accuracy after {args.epochs} epochs, mean ± sd over {args.seeds} seeds; chance 0.5")
    print(f"{'delay':>6s}" + "".join(f"{kind:>16s}" for kind in KINDS))
    for delay in delays:
        row = [grid.validation[(kind, delay)] for kind in KINDS]
        print(f"{delay:6d}" + "".join(f"{f'{v.mean():.3f} ± {v.std():.3f}':>16s}" for v in row))
    good = [d for d in delays if grid.validation[("alif", d)].mean() >= SUCCESS]
    if not good:
        print(f"\nalif reaches {SUCCESS} at no delay: no controls")
        return
    chosen = max(good)
    print(f"\nlargest delay where alif reaches {SUCCESS} on validation: {chosen}")
    print("controls there, validation:")
    for name, values in grid.controls(chosen, "validation").items():
        print(f"{name:16s}{cell(values)}")
    print("a new readout fitted to the recall counts (hidden layer kept), validation:")
    for name, values in grid.probes(chosen).items():
        print(f"{name:16s}{cell(values)}")
    short = memory_grid(("alif",), [chosen], grid.seeds, replace(settings, tau_a=SHORT_TAU))
    print(f"alif with tau_a = {SHORT_TAU:g} steps, trained at delay {chosen}, validation:")
    print(f"{'alif, short tau':16s}{cell(short.validation[('alif', chosen)])}")
    # the same short tau_a with the per-spike jump strength * (1 - exp(-1 / tau_a)) of tau_a = 200
    jump = settings.adapt_strength * (1 - math.exp(-1 / settings.tau_a))
    matched = replace(settings, tau_a=SHORT_TAU, adapt_strength=jump / (1 - math.exp(-1 / SHORT_TAU)))
    same_jump = memory_grid(("alif",), [chosen], grid.seeds, matched)
    print(f"the same with strength {matched.adapt_strength:.3f} (per-spike jump {jump:.3f} as at tau_a 200):")
    print(f"{'alif, same jump':16s}{cell(same_jump.validation[('alif', chosen)])}")
    print(f"\nthe test split, once, at delay {chosen}:")
    for name, values in grid.test(chosen).items():
        print(f"{name:16s}{cell(values)}")
    for name, values in grid.controls(chosen, "test").items():
        if name != "alif":
            print(f"{name:16s}{cell(values)}")
    print(f"{'alif, short tau':16s}{cell(short.test(chosen)['alif'])}")
    print(f"{'alif, same jump':16s}{cell(same_jump.test(chosen)['alif'])}")
    print(f"\nall in {time.perf_counter() - start:.0f} s")
    print("\nper seed, validation (for the notebook):")
    for key, values in grid.validation.items():
        print(f"{key[0]:5s} {key[1]:4d} " + " ".join(f"{v:.4f}" for v in values.tolist()))


if __name__ == "__main__":
    main()
