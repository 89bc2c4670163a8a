"""How long each notebook takes to execute, top to bottom, on a fresh kernel (`make time-notebooks`).

Usage: python benchmarks/time_notebooks.py [--repeat N] [--budget SECONDS] [NOTEBOOK ...]

A measurement, not a test: it prints a table (median and range over N runs, kernel start included)
and marks the notebooks over the budget (15 s by default, the course's promise for a 2-core CPU).
Run it on an idle machine; docs/teaching.md records the numbers teachers plan with. The notebooks
are executed in memory: nothing is written back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from course_files import NOTEBOOK_ENV, ROOT, course_notebooks  # noqa: E402


def execute_seconds(path: Path) -> float:
    """Wall-clock seconds to start a kernel and run every cell of ``path``."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=15.0)
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    os.environ.update(NOTEBOOK_ENV)
    paths = [Path(p) for p in args.notebooks] or course_notebooks()
    print(f"| notebook | median s | min-max s | within {args.budget:g} s |")
    print("|---|---|---|---|")
    over = 0
    for path in paths:
        times = [execute_seconds(path) for _ in range(args.repeat)]
        median = statistics.median(times)
        over += median > args.budget
        name = path.relative_to(ROOT) if path.is_absolute() else path
        verdict = "yes" if median <= args.budget else "NO"
        print(f"| {name} | {median:.1f} | {min(times):.1f}-{max(times):.1f} | {verdict} |")
    print(f"\n{len(paths) - over} of {len(paths)} notebooks within {args.budget:g} s ({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
