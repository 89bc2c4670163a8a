"""What the course's tools and tests share: the notebook list, the notebooks' environment and the usual
`[--out DIR] [NOTEBOOK ...]` arguments. One place for each setting (conftest.py imports it too)."""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile
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


# The figure check (tools/figcheck.py) reaches the kernels of the strict nbval run (conftest.py) and of
# tools/regenerate.py through an IPython startup file in an IPYTHONDIR of their own; a learner's
# JupyterLab, which uses the learner's IPYTHONDIR, never loads it.
FIGURE_CHECK_STARTUP = """\
# Written by tools/course_files.py: the course's figure check, for the test and regenerate kernels only.
def _course_figure_check():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_course_figcheck", {path!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()


_course_figure_check()
del _course_figure_check
"""


def figure_check_env() -> dict[str, str]:
    """``{"IPYTHONDIR": ...}``: a folder (made once per process) whose startup file installs the check."""
    global _FIGURE_CHECK_DIR
    if _FIGURE_CHECK_DIR is None or not Path(_FIGURE_CHECK_DIR).is_dir():
        folder = Path(tempfile.mkdtemp(prefix="course-ipython-"))
        startup = folder / "profile_default" / "startup"
        startup.mkdir(parents=True)
        text = FIGURE_CHECK_STARTUP.format(path=str(ROOT / "tools" / "figcheck.py"))
        (startup / "00-course-figure-check.py").write_text(text, encoding="utf-8")
        _FIGURE_CHECK_DIR = str(folder)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return {"IPYTHONDIR": _FIGURE_CHECK_DIR}


_FIGURE_CHECK_DIR: str | None = None


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
