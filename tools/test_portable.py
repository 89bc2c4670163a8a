"""Strict nbval over the notebooks under each CPU setting a learner's machine may have (`make test-portable`).

Usage: python tools/test_portable.py [--settings NAME,NAME] [NOTEBOOK ...]
(default: every setting, every notebook)

Each setting is a set of environment variables that makes torch, MKL and oneDNN compute as another
CPU would (another vector width, another thread count) or switches the C++ kernel off. The rule the
notebooks keep so that this passes is in docs/maintaining.md ("The portability rule"). Prints one
line per setting and exits non-zero if any failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from course_files import ROOT, course_notebooks

AVX2 = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2"}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "avx2": AVX2,
    "avx2-1thread": AVX2 | ONE_THREAD,
    "sse42": {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "DNNL_MAX_CPU_ISA": "SSE41",
    },
    "1thread": ONE_THREAD,
    "4threads": {"OMP_NUM_THREADS": "4"},
    "no-kernel": {"SNN_HELPERS_KERNEL": "0"},
    # a learner who never built the kernels: an empty extension folder (a new one at every run)
    "unbuilt": {"TORCH_EXTENSIONS_DIR": "<a new empty folder>"},
}


def run(name: str, notebooks: list[str]) -> bool:
    env = os.environ | SETTINGS[name]
    if name == "unbuilt":
        env["TORCH_EXTENSIONS_DIR"] = tempfile.mkdtemp(prefix="snn-helpers-unbuilt-")
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *notebooks],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = next(
        (ln for ln in reversed(proc.stdout.splitlines()) if re.search(r"\b(passed|failed|error)", ln)), ""
    )
    failed = [ln for ln in proc.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
    print(f"{name:13s} {summary.strip('= ')} ({time.monotonic() - start:.0f} s)", flush=True)
    for line in failed:
        print(f"    {line}", flush=True)
    return proc.returncode == 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--settings", default=",".join(SETTINGS), help=f"comma-separated, of: {', '.join(SETTINGS)}"
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    args = parser.parse_args(argv)
    names = [n for n in args.settings.split(",") if n]
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        parser.error(f"unknown setting(s) {unknown}; choose from {list(SETTINGS)}")
    notebooks = args.notebooks or [str(p.relative_to(ROOT)) for p in course_notebooks()]
    results = [run(name, notebooks) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
