"""What one student costs a hub: peak memory and CPU seconds of each notebook (`make measure-class`).

Usage: python tools/measure_class.py [--repeat N] [NOTEBOOK ...]   (default: every notebook, once)

Each notebook runs top to bottom on a fresh kernel, as a student who has done every exercise runs
it (the notebooks in notebooks/, with their solutions), in the notebooks' environment
(tools/course_files.py). Measured on the kernel process itself, from /proc (Linux): its peak
resident memory (VmHWM: the most physical memory it ever held, what a hub's memory limit must
allow) and the CPU seconds it used (user + system, its threads included), beside the wall time.
Prints a table, the heaviest notebook, and the load average at the start and the end, since a
loaded machine stretches the wall time (the CPU seconds hardly move). docs/teaching.md, "Sizing a
hub", turns the table into per-user limits.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from course_files import NOTEBOOK_ENV, course_notebooks
from nbclient import NotebookClient

TICKS = os.sysconf("SC_CLK_TCK")


def kernel_usage(pid: int) -> tuple[float, float]:
    """(peak resident memory in MiB, CPU seconds) of process ``pid`` so far."""
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), counted from 1
    return peak_kib / 1024, (utime + stime) / TICKS


def measure(path: Path) -> tuple[float, float, float]:
    """Run ``path`` on a fresh kernel: (peak MiB, CPU seconds, wall seconds)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    with client.setup_kernel(env={**os.environ, **NOTEBOOK_ENV}):
        for index, cell in enumerate(client.nb.cells):
            client.execute_cell(cell, index)
        peak, cpu = kernel_usage(client.km.provisioner.process.pid)
    return peak, cpu, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per notebook; the table shows the largest"
    )
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or course_notebooks()
    load_start = os.getloadavg()[0]
    rows = []
    print(f"{'notebook':<28} {'peak memory':>12} {'CPU':>8} {'wall':>8}")
    for path in paths:
        runs = [measure(path) for _ in range(args.repeat)]
        peak, cpu, wall = (max(r[i] for r in runs) for i in range(3))
        rows.append((path.stem, peak, cpu, wall))
        print(f"{path.stem:<28} {peak:>8.0f} MiB {cpu:>6.1f} s {wall:>6.1f} s", flush=True)
    name, peak, cpu, _ = max(rows, key=lambda r: r[1])
    heaviest_cpu = max(rows, key=lambda r: r[2])
    print(f"heaviest in memory: {name} ({peak:.0f} MiB); in CPU: {heaviest_cpu[0]} ({heaviest_cpu[2]:.1f} s)")
    print(f"all {len(rows)} notebooks: {sum(r[2] for r in rows):.0f} CPU seconds in all")
    print(f"load average (1 min): {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
