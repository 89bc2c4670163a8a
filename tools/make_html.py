"""Build the course site, readable offline: `make html` (html/) and `make html-student` (html-student/).

Usage: python tools/make_html.py [--out DIR] [--student] [--edition en] [notebooks/NN_name.ipynb ...]
(default: every notebooks/NN_*.ipynb, into html/, or html-student/ with --student)

The site is an index.html and one page per notebook, each page a single file that works opened
from disk with no network (a classroom, a train) and can be copied alone to a learning platform:

- the index shows the README's introduction, its table of notebooks (parsed from README.md, so the
  table has one source; a notebook missing from it still gets a row, from its title) and credits;
- a page holds the notebook's prose, code, stored outputs and figures (PNG as data URIs), its
  styles inline, a table of contents of its sections, previous/next links in course order, and
  the credit to the post that the course starts from;
- equations are converted at build time from LaTeX to MathML (latex2mathml, pure Python), which
  browsers typeset natively: no MathJax. An equation that latex2mathml cannot convert stops the
  build with the notebook, the cell and the TeX;
- each figure's `alt` is the cell's `metadata.alt`, k-th string for the k-th image
  (docs/maintaining.md, "Figures"; Japanese in notebooks/ja): a figure without one stops the build
  with the notebook and the cell. A cell tagged `explorer` gets a note under its figure: the
  controls work in JupyterLab, the page shows the default;
- a search box in every page's header: the build writes the edition's index, search-index.js, beside
  the pages (their prose cut at the `#`-`###` headings), loaded by a `<script src>` so that it works
  from file:// (where `fetch` is refused); static/search.js, inline in each page, matches substrings
  after NFKC and lower case, so a Japanese word is found inside a longer one. These two are the only
  scripts; a page copied alone reads the same, and its search says that the index is missing;
- for the keyboard and screen readers: a skip link to `<main>`, landmarks (header, search, the
  pagers and contents as named navs, main, footer), the edition's `lang`, focus outlines, colours
  at 4.5:1 or more, and every block that may scroll sideways (code, output, a wide equation or
  table) reachable by Tab. `make audit` (tools/audit_site.py) checks the built site with axe-core in
  Chromium; tests/test_site.py checks the HTML;
- `--student` builds from the student copies that tools/make_student.py makes (its
  `student_copy`: solutions replaced by `raise NotImplementedError()`, outputs cleared), so a
  teacher can hand out pages without solutions.

The generator: nbconvert's HTMLExporter, already pinned for JupyterLab, with a template of our own
(tools/site/templates/course_site/) that extends nbconvert's "lab" template, so cells and outputs look
as in JupyterLab, and empties the blocks that load require.js, MathJax, mermaid and widget renderers
from a CDN. Markdown goes through nbconvert's own parser (mistune, which already isolates `$...$`,
`$$...$$` and LaTeX environments); only its math hooks are replaced, so code cells and outputs
containing `$` are never touched. Both editions take about 16 s of CPU (12 notebooks each, 7 MB each;
their search indexes 0.2 and 0.3 MB).

Why not Sphinx (myst-nb or nbsphinx, with an accessibility-tested theme such as pydata-sphinx-theme)
or Jupyter Book, as issue 24 asked us to consider: they would give a maintained theme whose authors
run their own accessibility checks, cross-references, and a search with a Japanese word splitter;
we keep nbconvert because (1) it renders the stored outputs, the ones strict nbval compares, with
JupyterLab's own markup and nothing executed; (2) a page is one file, which a teacher can put on a
learning platform alone (a Sphinx page needs its _static/ folder); (3) equations are MathML without a
script, where Sphinx and Jupyter Book typeset with MathJax (from a CDN, or some megabytes vendored);
(4) the Japanese edition already comes from our own .po files (tools/translate.py), so Sphinx's i18n
would be a second translation workflow over the same text. Moving would cost some twenty more pins, a
conf.py, and rewriting tests/test_site.py and this audit for another page structure; and any theme still
needs the axe audit run on our content (it found the contrast of JupyterLab's own code colours). Worth
revisiting if the site ever needs an API reference of snn_helpers (autodoc) or versioned pages.

Editions: `--edition` names an entry of EDITIONS (notebooks folder, README and the headings of
its sections, language, words of the page furniture, output folders): "en" (html/) and "ja", the
Japanese edition of notebooks/ja/ and README.ja.md (html/ja/); `make html` builds both.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, Tag
from course_files import NOTEBOOK_PATTERN, ROOT
from jinja2 import pass_context
from latex2mathml.converter import convert as latex_to_mathml
from make_student import student_copy
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

SITE = Path(__file__).resolve().parent / "site"
TEMPLATE = "course_site"
TOC_MARK = "<!-- course-site:toc -->"
SEARCH_INDEX = "search-index.js"
CREDIT = (
    "This course starts from chizuchizu, "
    '<span lang="ja">“IFモデルを活性化関数としたSNNモデルを訓練する”</span> '
    "(Training an SNN with the IF model as its activation function), blog post, 2022-09-04; it reproduces "
    "the post's model, task and numbers in its own code."
)


@dataclass(frozen=True)
class Edition:
    """One language edition of the course: where its notebooks and README are, and its words."""

    name: str
    lang: str
    notebooks: Path
    readme: Path
    out: Path
    student_out: Path
    site_title: str
    credit_html: str
    labels: dict[str, str] = field(default_factory=dict)
    # the README's sections that the index shows besides its introduction
    notebooks_heading: str = "The notebooks"
    credits_heading: str = "Credits"


EDITIONS: dict[str, Edition] = {
    "en": Edition(
        name="en",
        lang="en",
        notebooks=ROOT / "notebooks",
        readme=ROOT / "README.md",
        out=ROOT / "html",
        student_out=ROOT / "html-student",
        site_title="Training a spiking neural network with surrogate gradients",
        credit_html=CREDIT,
        labels={
            "previous": "Previous",
            "next": "Next",
            "pager": "Previous and next notebook",
            "pager_bottom": "Previous and next notebook, at the end of the page",
            "toc": "On this page",
            "skip": "Skip to the content",
            "search": "Search the course",
            "search_button": "Search",
            "search_count": "{n} results for “{q}”",
            "search_more": "{n} results for “{q}”, the first {shown} shown",
            "search_none": "No section matches “{q}”.",
            "search_missing": "The search needs search-index.js beside this page; it is missing.",
            "explorer_note": "Explorer: in JupyterLab this figure comes with controls (a slider, a menu) "
            "that redraw it as you move them. This page shows it at its default settings.",
            "student_banner": "Student edition: each exercise's solution is replaced by a stub that "
            "raises NotImplementedError, and outputs are cleared. Open the notebook in JupyterLab to run it.",
            "student_title": "student edition",
            "no_readme_row": "(not yet in the README's table)",
        },
    ),
    "ja": Edition(
        name="ja",
        lang="ja",
        notebooks=ROOT / "notebooks" / "ja",
        readme=ROOT / "README.ja.md",
        out=ROOT / "html" / "ja",
        student_out=ROOT / "html-student" / "ja",
        site_title="代理勾配でスパイキングニューラルネットワークを訓練する",
        credit_html="このコースの出発点は chizuchizu「IFモデルを活性化関数としたSNNモデルを訓練する」"
        "（ブログ記事、2022-09-04）です。そのモデル、タスク、数値を、このコース自身のコードで再現しています。",
        labels={
            "previous": "前へ",
            "next": "次へ",
            "pager": "前後のノートブック",
            "pager_bottom": "前後のノートブック（ページの末尾）",
            "toc": "このページの内容",
            "skip": "本文へ移動",
            "search": "コースを検索",
            "search_button": "検索",
            "search_count": "「{q}」の検索結果：{n} 件",
            "search_more": "「{q}」の検索結果：{n} 件（最初の {shown} 件を表示）",
            "search_none": "「{q}」に一致する節はありません。",
            "search_missing": "検索には、このページと同じフォルダーの search-index.js が必要ですが、"
            "見つかりません。",
            "explorer_note": "エクスプローラー：JupyterLab では、この図にスライダーなどのコントロールが付き、"
            "動かすと図が描き直されます。このページには既定の設定での図を示しています。",
            "student_banner": "学習者用の版：各演習の解答は NotImplementedError を送出する"
            "スタブに置き換えられ、"
            "出力は消去されています。実行するには JupyterLab でノートブックを開いてください。",
            "student_title": "学習者用",
            "no_readme_row": "（README.ja.md の表にまだありません）",
        },
        notebooks_heading="ノートブック",
        credits_heading="クレジット",
    ),
}


# --- equations -------------------------------------------------------------------------------


def tex_to_mathml(tex: str, display: str = "inline") -> str:
    """LaTeX math (without its `$` delimiters) as a MathML `<math>` element, for HTML5 pages.

    display: "inline" or "block". Raises ValueError when latex2mathml fails or leaves a LaTeX
    command it does not know as text (it would show as raw TeX on the page).
    """
    if not isinstance(tex, str):
        raise TypeError(f"tex must be a str of LaTeX, got {type(tex).__name__}")
    if display not in ("inline", "block"):
        raise ValueError(f"display must be 'inline' or 'block', got {display!r}")
    try:
        mathml = latex_to_mathml(tex.strip(), display=display)
    except Exception as error:  # latex2mathml raises its own exception types, one per mistake
        raise ValueError(f"cannot convert ${tex}$ to MathML: {type(error).__name__} {error}") from error
    unknown = re.findall(r">(\\[A-Za-z]+)<", mathml)
    if unknown:
        raise ValueError(f"cannot convert ${tex}$ to MathML: unknown command {', '.join(unknown)}")
    # HTML5 knows <math> without a namespace (and nbconvert's heading anchors parse it as XML)
    return mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


def latex_output_html(latex: str) -> str:
    """A `text/latex` output (IPython's Math, sympy) as MathML: `$$...$$`, `\\[...\\]` and
    environments as display math, `$...$` inline; any other LaTeX (a tabular) as preformatted text."""
    text = latex.strip()
    for opening, closing, display in (("$$", "$$", "block"), ("\\[", "\\]", "block"), ("$", "$", "inline")):
        if text.startswith(opening) and text.endswith(closing) and len(text) > len(opening) + len(closing):
            return tex_to_mathml(text[len(opening) : -len(closing)], display)
    if re.fullmatch(r"\\begin\{(\w+\*?)\}.*\\end\{\1\}", text, re.DOTALL) and "tabular" not in text:
        return tex_to_mathml(text, "block")
    return f"<pre>{html.escape(latex)}</pre>"


def is_external(url: str) -> bool:
    """Whether a URL points at the web (`http://`, `https://` or protocol-relative `//`)."""
    return bool(re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE))


class OfflineRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with math typeset as MathML and links kept inside the site.

    pages maps a notebook file name (NN_name.ipynb) to its page (NN_name.html); a link to a
    notebook becomes a link to its page, a link to any other file of the repository becomes its
    text (the file is not on the site), a web link stays a link. An image from the web is refused.
    """

    def __init__(self, *args, pages: dict[str, str], where: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = pages
        self.where = where

    def _math(self, tex: str, display: str) -> str:
        try:
            return tex_to_mathml(tex, display)
        except ValueError as error:
            raise ValueError(f"{self.where}: {error}") from None

    def block_math(self, body: str) -> str:
        return self._math(body, "block")

    def inline_math(self, body: str) -> str:
        return self._math(body, "inline")

    def latex_environment(self, name: str, body: str) -> str:
        return self._math(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")

    def link(self, text: str, url: str, title: str | None = None) -> str:
        if is_external(url) or url.startswith(("#", "mailto:")):
            return super().link(text, url, title)
        path, _, anchor = url.partition("#")
        page = self.pages.get(Path(path).name)
        if page is None:
            return text
        return super().link(text, page + (f"#{anchor}" if anchor else ""), title)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if is_external(url):
            raise ValueError(f"{self.where}: an image from the web cannot show offline: {url}")
        return super().image(text, url, title)


class CourseExporter(HTMLExporter):
    """HTMLExporter whose Markdown filter is OfflineRenderer (set `pages` and `where` before use)."""

    pages: dict[str, str] = {}
    where: str = ""

    def default_filters(self):
        yield from super().default_filters()
        yield ("latex_output_html", latex_output_html)

    @pass_context
    def markdown2html(self, context, source: str) -> str:
        cell = context.get("cell", {})
        renderer = OfflineRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            pages=self.pages,
            where=f"{self.where}, cell {cell.get('id', '?')}",
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)


# --- the README's table ----------------------------------------------------------------------

ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*\[(.+?)\]\(([^)\s]+\.ipynb)\)\s*\|(.*)\|\s*(\d+)\s*\|\s*$")


@dataclass(frozen=True)
class Row:
    """A row of the README's notebook table."""

    number: str
    title: str
    notebook: str  # the link as the README writes it, notebooks/NN_name.ipynb
    learn: str  # Markdown
    minutes: str


def readme_rows(readme: str, base: Path) -> dict[Path, Row]:
    """The rows of the README's table of notebooks, by the notebook's resolved path (links are
    relative to base, the README's folder; an edition's rows are told apart by their folder)."""
    rows = {}
    for line in readme.splitlines():
        match = ROW.match(line)
        if match:
            number, title, link, learn, minutes = match.groups()
            rows[(base / link).resolve()] = Row(number, title, link, learn.strip(), minutes)
    return rows


def readme_section(readme: str, heading: str | None) -> str:
    """The Markdown of one `## heading` section of the README, or of its introduction (None)."""
    lines = readme.splitlines()
    if heading is None:
        start = next(i for i, line in enumerate(lines) if line.startswith("# ")) + 1
    else:
        starts = [i for i, line in enumerate(lines) if line.strip() == f"## {heading}"]
        if not starts:
            return ""
        start = starts[0] + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).strip()


