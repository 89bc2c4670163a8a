"""Student copies: made from the committed notebooks, checked as a teacher would (the site: test_site.py)."""

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_student  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_strip_solutions_by_hand():
    source = "\n".join(
        [
            "def f(x):",
            '    """Doc."""',
            "    ### BEGIN SOLUTION",
            "    y = x + 1",
            "    return y",
            "    ### END SOLUTION",
            "",
            "### BEGIN SOLUTION",
            "z = 3",
            "### END SOLUTION",
            "print('after')",
        ]
    )
    assert make_student.strip_solutions(source).splitlines() == [
        "def f(x):",
        '    """Doc."""',
        "    raise NotImplementedError()",
        "",
        "raise NotImplementedError()",
        "print('after')",
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "line 2: END SOLUTION without BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: BEGIN SOLUTION inside"),
    ],
)
def test_unbalanced_markers_are_refused(source, message):
    with pytest.raises(ValueError, match=message):
        make_student.strip_solutions(source)


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.main(["--out", str(out)])
    return out


def solution_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_copy_has_no_solution_and_no_output(student_dir, path):
    teacher = nbformat.read(path, as_version=4)
    student = nbformat.read(student_dir / path.name, as_version=4)
    nbformat.validate(student)
    assert len(student.cells) == len(teacher.cells)
    for t_cell, s_cell in zip(teacher.cells, student.cells, strict=True):
        if s_cell.cell_type != "code":
            assert s_cell.source == t_cell.source
            continue
        assert s_cell.outputs == [] and s_cell.execution_count is None
        assert "SOLUTION" not in s_cell.source
        student_lines = {line.strip() for line in s_cell.source.splitlines()}
        assert not set(solution_lines(t_cell.source)) & student_lines - {"", ")"}
        stubs = t_cell.source.count("### BEGIN SOLUTION")
        assert s_cell.source.count("raise NotImplementedError()") == stubs


def test_every_notebook_has_two_exercises_to_write(student_dir):
    for path in NOTEBOOKS:
        text = (student_dir / path.name).read_text()
        assert text.count("raise NotImplementedError()") >= 2, path.name


@pytest.mark.parametrize("name", [path.name for path in NOTEBOOKS])
def test_running_a_student_copy_stops_at_its_first_exercise(student_dir, name):
    nb = nbformat.read(student_dir / name, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    # a blank exercise that the checker calls: one line, "not answered yet" (checking.not_answered);
    # one that the check cell calls itself (check(predicted_mb())): the learner's own NotImplementedError
    if info.value.ename == "NotAnswered":
        assert info.value.evalue.startswith("not answered yet: exercise ")
    else:
        assert info.value.ename == "NotImplementedError"
    executed = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    failing = executed[-1]
    first_check = next(  # the first cell that calls a checker (an import of one does not count)
        c
        for c in nb.cells
        if c.cell_type == "code" and any(line.lstrip().startswith("check_") for line in c.source.splitlines())
    )
    assert failing.id == first_check.id  # every cell before it ran without error
    assert all(o.output_type != "error" for c in executed[:-1] for o in c.outputs)
