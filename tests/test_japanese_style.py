"""The Japanese glossary and typography (tools/ja_style.py): planted variants and marks are caught and
the mechanical ones fixed; the repository's Japanese text keeps to docs/glossary-ja.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import ja_style  # noqa: E402

VARIANTS = ja_style.glossary_variants()


def rules(text: str) -> list[tuple[str, str]]:
    return [(rule, what) for _, rule, what in ja_style.find(text, VARIANTS)]


def test_the_glossary_table_rules_out_the_reviews_variants():
    # docs/glossary-ja.md, "表記の統一" (the Japanese review, sections 2.1 and 5)
    assert VARIANTS["課題"] == "タスク"
    assert VARIANTS["ピクセル"] == "画素"
    assert VARIANTS["対数目盛"] == "対数軸"
    assert VARIANTS["同点"] == "同数"
    assert VARIANTS["代理関数の導関数"] == "代理関数"
    assert VARIANTS["パレート図"] == "パレートフロント"
    assert VARIANTS["通時的な逆伝播"] == VARIANTS["通時的な勾配"] == "通時的誤差逆伝播"
    assert not set(VARIANTS) & set(VARIANTS.values()), "a word both used and ruled out"


def test_a_table_row_without_variants_is_refused(tmp_path):
    bad = tmp_path / "glossary.md"
    bad.write_text("## 表記の統一\n\n| 使う語 | 使わない語 |\n|---|---|\n| タスク | |\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a word and its variants"):
        ja_style.glossary_variants(bad)


def test_planted_variants():
    assert rules("この課題では、ピクセルを対数目盛で見ます。") == [
        ("variant", "課題 (use タスク)"),
        ("variant", "ピクセル (use 画素)"),
        ("variant", "対数目盛 (use 対数軸)"),
    ]


def test_planted_typography():
    found = rules("どの幅で? 形 x 幅です. 見なします: *膜電位* は約30分(注)")
    assert [r for r, _ in found] == [
        "punctuation",
        "times",
        "punctuation",
        "punctuation",
        "italics",
        "spacing",
        "spacing",
        "parentheses",
    ]
    assert found[0][1].endswith("? -> ？")
    assert found[1][1].endswith("x -> ×")
    assert found[4][1].startswith("'*膜電位*'")


def test_italics_between_japanese_words():
    # Python's \w matches kana and kanji: italics with Japanese on both sides were once missed
    assert rules("スパイクが*いつ*来るかで、*すべての*ニューロンに") == [
        ("italics", "'*いつ*': no italics on Japanese (use **bold** or 「」)"),
        ("italics", "'*すべての*': no italics on Japanese (use **bold** or 「」)"),
    ]
    assert rules("スパイクが**いつ**来るかで、変数 snake_case_name と a*b*c は") == []


def test_what_is_not_japanese_prose():
    text = (
        "コードは `f(x): return x.y?` です。\n\n```python\nprint('こんにちは.')\n```\n\n"
        "数式 $(a, b): x$ と https://example.org/a(b).c と [リンク](notebooks/ja/07.ipynb) と {expected} です。"
        "**演習 1.** 番号の点はそのままです。変数 x の値と f(x) は ASCII のままです。"
    )
    assert rules(text) == []


def test_fix_applies_the_mechanical_rules():
    text = "**所要時間:** 約30分。**前提:** 06 (融合エンジン)、または 05。形 x 幅? 本当です."
    fixed = ja_style.fix(text)
    assert fixed == "**所要時間：** 約 30 分。**前提：** 06（融合エンジン）、または 05。形 × 幅？本当です。"
    assert rules(fixed) == []
    # variants and italics are a translator's choice: --fix leaves them
    assert ja_style.fix("この課題は *重要* です") == "この課題は *重要* です"


def test_fix_rewrites_a_catalog_as_translate_writes_it(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    catalog = Catalog(locale="ja")
    catalog.add("Estimated time: 30 minutes.", "**所要時間:** 約30分。")
    catalog.add("Keep `f(x)`.", "`f(x)` はそのままです")
    path = tmp_path / "99_planted.po"
    with path.open("wb") as f:
        write_po(f, catalog, width=0, sort_output=False, include_previous=False)
    line = path.read_text(encoding="utf-8").splitlines().index('msgstr "**所要時間:** 約30分。"') + 1
    found = ja_style.check_file(path, VARIANTS)
    assert [(v.where, v.rule) for v in found] == [
        (f"{path}:{line}", r) for r in ("punctuation", "spacing", "spacing")
    ]
    assert ja_style.fix_file(path) is True
    with path.open("rb") as f:
        strings = [m.string for m in read_po(f) if m.id]
    assert strings == ["**所要時間：** 約 30 分。", "`f(x)` はそのままです"]
    assert ja_style.check_file(path, VARIANTS) == []
    assert ja_style.fix_file(path) is False


def test_fix_refuses_a_generated_notebook(tmp_path):
    path = tmp_path / "ja" / "99_planted.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(ValueError, match=r"generated from its catalog: fix locale/ja/99_planted.po"):
        ja_style.fix_file(path)


def test_the_command_line_names_file_line_and_rule(tmp_path):
    path = tmp_path / "README.ja.md"
    path.write_text("# 題\n\nこの課題は難しい?\n", encoding="utf-8")
    script = str(ROOT / "tools" / "ja_style.py")
    run = subprocess.run([sys.executable, script, str(path)], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"{path}:3: variant: 課題 (use タスク)",
        f"{path}:3: punctuation: 'この課題は難しい?': ? -> ？",
    ]
    run = subprocess.run([sys.executable, script, "--fix", str(path)], capture_output=True, text=True)
    assert path.read_text(encoding="utf-8") == "# 題\n\nこの課題は難しい？\n"
    assert run.stdout.splitlines() == [f"{path}:3: variant: 課題 (use タスク)"]


@pytest.mark.parametrize("path", ja_style.default_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_japanese_edition_keeps_to_the_glossary(path):
    found = ja_style.check_file(path, VARIANTS)
    assert not found, (
        f"{len(found)} violations (python tools/ja_style.py --fix <catalog> fixes the mechanical ones):\n"
        + "\n".join(map(str, found))
    )
