"""The image's build run as repo2docker runs it, then strict nbval in it (`make binder-check`).

Usage: python tools/binder_check.py [--keep]

repo2docker (what Binder, The Littlest JupyterHub's docs and Zero to JupyterHub use to build an
image) needs a container engine, which this machine lacks; this runs the same steps without one,
in a fresh environment:

1. a fresh clone of the committed repository (what repo2docker copies into the image);
2. a new virtual environment from the Python that .binder/runtime.txt names (repo2docker's
   ${NB_PYTHON_PREFIX}), with HOME a new empty folder (no torch extension cache, no settings);
3. `pip install -r .binder/requirements.txt` -- less its PyTorch CPU index line, since this
   machine reaches no index but its own, where the CPU build of torch lies;
4. .binder/postBuild, run from the repository's folder as repo2docker runs it;
5. strict nbval over the notebooks, with .binder/start's environment (the kernels built into the
   image found from an empty home).

Prints each step with its wall time and nbval's closing line; exits non-zero if any failed.
Takes about five minutes on the course machine (most of it pip and the two kernel builds).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step(what: str, cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print(f"binder-check: {what} ...", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    print(f"binder-check: {what}: exit {proc.returncode} in {time.perf_counter() - start:.0f} s", flush=True)
    if proc.returncode != 0:
        print((proc.stdout + proc.stderr)[-3000:])
        raise SystemExit(1)
    return proc


def python_for(runtime: str) -> str:
    """An interpreter of the version runtime.txt names (``python-3.11``)."""
    version = runtime.strip().removeprefix("python-")
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if not found:
        raise SystemExit(f"binder-check: .binder/runtime.txt asks for Python {version}; none found")
    return found


def main(argv: list[str]) -> int:
    top = Path(tempfile.mkdtemp(prefix="binder-check-"))
    repo, env, home = top / "repo", top / "env", top / "home"
    home.mkdir()
    try:
        step("fresh clone", ["git", "clone", "--quiet", str(ROOT), str(repo)])
        python = python_for((repo / ".binder" / "runtime.txt").read_text())
        step(f"new environment ({Path(python).name})", [python, "-m", "venv", str(env)])
        reqs = [
            ln
            for ln in (repo / ".binder" / "requirements.txt").read_text().splitlines()
            if not ln.startswith("--extra-index-url")
        ]
        (top / "requirements.txt").write_text("\n".join(reqs) + "\n")
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "TORCH_"))}
        base = {
            **clean,
            "HOME": str(home),
            "PATH": f"{env / 'bin'}:{clean['PATH']}",
            "NB_PYTHON_PREFIX": str(env),
        }
        step(
            "pip install -r .binder/requirements.txt",
            [
                str(env / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(top / "requirements.txt"),
            ],
            env=base,
        )
        step(".binder/postBuild", ["bash", ".binder/postBuild"], cwd=repo, env=base)
        start = step(".binder/start's environment", ["bash", ".binder/start", "env"], cwd=repo, env=base)
        runtime_env = dict(line.split("=", 1) for line in start.stdout.splitlines() if "=" in line)
        built = sorted(Path(runtime_env["TORCH_EXTENSIONS_DIR"]).rglob("*.so"))
        print(
            f"binder-check: kernels built into the image: {len(built)} ({', '.join(p.name for p in built)})"
        )
        students = sorted((repo / "student").rglob("*.ipynb"))
        print(f"binder-check: student copies written: {len(students)}")
        proc = step(
            "strict nbval over notebooks/",
            [str(env / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "notebooks"],
            cwd=repo,
            env=runtime_env,
        )
        print("binder-check: " + proc.stdout.strip().splitlines()[-1])
        if len(built) < 2 or not students:
            print("binder-check: FAILED: postBuild left no kernels or no student copies")
            return 1
        print("binder-check: passed")
        return 0
    finally:
        if "--keep" not in argv:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
