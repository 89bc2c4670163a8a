"""Notebook 13's study: three initializations against depth on the digits.

Usage: python tools/init_depth_grid.py [--seeds N] [--depths D,D,...] [--epochs E] [--lr LR]

The digits split of notebook 07 (1,077 training, 270 validation, 450 test images) and
``DeepDigitsSNN`` with 1 to 4 hidden layers of 64 LIF neurons (beta 0.8, reset to zero, detached,
fast sigmoid), a 20-step rate code, Adam at 2e-3 (``--lr``) for 5 epochs (``--epochs``) in batches of 64
(``snn_helpers.course.depth_init.STUDY``); every init ("default", "uniform": the post's bias trick,
"fluctuation": xi = sigma = 1) at every depth over seeds 0 to N-1. Prints the validation accuracy
(mean ± sd over the seeds), the activity of the deepest hidden layer before training, the init each
depth would choose on validation, and then, once, the test accuracy of all three inits at the deepest
depth. About 0.5 s a network on one thread. docs/studies.md records a run.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from snn_helpers.course.depth_init import depth_grid
from snn_helpers.tasks.digits import DEEP_INITS, load_digits_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--depths", default="1,2,3,4")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=2e-3)
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, {platform.machine()}, Python {platform.python_version()}")
    data = load_digits_split()
    start = time.perf_counter()
    grid = depth_grid(data, depths, list(range(args.seeds)), epochs=args.epochs, lr=args.lr)
    elapsed = time.perf_counter() - start
    load = os.getloadavg()[0]
    print(f"{len(grid.results) * args.seeds} networks in {elapsed:.0f} s (load average {load:.1f})")
    print(
        f"\nvalidation accuracy after {args.epochs} epochs at lr {args.lr:g}, "
        f"mean ± sd over {args.seeds} seeds; chance 0.10"
    )
    print("| hidden layers | " + " | ".join(DEEP_INITS) + " | chosen |")
    print("|---|" + "---|" * (len(DEEP_INITS) + 1))
    for depth in depths:
        cells = [grid.mean_sd((depth, i)) for i in DEEP_INITS]
        row = " | ".join(f"{m:.3f} ± {s:.3f}" for m, s in cells)
        print(f"| {depth} | {row} | {grid.chosen(depth)} |")
    for when, k in [("before", 0), ("after", 1)]:
        print(
            f"\nhidden layers {when} training, mean over seeds (depth {depths[-1]}, layer 1 .. {depths[-1]})"
        )
        print("| init | first-step rate | silent | fires with zero input |")
        print("|---|---|---|---|")
        for init in DEEP_INITS:
            acts = [a[k] for a in grid.activity[(depths[-1], init)]]
            cols = []
            for name in ("first_step", "silent", "zero_input"):
                per_layer = torch.tensor([getattr(a, name) for a in acts]).mean(dim=0)
                cols.append(" / ".join(f"{v:.2f}" for v in per_layer.tolist()))
            print(f"| {init} | " + " | ".join(cols) + " |")
    deepest = depths[-1]
    test = grid.test([(deepest, i) for i in DEEP_INITS])
    print(f"\nthe test split, once, at {deepest} hidden layers:")
    for init in DEEP_INITS:
        t = test[(deepest, init)]
        m, _ = grid.mean_sd((deepest, init))
        print(f"{init:12s} validation {m:.3f}   test {t.mean():.3f} ± {t.std():.3f}")


if __name__ == "__main__":
    main()