def table_header(section: str) -> list[str]:
    """The header and separator lines of the first Markdown table in a README section ([] if none):
    the index's table keeps the edition's own column names."""
    lines = section.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+\s*", lines[i + 1]):
            return [line.strip(), lines[i + 1].strip()]
    return []


def index_markdown(edition: Edition, pages: list[tuple[Path, str]], readme: str) -> str:
    """The index's Markdown: the README's introduction, its notebook table (pointing at the pages)
    with the paragraphs after it, and its credits. pages: (notebook, title) in course order."""
    rows = readme_rows(readme, edition.readme.parent)
    notebooks = readme_section(readme, edition.notebooks_heading)
    table = table_header(notebooks) or ["| # | Notebook | What you learn | Minutes |", "|---|---|---|---|"]
    for path, title in pages:
        row = rows.get(path.resolve())
        if row is None:
            print(f"warning: README.md's table has no row for {path.name}", file=sys.stderr)
            number = path.name[:2]
            row = Row(number, title, path.name, edition.labels["no_readme_row"], "")
        table.append(f"| {row.number} | [{row.title}]({path.name}) | {row.learn} | {row.minutes} |")
    after_table = "\n".join(line for line in notebooks.splitlines() if not line.startswith("|")).strip()
    parts = [
        readme_section(readme, None),
        f"## {edition.notebooks_heading}",
        "\n".join(table),
        after_table,
        f"## {edition.credits_heading}",
        readme_section(readme, edition.credits_heading),
    ]
    return "\n\n".join(part for part in parts if part)


