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
    assert rendered["text"] == "v = 1.5\n合格：あなたの逆向きの走査は、減算リセットの場合の autograd と一致します\n"
    assert outputs[0]["text"].startswith("v = 1.5\npassed:")  # the English notebook's outputs untouched
