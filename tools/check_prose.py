"""The prose check: every number a markdown cell quotes has a source in its notebook.

Usage: python tools/check_prose.py [--explain] [NOTEBOOK ...]
(default: every English and Japanese course notebook, notebooks/NN_*.ipynb and notebooks/ja/NN_*.ipynb).
Static: it reads the stored notebooks and executes nothing. One line per problem,
``notebooks/07_digits.ipynb cell 17: 0.967 has no source`` (cells are 0-based indexes of all cells);
exit status 1 if there is any. ``--explain`` also prints, for every number checked, where its source is.

The rules (docs/maintaining.md, "Numbers in the prose", says the same):

A number in a markdown cell has a source when one of these holds.

1. **Printed.** It is a number token of a text output of the same notebook (stdout, stderr,
   text/plain, text/html with its tags removed), at its printed precision: ``0.951`` matches the
   printed ``0.951`` (or ``0.9510``), not ``0.9512``; ``1,505,000`` matches ``1505000``; ``3e-3``,
   ``3 × 10⁻³``, ``3·10^-3`` and ``3 \\times 10^{-3}`` are one number. A percentage ``95%`` matches a
   printed fraction that rounds to it at the percentage's precision (``0.951``, ``0.95``) or a printed
   percentage that does (``95%``, ``95.1%``). Japanese ``4 分の 1`` is the fraction 1/4 and matches a
   source that equals it at the source's precision (``0.25``). Signs are not compared.
2. **In the code.** It is a numeric literal (Python's tokenizer: ``lr=0.01``, ``n_time=10``) of a code
   cell of the same notebook, with the same matching (``25%`` matches ``0.25``).
3. **Declared.** The markdown cell's metadata, or the notebook's metadata (for constants used
   throughout), has ``"numbers": {"0.9 pJ": "Horowitz (2014), table 1"}``: the key is the number as the
   prose writes it (a unit in it is ignored), the value names the source (a paper, a closed form, a
   constant of the setup, another notebook's print, docs/studies.md, benchmarks/RESULTS.md). A key
   with an empty value is a problem (``... is declared without a source``), and so is a key of a
   cell's declaration that the cell no longer quotes (``... is declared but not in the cell``).
   The Japanese build copies the metadata, so a declaration on the English cell covers its translation.

Not numbers quoted from a computation, and so not checked:

- code: inline code spans, fenced or indented code blocks, HTML tags, URLs and link targets;
- LaTeX (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``): its integers (subscripts, exponents,
  ``2(\\sqrt2-1)``, ``T = 10``); its decimals and powers of ten with a negative exponent ARE checked;
- the part of a cell under a heading "References", "Further reading", "Sources" (参考文献, 参考資料),
  up to the next heading of the same or a higher level;
- heading numbers (``## 3. Title``, ``# 07 · Title``) and list-item numbers (``1. ``, ``2) ``);
- indexes: a number (or a list ``08, 09 and 10``, ``0 to 2``) after one of the words of
  ``INDEX_WORDS`` (notebook, section, exercise, cell, chapter, figure, table, item, issue, seed, ...,
  ノートブック, 演習, セル, 図, 表, 乱数シード, ...), before one of ``INDEX_SUFFIXES`` (``6 節``,
  ``第 3 章``), and a zero-padded two-digit number (``06``), which in this course names a notebook;
- the setup line ``**Estimated time:** 30 minutes. **Before this:** 06 ... **Next:** 08`` (Japanese
  ``**所要時間:** 約30分。**前提:** ... **次:** ...``): the time is the author's estimate, the other
  numbers there name notebooks; any other number on that line (a measured time) IS checked;
- years in citations: a 19xx/20xx integer inside parentheses or after an author's name
  (``Zenke & Vogels 2021``, ``Horowitz, 2014``, ``et al. 2018``), and ISO dates (``2022-09-04``);
- names: a number glued after a letter (``L1``, ``float64``, ``x8``, ``H200``) and version numbers
  (``3.11.4``, or after ``Python``, ``PyTorch``, ``version``, ``v``);
- in the Japanese edition, ``N つ`` (N from 1 to 9): the native counter is how Japanese writes the
  number words (``two lessons``, ``three seeds``) that the English edition spells out and the check
  does not read either.

Everything else that looks like a number is checked; a number that has no source is reported, never
excluded by a rule made to pass.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tokenize
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"

# A number token. Groups: mantissa; an exponent written e-3; a power of ten written × 10⁻³, ·10^-3,
# x 10^{-3}, \times 10^{-3}; a percent sign.
_MANTISSA = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_TIMES = r"(?:\s*(?:×|·|x|\\times|\\cdot)\s*)"
_POW10 = r"10(?:\^\{?\s*[-−+]?\s*[0-9]+\s*\}?|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
NUMBER = re.compile(
    rf"(?P<frac>(?P<den>[0-9]+)\s*分の\s*(?P<num>[0-9]+))"
    rf"|(?P<pow>{_POW10})"
    rf"|(?P<man>{_MANTISSA})(?:(?P<exp>[eE][-+−]?[0-9]+)|{_TIMES}(?P<pow2>{_POW10}))?"
    rf"(?P<pct>\s?(?:%|％|パーセント|\s?percent\b))?"
)

INDEX_WORDS = (
    "notebook",
    "notebooks",
    "section",
    "sections",
    "exercise",
    "exercises",
    "cell",
    "cells",
    "chapter",
    "chapters",
    "figure",
    "figures",
    "fig.",
    "table",
    "tables",
    "item",
    "items",
    "issue",
    "issues",
    "part",
    "parts",
    "appendix",
    "equation",
    "eq.",
    "line",
    "lines",
    "seed",
    "seeds",
    "class",
    "classes",
    "digit",
    "digits",
    "channel",
    "channels",
    "layer",
    "ノートブック",
    "節",
    "セクション",
    "演習",
    "セル",
    "章",
    "図",
    "表",
    "項目",
    "乱数シード",
    "シード",
    "クラス",
    "チャネル",
    "数字",
    "式",
    "問",
)
# a version, not a quantity: any number right after one of these
VERSION_WORDS = (
    "python",
    "pytorch",
    "torch",
    "torchinfo",
    "numpy",
    "matplotlib",
    "jupyterlab",
    "scikit-learn",
    "snntorch",
    "norse",
    "spikingjelly",
    "cuda",
    "version",
    "バージョン",
)
INDEX_SUFFIXES = ("節", "章", "番目", "行目", "列目")
# Japanese counters after 1 to 9: the English edition spells these numbers as words ("two lessons")
JA_COUNTERS = ("つ", "種類", "通り", "回", "個", "本", "枚", "段", "層", "点", "人")
REFERENCE_HEADINGS = re.compile(
    r"^(references|further reading|sources|bibliography|参考文献|参考資料|文献)\b", re.IGNORECASE
)
SETUP_LINE = re.compile(r"^\*\*(Estimated time|所要時間)[:：]\*\*")


@dataclass(frozen=True)
class Num:
    """A number as written: ``text``, its ``value``, whether a percentage, its decimals."""

    text: str
    value: Decimal
    percent: bool = False
    places: int = 0
    exact_fraction: bool = False  # N 分の M: value is M/N, compare at the source's precision

    def matches(self, src: Num) -> bool:
        """Whether ``src`` (a printed number, a code literal, a declared key) is a source for this one."""
        if self.exact_fraction:
            if src.percent:
                return _rounds_to(self.value * 100, src.value, src.places)
            return _rounds_to(self.value, src.value, src.places)
        if self.percent:
            src_pct = src.value if src.percent else src.value * 100
            return _rounds_to(src_pct, self.value, self.places)
        if src.percent:
            return src.value / 100 == self.value
        return src.value == self.value


def _rounds_to(x: Decimal, target: Decimal, places: int) -> bool:
    q = Decimal(1).scaleb(-places)
    return any(x.quantize(q, rounding=r) == target for r in (ROUND_HALF_EVEN, ROUND_HALF_UP))


def _places(s: str) -> int:
    return len(s.split(".", 1)[1]) if "." in s else 0


def _pow10(s: str) -> int:
    digits = s[2:].translate(SUPERSCRIPTS)
    digits = re.sub(r"[\^{}\s]", "", digits).replace("−", "-")
    return int(digits)


def parse(m: re.Match[str]) -> Num | None:
    """The Num of one NUMBER match (None if it cannot be read)."""
    text = m.group(0).strip()
    try:
        if m.group("frac"):
            num, den = Decimal(m.group("num")), Decimal(m.group("den"))
            if den == 0:
                return None
            return Num(text, abs(num / den), exact_fraction=True)
        if m.group("pow"):
            return Num(text, Decimal(1).scaleb(_pow10(m.group("pow"))))
        man = m.group("man").replace(",", "")
        value = Decimal(man)
        places = _places(man)
        if m.group("exp"):
            value = value.scaleb(int(m.group("exp")[1:].replace("−", "-")))
        if m.group("pow2"):
            value = value.scaleb(_pow10(m.group("pow2")))
        return Num(text, abs(value), percent=bool(m.group("pct")), places=places)
    except (InvalidOperation, ValueError):
        return None


def numbers_in(text: str) -> list[Num]:
    """Every number token of a plain text (an output, a declaration key); no exclusions."""
    out = []
    for m in NUMBER.finditer(text):
        if m.start() > 0 and re.match(r"[A-Za-z_]", text[m.start() - 1]) and not m.group("frac"):
            continue
        n = parse(m)
        if n is not None:
            out.append(n)
        # a "1,797"-style token might be a list "(1,797)" without spaces: keep its parts too
        if m.group("man") and "," in m.group("man"):
            out.extend(Num(p, Decimal(p)) for p in m.group("man").split(".")[0].split(","))
    return out


# ---- the prose: what is read, what is not ------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_HTML_TAG = re.compile(r"<[^>\n]+>")
_URL = re.compile(r"https?://\S+|www\.\S+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_LATEX = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^(\s*)([0-9]+)([.)])(\s)")
_YEAR = re.compile(r"(?<![0-9.])(19|20)[0-9]{2}(?![0-9])")
_DATE = re.compile(r"\b(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}\b")
_VERSION = re.compile(r"\b[0-9]+\.[0-9]+\.[0-9]+\b")


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] by spaces (keeping newlines), so offsets stay put."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _blank_all(text: str, pattern: re.Pattern[str]) -> str:
    for m in reversed(list(pattern.finditer(text))):
        text = _blank(text, m.start(), m.end())
    return text


def _drop_references(text: str) -> str:
    """Blank the part under a References/Further reading heading, to the next heading as high."""
    lines = text.split("\n")
    level = None
    for i, line in enumerate(lines):
        h = _HEADING.match(line)
        if h:
            depth = len(h.group(1))
            if level is not None and depth <= level:
                level = None
            if level is None and REFERENCE_HEADINGS.match(h.group(2).strip()):
                level = depth
        if level is not None:
            lines[i] = " " * len(line)
    return "\n".join(lines)


def _index_context(before: str) -> bool:
    """Whether the text just before a number makes the number an index (notebook 07, seeds 0, 1, 2)."""
    # strip a list of numbers before this one: "notebooks 08, 09 and " / "seeds 0 to "
    tail = re.sub(
        r"(?:[0-9]+\s*(?:,|、|and|or|to|–|-|~|〜|と|や|から|,\s*and)\s*)+$", "", before.rstrip()
    ).rstrip()
    tail = re.sub(r"[\s(（]+$", "", tail)
    low = tail.lower()
    for word in INDEX_WORDS:
        if low.endswith(word):
            prev = low[: -len(word)]
            if not word.isascii() or not prev or not prev[-1].isalpha():
                return True
    return tail.endswith("第")


def prose_numbers(source: str, japanese: bool = False) -> list[tuple[Num, str]]:
    """The numbers a markdown cell quotes that need a source, each with a short context."""
    text = source.replace("\r\n", "\n")
    text = _drop_references(text)
    text = _blank_all(text, _FENCE)
    text = "\n".join(" " * len(ln) if ln.startswith("    ") and ln.strip() else ln for ln in text.split("\n"))
    text = _blank_all(text, _INLINE_CODE)
    text = _blank_all(text, _LINK_TARGET)
    text = _blank_all(text, _URL)
    text = _blank_all(text, _HTML_TAG)
    text = _blank_all(text, _DATE)
    text = _blank_all(text, _VERSION)

    # LaTeX: keep only decimals and negative powers of ten
    latex_nums: list[tuple[int, Num]] = []
    for m in _LATEX.finditer(text):
        body = m.group(0)
        for n_m in NUMBER.finditer(body):
            if n_m.start() > 0 and re.match(r"[A-Za-z_\\]", body[n_m.start() - 1]):
                continue
            n = parse(n_m)
            if n is not None and n.value != n.value.to_integral_value():
                latex_nums.append((m.start() + n_m.start(), n))
    text = _blank_all(text, _LATEX)

    # headings' and list items' numbers
    lines = text.split("\n")
    for i, line in enumerate(lines):
        h = _HEADING.match(line)
        if h:
            lines[i] = re.sub(
                r"^(#{1,6}\s+)([0-9]+(?:\.[0-9]+)*\.?)", lambda g: g.group(1) + " " * len(g.group(2)), line
            )
        li = _LIST_ITEM.match(lines[i])
        if li:
            lines[i] = li.group(1) + " " * (len(li.group(2)) + 1) + li.group(4) + lines[i][li.end() :]
    text = "\n".join(lines)

    found: list[tuple[int, Num]] = list(latex_nums)
    for m in NUMBER.finditer(text):
        start = m.start()
        before = text[max(0, start - 60) : start]
        after = text[m.end() : m.end() + 6]
        if start > 0 and re.match(r"[A-Za-z_]", text[start - 1]) and not m.group("frac"):
            continue  # L1, float64, x8
        if start > 0 and text[start - 1] == "." and re.search(r"[0-9]\.$", before):
            continue  # tail of a version
        n = parse(m)
        if n is None:
            continue
        raw = m.group(0)
        is_int = n.value == n.value.to_integral_value() and not n.percent and "." not in raw
        if is_int and re.fullmatch(r"0[0-9]", raw.strip()):
            continue  # 06: a notebook
        if is_int and _index_context(before):
            continue
        if is_int and re.match(r"\s*(" + "|".join(INDEX_SUFFIXES) + ")", after):
            continue
        if is_int and re.match(r"(-|\s)?(bit|ビット)(?![A-Za-z])", after):
            continue  # 32-bit: a type's name, as float32 is
        if (
            japanese
            and is_int
            and 1 <= n.value <= 9
            and re.match(r"\s*(" + "|".join(JA_COUNTERS) + ")", after)
        ):
            continue
        if re.search(r"(?i)\b(" + "|".join(VERSION_WORDS) + r")\s*$", before) or re.search(
            r"(バージョン)\s*$", before
        ):
            continue
        if is_int and _YEAR.fullmatch(raw.strip()):
            if _is_citation_year(text, start, m.end()) or re.match(r"\s*年", after):
                continue
        line = text[text.rfind("\n", 0, start) + 1 : start]
        if SETUP_LINE.match(line) and re.search(r"(Estimated time|所要時間)[:：]\*\*\s*(約\s*)?$", line):
            continue  # the estimate
        if (
            is_int
            and re.fullmatch(r"(0[1-9]|1[0-9])", raw.strip())
            and re.search(r"\*\*(Before this|Next|前提|次)[:：]\*\*[^*]*$", line)
        ):
            continue  # a notebook named in the setup line's Before this / Next
        found.append((start, n))
    found.sort(key=lambda x: x[0])
    plain = source.replace("\r\n", "\n")
    return [(n, plain[max(0, i - 40) : i + len(n.text) + 30].replace("\n", " ")) for i, n in found]


def _is_citation_year(text: str, start: int, end: int) -> bool:
    open_paren = max(text.rfind("(", 0, start), text.rfind("（", 0, start))
    close_paren = max(text.rfind(")", 0, start), text.rfind("）", 0, start))
    if open_paren > close_paren and start - open_paren < 80:
        return True
    before = text[max(0, start - 40) : start]
    return bool(re.search(r"([A-Z][A-Za-z'-]+|et al\.?)\s*,?\s*$", before))


# ---- the sources ------------------------------------------------------------------------------


def output_numbers(nb: dict) -> list[Num]:
    """Every number of every text output of the notebook."""
    nums: list[Num] = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts = []
            if out.get("output_type") == "stream":
                texts.append(_joined(out.get("text", "")))
            for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
                if mime in out.get("data", {}):
                    t = _joined(out["data"][mime])
                    if mime == "text/html":
                        t = re.sub(r"<[^>]+>", " ", t)
                    texts.append(t)
            if out.get("output_type") == "error":
                texts.append(" ".join(out.get("traceback", [])))
            for t in texts:
                nums.extend(numbers_in(t))
    return nums


def code_numbers(nb: dict) -> list[Num]:
    """Every numeric literal of every code cell (Python's tokenizer; a regex where it fails)."""
    nums: list[Num] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = _joined(cell["source"])
        src = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.split("\n"))
        literals: list[str] = []
        try:
            for tok in tokenize.generate_tokens(io.StringIO(src).readline):
                if tok.type == tokenize.NUMBER:
                    literals.append(tok.string.replace("_", ""))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            code = re.sub(r"#.*", "", src)
            literals = re.findall(r"(?<![A-Za-z_0-9.])(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", code)
        for lit in literals:
            if lit.lower().endswith("j") or lit.lower().startswith(("0x", "0o", "0b")):
                continue
            try:
                nums.append(Num(lit, abs(Decimal(lit)), places=_places(lit)))
            except InvalidOperation:
                continue
    return nums


