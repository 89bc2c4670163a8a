"""The package's layers (docs/maintaining.md, "Architecture"): core, then tasks, then course; every
import points down a layer, a task imports no other task, and no module imports the package's facade
(``snn_helpers/__init__.py``, which re-exports for the notebooks)."""

import ast
import shutil
from pathlib import Path

from tools.course_files import ROOT

PACKAGE = ROOT / "snn_helpers"
LAYERS = {"core": 0, "tasks": 1, "course": 2}


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for each import of ``path`` that lands in the package."""
    name = module_name(path, package)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != package.name:
                continue
            if node.module is None or target == package.name:  # from . import x / from snn_helpers import x
                found += [
                    (node.lineno, f"{target}.{a.name}" if target != package.name else target)
                    for a in node.names
                ]
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == package.name]
    return found


def layer_problems(package: Path = PACKAGE) -> list[str]:
    """One line per import that breaks the layering."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        source = module_name(path, package)
        parts = source.split(".")
        if len(parts) < 2 or parts[1] not in LAYERS:
            continue  # the facade and _moved sit above the layers
        for line, target in imported_modules(path, package):
            where = f"{path.relative_to(package.parent)}:{line}"
            tparts = target.split(".")
            if len(tparts) < 2 or tparts[1] not in LAYERS:
                problems.append(f"{where}: imports {target}, the package's facade; import from its module")
            elif LAYERS[tparts[1]] > LAYERS[parts[1]]:
                problems.append(f"{where}: {parts[1]} imports {target}, a layer above it")
            elif (
                parts[1] == tparts[1] == "tasks"
                and len(parts) > 2
                and len(tparts) > 2
                and parts[2] != tparts[2]
            ):
                problems.append(f"{where}: task {parts[2]} imports task {target}; share through the core")
    return problems


def test_every_import_points_down_a_layer():
    assert layer_problems() == []


def test_the_layers_cover_every_module():
    top = sorted(p.name for p in PACKAGE.iterdir() if p.suffix == ".py")
    assert top == ["__init__.py", "_moved.py"]
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("__")) == [
        "core",
        "course",
        "tasks",
    ]


def test_a_planted_upward_import_fails(tmp_path):
    package = tmp_path / "snn_helpers"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "csrc", "locale"))
    assert layer_problems(package) == []
    encoding = package / "core" / "encoding.py"
    encoding.write_text(encoding.read_text() + "\nfrom ..tasks.post import Model  # planted\n")
    digits = package / "tasks" / "digits.py"
    digits.write_text(digits.read_text() + "\nfrom .randman import make_randman  # planted\n")
    seed = package / "core" / "seed.py"
    seed.write_text(
        seed.read_text() + "\nfrom snn_helpers import IF  # planted\nimport snn_helpers.course.checking\n"
    )
    problems = layer_problems(package)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "core imports snn_helpers.tasks.post, a layer above it",
        "imports snn_helpers, the package's facade; import from its module",
        "core imports snn_helpers.course.checking, a layer above it",
        "task digits imports task snn_helpers.tasks.randman; share through the core",
    ]
    assert problems[0].startswith("snn_helpers/core/encoding.py:")
