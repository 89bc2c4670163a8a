"""Every public function and class of the library names the notebook that introduces it, and no docstring
or comment quotes a machine timing (timings live in benchmarks/RESULTS.md and docs/studies.md)."""

import importlib
import inspect
import re

import pytest

from tools.course_files import ROOT

NOTEBOOK = re.compile(r"[Nn]otebooks? \d\d")
TIMING = re.compile(r"\b\d+(\.\d+)? ?(ms|s|seconds)\b(?![-\w])")
LIBRARY = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for layer in ("core", "tasks")
    for p in (ROOT / "snn_helpers" / layer).glob("*.py")
    if not p.name.startswith("_")
) + ["snn_helpers.course.ensemble", "snn_helpers.course.experiments"]


def public_objects(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    return [
        (name, obj)
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]


def missing_notebook(module_name: str) -> list[str]:
    return [
        name for name, obj in public_objects(module_name) if not NOTEBOOK.search(inspect.getdoc(obj) or "")
    ]


def test_the_check_finds_a_planted_object_without_its_notebook(monkeypatch):
    module = importlib.import_module("snn_helpers.core.seed")

    def planted() -> None:
        """Does something, nowhere introduced."""

    planted.__module__ = module.__name__
    monkeypatch.setattr(module, "planted", planted, raising=False)
    assert missing_notebook("snn_helpers.core.seed") == ["planted"]


@pytest.mark.parametrize("module_name", LIBRARY)
def test_every_public_object_names_its_notebook(module_name):
    assert public_objects(module_name) or module_name.endswith(("kernel", "_checks"))
    assert missing_notebook(module_name) == [], f"{module_name}: say which notebook introduces these"


def test_no_machine_timing_in_the_library_source():
    found = [
        f"{path.relative_to(ROOT)}:{i}: {line.strip()}"
        for path in sorted((ROOT / "snn_helpers").rglob("*.py"))
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TIMING.search(line) and not re.search(r"f\"|raise |print\(", line)
    ]
    assert found == []
    assert TIMING.search("(about 0.17 s each on one CPU thread)") and not TIMING.search("a 2 s-long cell's")
