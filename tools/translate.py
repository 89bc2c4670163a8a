"""The Japanese edition, generated from the English notebooks and one gettext catalog per notebook.

Usage:
  python tools/translate.py update [NOTEBOOK ...]   refresh locale/ja/NN_name.po from the English cells
  python tools/translate.py stale [NOTEBOOK ...]    list the markdown cells without a current translation
  python tools/translate.py build [NOTEBOOK ...]    write notebooks/ja/NN_name.ipynb (refuses stale ones)

(default: every course notebook). Each catalog entry is keyed by the exact English source of one
markdown cell (its msgid); msgstr holds the Japanese. `update` adds an entry for a new or changed cell
and keeps the old translation of a changed cell as a "fuzzy" suggestion for the translator (gettext's
convention); entries of cells that no longer exist become obsolete (`#~`). A translation is current
when its msgstr is not empty and not fuzzy. `build` copies the English notebook (cells, ids, code,
outputs, metadata) and replaces only the markdown; it is part of `make notebooks`, and
`tests/test_japanese.py` checks that every committed Japanese notebook is exactly what it makes.

The catalogs are read and written with Babel (`babel.messages`), so Poedit, Lokalize, polib or
translate-toolkit edit them too. The headers carry a fixed date so that `update` is deterministic.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from course_files import ROOT, course_notebooks

LANG = "ja"
LOCALE_DIR = ROOT / "locale" / LANG
OUT_DIR = ROOT / "notebooks" / LANG
FIXED_DATE = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)


def catalog_path(notebook: Path) -> Path:
    return LOCALE_DIR / f"{notebook.stem}.po"


def markdown_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]


def new_catalog(notebook: Path) -> Catalog:
    return Catalog(
        locale=LANG,
        header_comment=f"# Japanese edition of notebooks/{notebook.name}, one entry per markdown cell.\n"
        "# Edit msgstr only; `make notebooks` writes notebooks/ja/ from this file (tools/translate.py).",
        project=f"snn-course {notebook.stem}",
        version="1",
        copyright_holder="the course's authors",
        msgid_bugs_address="the course's issue tracker",
        last_translator="the course's translators",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        language_team="Japanese",
        fuzzy=False,
    )


def template(notebook: Path) -> Catalog:
    """A catalog with one untranslated entry per markdown cell of the English notebook."""
    nb = nbformat.read(notebook, as_version=4)
    cat = new_catalog(notebook)
    for cell in markdown_cells(nb):
        if cell.source in cat:
            cat[cell.source].auto_comments.append(f"cell {cell.id}")
        else:
            cat.add(cell.source, "", auto_comments=[f"cell {cell.id}"])
    return cat


def read_catalog(notebook: Path) -> Catalog:
    path = catalog_path(notebook)
    if not path.exists():
        return new_catalog(notebook)
    with path.open("rb") as f:
        return read_po(f, locale=LANG)


def write_catalog(notebook: Path, cat: Catalog) -> None:
    cat.creation_date = cat.revision_date = FIXED_DATE
    cat.fuzzy = False
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with catalog_path(notebook).open("wb") as f:
        write_po(f, cat, width=0, sort_output=False, include_previous=False)


def update(notebook: Path) -> None:
    """Refresh the notebook's catalog from its English markdown cells (keeps every translation)."""
    cat = read_catalog(notebook)
    cat.update(template(notebook), update_creation_date=False)
    # keep the English notebook's cell order, which Babel's update does not promise
    ordered = new_catalog(notebook)
    for message in template(notebook):
        if message.id:
            old = cat[message.id]
            ordered.add(message.id, old.string, auto_comments=message.auto_comments, flags=old.flags)
    for key, message in cat.obsolete.items():
        if message.string:
            ordered.obsolete[key] = message
    write_catalog(notebook, ordered)


def stale_cells(notebook: Path) -> list[str]:
    """The English markdown cells whose translation is missing, empty or fuzzy: 'cell ID: first line'."""
    nb = nbformat.read(notebook, as_version=4)
    cat = read_catalog(notebook)
    stale = []
    for cell in markdown_cells(nb):
        message = cat.get(cell.source)
        if message is None or not message.string or message.fuzzy:
            stale.append(f"cell {cell.id}: {cell.source.splitlines()[0][:70]}")
    return stale


def japanese_notebook(notebook: Path) -> nbformat.NotebookNode:
    """The English notebook with each markdown cell replaced by its current translation."""
    stale = stale_cells(notebook)
    if stale:
        raise ValueError(
            f"{notebook.name}: {len(stale)} markdown cells without a current translation:\n  "
            + "\n  ".join(stale)
        )
    nb = copy.deepcopy(nbformat.read(notebook, as_version=4))
    cat = read_catalog(notebook)
    for cell in markdown_cells(nb):
        cell.source = cat[cell.source].string
    return nb


def build(notebook: Path) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    target = OUT_DIR / notebook.name
    nbformat.write(japanese_notebook(notebook), target)
    return target


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "stale", "build"):
        print(__doc__)
        return 2
    command, paths = argv[0], [Path(p).resolve() for p in argv[1:]] or course_notebooks()
    status = 0
    for path in paths:
        if command == "update":
            update(path)
            print(f"{catalog_path(path).relative_to(ROOT)}: {len(stale_cells(path))} cells to translate")
        elif command == "stale":
            stale = stale_cells(path)
            status |= bool(stale)
            print(f"{path.name}: {len(stale)} stale" + "".join(f"\n  {s}" for s in stale))
        else:
            print(f"wrote {build(path).relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