# --- figures: each image's text alternative -------------------------------------------------

IMAGE_TYPES = ("image/png", "image/jpeg")
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


def with_alt_texts(nb: nbformat.NotebookNode, where: str) -> nbformat.NotebookNode:
    """A copy of nb whose image outputs carry their text alternative in `output.metadata["alt"]`,
    which the template writes as the image's `alt`: the k-th string of the cell's `metadata.alt` for
    the k-th image of the cell (docs/maintaining.md, "Figures"). Raises ValueError naming `where`
    (the notebook) and the cell when a cell's images and its alt texts do not match one to one, or
    one is empty: the site never shows a figure without a description."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        images = [o for o in cell.get("outputs", []) if any(t in o.get("data", {}) for t in IMAGE_TYPES)]
        if not images:
            continue
        alts = cell.get("metadata", {}).get("alt")
        here = f"{where}, cell {cell.get('id', '?')}"
        if alts is None:
            raise ValueError(
                f"{here}: {len(images)} figure(s) without a text alternative: give the cell "
                'metadata "alt", one string per figure (docs/maintaining.md, "Figures")'
            )
        if not isinstance(alts, list) or not all(isinstance(a, str) for a in alts):
            raise ValueError(f"{here}: metadata alt must be a list of str, got {alts!r}")
        if len(alts) != len(images):
            raise ValueError(f"{here}: metadata alt has {len(alts)} text(s) for {len(images)} figure(s)")
        for k, (output, alt) in enumerate(zip(images, alts, strict=True), start=1):
            if not alt.strip():
                raise ValueError(f"{here}: the text alternative of figure {k} is empty")
            output.setdefault("metadata", {})["alt"] = alt.strip()
    return nb


# --- pages -----------------------------------------------------------------------------------

STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def strip_css_comments(page: str) -> str:
    """The page with the comments of its inline stylesheets removed (JupyterLab's cite web pages,
    which a check for web addresses cannot tell from loaded ones; and they weigh 30 kB a page)."""
    return STYLE.sub(lambda m: m.group(1) + CSS_COMMENT.sub("", m.group(2)) + m.group(3), page)


HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link" href="#\2">', re.DOTALL)
ANCHORED = re.compile(r'(<h[1-6] id=")([^"]+)(">.*?<a class="anchor-link" href="#)\2(">)', re.DOTALL)


def unique_heading_ids(body: str) -> str:
    """The page with a heading id met again (two "## Exercise" sections) suffixed -2, -3, ...,
    so that each entry of the table of contents leads to its own section."""
    seen: dict[str, int] = {}

    def rename(match: re.Match) -> str:
        anchor = match.group(2)
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] > 1:
            anchor = f"{anchor}-{seen[anchor]}"
        return f"{match.group(1)}{anchor}{match.group(3)}{anchor}{match.group(4)}"

    return ANCHORED.sub(rename, body)


def toc_html(body: str) -> str:
    """A nested list of the page's `##` and `###` headings, linked to their anchors."""
    entries = [(int(level), anchor, inner.strip()) for level, anchor, inner in HEADING.findall(body)]
    if not entries:
        return ""
    base = min(level for level, _, _ in entries)
    items: list[str] = []
    depth = 0  # lists open
    for level, anchor, inner in entries:
        target = min(level - base + 1, depth + 1)  # never skip a level: h3 under no h2 is a top entry
        if target > depth:
            items.append("<ol>")  # inside the entry still open, if any
        else:
            items.append("</li>")
            items.extend("</ol></li>" for _ in range(depth - target))
        depth = target
        items.append(f'<li><a href="#{anchor}">{inner}</a>')
    items.append("</li>")
    items.extend("</ol></li>" for _ in range(depth - 1))
    items.append("</ol>")
    return "".join(items)


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first line of the first cell, without its `#` marks."""
    first = nb.cells[0].source.splitlines()[0] if nb.cells and nb.cells[0].source else ""
    return first.lstrip("# ").strip() or fallback


def make_exporter(edition: Edition) -> CourseExporter:
    """nbconvert's HTML exporter set to the course template, images embedded, the edition's language."""
    return CourseExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(SITE / "templates")],
        embed_images=True,
        language_code=edition.lang,
    )


# what may scroll sideways on a phone (course.css gives each its own scroll bar)
SCROLLING = "pre, math[display=block], div.jp-MarkdownCell table"


def keyboard_scrolling(page: BeautifulSoup) -> None:
    """Make each block that may scroll sideways on a phone (a long line of code or output, a wide
    equation or table: SCROLLING) reachable by Tab, so that the keyboard can scroll it (axe's
    scrollable-region-focusable): the block itself takes the focus. nbconvert puts tabindex="0" on
    every cell's input wrapper and output instead, stops around the element that scrolls; those go,
    except on an output that holds neither a `<pre>` nor only an image (rich HTML may scroll itself)."""
    for wrapper in page.select("div.jp-Cell-inputWrapper[tabindex]"):
        del wrapper["tabindex"]
    for output in page.select("div.jp-OutputArea-output[tabindex]"):
        if output.find("pre") is not None or output.select_one(":scope > img") is not None:
            del output["tabindex"]
    for scrolling in page.select(f"main {SCROLLING.replace(', ', ', main ')}"):
        scrolling["tabindex"] = "0"


def section_text(tag: Tag) -> str:
    """A block's text as a reader sees it, without heading anchors (the ¶), spaces collapsed."""
    tag = copy.copy(tag)
    for anchor in tag.select("a.anchor-link"):
        anchor.decompose()
    return " ".join(tag.get_text().split())  # the source's own spaces: none inside "g(x)" or "*a*."


