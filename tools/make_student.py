"""Write student copies of the notebooks (`make student`): solutions out, outputs cleared.

Usage: python tools/make_student.py [--out student] [--keep-existing] [notebooks/NN_name.ipynb ...]
(default: all notebooks, and the Japanese edition of notebooks/ja/ into student/ja/).
`--keep-existing` (used by `make lab-student`) writes only the copies that
are missing, so a learner's work in a copy is never overwritten; `make student` rewrites them all.

In every code cell, each region from a `### BEGIN SOLUTION` line to its `### END SOLUTION`
line (nbgrader's markers) is replaced by `raise NotImplementedError()` at the indentation of
the BEGIN line; the lines before and after the region stay. Every output and execution count
is cleared. The copies go to a folder that git ignores; regenerate them, never edit them.
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


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
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
    for path, target in pairs:
        if keep and target.exists():
            print(f"{target}: kept (your work in it stays; `make student` rewrites it)")
            continue
        source = nbformat.read(path, as_version=4)
        exercises = count_exercises(source)
        nb = student_copy(source)
        nbformat.validate(nb)
        nbformat.write(nb, target)
        print(f"{target}: {exercises} exercises to solve")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
