"""tools/course.py's decisions, with fake interpreters and a temporary checkout (pip never runs).

A fake interpreter is a shell script that answers the entry's probe as a Python of a chosen version
would; the setup tests replace the step runner, so that what setup would run is recorded, not run.
"""

import json
import os
import re
import stat
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import course  # noqa: E402
import make_student  # noqa: E402

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the fake interpreters are shell scripts")


def fake_python(folder: Path, name: str, version: tuple, can_venv: bool = True) -> Path:
    """A program that answers the probe as Python ``version`` at ``folder/name`` would."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    answer = {"version": list(version), "executable": str(path), "venv": can_venv}
    path.write_text(f"#!/bin/sh\necho '{json.dumps(answer)}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def which_in(folder: Path):
    """shutil.which over ``folder`` alone."""

    def which(name: str):
        path = folder / name
        return str(path) if path.exists() else None

    return which


@pytest.fixture
def no_usual_folders(monkeypatch):
    monkeypatch.setattr(course, "USUAL_FOLDERS", ())


def find(tmp_path, current, **kw):
    return course.find_python(
        (3, 11), tmp_path / ".venv", which=which_in(tmp_path / "bin"), env={"HOME": str(tmp_path)},
        current=str(current), **kw,
    )  # fmt: skip


# --- the supported version ---------------------------------------------------------------------


def test_supported_version_is_the_pins_python_and_agrees_with_pyproject_and_binder():
    assert course.supported_version() == (3, 11)
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / ".binder" / "runtime.txt").read_text().strip() == "python-3.11"


# --- choosing the interpreter ------------------------------------------------------------------


def test_the_running_python_is_used_when_it_is_3_11(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 11, 9))
    fake_python(tmp_path / "bin", "python3.11", (3, 11, 2))
    assert find(tmp_path, current).executable == str(current)


def test_a_3_9_running_python_finds_python3_11_on_path(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 9, 18))
    on_path = fake_python(tmp_path / "bin", "python3.11", (3, 11, 7))
    chosen = find(tmp_path, current)
    assert chosen.executable == str(on_path) and chosen.version == (3, 11, 7)


def test_pyenv_versions_are_searched(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 12, 1))
    pyenv = fake_python(tmp_path / ".pyenv" / "versions" / "3.11.7" / "bin", "python3.11", (3, 11, 7))
    assert find(tmp_path, current).executable == str(pyenv)


def test_no_3_11_anywhere_says_what_was_found_and_what_to_do(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 9, 18))
    fake_python(tmp_path / "bin", "python3", (3, 12, 1))
    with pytest.raises(course.CourseError) as raised:
        find(tmp_path, current)
    message = str(raised.value)
    assert message.startswith("this course needs Python 3.11")
    assert f"{current}: Python 3.9.18" in message and "Python 3.12.1" in message
    assert "No .venv was created." in message
    assert "python tools/course.py setup --python /path/to/python3.11" in message
    assert "PYTHON=/path/to/python3.11" in message


def test_an_explicit_wrong_python_is_refused_even_when_a_3_11_exists(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 11, 7))
    wrong = fake_python(tmp_path / "bin", "python3.9", (3, 9, 18))
    with pytest.raises(course.CourseError) as raised:
        find(tmp_path, current, explicit="python3.9")
    assert "; python3.9 is Python 3.9.18." in str(raised.value)
    assert f"  {wrong}: Python 3.9.18  [--python / PYTHON]" in str(raised.value)


def test_an_explicit_name_that_does_not_run(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 11, 7))
    with pytest.raises(course.CourseError, match="python3.99 does not run"):
        find(tmp_path, current, explicit="python3.99")


def test_a_3_11_without_venv_is_named_with_the_package_to_install(tmp_path, no_usual_folders):
    current = fake_python(tmp_path / "here", "python3", (3, 11, 4), can_venv=False)
    with pytest.raises(course.CourseError) as raised:
        find(tmp_path, current)
    assert "(without its venv module)" in str(raised.value)
    assert "sudo apt install python3.11-venv" in str(raised.value)


def test_a_python_inside_the_venv_is_never_offered(tmp_path, no_usual_folders):
    """The newcomer's PATH trap: .venv/bin ahead on PATH must not make .venv again."""
    venv_bin = tmp_path / ".venv" / "bin"
    current = fake_python(venv_bin, "python3", (3, 11, 7))
    fake_python(venv_bin, "python3.11", (3, 11, 7))
    with pytest.raises(course.CourseError):
        course.find_python(
            (3, 11), tmp_path / ".venv", which=which_in(venv_bin), env={"HOME": str(tmp_path)},
            current=str(current),
        )  # fmt: skip


