"""Notebook hygiene: what makes strict nbval meaningful, and the course's layout rules.

A notebook committed without outputs would pass nbval while checking nothing; these
tests refuse it, and refuse what would make the outputs unstable. The rules are written
out in docs/maintaining.md ("How outputs are made and checked", "The portability rule").
"""

import ast
import importlib
import pkgutil
import re

import nbformat
import pytest

import snn_helpers
import snn_helpers.course
from tools.course_files import ROOT, course_notebooks

NOTEBOOKS = course_notebooks()
IDS = [p.name for p in NOTEBOOKS]


def library_names() -> set[str]:
    """Every public function and class defined in snn_helpers and its subpackages (checkers included)."""
    names = set(snn_helpers.__all__)
    for info in pkgutil.walk_packages(snn_helpers.__path__, "snn_helpers."):
        module = importlib.import_module(info.name)
        names |= {
            n
            for n, obj in vars(module).items()
            if not n.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == info.name
        }
    return names


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def python_source(cell) -> str:
    """The cell's source with IPython magics and shell lines blanked out."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()
    )


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def nb(request):
    return nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5


def test_kernelspec_is_python3(nb):
    assert nb.metadata.kernelspec.name == "python3"


def test_every_code_cell_executed_in_order(nb):
    counts = [c.execution_count for c in code_cells(nb)]
    assert None not in counts, "a code cell has no stored output: run `make notebooks`"
    assert counts == list(range(1, len(counts) + 1)), "not executed top to bottom on a fresh kernel"


def test_no_errors_except_where_tagged(nb):
    for cell in code_cells(nb):
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert tagged == bool(errors), f"cell {cell.id}: error output {'missing' if tagged else 'stored'}"
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "Traceback" not in text and "UsageError" not in text, f"cell {cell.id} printed a traceback"


def test_no_volatile_outputs(nb):
    for cell in code_cells(nb):
        blob = repr(cell.outputs)
        assert not re.search(r" at 0x[0-9a-fA-F]{6,}", blob), f"cell {cell.id} stores a memory address"
        assert "image/svg+xml" not in blob, f"cell {cell.id} stores an SVG (embeds a timestamp)"
        assert "execution" not in cell.metadata, f"cell {cell.id} stores execution timestamps"
        streams = [o.name for o in cell.outputs if o.output_type == "stream"]
        assert all(a != b for a, b in zip(streams, streams[1:], strict=False)), "unmerged stream chunks"
        assert "/tmp/" not in blob and "ipykernel_" not in blob, (
            f"cell {cell.id} stores a temporary file name"
        )


def test_plot_lines_end_with_show_not_semicolon(nb):
    for cell in code_cells(nb):
        assert not re.search(r"plt\.\w+\(.*\);\s*$", cell.source, re.M), f"cell {cell.id}"


def test_opening_cell_has_goals_time_and_order(nb):
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "In this notebook you will" in first.source
    assert re.search(r"\*\*Estimated time:\*\* \d+ minutes", first.source)


def test_setup_cell_seeds_and_prints_versions(nb):
    setup = code_cells(nb)[0]
    assert "nbval-ignore-output" in tags(setup), "the setup cell prints versions: tag it nbval-ignore-output"
    assert "set_seed(0)" in setup.source and "__version__" in setup.source


def test_test_markers_are_tags_not_comments(nb):
    # readers see comment lines as part of the lesson; nbval reads the same markers from cell tags
    for cell in code_cells(nb):
        assert not re.search(r"^\s*#\s*NBVAL_", cell.source, re.M), f"cell {cell.id}: use a cell tag"


def test_each_output_ignored_cell_asserts_its_claim(nb):
    # portability rule: an output that depends on rounding is not compared, so the cell itself
    # must assert the claim it supports; the setup cell (imports, seed, versions) is the exception
    setup = code_cells(nb)[0]
    for cell in code_cells(nb):
        if cell is not setup and "nbval-ignore-output" in tags(cell):
            assert re.search(r"^\s*assert\b", cell.source, re.M), (
                f"cell {cell.id} ignores its output but asserts nothing"
            )


def ignored_counts() -> dict[str, int]:
    """Output-ignored cells per notebook, the setup cell not counted."""
    counts = {}
    for path in NOTEBOOKS:
        cells = code_cells(nbformat.read(path, as_version=4))[1:]
        counts[path.name] = sum("nbval-ignore-output" in tags(c) for c in cells)
    return counts


def test_maintaining_doc_reports_the_ignored_cells_per_notebook():
    doc = (ROOT / "docs" / "maintaining.md").read_text()
    for name, count in ignored_counts().items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| {name} |")), None)
        assert row is not None, f"docs/maintaining.md has no row for {name} in the table of ignored outputs"
        assert row.split("|")[2].strip() == str(count), (
            f"docs/maintaining.md: {name} has {count} ignored cells"
        )
    # at most four per notebook on average: the controls that support a conclusion after training (10's
    # ties and non-spiking read-out, 12's beta = 1 and W_rec = 0, 04's and 05's printed numbers) are
    # rounding-dependent by nature; each such cell still asserts its claim (test above)
    assert sum(ignored_counts().values()) <= 4 * len(NOTEBOOKS), "keep the set of output-ignored cells small"


def test_markdown_before_each_code_cell(nb):
    # A check cell directly after an exercise cell is the one exception.
    for before, cell in zip(nb.cells, nb.cells[1:], strict=False):
        if cell.cell_type == "code" and before.cell_type == "code":
            assert "check_" in cell.source, f"cell {cell.id} has no markdown cell before it"


def test_cells_are_short(nb):
    lengths = [len(c.source.splitlines()) for c in code_cells(nb)]
    assert max(lengths) <= 20, f"a code cell has {max(lengths)} lines"
    assert sum(n <= 15 for n in lengths) >= 0.85 * len(lengths)


def test_no_helper_redefined(nb):
    library = library_names()
    for cell in code_cells(nb):
        tree = ast.parse(python_source(cell))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        assert not defined & library, f"cell {cell.id} redefines {defined & library}: import it"


def test_ends_with_references(nb):
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and "## Further reading" in last.source
    assert "chizuchizu" in "".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_exercises_have_solution_markers_and_checks(nb):
    sources = [c.source for c in code_cells(nb)]
    solutions = [i for i, s in enumerate(sources) if "### BEGIN SOLUTION" in s]
    if int(nb.cells[0].source[2:4]) <= 5:
        assert len(solutions) >= 2, "notebooks 01 to 05 have at least two exercises"
    for i in solutions:
        assert sources[i].count("### BEGIN SOLUTION") == sources[i].count("### END SOLUTION")
        assert "check_" in sources[i + 1], "each exercise cell is followed by its check cell"


def test_exercises_carry_nbgrader_metadata(nb):
    # written by `make notebooks` (tools/regenerate.py) so that nbgrader takes the notebooks as they are
    cells = nb.cells
    for cell, after in zip(cells, cells[1:], strict=False):
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            assert cell.metadata.get("nbgrader", {}).get("solution") is True, (
                f"cell {cell.id}: run make notebooks"
            )
            graded = after.metadata.get("nbgrader", {})
            assert graded.get("grade") is True and graded.get("locked") is True, f"check cell {after.id}"


def test_readme_table_lists_each_notebook_with_its_minutes():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        first = nbformat.read(path, as_version=4).cells[0].source
        minutes = re.search(r"\*\*Estimated time:\*\* (\d+) minutes", first).group(1)
        row = next((line for line in readme.splitlines() if f"notebooks/{path.name}" in line), None)
        assert row is not None, f"README's table has no row for {path.name}"
        assert row.rstrip(" |").endswith(f"| {minutes}"), (
            f"README minutes for {path.name} differ from {minutes}"
        )


def test_volatile_cells_are_ignored_by_nbval_and_store_nothing(nb):
    for cell in code_cells(nb):
        if "volatile-output" in tags(cell):
            assert "nbval-ignore-output" in tags(cell), f"cell {cell.id}"
            assert cell.outputs == [], f"cell {cell.id}: run `make notebooks` to drop its output"
