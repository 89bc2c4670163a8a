"""The Japanese edition's words and typography, checked (and the mechanical rules fixed).

Usage: python tools/ja_style.py [--fix] [FILE ...]
(default: notebooks/ja/NN_*.ipynb, README.ja.md, locale/ja/*.po and the checkers' catalog
snn_helpers/course/locale/ja/checkers.po). One line per violation, ``FILE:LINE: rule: what`` (a
notebook gives ``FILE cell N``); exit status 1 if any. Read are the Japanese markdown cells of the
notebooks, the msgstr of the catalogs and the Markdown of README.ja.md; not read are code (code
cells, inline code and code blocks), URLs and link targets, HTML tags, LaTeX (``$...$``,
``$$...$$``) and message fields (``{expected}``).

The rules (docs/glossary-ja.md states them for translators):

- **variant**: a word that the glossary's table "表記の統一" rules out, with the word to use
  (タスク, not 課題; 画素, not ピクセル; 対数軸, not 対数目盛; ...);
- **punctuation**: ASCII ``?``, ``!``, ``:``, ``,`` or ``.`` directly after Japanese (a kana, a kanji, a
  closing 」』）, optionally through a closing ``**``): write ？！：、。 (``...`` becomes …);
- **parentheses**: ASCII ``(`` ``)`` around Japanese or next to it: write （）, with no space between
  a full-width parenthesis and the text next to it;
- **times**: an ASCII ``x`` between numbers or Japanese words (``8 x 8``, ``形 x 幅``): write ×;
- **italics**: ``*...*`` or ``_..._`` (single markers) around Japanese: most Japanese fonts have no italic
  (write **bold** or 「」);
- **spacing**: a numeral and a kana or kanji next to it are separated by one half-width space
  (``約 30 分``, ``3 つ``, ``float32 では``); a numeral and full-width punctuation are not.

``--fix`` rewrites, in the files named (or the default ones), what is mechanical: punctuation,
parentheses, ×, spacing. Variants and italics need a translator. A generated notebook
(notebooks/ja) is never rewritten: fix its catalog, locale/ja/NN_name.po, and run
``tools/translate.py build``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary-ja.md"
CHECKER_CATALOG = ROOT / "snn_helpers" / "course" / "locale" / "ja" / "checkers.po"
TABLE_HEADING = "## 表記の統一"

KANA_KANJI = "\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005\u3006\uff66-\uff9f"
JP = f"[{KANA_KANJI}」』）]"  # Japanese text, or a closing Japanese bracket
JP_LETTER = f"[{KANA_KANJI}]"


@dataclass(frozen=True)
class Violation:
    where: str
    rule: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.what}"


# ---- the glossary's table ----------------------------------------------------------------------


def glossary_variants(path: Path = GLOSSARY) -> dict[str, str]:
    """``{variant ruled out: word to use}`` from the glossary's table under ``TABLE_HEADING``.

    The table's first column is the word to use, its second the variants ruled out, separated by 、."""
    text = path.read_text(encoding="utf-8")
    if TABLE_HEADING not in text:
        raise ValueError(f"{path}: no section {TABLE_HEADING!r} with the table of variants")
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    variants: dict[str, str] = {}
    rows = [ln for ln in section.splitlines() if ln.startswith("|")]
    for row in rows[2:]:  # the header and its rule
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise ValueError(f"{path}: a row of {TABLE_HEADING!r} needs a word and its variants: {row!r}")
        use = cells[0].strip("`「」 ")
        for variant in re.split(r"[、,]", cells[1]):
            variant = variant.strip().strip("`「」 ")
            if variant:
                variants[variant] = use
    return variants


# ---- what is read ------------------------------------------------------------------------------

_MASKS = [
    re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL),  # code blocks
    re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL),  # inline code
    re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.DOTALL),  # LaTeX
    re.compile(r"\]\([^)\s]*\)"),  # link targets
    re.compile(r"https?://[^\s)）]+"),  # URLs
    re.compile(r"<[^>\n]+>"),  # HTML tags
    re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}\n]*)?\}"),  # message fields
]


def masked(text: str) -> str:
    """``text`` with code, LaTeX, links, URLs, tags and fields replaced by U+E000 (offsets kept)."""
    for pattern in _MASKS:
        text = pattern.sub(lambda m: "\ue000" * len(m.group(0)), text)
    return text


# ---- the rules ---------------------------------------------------------------------------------

