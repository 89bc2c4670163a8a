"""What the course's tools share: the notebook list and the usual `[--out DIR] [NOTEBOOK ...]` arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def course_notebooks() -> list[Path]:
    """notebooks/NN_*.ipynb, in order."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


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
