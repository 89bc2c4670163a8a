"""What the course's tools and tests share: the notebook list, the notebooks' environment and the usual
`[--out DIR] [NOTEBOOK ...]` arguments. One place for each setting (conftest.py imports it too)."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

# The environment of every notebook kernel, when regenerating (tools/regenerate.py) and when testing
# (conftest.py): a warning raised in a cell then names "<cell>" rather than a temporary file that
# changes at every run; hashing is seeded; figures render inline as PNG.
NOTEBOOK_ENV = {
    "IPYKERNEL_CELL_NAME": "<cell>",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    # a machine without a C++ compiler runs the fused engines on torch ops (the same results): its
    # notebooks must print what every other machine prints, so the fall-back warning (which `make`
    # already gave at setup) stays quiet here
    "SNN_HELPERS_KERNEL_WARN": "0",
}


def course_notebooks() -> list[Path]:
    """notebooks/NN_*.ipynb, in order."""
    return sorted((ROOT / "notebooks").glob(NOTEBOOK_PATTERN))


def parse_out_and_notebooks(argv: list[str], description: str, default_out: str) -> tuple[Path, list[Path]]:
    """Parse `[--out DIR] [NOTEBOOK ...]`; create DIR; default to every course notebook."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out", default=str(ROOT / default_out), help=f"output folder (default: {default_out}/)"
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out, [Path(p) for p in args.notebooks] or course_notebooks()
