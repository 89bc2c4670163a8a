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
    with pytest.raises(
        ValueError, match=r"2 markdown cells or alt texts without a current translation:\n  cell md-1"
    ):
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


# The figures' text alternatives (a code cell's metadata "alt": one string per image/png output)

PNG = "iVBORw0KGgo="  # any base64 text: the generator never decodes it
ALT_EN = ["The loss falls from 2.3 to 0.1 over 100 iterations.", "A spike resets it."]
ALT_JA = {
    ALT_EN[0]: "損失は 100 反復で 2.3 から 0.1 に下がります。",
    ALT_EN[1]: "（図）発火でリセットされる様子。",
}


@pytest.fixture
def with_figures(workspace):
    """The small notebook with a code cell of two figures, the second alt worded as a markdown cell."""
    nb = nbformat.read(workspace, as_version=4)
    cell = nbformat.v4.new_code_cell("plot()", id="fig-1")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG}) for _ in ALT_EN]
    cell.metadata["alt"] = list(ALT_EN)
    nb.cells.insert(2, cell)
    nbformat.write(nb, workspace)
    return workspace


def test_each_alt_text_is_an_entry_of_its_own_after_the_cell_before_it(with_figures):
    translate.update(with_figures)
    cat = translate.read_catalog(with_figures)
    entries = [(m.id, m.context, m.auto_comments) for m in cat if m.id]
    assert entries == [
        ("# Title\n\nThe membrane integrates.", None, ["cell md-1"]),
        (ALT_EN[0], "alt", ["alt of cell fig-1, figure 1"]),
        (ALT_EN[1], "alt", ["alt of cell fig-1, figure 2"]),
        ("A spike resets it.", None, ["cell md-2"]),  # the same words as the second alt: apart
    ]
    text = translate.catalog_path(with_figures).read_text()
    assert '#. alt of cell fig-1, figure 1\nmsgctxt "alt"\nmsgid "The loss falls' in text
    assert translate.stale_cells(with_figures) == [
        "cell md-1: # Title",
        "cell md-2: A spike resets it.",
        "alt of cell fig-1, figure 1: The loss falls from 2.3 to 0.1 over 100 iterations.",
        "alt of cell fig-1, figure 2: A spike resets it.",
    ]


def translate_alts(path, markdown, alts):
    cat = translate.read_catalog(path)
    for message in cat:
        if message.id:
            message.string = (alts if message.context == "alt" else markdown)[message.id]
            message.flags.discard("fuzzy")
    translate.write_catalog(path, cat)


def test_an_untranslated_alt_text_stops_the_build(with_figures):
    translate.update(with_figures)
    translate_alts(with_figures, JA, {ALT_EN[0]: ALT_JA[ALT_EN[0]], ALT_EN[1]: ""})
    assert translate.stale_cells(with_figures) == ["alt of cell fig-1, figure 2: A spike resets it."]
    with pytest.raises(ValueError, match=r"1 markdown cells or alt texts .*\n  alt of cell fig-1, figure 2"):
        translate.build(with_figures)


def test_build_writes_the_japanese_alt_texts_into_the_cell_metadata(with_figures):
    translate.update(with_figures)
    translate_alts(with_figures, JA, ALT_JA)
    ja = nbformat.read(translate.build(with_figures), as_version=4)
    en = nbformat.read(with_figures, as_version=4)
    assert ja.cells[2].metadata["alt"] == [ALT_JA[ALT_EN[0]], ALT_JA[ALT_EN[1]]]
    assert en.cells[2].metadata["alt"] == ALT_EN  # the English notebook untouched
    assert ja.cells[3].source == JA["A spike resets it."]  # the markdown cell kept its own translation
    assert ja.cells[2].outputs == en.cells[2].outputs and ja.cells[2].source == en.cells[2].source


def test_a_changed_alt_text_takes_its_suggestion_from_the_old_alt_text(with_figures):
    translate.update(with_figures)
    translate_alts(with_figures, JA, ALT_JA)
    nb = nbformat.read(with_figures, as_version=4)
    nb.cells[2].metadata["alt"][1] = "A spike resets it to zero."
    nbformat.write(nb, with_figures)
    translate.update(with_figures)
    assert translate.stale_cells(with_figures) == ["alt of cell fig-1, figure 2: A spike resets it to zero."]
    message = translate.read_catalog(with_figures).get("A spike resets it to zero.", context="alt")
    assert message.fuzzy and message.string == ALT_JA[ALT_EN[1]]  # the alt's, not the markdown cell's