# --- Windows -----------------------------------------------------------------------------------


def test_windows_paths_and_candidates(tmp_path, no_usual_folders):
    venv = Path("C:/course/.venv")
    assert course.venv_python(venv, "nt") == venv / "Scripts" / "python.exe"
    assert course.venv_bin(venv, "nt") == venv / "Scripts"
    assert course.venv_python(venv, "posix") == venv / "bin" / "python"
    assert course.lab_settings_dir(venv) == venv / "share" / "jupyter" / "lab" / "settings"
    assert "Scripts\\activate" in course.activate_command(venv, "nt")
    assert course.activate_command(venv, "posix") == f"source {venv}/bin/activate"
    py = fake_python(tmp_path / "bin", "py", (3, 12, 0))
    local = fake_python(tmp_path / "Local" / "Programs" / "Python" / "Python311", "python.exe", (3, 11, 9))
    pyenv_win = fake_python(
        tmp_path / ".pyenv" / "pyenv-win" / "versions" / "3.11.9", "python.exe", (3, 11, 9)
    )
    found = course.candidates(
        (3, 11), tmp_path / ".venv", os_name="nt", which=which_in(tmp_path / "bin"),
        env={"USERPROFILE": str(tmp_path), "LOCALAPPDATA": str(tmp_path / "Local")}, current=str(py),
    )  # fmt: skip
    commands = [command for _, command in found]
    assert [str(py), "-3.11"] in commands  # the launcher, asked for 3.11
    assert [str(pyenv_win)] in commands and [str(local)] in commands
    env = course.child_env(venv, "nt", base={"PATH": "C:\\Windows"})
    assert env["PATH"].startswith(str(venv / "Scripts") + os.pathsep)
    assert "py -3.11 tools\\course.py setup" in course.install_advice((3, 11), "nt")


# --- the venv's state and the stamp ------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path):
    """A checkout with the stamp's inputs."""
    root = tmp_path / "course"
    (root / "snn_helpers" / "core" / "csrc").mkdir(parents=True)
    (root / "tools" / "jupyterlab").mkdir(parents=True)
    (root / "requirements.txt").write_text(
        "# This file is autogenerated by pip-compile with Python 3.11\ntorch==2.13.0\nnumpy==2.4.6\n"
    )
    (root / "pyproject.toml").write_text("[project]\n")
    (root / "tools" / "jupyterlab" / "overrides.json").write_text("{}\n")
    for name in ("if_kernel.cpp", "recurrent_kernel.cpp"):
        (root / "snn_helpers" / "core" / "csrc" / name).write_text("// kernel\n")
    return root


def make_venv(root: Path, version: str, home: str = "/usr/bin", name: str = ".venv") -> Path:
    venv = root / name
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    (venv / "pyvenv.cfg").write_text(
        f"home = {home}\ninclude-system-site-packages = false\nversion = {version}\n"
    )
    return venv


def test_stamp_inputs_are_the_pins_the_project_the_kernels_and_the_lab_settings():
    assert course.stamp_inputs() == [
        "requirements.txt",
        "pyproject.toml",
        "tools/jupyterlab/overrides.json",
        "snn_helpers/core/csrc/if_kernel.cpp",
        "snn_helpers/core/csrc/recurrent_kernel.cpp",
    ]