def _joined(x: str | list[str]) -> str:
    return "".join(x) if isinstance(x, list) else x


# ---- the check --------------------------------------------------------------------------------


def _declared(meta: dict) -> dict[str, str]:
    numbers = meta.get("numbers", {})
    return numbers if isinstance(numbers, dict) else {}


def check_notebook(path: Path, explain: bool = False, context: bool = False) -> list[str]:
    """The problems of one notebook, one line each (and with ``explain``, a line per number).

    ``context`` appends to each "has no source" line the words around the number (`` | ...``)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    name = _display(path)
    japanese = Path(path).parent.name == "ja"
    printed = output_numbers(nb)
    literals = code_numbers(nb)
    problems: list[str] = []
    nb_decl = _declared(nb.get("metadata", {}))
    nb_keys = _declaration_numbers(nb_decl, f"{name} metadata", problems)
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        where = f"{name} cell {index}"
        cell_decl = _declared(cell.get("metadata", {}))
        cell_keys = _declaration_numbers(cell_decl, where, problems)
        quoted = prose_numbers(_joined(cell["source"]), japanese=japanese)
        used_keys: set[str] = set()
        for num, ctx in quoted:
            key = next((k for k, ns in cell_keys.items() if any(num.matches(n) for n in ns)), None)
            if key is not None:
                used_keys.add(key)
                if explain:
                    problems.append(f"{where}: {num.text} declared: {cell_decl[key]}")
                continue
            key = next((k for k, ns in nb_keys.items() if any(num.matches(n) for n in ns)), None)
            if key is not None:
                if explain:
                    problems.append(f"{where}: {num.text} declared in the notebook: {nb_decl[key]}")
                continue
            src = next((s for s in printed if num.matches(s)), None)
            if src is not None:
                if explain:
                    problems.append(f"{where}: {num.text} printed as {src.text}")
                continue
            src = next((s for s in literals if num.matches(s)), None)
            if src is not None:
                if explain:
                    problems.append(f"{where}: {num.text} in the code as {src.text}")
                continue
            problems.append(f"{where}: {num.text} has no source" + (f"  | {ctx}" if context else ""))
        # a declaration the cell no longer quotes has gone stale (a key without a number: reported above)
        quoted_all = [n for n, _ in quoted] + _all_cell_numbers(_joined(cell["source"]))
        for key, nums in cell_keys.items():
            if key in used_keys or not nums:
                continue
            if not any(q.matches(n) or n.matches(q) for q in quoted_all for n in nums):
                problems.append(f"{where}: {key} is declared but not in the cell")
    return problems


def _all_cell_numbers(source: str) -> list[Num]:
    return numbers_in(source)


def _declaration_numbers(decl: dict[str, str], where: str, problems: list[str]) -> dict[str, list[Num]]:
    keys: dict[str, list[Num]] = {}
    for key, value in decl.items():
        nums = [n for m in NUMBER.finditer(str(key)) if (n := parse(m)) is not None]
        if not nums:
            problems.append(f"{where}: the declared key {key!r} holds no number")
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {key} is declared without a source")
            continue
        keys[str(key)] = nums
    return keys


def _display(path: Path) -> str:
    p = Path(path).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(path)


def default_notebooks() -> list[Path]:
    from course_files import NOTEBOOK_PATTERN

    en = sorted((ROOT / "notebooks").glob(NOTEBOOK_PATTERN))
    ja = sorted((ROOT / "notebooks" / "ja").glob(NOTEBOOK_PATTERN))
    return en + ja


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Every number the prose quotes has a source.")
    parser.add_argument("--explain", action="store_true", help="also print each number's source")
    parser.add_argument("--context", action="store_true", help="append the words around each number")
    parser.add_argument("notebooks", nargs="*", help="default: every English and Japanese notebook")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or default_notebooks()
    failed = False
    for path in paths:
        for line in check_notebook(path, explain=args.explain, context=args.context):
            print(line)
            failed = failed or not _is_explanation(line)
    return 1 if failed else 0


def _is_explanation(line: str) -> bool:
    """Whether a line of ``--explain`` names a source (rather than a problem)."""
    return bool(re.search(r": \S+ (declared|declared in the notebook|printed as|in the code as)\b", line))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
