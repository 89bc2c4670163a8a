"""Messages of the exercise checkers in the notebook's language (English or Japanese).

The checkers write English f-strings. The catalog ``locale/<lang>/checkers.po`` (in this package,
so that it ships in the wheel) holds one entry per English template: the f-string as written in
the checker's source, its fields named by their expressions (``"peak = {peak:.4g}"``), and the
translation with the same fields. :func:`localize` finds the template a message was made from
(a regular expression per template, the longest literal text first), takes the values of its
fields from the message and puts them into the translation; a value that is itself a message (a
hint inside "expected ..., got ....\nHint: {hint}") is translated the same way. A message that no
template matches stays as it is. ``tools/translate.py update`` writes the templates into the
catalog from the checkers' source; ``tools/translate.py stale`` and ``tests/test_translate.py``
name each template without a current translation.
"""

from __future__ import annotations

import ast
import functools
import os
import re
from pathlib import Path, PurePath

LANGUAGES = ("en", "ja")
LANGUAGE_VARIABLE = "SNN_COURSE_LANG"
CATALOG_DIR = Path(__file__).resolve().parent / "locale"


def language() -> str:
    """The language of the messages: "ja" or "en".

    ``SNN_COURSE_LANG`` (``en`` or ``ja``) wins where set; otherwise "ja" when the notebook runs
    from a folder named ``ja``: the kernel's working directory (Jupyter starts it in the
    notebook's folder), or the notebook path JupyterLab puts in ``JPY_SESSION_NAME``.
    """
    forced = os.environ.get(LANGUAGE_VARIABLE, "").strip().lower()
    if forced in LANGUAGES:
        return forced
    folders = [Path.cwd().name]
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        folders.append(PurePath(session).parent.name)
    return "ja" if "ja" in folders else "en"


def template_fields(template: str) -> list[str]:
    """The field tokens of a template, as written: ``"peak = {peak:.4g}"`` -> ``["{peak:.4g}"]``."""
    return [m.group(0) for m in _FIELD.finditer(template)]


# a field of a template: {expression}, {expression!r}, {expression:spec}; {{ and }} are literal braces
_FIELD = re.compile(r"(?<!\{)\{(?!\{)[^{}]*\}(?!\})")


def _literal(template: str) -> str:
    return _FIELD.sub("", template).replace("{{", "{").replace("}}", "}")


def is_message(template: str) -> bool:
    """Whether a string of the checkers' source is a message to translate: words of text (a letter
    and a space in its literal part), enough of it to be recognised (3 characters besides spaces;
    12 when it starts and ends with a field, which would otherwise match almost anything)."""
    literal = _literal(template)
    size = len(literal.replace(" ", ""))
    open_ended = template.startswith("{") and not template.startswith("{{") and template.endswith("}")
    return " " in literal and any(c.isalpha() for c in literal) and size >= (12 if open_ended else 3)


def _source_template(node: ast.expr) -> str:
    """The template of a string literal or an f-string, as the catalog keys it."""
    if isinstance(node, ast.Constant):
        return node.value.replace("{", "{{").replace("}", "}}")
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(value.value.replace("{", "{{").replace("}", "}}"))
        else:
            field = ast.unparse(value.value)
            if value.conversion != -1:
                field += "!" + chr(value.conversion)
            if value.format_spec is not None:
                field += ":" + "".join(
                    v.value if isinstance(v, ast.Constant) else ast.unparse(v)
                    for v in value.format_spec.values
                )
            parts.append("{" + field + "}")
    return "".join(parts)


def extract_templates(paths: list[Path]) -> dict[str, list[str]]:
    """The message templates of these Python sources (docstrings and regular expressions left out),
    each with the files it is in ("exercises_01.py"), in order of first appearance."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                skip.add(id(node.value))  # docstrings and other bare strings
            if isinstance(node, ast.JoinedStr):
                skip.update(id(v) for v in node.values if isinstance(v, ast.Constant))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if isinstance(node.func.value, ast.Name) and node.func.value.id == "re":
                    skip.update(id(a) for a in node.args)  # a regular expression, not a message
            if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
                skip.add(id(node.format_spec))
                skip.update(id(v) for v in node.format_spec.values)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr) or (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
            ):
                template = _source_template(node)
                if is_message(template):
                    found.setdefault(template, []).append((path.name, node.lineno))
    ordered = sorted(found.items(), key=lambda item: min(item[1]))
    return {message: sorted({name for name, _ in where}) for message, where in ordered}


def checker_sources() -> list[Path]:
    """The modules whose messages the catalog translates: checking.py and the exercises' checkers."""
    here = Path(__file__).resolve().parent
    return [here / "checking.py", *sorted(here.glob("exercises_*.py"))]


class _Template:
    """One catalog entry: the English template as a regular expression (a group per field, the same
    field twice must match the same text) and its translation."""

    def __init__(self, english: str, translation: str) -> None:
        self.english, self.translation = english, translation
        parts, groups, pattern = _FIELD.split(english), template_fields(english), ""
        self.names: dict[str, str] = {}
        for i, part in enumerate(parts):
            pattern += re.escape(part.replace("{{", "{").replace("}}", "}"))
            if i < len(groups):
                token = groups[i]
                if token in self.names:
                    pattern += f"(?P={self.names[token]})"
                else:
                    self.names[token] = f"f{len(self.names)}"
                    pattern += f"(?P<{self.names[token]}>.*?)"
        self.regex = re.compile(pattern, re.DOTALL)
        self.weight = len(_literal(english))

    def render(self, text: str, lang: str) -> str | None:
        found = self.regex.fullmatch(text)
        if found is None:
            return None
        values = {token: localize(found.group(name), lang) for token, name in self.names.items()}
        parts, tokens = _FIELD.split(self.translation), template_fields(self.translation)
        out = [parts[0].replace("{{", "{").replace("}}", "}")]
        for token, part in zip(tokens, parts[1:], strict=True):  # values as they are, braces and all
            out += [values.get(token, token), part.replace("{{", "{").replace("}}", "}")]
        return "".join(out)


def read_po(path: Path) -> dict[str, str]:
    """The current entries of a gettext catalog (msgid -> msgstr; fuzzy and empty ones left out)."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    target = None
    fuzzy = False

    def flush() -> None:
        if msgid and msgstr and not fuzzy:
            entries[msgid] = msgstr

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if msgid is not None and (not line or not line.startswith("#,")):
                flush()
                msgid = msgstr = target = None
                fuzzy = False
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith("msgid "):
            msgid, target = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgstr "):
            msgstr, target = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"'):
            if target == "id":
                msgid += ast.literal_eval(line)
            elif target == "str":
                msgstr += ast.literal_eval(line)
    return entries


@functools.cache
def _catalog(lang: str) -> tuple[dict[str, str], list[_Template]]:
    path = CATALOG_DIR / lang / "checkers.po"
    entries = read_po(path) if path.exists() else {}
    exact = {_literal(k): _literal(v) for k, v in entries.items() if not template_fields(k)}
    templates = [_Template(k, v) for k, v in entries.items() if template_fields(k) and is_message(k)]
    templates.sort(key=lambda t: -t.weight)
    return exact, templates


def localize(text: str, lang: str | None = None) -> str:
    """``text`` (a message the checkers wrote in English) in ``lang`` (default: :func:`language`).

    A message no template matches is returned unchanged (numbers, lists, names of variables).
    """
    lang = language() if lang is None else lang
    if lang == "en" or not text:
        return text
    exact, templates = _catalog(lang)
    if text in exact:
        return exact[text]
    for template in templates:
        rendered = template.render(text, lang)
        if rendered is not None:
            return rendered
    return text
