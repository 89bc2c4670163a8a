"""The Japanese edition: generated from the English notebooks and their catalogs, and kept current.

An English markdown cell or figure alt text changed without its translation fails here, naming the cell;
`python tools/translate.py stale` lists them all, `make translations` refreshes the catalogs.
"""

import sys

import nbformat
import pytest

from tools.course_files import ROOT, course_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import translate  # noqa: E402

NOTEBOOKS = course_notebooks()


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def english(request):
    return request.param


def test_every_markdown_cell_has_a_current_translation(english):
    assert translate.catalog_path(english).exists(), f"no catalog for {english.name}: run make translations"
    stale = translate.stale_cells(english)
    assert not stale, f"{english.name}: translate in {translate.catalog_path(english).name}:\n" + "\n".join(
        stale
    )


def test_japanese_notebook_is_exactly_what_the_generator_makes(english):
    committed = ROOT / "notebooks" / "ja" / english.name
    assert committed.exists(), f"notebooks/ja/{english.name} missing: run make notebooks"
    assert committed.read_text() == nbformat.writes(translate.japanese_notebook(english)) + "\n", (
        f"notebooks/ja/{english.name} differs from what tools/translate.py makes: never edit it by hand"
    )


def test_code_and_outputs_are_the_english_ones(english):
    """The same code; the same outputs, except the checkers' lines, which the Japanese kernel prints in
    Japanese (strict nbval executes notebooks/ja and compares them); the same metadata, except the
    figures' text alternatives, which are the catalog's Japanese (as many, in the same order)."""
    ja = nbformat.read(ROOT / "notebooks" / "ja" / english.name, as_version=4)
    en = nbformat.read(english, as_version=4)
    cat = translate.read_catalog(english)
    assert [(c.id, c.cell_type) for c in ja.cells] == [(c.id, c.cell_type) for c in en.cells]
    for a, b in zip(ja.cells, en.cells, strict=True):
        if b.cell_type == "code":
            assert a.source == b.source, f"cell {b.id}"
            assert {**a.metadata, "alt": None} == {**b.metadata, "alt": None}, f"cell {b.id}"
            alt = [cat.get(text, context=translate.ALT).string for text in b.metadata.get("alt", [])]
            assert a.metadata.get("alt", []) == alt, f"cell {b.id}: the Japanese alt texts"
            assert a.outputs == translate.japanese_outputs(b.outputs), f"cell {b.id}"
        else:
            assert a.source != b.source or not b.source.strip(), f"cell {b.id} is not translated"


def test_every_passed_line_of_a_check_is_in_japanese(english):
    ja = nbformat.read(ROOT / "notebooks" / "ja" / english.name, as_version=4)
    texts = [o.get("text", "") for c in ja.cells if c.cell_type == "code" for o in c.outputs]
    english_lines = [line for text in texts for line in text.splitlines() if line.startswith("passed:")]
    assert not english_lines, f"notebooks/ja/{english.name} prints in English: {english_lines}"
    assert any("合格：" in text for text in texts), f"notebooks/ja/{english.name} has no passed check"


def test_no_catalog_for_a_notebook_that_is_gone():
    names = {p.stem for p in NOTEBOOKS}
    orphans = [p.name for p in translate.LOCALE_DIR.glob("*.po") if p.stem not in names]
    generated = [p.name for p in (ROOT / "notebooks" / "ja").glob("*.ipynb") if p.stem not in names]
    assert not orphans and not generated, (orphans, generated)


def test_readme_ja_lists_every_notebook_with_the_english_minutes():
    english = (ROOT / "README.md").read_text()
    japanese = (ROOT / "README.ja.md").read_text()
    for path in NOTEBOOKS:
        en_row = next(line for line in english.splitlines() if f"(notebooks/{path.name})" in line)
        ja_row = next((line for line in japanese.splitlines() if f"(notebooks/ja/{path.name})" in line), None)
        assert ja_row is not None, f"README.ja.md's table has no row for notebooks/ja/{path.name}"
        assert ja_row.rstrip(" |").split("|")[-1].strip() == en_row.rstrip(" |").split("|")[-1].strip()
    assert "[README.ja.md](README.ja.md)" in english and "[README.md](README.md)" in japanese


def test_the_site_builds_the_japanese_edition(tmp_path):
    import make_html

    paths = sorted((ROOT / "notebooks" / "ja").glob("0[12]_*.ipynb"))
    written = make_html.build(make_html.EDITIONS["ja"], tmp_path, paths, student=False)
    index = (tmp_path / "index.html").read_text()
    assert (
        '<html lang="ja"' in index
        and "ノートブック" in index
        and "README.ja.md の表にまだありません" not in index
    )
    page = (tmp_path / paths[0].with_suffix(".html").name).read_text()
    assert "<math" in page and "次へ" in page  # equations typeset, the pager in Japanese
    assert len(written) == 3


def test_student_copies_of_the_japanese_edition(tmp_path):
    import subprocess

    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"ja/{NOTEBOOKS[0].name}" in out
    ja = nbformat.read(tmp_path / "ja" / NOTEBOOKS[0].name, as_version=4)
    assert not any("### BEGIN SOLUTION" in c.source for c in ja.cells)
    assert any("raise NotImplementedError()" in c.source for c in ja.cells if c.cell_type == "code")