FULL = {"?": "？", "!": "！", ":": "：", ",": "、", ".": "。"}
_PUNCT = re.compile(rf"(?<={JP})(\*\*|__)?(\.\.\.|[?!:,.])")
# a times sign is followed by a number, a kanji or katakana; a variable x by a particle (x の, x で)
_TIMES = re.compile(
    rf"(?<=[0-9{KANA_KANJI}])(\s*)x(\s*)(?=[0-9\u30a0-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff])"
)
_ITALIC = re.compile(  # ASCII word characters around the markers: Python's \w matches kana and kanji too
    rf"(?<![*A-Za-z0-9_\\])([*_])(?![*_\s])([^*_\n]*?{JP_LETTER}[^*_\n]*?)(?<![\s*_])\1(?![*_A-Za-z0-9])"
)
_SPACE_AFTER_NUM = re.compile(rf"([0-9])({JP_LETTER})")
_SPACE_BEFORE_NUM = re.compile(rf"({JP_LETTER})([0-9])")


def _paren_pairs(text: str) -> list[tuple[int, int]]:
    """(open, close) offsets of balanced ASCII parentheses in already masked text."""
    stack, pairs = [], []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            pairs.append((stack.pop(), i))
    return sorted(pairs)


def _japanese_pair(text: str, o: int, c: int) -> bool:
    inside = text[o + 1 : c]
    if re.search(JP_LETTER, inside):
        return True
    if o > 0 and re.match(r"[A-Za-z0-9_]", text[o - 1]):
        return False  # f(x), Linear(64): ASCII notation
    left = text[:o].rstrip(" ")
    right = text[c + 1 :].lstrip(" ")
    return bool(left and re.match(JP, left[-1])) or bool(right and re.match(JP_LETTER, right[0]))


def find(text: str, variants: dict[str, str]) -> list[tuple[int, str, str]]:
    """(offset, rule, what) for each violation in one unit of Japanese text."""
    m_text = masked(text)
    out: list[tuple[int, str, str]] = []
    for variant, use in variants.items():
        for m in re.finditer(re.escape(variant), m_text):
            out.append((m.start(), "variant", f"{variant} (use {use})"))
    for m in _PUNCT.finditer(m_text):
        if m.group(2) == "." and _numbering(m_text, m.start(2)):
            continue
        full = "…" if m.group(2) == "..." else FULL[m.group(2)]
        out.append((m.start(2), "punctuation", f"{_around(text, m.start(2))!r}: {m.group(2)} -> {full}"))
    for o, c in _paren_pairs(m_text):
        if _japanese_pair(m_text, o, c):
            out.append((o, "parentheses", f"{_around(text, o, c + 1 - o)!r}: ( ) -> （ ）"))
    for m in _TIMES.finditer(m_text):
        start = m.start() + len(m.group(1))
        out.append((start, "times", f"{_around(text, start)!r}: x -> ×"))
    for m in _ITALIC.finditer(m_text):
        out.append((m.start(), "italics", f"{m.group(0)!r}: no italics on Japanese (use **bold** or 「」)"))
    for pattern in (_SPACE_AFTER_NUM, _SPACE_BEFORE_NUM):
        for m in pattern.finditer(m_text):
            out.append(
                (
                    m.start() + 1,
                    "spacing",
                    f"{_around(text, m.start() + 1)!r}: a space between numeral and Japanese",
                )
            )
    return sorted(out)


def _numbering(text: str, i: int) -> bool:
    """A '.' that closes a number label (**演習 1.**) or a list number is not a sentence's end."""
    return bool(re.search(r"[0-9]$", text[:i]))


def _around(text: str, i: int, n: int = 1) -> str:
    return text[max(0, i - 8) : i + n + 8].replace("\n", " ").strip()


def fix(text: str) -> str:
    """``text`` with the mechanical rules applied (punctuation, parentheses, ×, spacing)."""
    for _ in range(3):  # one rule can expose another (a full-width ）, then its '.')
        before = text
        text = _fix_once(text)
        if text == before:
            break
    return text