def test_venv_states(checkout):
    state = course.venv_state
    assert state(checkout / ".venv", (3, 11), checkout)[0] == "create"
    venv = make_venv(checkout, "3.9.18")
    assert state(venv, (3, 11), checkout) == (
        "rebuild",
        ".venv was made by Python 3.9.18; this course needs 3.11",
    )
    (venv / "pyvenv.cfg").write_text(f"home = {venv / 'bin'}\nversion = 3.11.7\n")
    assert state(venv, (3, 11), checkout)[1].startswith(".venv was made by its own Python")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    assert state(venv, (3, 11), checkout) == (
        "rebuild",
        ".venv has no record of a finished setup (half-installed, or made by hand)",
    )
    course.write_stamp(venv, checkout)
    assert state(venv, (3, 11), checkout)[0] == "ready"
    (venv / course.INSTALLING).write_text("")
    assert "half-installed" in state(venv, (3, 11), checkout)[1]
    (venv / course.INSTALLING).write_text(f"{os.getppid()}\n")  # a live process: another setup under way
    with pytest.raises(course.CourseError, match=f"another setup \\(process {os.getppid()}\\) is installing"):
        state(venv, (3, 11), checkout)
    (venv / course.INSTALLING).unlink()
    for name in course.stamp_inputs(checkout):
        course.write_stamp(venv, checkout)
        (checkout / name).write_text((checkout / name).read_text() + "\n")
        assert state(venv, (3, 11), checkout) == ("update", f"{name} changed since the last setup")


def test_a_venv_set_up_by_the_old_makefile_is_kept_while_its_stamp_is_newer(checkout):
    venv = make_venv(checkout, "3.11.7")
    legacy = venv / course.LEGACY_STAMP
    legacy.write_text("")
    newer = max((checkout / n).stat().st_mtime for n in course.stamp_inputs(checkout)) + 10
    os.utime(legacy, (newer, newer))
    assert course.venv_state(venv, (3, 11), checkout)[0] == "ready"
    os.utime(checkout / "requirements.txt", (newer + 10, newer + 10))
    assert course.venv_state(venv, (3, 11), checkout) == (
        "update",
        "requirements.txt changed since the last setup",
    )


def test_torch_index():
    assert course.torch_index(None, "linux", {}) == course.CPU_INDEX
    assert course.torch_index(None, "darwin", {}) is None and course.torch_index(None, "win32", {}) is None
    assert course.torch_index("none", "linux", {}) is None
    assert (
        course.torch_index(None, "linux", {"SNN_COURSE_TORCH_INDEX": "https://mirror/cpu"})
        == "https://mirror/cpu"
    )


# --- setup, with the steps recorded instead of run ---------------------------------------------


@pytest.fixture
def recorded(checkout, monkeypatch, no_usual_folders):
    """course.ROOT is the temporary checkout; course.run records each step (``-m venv`` makes a
    pyvenv.cfg as the real one would)."""
    steps = []

    def run(command, env=None, cwd=None):
        command = [str(c) for c in command]
        steps.append(command)
        if command[1:3] == ["-m", "venv"]:
            make_venv(Path(command[3]).parent, "3.11.7", name=Path(command[3]).name)

    monkeypatch.setattr(course, "ROOT", checkout)
    monkeypatch.setattr(course, "run", run)
    monkeypatch.delenv("PYTHON", raising=False)
    monkeypatch.delenv("SNN_COURSE_TORCH_INDEX", raising=False)
    return steps


def test_a_wrong_python_stops_setup_before_any_venv(recorded, checkout, tmp_path, capsys):
    wrong = fake_python(tmp_path / "bin", "python3.9", (3, 9, 18))
    assert course.main(["setup", "--python", str(wrong)]) == 2
    assert not (checkout / ".venv").exists() and recorded == []
    err = capsys.readouterr().err
    assert err.startswith("course: this course needs Python 3.11") and "No .venv was created." in err


def test_a_venv_of_the_wrong_version_is_rebuilt_with_a_message(recorded, checkout, tmp_path, capsys):
    venv = make_venv(checkout, "3.9.18")
    (venv / "left-over").write_text("from the 3.9 venv")
    good = fake_python(tmp_path / "bin", "python3.11", (3, 11, 7))
    assert course.main(["setup", "--python", str(good), "--torch-index", "https://cpu.example/whl"]) == 0
    out = capsys.readouterr().out
    assert (
        "course: .venv was made by Python 3.9.18; this course needs 3.11: rebuilding it from scratch" in out
    )
    assert not (venv / "left-over").exists()
    python = str(course.venv_python(venv))
    assert recorded[0] == [str(good), "-m", "venv", str(venv)]
    assert recorded[1][-3:] == ["--index-url", "https://cpu.example/whl", "torch==2.13.0"]
    assert recorded[2] == [python, *course.PIP, "--quiet", "-r", "requirements.txt"]
    assert any("kernel.backend()" in " ".join(step) for step in recorded)
    assert recorded[-1] == [python, "tools/make_student.py", "--keep-existing"]
    # the lab settings are installed into the venv, the stamp written, the half-installed mark gone
    assert (course.lab_settings_dir(venv) / "overrides.json").read_text() == "{}\n"
    assert course.venv_state(venv, (3, 11), checkout)[0] == "ready"
    for slow in (
        "s] torch==2.13.0, the CPU build",
        "[3/5, at",
        "about 80 s",
        "about 30 s each",
        "without a C++",
    ):
        assert slow in out, slow