def test_a_removed_alt_text_becomes_obsolete_and_update_stays_deterministic(with_figures):
    translate.update(with_figures)
    translate_alts(with_figures, JA, ALT_JA)
    nb = nbformat.read(with_figures, as_version=4)
    nb.cells[2].outputs.pop()
    nb.cells[2].metadata["alt"].pop()
    nbformat.write(nb, with_figures)
    translate.update(with_figures)
    first = translate.catalog_path(with_figures).read_bytes()
    assert b'#~ msgctxt "alt"\n#~ msgid "A spike resets it."' in first
    translate.update(with_figures)
    assert translate.catalog_path(with_figures).read_bytes() == first
    assert translate.stale_cells(with_figures) == []
    cat = translate.read_catalog(with_figures)
    assert cat.get("A spike resets it.").string == JA["A spike resets it."]  # the markdown entry kept


# The exercise checkers' messages (snn_helpers/course/locale/ja/checkers.po, snn_helpers/course/i18n.py)

from snn_helpers.course import i18n  # noqa: E402


def test_every_checker_message_has_its_japanese():
    """A message added to a checker in English without its Japanese fails here, named."""
    stale = translate.stale_messages()
    assert not stale, (
        "run `python tools/translate.py update checkers`, then translate in "
        "snn_helpers/course/locale/ja/checkers.po:\n" + "\n".join(stale)
    )


def test_the_catalog_has_no_entry_for_a_message_that_is_gone():
    current = set(i18n.extract_templates(i18n.checker_sources()))
    assert set(i18n.read_po(translate.CHECKER_CATALOG)) <= current


def sample(template, values):
    return i18n._FIELD.sub(lambda m: values[m.group(0)], template).replace("{{", "{").replace("}}", "}")


def test_each_message_is_recognised_as_its_own_template():
    # a message made from a template (its fields filled) comes out as that template's Japanese, with
    # the same values: no other, shorter template takes it over
    entries = i18n.read_po(translate.CHECKER_CATALOG)
    wrong = []
    for english, japanese in entries.items():
        values = {field: f"<{n}>" for n, field in enumerate(dict.fromkeys(i18n.template_fields(english)))}
        if i18n.localize(sample(english, values), "ja") != sample(japanese, values):
            wrong.append(english)
    assert not wrong, wrong


def test_a_composed_message_is_translated_part_by_part():
    english = "expected [0.0, 1.0], got [1.0, 1.0].\nHint: 0 itself does not fire: the step is x > 0, strict."
    assert i18n.localize(english, "ja") == (
        "期待される答え：[0.0, 1.0]。あなたの答え：[1.0, 1.0]。\n"
        "ヒント：0 そのものは発火しません：階段関数は x > 0（等号なし）です。"
    )
    assert i18n.localize("passed: the neuron fired 20 times in 100 steps (you predicted 20)", "ja") == (
        "合格：ニューロンは 100 ステップで 20 回発火しました（あなたの予想は 20）"
    )
    assert i18n.localize("v = 1.5", "ja") == "v = 1.5"  # not a checker's message: unchanged
    braces = "v_values={{0.5, 1.2}}: each factor is -v_t, with its minus sign: the sign flips with every earlier spike."
    assert i18n.localize(braces, "ja").startswith(
        "v_values={{0.5, 1.2}}：各因子は"
    )  # values keep their braces
    assert i18n.localize(english, "en") == english


@pytest.mark.parametrize(
    ("cwd", "session", "forced", "expected"),
    [
        ("notebooks", None, None, "en"),
        ("notebooks/ja", None, None, "ja"),
        ("student/ja", None, None, "ja"),
        ("student", "student/ja/01_spike_function.ipynb", None, "ja"),
        ("notebooks/ja", None, "en", "en"),
        ("notebooks", None, "ja", "ja"),
        ("ja_notes", None, None, "en"),
    ],
)
def test_the_language_comes_from_where_the_notebook_runs(
    tmp_path, monkeypatch, cwd, session, forced, expected
):
    (tmp_path / cwd).mkdir(parents=True)
    monkeypatch.chdir(tmp_path / cwd)
    for name, value in (("JPY_SESSION_NAME", session), (i18n.LANGUAGE_VARIABLE, forced)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert i18n.language() == expected


def test_build_renders_the_checkers_passed_lines_in_japanese():
    outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text="v = 1.5\npassed: your backward sweep matches autograd for the subtract reset\n",
        )
    ]
    (rendered,) = translate.japanese_outputs(outputs)
    assert (
        rendered["text"]
        == "v = 1.5\n合格：あなたの逆向きの走査は、減算リセットの場合の autograd と一致します\n"
    )
    assert outputs[0]["text"].startswith("v = 1.5\npassed:")  # the English notebook's outputs untouched
