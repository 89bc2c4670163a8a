"""The surrogate grid of notebook 08 on notebook 12's temporal task (`make study-temporal`).

Usage: python tools/temporal_grid.py [--seeds N] [--widths W,W,...] [--epochs E]

Notebook 12's Randman data (10 classes, 20 channels, 40 steps, 50 samples per class, seed 0; 300
training, 100 validation, 100 test samples) and its feed-forward LIF network (64 neurons, beta 0.9,
Adam lr 1e-2, 15 epochs), trained for the post's rule and every bump family at every width, over
seeds 0 to N-1 (`snn_helpers.course.experiments.randman_grid`). Prints the validation accuracy
(mean ± standard deviation over the seeds), the configuration each family would choose on it (a tie
at three decimals goes to the narrower width), and then, once, the test accuracy of those choices.
About 0.17 s a network on one thread: 130 networks in about 25 s. docs/studies.md records a run.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from snn_helpers.course.experiments import BUMPS, randman_grid
from snn_helpers.tasks.randman import make_randman, split_randman


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--widths", default="0.2,0.5,1,2,5")
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    widths = tuple(float(w) for w in args.widths.split(","))
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, {platform.machine()}, Python {platform.python_version()}")
    data = split_randman(make_randman(n_classes=10, n_channels=20, n_steps=40, samples_per_class=50, seed=0))
    start = time.perf_counter()
    grid = randman_grid(data, widths, list(range(args.seeds)), epochs=args.epochs)
    elapsed = time.perf_counter() - start
    load = os.getloadavg()[0]
    print(f"{len(grid.results) * args.seeds} networks in {elapsed:.0f} s (load average {load:.1f})")
    print(f"\nvalidation accuracy after {args.epochs} epochs, mean ± sd over {args.seeds} seeds; chance 0.10")
    print(f"{'surrogate':13s}" + "".join(f"{f'w={w:g}':>16s}" for w in widths))
    for family in ("post", *BUMPS):
        cells = [grid.results[(family, None if family == "post" else w)]["val_accuracy"] for w in widths]
        if family == "post":
            cells = cells[:1]
        print(f"{family:13s}" + "".join(f"{f'{v.mean():.3f} ± {v.std():.3f}':>16s}" for v in cells))
    val = {c: r["val_accuracy"].mean().item() for c, r in grid.results.items()}
    # means over 5 seeds of 100 samples are multiples of 0.002: compare them at that resolution, so that
    # a tie goes to the narrower width (the first) and not to the last bit of a float sum
    best = [max((c for c in val if c[0] == f), key=lambda c: round(val[c], 3)) for f in BUMPS]
    best.append(("post", None))
    test = grid.test(best)
    print("\nchosen on validation; the test split, once:")
    for c in best:
        name = "post" if c[1] is None else f"{c[0]} w={c[1]:g}"
        t = test[c]
        print(f"{name:20s} validation {val[c]:.3f}   test {t.mean():.3f} ± {t.std():.3f}")


if __name__ == "__main__":
    main()
