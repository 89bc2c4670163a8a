"""The Japanese edition, generated from the English notebooks and one gettext catalog per notebook.

Usage:
  python tools/translate.py update [NOTEBOOK ...]   refresh locale/ja/NN_name.po from the English cells
  python tools/translate.py stale [NOTEBOOK ...]    list the markdown cells and figure alt texts without a
                                                   current translation
  python tools/translate.py build [NOTEBOOK ...]    write notebooks/ja/NN_name.ipynb (refuses stale ones)

(default: every course notebook, and for update and stale the checkers' catalog too; `checkers`
names that catalog alone). Each catalog entry is keyed by the exact English source of one
markdown cell (its msgid); msgstr holds the Japanese. A code cell's figures have their text
alternatives in the cell's metadata, ``"alt": ["what figure 1 shows", ...]`` (one string per image/png
output, in order; the site writes the k-th as the k-th image's ``alt``): each string is an entry of
its own, with ``msgctxt "alt"`` (so that it never shares an entry with a markdown cell of the same
words) and the auto-comment "alt of cell ID, figure K", placed after the markdown cell before it.
`update` adds an entry for a new or changed cell or alt text and keeps the old translation of a
changed one as a "fuzzy" suggestion for the translator (gettext's convention; an alt text's suggestion
comes from an old alt text, a markdown cell's from an old markdown cell); entries of cells that no
longer exist become obsolete (`#~`). A translation is current
when its msgstr is not empty and not fuzzy. `build` copies the English notebook (cells, ids, code,
outputs, metadata) and replaces only the markdown and the alt texts; it is part of `make notebooks`, and
`tests/test_japanese.py` checks that every committed Japanese notebook is exactly what it makes.

The exercise checkers' messages have their own catalog, snn_helpers/course/locale/ja/checkers.po (in
the package, so that it ships in the wheel): one entry per English message template of
snn_helpers/course/checking.py and exercises_*.py, extracted from their source by `update`
(snn_helpers/course/i18n.py says how a message finds its template). A translation is current when it
is not empty, not fuzzy and has the same fields as its English. The checkers print in Japanese when
the notebook runs from a folder named `ja`; so `build` also renders the stored "passed: ..." lines of
the English notebook through that catalog, and strict nbval, executing notebooks/ja, compares them.

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

sys.path.insert(0, str(ROOT))
from snn_helpers.course import i18n  # noqa: E402

LANG = "ja"
LOCALE_DIR = ROOT / "locale" / LANG
OUT_DIR = ROOT / "notebooks" / LANG
FIXED_DATE = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
ALT = "alt"  # the msgctxt of a figure's text alternative, and the code cell's metadata key
PASSED = "passed: "  # the checkers' one printed line (snn_helpers/course/checking.py, passed)
CHECKERS = "checkers"  # the name of the checkers' catalog on the command line
CHECKER_CATALOG = i18n.CATALOG_DIR / LANG / "checkers.po"


def catalog_path(notebook: Path) -> Path:
    return CHECKER_CATALOG if notebook.name == CHECKERS else LOCALE_DIR / f"{notebook.stem}.po"


def markdown_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]


def alt_texts(nb: nbformat.NotebookNode) -> list[tuple[nbformat.NotebookNode, int, str]]:
    """Each figure's text alternative: ``(code cell, figure number from 1, English text)``."""
    return [
        (c, k, text)
        for c in nb.cells
        if c.cell_type == "code"
        for k, text in enumerate(c.metadata.get(ALT, []), start=1)
    ]


