"""Execute notebooks in place on a fresh kernel, deterministically (`make notebooks`).

Usage: python tools/regenerate.py [notebooks/NN_name.ipynb ...]   (default: all)

Deterministic: the same code and machine give byte-identical files. What nbclient and nbconvert
already do is theirs: nbconvert's ClearOutputPreprocessor empties the notebook first, nbclient
executes it with ``record_timing=False`` (no timestamps in cell metadata), nbconvert's
CoalesceStreamsPreprocessor merges consecutive stream chunks. What they lack is here: the
notebook metadata is fixed (kernelspec python3, no Python patch version), cells get stable ids,
and a cell tagged ``volatile-output`` (a timing, say) runs but stores no output while keeping its
execution count (nbconvert's TagRemovePreprocessor would drop the count too, and a code cell
without one reads as never executed). A widget's view (``application/vnd.jupyter.widget-view+json``, an
explorer's sliders) is not stored: it names a model by a random id that no file keeps, so a stored
one would change at every run and show "model not found" when reopened; the output keeps the rest of
its bundle (an explorer's default figure as a PNG and its line of text, snn_helpers/course/explorers.py).
Cells tagged ``raises-exception`` may raise; any other error
stops the run. The kernels get the environment of ``course_files.NOTEBOOK_ENV`` and the figure check
(``course_files.figure_check_env``, tools/figcheck.py): a notebook whose run printed a ``figure check:``
line (a figure that draws nothing visible at its stored size, overlapping labels, a labelled line
without a legend entry, categories without their ticks) is not written; the problems are printed with
their cells and the exit status is 1.

For teachers who grade with nbgrader, each exercise cell (one holding ``### BEGIN SOLUTION``) gets
nbgrader's metadata of a solution cell, and the check cell after it that of a locked, graded test
cell worth one point (``nbgrader_metadata``): nbgrader's ``generate_assignment`` refuses solution
markers outside cells marked so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from course_files import NOTEBOOK_ENV, ROOT, course_notebooks, figure_check_env
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearOutputPreprocessor, CoalesceStreamsPreprocessor

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# notebook metadata written by hand, kept through a run: "numbers" declares the sources of numbers the
# prose quotes throughout the notebook (tools/check_prose.py)
KEPT_METADATA = ("numbers",)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def nbgrader_metadata(nb: nbformat.NotebookNode, prefix: str) -> None:
    """Mark exercise cells as nbgrader solution cells and their check cells as graded test cells."""
    for cell in nb.cells:  # recomputed from the markers every time: none goes stale
        cell.metadata.pop("nbgrader", None)
    exercise = 0
    for cell, after in zip(nb.cells, [*nb.cells[1:], None], strict=True):
        if cell.cell_type != "code" or "### BEGIN SOLUTION" not in cell.source:
            continue
        exercise += 1
        grade_id = f"{prefix}-exercise-{exercise}"
        cell.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": grade_id,
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
        if after is not None and after.cell_type == "code" and "check_" in after.source:
            after.metadata["nbgrader"] = {
                "grade": True,
                "grade_id": f"{grade_id}-check",
                "locked": True,
                "points": 1,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }


def normalize(nb: nbformat.NotebookNode, prefix: str = "nb") -> nbformat.NotebookNode:
    """Fix the notebook metadata and cell ids; drop what a run leaves that would change next time."""
    kept = {key: nb.metadata[key] for key in KEPT_METADATA if key in nb.metadata}
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO, **kept})
    nbgrader_metadata(nb, prefix)
    for i, cell in enumerate(nb.cells):
        cell.setdefault("id", f"cell-{i:02d}")
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code" and "volatile-output" in cell.metadata.get("tags", []):
            cell.outputs = []
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


class FigureProblems(Exception):
    """A run whose outputs carry ``figure check:`` lines; the notebook was not written."""


def figure_problems(nb: nbformat.NotebookNode) -> list[str]:
    """``cell N: figure check: ...`` for each line of the figure check in the outputs."""
    return [
        f"cell {i}: {line}"
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        for line in out.get("text", "").splitlines()
        if line.startswith("figure check: ")
    ]


def regenerate(path: Path) -> None:
    """Execute ``path`` top to bottom on a fresh kernel and write it back with its outputs.

    Raises FigureProblems (and writes nothing) if the figure check printed a problem."""
    nb = nbformat.read(path, as_version=4)
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    problems = figure_problems(nb)
    if problems:
        raise FigureProblems("\n".join(problems))
    nbformat.write(normalize(nb, prefix=f"nb{path.name[:2]}"), path)


def main(argv: list[str]) -> int:
    os.environ.update(NOTEBOOK_ENV)
    os.environ.update(figure_check_env())
    paths = [Path(p) for p in argv] or course_notebooks()
    refused = []
    for path in paths:
        name = path.relative_to(ROOT) if path.is_absolute() and path.is_relative_to(ROOT) else path
        print(f"executing {name}", flush=True)
        try:
            regenerate(path)
        except FigureProblems as problems:
            print(f"{name} NOT written, its figures have problems:\n{problems}", file=sys.stderr, flush=True)
            refused.append(str(name))
    if refused:
        print(f"not written: {', '.join(refused)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
