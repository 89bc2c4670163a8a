"""The library outside the course: what a wheel ships, one version source, the lock and its inputs."""

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser

import pytest

import snn_helpers
from tools.course_files import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel from a copy of the source (the tree stays clean), as `pip wheel .` would."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "snn_helpers"):
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, src / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(src),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("snn_helpers-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_ships_the_kernel_sources_and_the_course_package(wheel):
    names = set(wheel.namelist())
    sources = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "snn_helpers" / "core" / "csrc").glob("*.cpp")
    )
    assert sources and set(sources) <= names, f"missing from the wheel: {set(sources) - names}"
    for module in (ROOT / "snn_helpers").rglob("*.py"):
        assert module.relative_to(ROOT).as_posix() in names


def test_wheel_metadata_version_extras_and_torch_range(wheel):
    meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    meta = Parser().parsestr(wheel.read(meta_name).decode())
    assert meta["Version"] == snn_helpers.__version__
    assert {"kernel", "digits"} <= set(meta.get_all("Provides-Extra"))
    requires = meta.get_all("Requires-Dist")
    assert any(re.fullmatch(r"torch<2\.14,>=2\.13|torch>=2\.13,<2\.14", r) for r in requires), requires
    assert any(r.startswith("ninja") and 'extra == "kernel"' in r for r in requires)
    assert any(r.startswith("scikit-learn") and 'extra == "digits"' in r for r in requires)


def test_version_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", snn_helpers.__version__)


def pins(path) -> dict[str, str]:
    """{normalized name: version} of the `name==version` lines of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"{path.name}: not an exact pin: {line!r}"
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def test_lock_holds_every_direct_pin_exactly():
    direct, lock = pins(ROOT / "requirements.in"), pins(ROOT / "requirements.txt")
    for name, version in direct.items():
        assert lock.get(name) == version, (
            f"requirements.txt has {name}=={lock.get(name)}; requirements.in {version}"
        )
    assert len(lock) > len(direct)  # the transitive ones are locked too
