"""The learner's path: `make lab-student` keeps a learner's work, JupyterLab started by the course asks
no "news" question, and the README tells a learner where the solutions are."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tools.course_files import ROOT, course_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402


def run_make_student(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student.py"), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def test_student_copies_count_exercises_not_raise_lines(tmp_path):
    first = course_notebooks()[0]
    out = run_make_student("--out", str(tmp_path), str(first))
    source = nbformat.read(first, as_version=4)
    exercises = sum("### BEGIN SOLUTION" in c.source for c in source.cells if c.cell_type == "code")
    assert f"{first.name}: {exercises} exercises to solve" in out


def test_keep_existing_never_overwrites_a_learners_copy(tmp_path):
    first, second = course_notebooks()[:2]
    run_make_student("--out", str(tmp_path), str(first))
    mine = tmp_path / first.name
    nb = nbformat.read(mine, as_version=4)
    nb.cells[0].source = "my notes"
    nbformat.write(nb, mine)
    out = run_make_student("--out", str(tmp_path), "--keep-existing", str(first), str(second))
    assert out.splitlines()[-1] == f"{tmp_path}: kept 1 of your copies as they were (your work in them stays)"
    assert "make student" not in out  # no pointer to the command that overwrites a learner's work
    assert (tmp_path / second.name).exists()
    assert nbformat.read(mine, as_version=4).cells[0].source == "my notes"
    run_make_student("--out", str(tmp_path), str(first))  # `make student` rewrites
    assert nbformat.read(mine, as_version=4).cells[0].source != "my notes"


def test_count_exercises_by_hand():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION"),
        nbformat.v4.new_code_cell("raise NotImplementedError()  # not an exercise"),
        nbformat.v4.new_markdown_cell("### BEGIN SOLUTION (in prose: not counted)"),
    ]
    assert make_student.count_exercises(nb) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_course_jupyterlab_asks_no_news_question(tmp_path):
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    tracked = ROOT / "tools" / "jupyterlab" / "overrides.json"
    assert installed.exists(), "run `make setup`: it installs the course's JupyterLab settings into the venv"
    assert json.loads(installed.read_text()) == json.loads(tracked.read_text())
    port = free_port()
    env = os.environ | {
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--no-browser",
        "--IdentityProvider.token=course",
        f"--ServerApp.root_dir={ROOT / 'notebooks'}",
        "--allow-root",
    ]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification?token=course"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    settings = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 60 s")
    finally:
        server.terminate()
        server.wait(timeout=30)
    properties = settings["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"  # "none" would ask the learner
    assert properties["checkForUpdates"]["default"] is False


def test_readme_tells_a_learner_where_the_solutions_are():
    readme = (ROOT / "README.md").read_text()
    assert "make lab-student" in readme and "solutions" in readme


def test_nbgrader_metadata_marks_exercises_and_their_checks():
    import regenerate

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Exercise 1"),
        nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("check_f(f)"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\ny = 2\n### END SOLUTION"),
        nbformat.v4.new_code_cell("check_y(y)"),
    ]
    nb.cells[3].metadata["nbgrader"] = {"solution": True}  # stale: the markers are gone
    regenerate.nbgrader_metadata(nb, "nb07")
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert meta[0] is None and meta[3] is None
    assert meta[1]["solution"] and not meta[1]["grade"] and meta[1]["grade_id"] == "nb07-exercise-1"
    assert meta[2]["grade"] and meta[2]["locked"] and meta[2]["points"] == 1
    assert meta[2]["grade_id"] == "nb07-exercise-1-check" and meta[4]["grade_id"] == "nb07-exercise-2"
    assert {m["schema_version"] for m in meta if m} == {3}


EXERCISE_LABEL = re.compile(r"\*\*(?:Exercise|演習) (\d+)")


def exercise_labels(nb: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """(label number, number of solution cells before it plus one) for each exercise's solution cell: the
    label is the last "**Exercise N" (or "**演習 N") of the markdown above the solution cell."""
    found, label, solutions = [], None, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            labels = EXERCISE_LABEL.findall(cell.source)
            label = int(labels[-1]) if labels else label
        elif "### BEGIN SOLUTION" in cell.source:
            solutions += 1
            found.append((label, solutions))
            label = None
    return found


def test_exercise_labels_of_a_planted_notebook():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    solution = "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"
    nb = nbformat.v4.new_notebook(
        cells=[md("**Exercise 3 (a prediction).**"), code(solution), md("**演習 1.**")]
    )
    nb.cells.append(code(solution))
    assert exercise_labels(nb) == [(3, 1), (1, 2)]  # out of order: the test below fails on it
    nb.cells.append(code(solution))  # a solution cell with no label of its own
    assert exercise_labels(nb)[-1] == (None, 3)


@pytest.mark.parametrize(
    "path",
    [*course_notebooks(), *sorted((ROOT / "notebooks" / "ja").glob("[0-9][0-9]_*.ipynb"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_exercises_are_numbered_in_the_order_a_learner_meets_them(path):
    labels = exercise_labels(nbformat.read(path, as_version=4))
    assert labels, f"{path.name}: no exercise"
    assert all(label == position for label, position in labels), (
        f"{path.relative_to(ROOT)}: exercise labels {[label for label, _ in labels]} above its solution cells "
        f"1 to {len(labels)}: number them in the order they come"
    )