def _fix_once(text: str) -> str:
    m_text = masked(text)
    chars = list(text)
    drop: set[int] = set()
    for o, c in _paren_pairs(m_text):
        if not _japanese_pair(m_text, o, c):
            continue
        chars[o], chars[c] = "（", "）"
        j = o - 1
        while j >= 0 and chars[j] == " " and j not in drop:
            drop.add(j)
            j -= 1
        j = c + 1
        while j < len(chars) and chars[j] == " ":
            drop.add(j)
            j += 1
    for m in _PUNCT.finditer(m_text):
        if m.group(2) == "." and _numbering(m_text, m.start(2)):
            continue
        if m.group(2) == "...":
            chars[m.start(2)] = "…"
            drop.update({m.start(2) + 1, m.start(2) + 2})
        else:
            chars[m.start(2)] = FULL[m.group(2)]
            # a space after the full-width mark is not needed ("。 次" -> "。次")
            if m.end(2) < len(chars) and chars[m.end(2)] == " ":
                nxt = m_text[m.end(2) + 1 : m.end(2) + 2]
                if nxt and nxt != "\n":
                    drop.add(m.end(2))
    for m in _TIMES.finditer(m_text):
        chars[m.start() + len(m.group(1))] = "×"
    text = "".join(ch for i, ch in enumerate(chars) if i not in drop)
    m_text = masked(text)
    out = []
    last = 0
    spots = sorted({m.start() + 1 for p in (_SPACE_AFTER_NUM, _SPACE_BEFORE_NUM) for m in p.finditer(m_text)})
    for s in spots:
        out.append(text[last:s])
        out.append(" ")
        last = s
    out.append(text[last:])
    return "".join(out)


# ---- the files ---------------------------------------------------------------------------------


def default_files() -> list[Path]:
    files = sorted((ROOT / "notebooks" / "ja").glob("[0-9][0-9]_*.ipynb"))
    files.append(ROOT / "README.ja.md")
    files += sorted((ROOT / "locale" / "ja").glob("*.po"))
    if CHECKER_CATALOG.exists():
        files.append(CHECKER_CATALOG)
    return [f for f in files if f.exists()]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _po_units(path: Path) -> list[tuple[int, str]]:
    """(line of its msgstr, msgstr) for each translated entry (obsolete ones left out)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f)
    lines = path.read_text(encoding="utf-8").splitlines()
    units = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        line = message.lineno or 0
        # the msgstr starts after the msgid's lines
        for k in range(max(0, line - 1), len(lines)):
            if lines[k].startswith("msgstr"):
                line = k + 1
                break
        units.append((line, message.string if isinstance(message.string, str) else message.string[0]))
    return units


def check_file(path: Path, variants: dict[str, str]) -> list[Violation]:
    name = _display(path)
    found: list[Violation] = []
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            src = "".join(cell["source"])
            found += [Violation(f"{name} cell {i}", r, w) for _, r, w in find(src, variants)]
    elif path.suffix == ".po":
        for line, text in _po_units(path):
            found += [Violation(f"{name}:{line}", r, w) for _, r, w in find(text, variants)]
    else:
        text = path.read_text(encoding="utf-8")
        found += [Violation(f"{name}:{_line_of(text, o)}", r, w) for o, r, w in find(text, variants)]
    return found


def fix_file(path: Path) -> bool:
    """Apply the mechanical rules to ``path`` in place; True if it changed. Notebooks are refused."""
    if path.suffix == ".ipynb":
        raise ValueError(
            f"{_display(path)} is generated from its catalog: fix locale/ja/{path.stem}.po "
            "(python tools/ja_style.py --fix locale/ja/{path.stem}.po), then python tools/translate.py build"
        )
    if path.suffix == ".po":
        from babel.messages.pofile import read_po, write_po

        with path.open("rb") as f:
            catalog = read_po(f)
        changed = False
        for message in catalog:
            if message.id and isinstance(message.string, str) and message.string:
                new = fix(message.string)
                if new != message.string:
                    message.string = new
                    changed = True
        if changed:
            with path.open("wb") as f:  # as tools/translate.py writes its catalogs
                write_po(f, catalog, width=0, sort_output=False, include_previous=False)
        return changed
    text = path.read_text(encoding="utf-8")
    new = fix(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="The Japanese edition's glossary and typography.")
    parser.add_argument("--fix", action="store_true", help="rewrite the mechanical rules in the files named")
    parser.add_argument(
        "files", nargs="*", help="default: the Japanese notebooks, README.ja.md, the catalogs"
    )
    args = parser.parse_args(argv)
    files = [Path(f) for f in args.files] or default_files()
    variants = glossary_variants()
    if args.fix:
        for path in files:
            if path.suffix == ".ipynb":
                print(
                    f"skipped {_display(path)}: generated; fix locale/ja/{path.stem}.po and build",
                    file=sys.stderr,
                )
                continue
            if fix_file(path):
                print(f"fixed {_display(path)}", file=sys.stderr)
    failed = False
    for path in files:
        for v in check_file(path, variants):
            print(v)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