def new_catalog(notebook: Path) -> Catalog:
    header = (
        f"# Japanese edition of notebooks/{notebook.name}, one entry per markdown cell and per figure's\n"
        '# text alternative (msgctxt "alt": the code cell\'s metadata.alt).\n'
        "# Edit msgstr only; `make notebooks` writes notebooks/ja/ from this file (tools/translate.py)."
    )
    if notebook.name == CHECKERS:
        header = (
            "# Japanese messages of the exercise checkers, one entry per English message template of\n"
            "# snn_helpers/course/checking.py and exercises_*.py (tools/translate.py update extracts them).\n"
            "# Edit msgstr only; keep every {field} of the msgid, as written, with its format."
        )
    return Catalog(
        locale=LANG,
        header_comment=header,
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
    """A catalog with one untranslated entry per markdown cell and per figure alt text of the English
    notebook, in the notebook's order (or per message template of the checkers)."""
    cat = new_catalog(notebook)
    if notebook.name == CHECKERS:
        for message, where in i18n.extract_templates(i18n.checker_sources()).items():
            cat.add(message, "", auto_comments=where)
        return cat
    nb = nbformat.read(notebook, as_version=4)
    alts = {}
    for cell, k, text in alt_texts(nb):
        alts.setdefault(cell.id, []).append((k, text))
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            entries = [(cell.source, None, f"cell {cell.id}")]
        else:
            entries = [(text, ALT, f"alt of cell {cell.id}, figure {k}") for k, text in alts.get(cell.id, [])]
        for text, context, comment in entries:
            existing = cat.get(text, context=context)
            if existing is not None:
                existing.auto_comments.append(comment)
            else:
                cat.add(text, "", auto_comments=[comment], context=context)
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
    catalog_path(notebook).parent.mkdir(parents=True, exist_ok=True)
    with catalog_path(notebook).open("wb") as f:
        write_po(f, cat, width=0, sort_output=False, include_previous=False)


def _with_context(notebook: Path, messages, context: str | None) -> Catalog:
    part = new_catalog(notebook)
    for m in messages:
        if m.id and m.context == context:
            part.add(m.id, m.string, auto_comments=m.auto_comments, flags=m.flags, context=context)
    return part


def update(notebook: Path) -> None:
    """Refresh the notebook's catalog from its English markdown cells and alt texts (keeps every
    translation)."""
    old, new = read_catalog(notebook), template(notebook)
    # Babel's update, once per msgctxt: a changed alt text takes its fuzzy suggestion from an old alt
    # text, a changed markdown cell from an old markdown cell, never one from the other
    updated, obsolete = {}, {}
    for context in (None, ALT):
        part = _with_context(notebook, old, context)
        for key, message in old.obsolete.items():
            if message.context == context:
                part.obsolete[key] = message
        part.update(_with_context(notebook, new, context), update_creation_date=False)
        updated[context] = part
        obsolete |= part.obsolete
    # keep the English notebook's order, which Babel's update does not promise
    ordered = new_catalog(notebook)
    for message in new:
        if message.id:
            was = updated[message.context].get(message.id, context=message.context)
            ordered.add(
                message.id,
                was.string,
                auto_comments=message.auto_comments,
                flags=was.flags,
                context=message.context,
            )
    for key, message in obsolete.items():
        if message.string:
            ordered.obsolete[key] = message
    write_catalog(notebook, ordered)


def stale_messages() -> list[str]:
    """The checkers' English message templates whose translation is missing, empty, fuzzy or has other
    fields than the English: 'exercises_01.py:42: the message'."""
    cat = read_catalog(Path(CHECKERS))
    stale = []
    for message, where in i18n.extract_templates(i18n.checker_sources()).items():
        entry = cat.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            stale.append(f"{where[0]}: {message!r}")
        elif set(i18n.template_fields(entry.string)) != set(i18n.template_fields(message)):
            stale.append(f"{where[0]}: the Japanese has other fields than {message!r}")
    return stale


def _current(message) -> bool:
    return message is not None and bool(message.string) and not message.fuzzy


def stale_cells(notebook: Path) -> list[str]:
    """The English markdown cells and alt texts whose translation is missing, empty or fuzzy:
    'cell ID: first line' for a markdown cell, 'alt of cell ID, figure K: first words' for an alt text."""
    if notebook.name == CHECKERS:
        return stale_messages()
    nb = nbformat.read(notebook, as_version=4)
    cat = read_catalog(notebook)
    stale = []
    for cell in markdown_cells(nb):
        if not _current(cat.get(cell.source)):
            stale.append(f"cell {cell.id}: {cell.source.splitlines()[0][:70]}")
    for cell, k, text in alt_texts(nb):
        if not _current(cat.get(text, context=ALT)):
            stale.append(f"alt of cell {cell.id}, figure {k}: {text[:60]}")
    return stale


def japanese_notebook(notebook: Path) -> nbformat.NotebookNode:
    """The English notebook with each markdown cell and each figure's alt text replaced by its current
    translation."""
    stale = stale_cells(notebook)
    if stale:
        raise ValueError(
            f"{notebook.name}: {len(stale)} markdown cells or alt texts without a current translation:\n  "
            + "\n  ".join(stale)
        )
    nb = copy.deepcopy(nbformat.read(notebook, as_version=4))
    cat = read_catalog(notebook)
    for cell in markdown_cells(nb):
        cell.source = cat[cell.source].string
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = japanese_outputs(cell.outputs)
            if ALT in cell.metadata:
                cell.metadata[ALT] = [cat.get(text, context=ALT).string for text in cell.metadata[ALT]]
    return nb


def japanese_outputs(outputs: list) -> list:
    """Code cell outputs as the Japanese notebook prints them: each checker's "passed: ..." line in
    Japanese, everything else as it is (a notebook's own print that happens to match a message
    template, "shape (10, 4, 500)" say, is the notebook's, printed in English by both editions)."""
    rendered = copy.deepcopy(outputs)
    for output in rendered:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            lines = output["text"].split("\n")
            output["text"] = "\n".join(
                i18n.localize(line, LANG) if line.startswith(PASSED) else line for line in lines
            )
    return rendered


def build(notebook: Path) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    target = OUT_DIR / notebook.name
    nbformat.write(japanese_notebook(notebook), target)
    return target


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "stale", "build"):
        print(__doc__)
        return 2
    command = argv[0]
    paths = [Path(p) if p == CHECKERS else Path(p).resolve() for p in argv[1:]]
    if not paths:
        paths = course_notebooks() + ([Path(CHECKERS)] if command != "build" else [])
    if command == "build" and Path(CHECKERS) in paths:
        print("the checkers' catalog is not built: the package reads it")
        paths = [p for p in paths if p.name != CHECKERS]
    status = 0
    for path in paths:
        if command == "update":
            update(path)
            what = "messages" if path.name == CHECKERS else "cells and alt texts"
            print(f"{catalog_path(path).relative_to(ROOT)}: {len(stale_cells(path))} {what} to translate")
        elif command == "stale":
            stale = stale_cells(path)
            status |= bool(stale)
            print(f"{path.name}: {len(stale)} stale" + "".join(f"\n  {s}" for s in stale))
        else:
            print(f"wrote {build(path).relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
