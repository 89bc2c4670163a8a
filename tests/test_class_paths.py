"""The class paths' files (docs/teaching.md, "Running the course for a class"), checked without a hub.

The real runs are their own targets (`make hub-check`, `make nbgrader-round`, `make binder-check`):
they need root, create system users or take minutes. These tests keep their inputs right.
"""

import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import hub_check  # noqa: E402
import measure_class  # noqa: E402
import nbgrader_round  # noqa: E402

BINDER = ROOT / ".binder"


def pins(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(("#", "-"))]


def test_binder_requirements_are_the_course_pins_with_the_cpu_index_first():
    binder = (BINDER / "requirements.txt").read_text()
    assert pins(binder) == pins((ROOT / "requirements.txt").read_text())
    options = [ln for ln in binder.splitlines() if ln.startswith("-")]
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cpu"]


def test_binder_runtime_is_the_supported_python():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11"
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()


def test_post_build_does_what_setup_does():
    post = (BINDER / "postBuild").read_text()
    assert os.access(BINDER / "postBuild", os.X_OK) and os.access(BINDER / "start", os.X_OK)
    assert "pip install --quiet --no-deps --no-build-isolation ." in post  # not editable
    assert "tools/jupyterlab/overrides.json" in post
    assert "kernel.backend()" in post and "recurrent_kernel as k; print" in post
    assert "tools/make_student.py" in post
    # the kernels go where .binder/start points every server
    folder = '"$prefix/share/snn-course/torch_extensions"'
    assert f"TORCH_EXTENSIONS_DIR={folder}" in post
    assert f"TORCH_EXTENSIONS_DIR={folder}" in (BINDER / "start").read_text()


def test_class_requirements_pin_everything_exactly():
    text = (ROOT / "tools" / "class" / "requirements.txt").read_text()
    assert "-r ../../requirements.txt" in text.splitlines()
    lines = pins(text)
    assert {"jupyterhub==6.1.1", "nbgitpuller==1.3.0", "nbgrader==0.9.6"} <= set(lines)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][^ ]*", ln) for ln in lines), lines
    course = {ln.split("==")[0].lower() for ln in pins((ROOT / "requirements.txt").read_text())}
    assert not course & {ln.split("==")[0].lower() for ln in lines}  # no course pin moved


def test_nbgitpuller_link_pulls_the_repository_and_opens_the_student_copy():
    link = hub_check.nbgitpuller_link(
        "https://hub.example.edu/",
        "https://git.example.edu/snn/course-student",
        "student/ja/01_spike_function.ipynb",
    )
    parts = urlsplit(link)
    assert parts.netloc == "hub.example.edu"
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": ["https://git.example.edu/snn/course-student"],
        "branch": ["main"],
        "urlpath": ["lab/tree/course-student/student/ja/01_spike_function.ipynb"],
    }


def test_solution_source_removes_only_the_marker_lines():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n"
    assert nbgrader_round.solution_source(source) == "def f(x):\n    return x + 1"


def test_the_three_students_answers(tmp_path):
    teacher = nbformat.v4.new_notebook()
    ids = ["nb01-exercise-1", "nb01-exercise-1-check", "nb01-exercise-2"]
    sources = [
        "### BEGIN SOLUTION\ny = x.abs() < 0.5\n### END SOLUTION",
        "check(y)",
        "### BEGIN SOLUTION\nz = 2\n### END SOLUTION",
    ]
    for grade_id, source in zip(ids, sources, strict=True):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": not grade_id.endswith("check")}
        teacher.cells.append(cell)
    for kind, first, last in [
        ("solutions", "y = x.abs() < 0.5", "z = 2"),
        ("blank", "raise NotImplementedError()", "raise NotImplementedError()"),
        ("mistake", "y = x.abs() <= 0.5", "z = 2"),
    ]:
        fetched = nbformat.v4.new_notebook()
        for cell in teacher.cells:
            stub = nbformat.v4.new_code_cell(
                "raise NotImplementedError()" if cell.metadata.nbgrader["solution"] else cell.source
            )
            stub.metadata = cell.metadata
            fetched.cells.append(stub)
        path = tmp_path / f"{kind}.ipynb"
        nbformat.write(fetched, path)
        nbgrader_round.answer(path, teacher, kind)
        cells = nbformat.read(path, as_version=4).cells
        assert [cells[0].source, cells[1].source, cells[2].source] == [first, "check(y)", last]


def test_kernel_usage_reads_this_process():
    peak, cpu = measure_class.kernel_usage(os.getpid())
    assert 10 < peak < 100_000  # MiB: a Python process with pytest loaded
    assert cpu > 0