def search_entries(page: BeautifulSoup, title: str) -> list[list[str]]:
    """The page's prose cut at its headings, for the search: [anchor, heading, text] per section, in
    page order; the part before the first heading with an id is [``""``, title, text]. Only the
    Markdown cells are read (prose and headings); code and outputs are not indexed."""
    sections = [["", title, []]]
    for rendered in page.select("main div.jp-MarkdownCell .jp-RenderedMarkdown"):
        for block in rendered.find_all(True, recursive=False):
            if block.name in ("h1", "h2", "h3") and block.get("id"):
                sections.append([block["id"], section_text(block), []])
            else:
                sections[-1][2].append(section_text(block))
    entries = [[anchor, heading, " ".join(t for t in texts if t)] for anchor, heading, texts in sections]
    return [e for e in entries if e[0] or e[2]]


def render(
    exporter: CourseExporter,
    nb: nbformat.NotebookNode,
    title: str,
    site: dict,
    path: Path,
) -> tuple[str, list[list[str]]]:
    """One page: the notebook through the course template, then its table of contents filled in and
    its code made keyboard-scrollable; with the page's search entries (see search_entries).
    Raises ValueError naming the notebook if an image was left without its text alternative."""
    exporter.where = str(path)
    resources = {"metadata": {"name": title, "path": str(path.parent)}, "site": site}
    body, _ = exporter.from_notebook_node(with_alt_texts(nb, str(path)), resources=resources)
    body = unique_heading_ids(strip_css_comments(body))
    body = body.replace(TOC_MARK, toc_html(body))
    page = BeautifulSoup(body, "html.parser")
    missing = [img for img in page.find_all("img") if img.get("alt") in (None, NBCONVERT_DEFAULT_ALT)]
    if missing:
        raise ValueError(f"{path}: {len(missing)} image(s) without a text alternative (nbconvert's default)")
    keyboard_scrolling(page)
    return str(page), search_entries(page, title)