def test_a_ready_venv_runs_no_step_and_needs_no_interpreter_search(recorded, checkout, monkeypatch, capsys):
    venv = make_venv(checkout, "3.11.7")
    course.write_stamp(venv, checkout)
    monkeypatch.setattr(course, "find_python", lambda *a, **k: pytest.fail("searched for a Python"))
    assert course.main(["setup"]) == 0
    assert recorded == [] and "course: .venv is ready (Python 3.11.7)" in capsys.readouterr().out


def test_bench_installs_the_peers_into_their_own_venv_not_the_learners(recorded, checkout, tmp_path):
    (checkout / "benchmarks").mkdir(exist_ok=True)
    (checkout / "benchmarks" / "requirements.txt").write_text("snntorch==1.0.0\n")
    good = fake_python(tmp_path / "bin", "python3.11", (3, 11, 7))
    assert course.main(["bench", "--python", str(good), "--torch-index", ""]) == 0
    bench = checkout / ".venv-bench"
    python = str(course.venv_python(bench))
    assert recorded[0] == [str(good), "-m", "venv", str(bench)]
    installs = [step for step in recorded if step[1:3] == ["-m", "pip"]]
    assert all(step[0] == python for step in installs) and not (checkout / ".venv").exists()
    assert [python, *course.PIP, "--quiet", "--no-deps", "-r", "benchmarks/requirements.txt"] in installs
    assert [step[1] for step in recorded if step[1].startswith("benchmarks/")] == [
        "benchmarks/bench_training_step.py",
        "benchmarks/bench_recurrent.py",
        "benchmarks/bench_ensemble.py",
    ]


def test_lock_from_a_fresh_clone_makes_the_venv_first(recorded, checkout, tmp_path):
    # the review's "make lock fails from a fresh clone": lock now runs setup, then pip-tools in .venv
    good = fake_python(tmp_path / "bin", "python3.11", (3, 11, 7))
    assert course.main(["lock", "--python", str(good), "--torch-index", ""]) == 0
    python = str(course.venv_python(checkout / ".venv"))
    assert recorded[0] == [str(good), "-m", "venv", str(checkout / ".venv")]
    tools = [i for i, step in enumerate(recorded) if "pip-tools==7.6.2" in step]
    compile_step = next(i for i, step in enumerate(recorded) if step[1:4] == ["-m", "piptools", "compile"])
    assert tools and recorded[tools[0]][0] == python and tools[0] < compile_step
    assert recorded[compile_step][-3:] == ["requirements.in", "-o", "requirements.txt"]


def test_the_makefile_is_a_thin_wrapper_over_the_entry():
    lines = (ROOT / "Makefile").read_text().splitlines()
    targets = [m.group(1) for m in map(re.compile(r"^([a-z-]+):").match, lines) if m]
    assert set(targets) == set(course.COMMANDS)
    recipes = [ln.strip() for ln in lines if ln.startswith("\t") and not ln.startswith("\t\t")]
    assert len(recipes) == len(targets) and all("$(COURSE)" in r for r in recipes)
    assert "export PATH" not in "\n".join(lines)  # .venv/bin never ahead of the interpreter search


# --- the student copies ------------------------------------------------------------------------


def test_a_student_copy_carries_what_the_kernel_reports(tmp_path):
    """JupyterLab writes the kernel's language_info into a notebook it opens: the copy has it already,
    so opening and saving it untouched changes nothing (the newcomer review's point 6)."""
    jupyter_client = pytest.importorskip("jupyter_client")
    path = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]
    nb = make_student.student_copy(nbformat.read(path, as_version=4))
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        reply = client.kernel_info(reply=True, timeout=60)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert dict(nb.metadata["language_info"]) == reply["content"]["language_info"]
