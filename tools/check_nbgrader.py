"""Check that nbgrader takes the course's notebooks as they are (`make check-nbgrader`).

Usage: python tools/check_nbgrader.py NBGRADER [NOTEBOOK ...]   (default: every notebook)

NBGRADER is the path of an `nbgrader` executable (the Makefile installs nbgrader into its own venv,
`.venv-nbgrader`, so that its server extensions never reach the learners' JupyterLab). For each
notebook, a throw-away course folder is made, the notebook copied as an assignment's source, and
`nbgrader generate_assignment` run; the released copy must hold no solution line and one stub per
exercise. Prints one line per notebook; exits non-zero if any failed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from course_files import course_notebooks


def check(nbgrader: str, path: Path) -> str | None:
    """None if nbgrader released the notebook as expected, else what went wrong."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "snn"\n')
        source = course / "source" / path.stem
        source.mkdir(parents=True)
        shutil.copy(path, source / path.name)
        env_path = f"{Path(nbgrader).parent}:{Path(sys.executable).parent}"
        proc = subprocess.run(
            [nbgrader, "generate_assignment", path.stem, "--force"],
            cwd=course,
            capture_output=True,
            text=True,
            env={"PATH": env_path, "HOME": tmp},
        )
        released = course / "release" / path.stem / path.name
        if proc.returncode != 0 or not released.exists():
            errors = [ln for ln in proc.stderr.splitlines() if "ERROR" in ln]
            return "; ".join(errors[:2]) or f"exit {proc.returncode}"
        original = nbformat.read(path, as_version=4)
        out = nbformat.read(released, as_version=4)
        solutions = [c for c in original.cells if "### BEGIN SOLUTION" in c.get("source", "")]
        stubs = sum("raise NotImplementedError()" in c.source for c in out.cells if c.cell_type == "code")
        if any("### BEGIN SOLUTION" in c.source for c in out.cells) or stubs < len(solutions):
            return f"{len(solutions)} exercises but {stubs} stubs in the released copy"
    return None


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    nbgrader, paths = argv[0], [Path(p) for p in argv[1:]] or course_notebooks()
    failed = 0
    for path in paths:
        problem = check(nbgrader, path)
        failed += problem is not None
        print(
            f"{path.name}: {'released by nbgrader' if problem is None else 'FAILED: ' + problem}", flush=True
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