def search_index_js(pages: list[tuple[str, str]], entries: list[list]) -> str:
    """search-index.js: the search's data as one assignment to `window.COURSE_SEARCH_INDEX`, loaded
    with a `<script src>` so that it works from file:// (a `fetch` of JSON would be refused there).
    pages: (href, title) in course order; entries: [page number, anchor, heading, text]."""
    data = {"pages": [list(p) for p in pages], "entries": entries}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"window.COURSE_SEARCH_INDEX = {text};\n"


def build(edition: Edition, out: Path, paths: list[Path], student: bool = False) -> list[Path]:
    """Write the site for `paths` (notebooks, in course order) into out; return the pages written,
    index first."""
    notebooks, unexecuted = [], []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and c.execution_count is None for c in nb.cells):
            unexecuted.append(str(path))
        notebooks.append((path, student_copy(nb) if student else nb, title_of(nb, path.stem)))
    if unexecuted and not student:  # a student copy has no outputs anyway
        raise SystemExit(f"{', '.join(unexecuted)}: code cells without outputs: run `make notebooks` first")
    exporter = make_exporter(edition)
    exporter.pages = {path.name: f"{path.stem}.html" for path, _, _ in notebooks}
    suffix = f" ({edition.labels['student_title']})" if student else ""
    chain = [("index.html", edition.site_title)] + [(f"{p.stem}.html", t) for p, _, t in notebooks]

    def site(position: int, toc: bool) -> dict:
        prev = chain[position - 1] if position > 0 else None
        nxt = chain[position + 1] if position + 1 < len(chain) else None
        return {
            "site_title": edition.site_title + suffix,
            "index_href": "index.html",
            "prev": {"href": prev[0], "title": prev[1]} if prev else None,
            "next": {"href": nxt[0], "title": nxt[1]} if nxt else None,
            "toc": toc,
            "student": student,
            "labels": edition.labels,
            "credit_html": edition.credit_html,
        }

    written = []
    readme = edition.readme.read_text(encoding="utf-8")
    index = nbformat.v4.new_notebook()
    markdown = index_markdown(edition, [(p, t) for p, _, t in notebooks], readme)
    index.cells = [nbformat.v4.new_markdown_cell(f"# {edition.site_title}{suffix}\n\n{markdown}")]
    entries: list[list] = []
    jobs = [(index, edition.site_title + suffix, edition.readme, False)]
    jobs += [(nb, title, path, True) for path, nb, title in notebooks]
    for position, ((href, _), (nb, title, path, toc)) in enumerate(zip(chain, jobs, strict=True)):
        body, found = render(exporter, nb, title, site(position, toc), path)
        written.append(out / href)
        written[-1].write_text(body, encoding="utf-8")
        entries += [[position, *entry] for entry in found]
    (out / SEARCH_INDEX).write_text(search_index_js(chain, entries), encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="output folder (default: html/, or html-student/ with --student)")
    parser.add_argument("--student", action="store_true", help="build from the student copies")
    parser.add_argument("--edition", default="en", choices=sorted(EDITIONS), help="default: en")
    parser.add_argument("notebooks", nargs="*", help="default: every NN_*.ipynb of the edition")
    args = parser.parse_args(argv)
    edition = EDITIONS[args.edition]
    out = Path(args.out) if args.out else (edition.student_out if args.student else edition.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in args.notebooks] or sorted(edition.notebooks.glob(NOTEBOOK_PATTERN))
    written = build(edition, out, paths, student=args.student)
    if not args.notebooks:  # a full build: remove the pages of notebooks renamed or removed since
        for stale in set(out.glob("[0-9][0-9]_*.html")) - set(written):
            stale.unlink()
    size = sum(page.stat().st_size for page in out.glob("*.html"))
    print(f"{out}: index.html and {len(written) - 1} pages, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
