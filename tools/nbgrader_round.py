"""nbgrader's whole round on the course's notebooks, run for real (`make nbgrader-round`).

Usage: python tools/nbgrader_round.py [NOTEBOOK]     (default: notebooks/01_spike_function.ipynb)

Run with the class environment's Python (`.venv-class`, which holds nbgrader next to the course's
pins: `python tools/course.py class-env`). In a throw-away folder it makes a course directory whose
assignment `ps1` is the notebook as committed (its nbgrader metadata is written by
`make notebooks`), then plays the whole round through nbgrader's own commands and exchange:

  generate_assignment, release_assignment (teacher); fetch_assignment (three students); the first
  submits the solutions, the second the blank copy, the third the solutions with one typical
  mistake in exercise 1 (the window of the boxcar closed, `<=` for `<`: the mistake whose hint
  the checker names); submit; collect, autograde, generate_feedback (teacher).

The students are three system users (nbgrader's exchange knows a student by their login), made
with `useradd` as on a hub and removed at the end, so it needs root; the exchange is a folder of
mode 0777, nbgrader's layout. It prints the grade table and exits non-zero unless the grades are:
full marks for the solutions, zero for the blank copy, full marks less one for the mistake, and the
mistake's feedback shows the checker's hint. NBGRADER_ROUND_KEEP=1 keeps the folder and prints
autograde's log, for a look.
"""

from __future__ import annotations

import csv
import html
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from hub_check import grant_traverse, make_users, remove_user

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ps1"
COURSE = "snn"
STUDENTS = {"snnada": "solutions", "snnben": "blank", "snnchi": "mistake"}
MISTAKE = ("x.abs() < 0.5", "x.abs() <= 0.5")  # exercise 1 of notebook 01: the window left open


def nbgrader(args: list[str], cwd: Path, home: Path, user: str) -> str:
    """Run nbgrader as ``user`` (a system user: nbgrader's exchange knows students by their login)."""
    env = {
        "HOME": str(home),
        "USER": user,
        "LOGNAME": user,
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "SNN_HELPERS_KERNEL_WARN": "0",
    }
    as_user = [] if user == "root" else ["runuser", "-u", user, "--"]
    cmd = [*as_user, "env", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} (as {user}): exit {proc.returncode}\n{proc.stderr[-1500:]}"
        )
    return proc.stdout + proc.stderr


def solution_source(source: str) -> str:
    """The exercise cell as a student who solved it would leave it: the markers' lines removed."""
    return "\n".join(
        ln for ln in source.splitlines() if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln
    )


def answer(fetched: Path, teacher: nbformat.NotebookNode, kind: str) -> None:
    """Fill the fetched copy's exercise cells as the student ``kind`` does."""
    if kind == "blank":
        return
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: solution_source(c.source)
        for c in teacher.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    nb = nbformat.read(fetched, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
            if kind == "mistake" and grade_id.endswith("exercise-1"):
                if MISTAKE[0] not in cell.source:
                    raise RuntimeError(f"exercise 1 no longer holds {MISTAKE[0]!r}: update MISTAKE")
                cell.source = cell.source.replace(*MISTAKE)
    nbformat.write(nb, fetched)


def main(argv: list[str]) -> int:
    notebook = Path(argv[0]) if argv else ROOT / "notebooks" / "01_spike_function.ipynb"
    source_nb = nbformat.read(notebook, as_version=4)
    points = sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in source_nb.cells)
    top = Path(tempfile.mkdtemp(prefix="nbgrader-round-"))
    top.chmod(0o755)
    base = Path(os.path.realpath(sys.executable)).parent
    restore = grant_traverse(base) + grant_traverse(ROOT)
    try:
        make_users(list(STUDENTS))
        course, exchange = top / "course", top / "exchange"
        exchange.mkdir(mode=0o777)
        exchange.chmod(0o777)
        (course / "source" / ASSIGNMENT).mkdir(parents=True)
        shutil.copy(notebook, course / "source" / ASSIGNMENT / notebook.name)
        config = (
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {COURSE!r}\n"
            f"c.Exchange.root = {str(exchange)!r}\n"
            f"c.CourseDirectory.db_students = {[{'id': s} for s in STUDENTS]!r}\n"
            f"c.CourseDirectory.db_assignments = [{{'name': {ASSIGNMENT!r}}}]\n"
        )
        (course / "nbgrader_config.py").write_text(config)
        teacher_home = top / "teacher"
        teacher_home.mkdir()
        teacher = "root"
        for student in STUDENTS:
            nbgrader(["db", "student", "add", student], course, teacher_home, teacher)
        nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course, teacher_home, teacher)
        nbgrader(["release_assignment", ASSIGNMENT, "--force"], course, teacher_home, teacher)
        print(f"nbgrader-round: released {ASSIGNMENT} ({notebook.name}, {points} points) to {exchange}")
        student_config = f"c = get_config()  # noqa: F821\nc.Exchange.root = {str(exchange)!r}\n"
        for student, kind in STUDENTS.items():
            home = Path(pwd.getpwnam(student).pw_dir)
            (home / ".jupyter").mkdir()
            (home / ".jupyter" / "nbgrader_config.py").write_text(student_config)
            shutil.chown(home / ".jupyter", student, student)
            shutil.chown(home / ".jupyter" / "nbgrader_config.py", student, student)
            nbgrader(["fetch_assignment", ASSIGNMENT, "--course", COURSE], home, home, student)
            fetched = home / ASSIGNMENT / notebook.name
            answer(fetched, source_nb, kind)
            shutil.chown(fetched, student, student)
            nbgrader(["submit", ASSIGNMENT, "--course", COURSE], home, home, student)
            print(f"nbgrader-round: {student} fetched, answered ({kind}) and submitted")
        nbgrader(["collect", ASSIGNMENT], course, teacher_home, teacher)
        log = nbgrader(["autograde", ASSIGNMENT, "--force"], course, teacher_home, teacher)
        if os.environ.get("NBGRADER_ROUND_KEEP"):
            print(log[-3000:])
        nbgrader(["generate_feedback", ASSIGNMENT, "--force"], course, teacher_home, teacher)
        nbgrader(["export", "--to", str(top / "grades.csv")], course, teacher_home, teacher)
        with open(top / "grades.csv") as f:
            grades = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
        print(f"nbgrader-round: collected, autograded, feedback generated; grades out of {points}:")
        print("  student  submitted   score")
        for student, kind in STUDENTS.items():
            print(f"  {student:<8} {kind:<10} {grades[student]:>5g}")
        feedback = course / "feedback" / "snnchi" / ASSIGNMENT / notebook.with_suffix(".html").name
        text = html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text()))
        expected = dict(zip(STUDENTS, (points, 0, points - 1), strict=True))
        problems = [f"{s}: {grades[s]:g}, expected {v:g}" for s, v in expected.items() if grades[s] != v]
        if "Hint:" not in text or "strict" not in text:
            problems.append(f"the feedback of snnchi ({feedback.name}) does not show the checker's hint")
        else:
            hint = text[text.index("Hint:") :].splitlines()[0]
            print(f"nbgrader-round: snnchi's feedback shows the checker's hint: {hint[:110]}")
        if problems:
            print("nbgrader-round: FAILED: " + "; ".join(problems))
            return 1
        print("nbgrader-round: passed")
        return 0
    finally:
        for student in STUDENTS:
            remove_user(student)
        if not os.environ.get("NBGRADER_ROUND_KEEP"):
            shutil.rmtree(top, ignore_errors=True)
        for path, mode in restore:
            path.chmod(mode)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
