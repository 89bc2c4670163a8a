"""The Japanese edition's generator (tools/translate.py), on a small notebook made here."""

import sys

import nbformat
import pytest

from tools.course_files import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import translate  # noqa: E402


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setattr(translate, "LOCALE_DIR", tmp_path / "locale" / "ja")
    monkeypatch.setattr(translate, "OUT_DIR", tmp_path / "ja")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nThe membrane integrates.", id="md-1"),
        nbformat.v4.new_code_cell("print('v =', 1.5)", id="code-1"),
        nbformat.v4.new_markdown_cell("A spike resets it.", id="md-2"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="v = 1.5\n")]
    nb.cells[1].execution_count = 1
    path = tmp_path / "02_test.ipynb"
    nbformat.write(nb, path)
    return path


def translate_all(path, strings):
    cat = translate.read_catalog(path)
    for message in cat:
        if message.id:
            message.string = strings[message.id]
            message.flags.discard("fuzzy")
    translate.write_catalog(path, cat)


JA = {
    "# Title\n\nThe membrane integrates.": "# 題名\n\n膜電位が積分される。",
    "A spike resets it.": "発火でリセットされる。",
}


def test_update_lists_every_markdown_cell_as_stale_until_translated(workspace):
    translate.update(workspace)
    assert translate.stale_cells(workspace) == ["cell md-1: # Title", "cell md-2: A spike resets it."]
    with pytest.raises(ValueError, match=r"2 markdown cells without a current translation:\n  cell md-1"):
        translate.build(workspace)
    translate_all(workspace, JA)
    assert translate.stale_cells(workspace) == []


def test_build_replaces_markdown_only(workspace):
    translate.update(workspace)
    translate_all(workspace, JA)
    ja = nbformat.read(translate.build(workspace), as_version=4)
    en = nbformat.read(workspace, as_version=4)
    assert [c.id for c in ja.cells] == [c.id for c in en.cells]
    assert ja.cells[0].source == JA["# Title\n\nThe membrane integrates."]
    assert ja.cells[1] == en.cells[1]  # code, outputs and execution count as in English


def test_a_changed_english_cell_goes_stale_with_its_old_translation_as_a_suggestion(workspace):
    translate.update(workspace)
    translate_all(workspace, JA)
    nb = nbformat.read(workspace, as_version=4)
    nb.cells[2].source = "A spike resets it to zero."
    nbformat.write(nb, workspace)
    translate.update(workspace)
    assert translate.stale_cells(workspace) == ["cell md-2: A spike resets it to zero."]
    message = translate.read_catalog(workspace)["A spike resets it to zero."]
    assert message.fuzzy and message.string == "発火でリセットされる。"


def test_update_is_deterministic_and_keeps_translations(workspace):
    translate.update(workspace)
    translate_all(workspace, JA)
    first = translate.catalog_path(workspace).read_bytes()
    translate.update(workspace)
    assert translate.catalog_path(workspace).read_bytes() == first
    assert b'msgstr "\\xe7' not in first  # stored as UTF-8 text, not escapes
    assert "膜電位".encode() in first
