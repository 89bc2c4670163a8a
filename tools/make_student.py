"""Write student copies of the notebooks (`make student`): solutions out, outputs cleared.

Usage: python tools/make_student.py [--out student] [--keep-existing] [notebooks/NN_name.ipynb ...]
(default: all notebooks, and the Japanese edition of notebooks/ja/ into student/ja/).
`--keep-existing` (used by `make lab-student` and setup) writes only the copies that
are missing, so a learner's work in a copy is never overwritten, and says in one line how many it
kept; without it (`make student`, for a teacher) every copy is rewritten.

In every code cell, each region from a `### BEGIN SOLUTION` line to its `### END SOLUTION`
line (nbgrader's markers) is replaced by `raise NotImplementedError()` at the indentation of
the BEGIN line; the lines before and after the region stay. Every output and execution count
is cleared. The kernel's Python version goes into `language_info` as the kernel would write it
(the course's notebooks store none), so a copy opened and saved untouched stays byte for byte the
same and JupyterLab shows no unsaved change. The copies go to a folder that git ignores.
"""

from __future__ import annotations

import re
import sys

import nbformat
from course_files import NOTEBOOK_PATTERN, ROOT, course_notebooks, parse_out_and_notebooks

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")


def strip_solutions(source: str) -> str:
    """Replace each solution region of a cell's source by `raise NotImplementedError()`."""
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise ValueError(f"line {number}: BEGIN SOLUTION inside a solution region")
            out.append(f"{begin.group(1)}raise NotImplementedError()")
            inside = True
        elif END.match(line):
            if not inside:
                raise ValueError(f"line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("a BEGIN SOLUTION region is never closed")
    return "\n".join(out)


def student_copy(nb: nbformat.NotebookNode, python_version: str | None = None) -> nbformat.NotebookNode:
    """Solutions out, outputs cleared; ``language_info.version`` set to ``python_version`` (default:
    this Python's, which is the course kernel's when run from the course's venv)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
    # what ipykernel's kernel_info reports, which JupyterLab writes into the notebook on opening it
    nb.metadata["language_info"] = {
        **nb.metadata.get("language_info", {}),
        "name": "python",
        "version": python_version or sys.version.split()[0],
        "mimetype": "text/x-python",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "pygments_lexer": "ipython3",
        "nbconvert_exporter": "python",
        "file_extension": ".py",
    }
    return nb


def count_exercises(nb: nbformat.NotebookNode) -> int:
    """Code cells holding at least one solution region: the notebook's exercises."""
    return sum(
        any(BEGIN.match(line) for line in c.source.splitlines()) for c in nb.cells if c.cell_type == "code"
    )


def main(argv: list[str]) -> int:
    keep = "--keep-existing" in argv
    out, paths = parse_out_and_notebooks(
        [a for a in argv if a != "--keep-existing"], __doc__.splitlines()[0], "student"
    )
    pairs = [(path, out / path.name) for path in paths]
    if paths == course_notebooks():  # the whole course: the Japanese edition too, into student/ja/
        (out / "ja").mkdir(exist_ok=True)
        pairs += [
            (path, out / "ja" / path.name)
            for path in sorted((ROOT / "notebooks" / "ja").glob(NOTEBOOK_PATTERN))
        ]
    kept = 0
    for path, target in pairs:
        if keep and target.exists():
            kept += 1
            continue
        source = nbformat.read(path, as_version=4)
        exercises = count_exercises(source)
        nb = student_copy(source)
        nbformat.validate(nb)
        nbformat.write(nb, target)
        print(f"{target}: {exercises} exercises to solve")
    if kept:
        print(f"{out}: kept {kept} of your copies as they were (your work in them stays)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
