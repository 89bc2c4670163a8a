"""The course site (`make html`, `make html-student`): complete, chained, typeset and offline.

The site is built once per module from the committed notebooks, as `make html` builds it, and
read back with BeautifulSoup the way a browser would load it.
"""

import copy
import functools
import json
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_html  # noqa: E402
import make_student  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
JA_NOTEBOOKS = sorted((ROOT / "notebooks" / "ja").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
CREDIT = ("chizuchizu", "IFモデルを活性化関数としたSNNモデルを訓練する", "2022-09-04")
WEB = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    assert make_html.main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def ja_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html-ja")
    assert make_html.main(["--edition", "ja", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def student_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html-student")
    assert make_html.main(["--student", "--out", str(out)]) == 0
    return out


@functools.cache  # each page is parsed once; tests that change a tree change a copy
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_of(out: Path, notebook: Path) -> Path:
    return out / f"{notebook.stem}.html"


def one_notebook(tmp_path: Path, *cells) -> Path:
    """A notebook file made of the given cells, code cells executed (execution counts set)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
    path = tmp_path / "91_made_up.ipynb"
    nbformat.write(nb, path)
    return path


def math_spans(markdown: str) -> tuple[int, int]:
    """(display, inline) equations of a Markdown cell, counted without nbconvert's parser:
    code blocks and code spans are not math, `$$...$$` is display, `$...$` inline."""
    text = re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"`[^`]*`", "", text)
    display = len(re.findall(r"(?<!\\)\$\$.+?(?<!\\)\$\$", text, flags=re.DOTALL))
    text = re.sub(r"(?<!\\)\$\$.+?(?<!\\)\$\$", "", text, flags=re.DOTALL)
    inline = len(re.findall(r"(?<![\\$])\$[^$]+?(?<![\\$])\$", text, flags=re.DOTALL))
    return display, inline


# --- every notebook, the index, the chain ----------------------------------------------------


def test_every_notebook_has_a_page_and_an_index_row(site):
    index = soup(site / "index.html")
    linked = [a["href"] for a in index.select("table a")]
    assert linked == [f"{p.stem}.html" for p in NOTEBOOKS]  # every notebook, in course order
    for path in NOTEBOOKS:
        assert page_of(site, path).is_file(), path.name


def test_index_table_is_the_readmes(site):
    rows = make_html.readme_rows((ROOT / "README.md").read_text(encoding="utf-8"), ROOT)
    table = soup(site / "index.html").select("table tbody tr")
    for path, tr in zip(NOTEBOOKS, table, strict=True):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        row = rows[path.resolve()]
        assert cells[0] == row.number and cells[1] == row.title and cells[3] == row.minutes
        assert cells[2].replace(" ", "") == re.sub(r"[`*]", "", row.learn).replace(" ", "")


def test_readme_rows_by_hand():
    readme = "\n".join(
        [
            "# Course",
            "| # | Notebook | What you learn | Minutes |",
            "|---|---|---|---|",
            "| 01 | [The step](notebooks/01_step.ipynb) | a `Function`; $|x|$ | 20 |",
            "| 02 | [The neuron](notebooks/02_neuron.ipynb) | reset | 25 |",
            "| 01 | [ステップ関数](notebooks/ja/01_step.ipynb) | 代理勾配 | 25 |",
        ]
    )
    rows = make_html.readme_rows(readme, Path("/course"))
    folder = Path("/course/notebooks")
    assert list(rows) == [folder / "01_step.ipynb", folder / "02_neuron.ipynb", folder / "ja/01_step.ipynb"]
    assert rows[folder / "01_step.ipynb"] == make_html.Row(
        "01", "The step", "notebooks/01_step.ipynb", "a `Function`; $|x|$", "20"
    )
    assert rows[folder / "ja/01_step.ipynb"].title == "ステップ関数"  # another edition's row stays apart


def test_a_notebook_missing_from_the_readme_still_gets_a_row(capsys):
    edition = make_html.EDITIONS["en"]
    readme = "# Course\n\nIntro.\n\n## The notebooks\n\n| 01 | [A](notebooks/01_a.ipynb) | a | 5 |\n"
    pages = [(edition.notebooks / "01_a.ipynb", "01 · A"), (edition.notebooks / "02_b.ipynb", "02 · B")]
    markdown = make_html.index_markdown(edition, pages, readme)
    assert "| 01 | [A](01_a.ipynb) | a | 5 |" in markdown
    assert "| 02 | [02 · B](02_b.ipynb) | (not yet in the README's table) |  |" in markdown
    assert "README.md's table has no row for 02_b.ipynb" in capsys.readouterr().err


def test_a_second_edition_is_one_more_entry(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks" / "ja"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · ステップ関数\n\n## 式\n\n$H(x)$ は階段関数。")]
    nbformat.write(nb, folder / "01_step.ipynb")
    (tmp_path / "README.md").write_text(
        "# コース\n\n紹介。\n\n## ノートブック\n\n"
        "| 01 | [ステップ関数](notebooks/ja/01_step.ipynb) | 代理勾配 | 30 |\n\n## 謝辞\n\nchizuchizu\n",
        encoding="utf-8",
    )
    english = make_html.EDITIONS["en"]
    japanese = make_html.Edition(
        name="ja",
        lang="ja",
        notebooks=folder,
        readme=tmp_path / "README.md",
        out=tmp_path / "html-ja",
        student_out=tmp_path / "html-student-ja",
        site_title="代理勾配でスパイキングニューラルネットワークを訓練する",
        credit_html=english.credit_html,
        labels=english.labels,
        notebooks_heading="ノートブック",
        credits_heading="謝辞",
    )
    monkeypatch.setitem(make_html.EDITIONS, "ja", japanese)
    assert make_html.main(["--edition", "ja"]) == 0
    index, page = soup(tmp_path / "html-ja" / "index.html"), soup(tmp_path / "html-ja" / "01_step.html")
    assert index.html["lang"] == "ja" and page.html["lang"] == "ja"
    headings = [h.get_text(strip=True).rstrip("¶") for h in index.select("main h2")]
    assert headings == ["ノートブック", "謝辞"]
    assert [a["href"] for a in index.select("table a")] == ["01_step.html"]
    assert index.select("table td")[2].get_text() == "代理勾配"
    assert page.select_one("main math") is not None
    toc = page.select_one("nav.course-toc a")
    assert toc.get_text() == "式" and page.find(id=toc["href"][1:]).name == "h2"


def chain(out: Path, rel: str, start: str) -> list[str]:
    """The pages met following the bottom pager's `rel` links from `start`."""
    seen = [start]
    while True:
        link = soup(out / seen[-1]).select_one(f"nav.course-pager a[rel={rel}]")
        if link is None:
            return seen
        assert link["href"] not in seen, f"{rel} loops back to {link['href']}"
        seen.append(link["href"])


@pytest.mark.parametrize("fixture", ["site", "student_site"])
def test_previous_next_chain_is_complete_and_in_order(fixture, request):
    out = request.getfixturevalue(fixture)
    order = ["index.html"] + [f"{p.stem}.html" for p in NOTEBOOKS]
    assert chain(out, "next", "index.html") == order
    assert chain(out, "prev", order[-1]) == order[::-1]
    for position, name in enumerate(order[1:], start=1):  # the header's links agree
        top = [a["href"] for a in soup(out / name).select("nav.course-pager-top a")]
        assert top == [order[position - 1]] + order[position + 1 : position + 2]


# --- nothing from the network ----------------------------------------------------------------


def loaded_urls(page: BeautifulSoup) -> list[str]:
    """Every address a browser would fetch on opening the page (not the links a reader follows)."""
    urls = []
    for tag in page.find_all(
        ["script", "img", "source", "audio", "video", "iframe", "embed", "input", "track"]
    ):
        urls += [tag[a] for a in ("src", "poster") if tag.has_attr(a)]
    for tag in page.find_all("link"):  # stylesheets, fonts, icons, preloads, module preloads
        urls += [tag["href"]] if tag.has_attr("href") else []
    for tag in page.find_all("object"):
        urls += [tag["data"]] if tag.has_attr("data") else []
    for tag in page.find_all("img"):
        urls += [part.split()[0] for part in tag.get("srcset", "").split(",") if part.strip()]
    css = [style.get_text() for style in page.find_all("style")]
    css += [tag["style"] for tag in page.find_all(style=True)]
    for text in css:
        urls += re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", text)
        urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
    for script in page.find_all("script"):  # imports inside inline scripts (mermaid, MathJax loaders)
        urls += re.findall(r"import\s*\(\s*['\"]([^'\"]+)", script.get_text())
    return urls


def test_loaded_urls_finds_each_kind_of_resource():
    page = BeautifulSoup(
        '<script src="https://a/x.js"></script><link rel="stylesheet" href="//b/y.css">'
        '<img src="http://c/z.png"><style>@import "https://d/f.css"; p {background: url(https://e/g.png)}'
        "</style><p style=\"background:url('https://f/h.png')\"></p>"
        '<script type="module">await import("https://g/m.mjs")</script>',
        "html.parser",
    )
    assert sorted(loaded_urls(page)) == sorted(
        [
            "https://a/x.js",
            "//b/y.css",
            "http://c/z.png",
            "https://d/f.css",
            "https://e/g.png",
            "https://f/h.png",
        ]
        + ["https://g/m.mjs"]
    )


@pytest.mark.parametrize("fixture", ["site", "student_site"])
def test_nothing_loads_from_the_network(fixture, request):
    out = request.getfixturevalue(fixture)
    for path in sorted(out.glob("*.html")):
        page = soup(path)
        web = [url for url in loaded_urls(page) if WEB.match(url)]
        assert web == [], f"{path.name} loads {web}"
        # the search's two scripts only: the index beside the page, and search.js inline, which
        # loads nothing (no fetch, no request, no import): nothing can reach the network later
        scripts = page.find_all("script")
        assert [s.get("src") for s in scripts] == ["search-index.js", None], path.name
        code = scripts[1].get_text()
        assert not re.search(r"fetch\(|XMLHttpRequest|import\(|https?:|\.src\s*=", code), path.name
        furniture = copy.copy(page)
        furniture.main.decompose()  # the course's prose may name MathJax; the template must not load it
        text = re.sub(r"data:[^\"')]+", "", str(furniture).lower())  # base64 spells any word
        assert "mathjax" not in text and "require" not in text and "cdn" not in text, path.name


def test_an_image_from_the_web_is_refused(tmp_path):
    path = one_notebook(tmp_path, nbformat.v4.new_markdown_cell("# T\n\n![plot](https://example.org/p.png)"))
    with pytest.raises(ValueError, match=r"91_made_up.ipynb.*an image from the web cannot show offline"):
        make_html.main(["--out", str(tmp_path / "out"), str(path)])


# --- equations -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_equation_became_mathml(site, path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    rendered = soup(page_of(site, path)).select("main div.jp-MarkdownCell")
    assert len(rendered) == len(markdown)
    for cell, div in zip(markdown, rendered, strict=True):
        display, inline = math_spans(cell.source)
        assert len(div.select('math[display="block"]')) == display, cell.source
        assert len(div.select('math[display="inline"]')) == inline, cell.source
        div = copy.copy(div)
        for code in div.find_all(["code", "pre"]):
            code.decompose()
        assert "$" not in div.get_text(), f"raw TeX left in {cell.id}: {div.get_text()!r}"
        assert "\\" not in "".join(m.get_text() for m in div.find_all("math")), cell.id


def test_the_if_equation_is_typeset(site):
    # the equation the issue saw as raw TeX offline, read back as the browser's MathML text
    blocks = soup(page_of(site, ROOT / "notebooks" / "02_if_neuron.ipynb")).select('math[display="block"]')
    assert blocks[0].get_text().startswith("vt=vt\u22121(1\u2212st\u22121)+It,st=H(vt\u2212\u03d1)")
    assert blocks[0].find("msub").get_text() == "vt" and blocks[0].find("mo").get_text() == "="


def test_dollars_in_code_and_outputs_are_not_math(tmp_path):
    code = nbformat.v4.new_code_cell('price = "$x$"\nprint(price, "costs $5 or $6")')
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="$x$ costs $5 or $6\n")]
    path = one_notebook(
        tmp_path,
        nbformat.v4.new_markdown_cell("# T\n\nThe rate $r = 1/(n+1)$ and `$not_math$`.\n\n$$v_t = I_t$$"),
        code,
    )
    make_html.main(["--out", str(tmp_path / "out"), str(path)])
    page = soup(tmp_path / "out" / "91_made_up.html")
    prose, cell = page.select_one("div.jp-MarkdownCell"), page.select_one("div.jp-CodeCell")
    assert len(prose.find_all("math")) == 2 and prose.code.get_text() == "$not_math$"
    assert cell.find("math") is None
    assert 'price = "$x$"' in cell.select_one(".jp-InputArea").get_text()
    assert "$x$ costs $5 or $6" in cell.select_one(".jp-OutputArea").get_text()


def test_latex_outputs_become_mathml(tmp_path):
    code = nbformat.v4.new_code_cell("Math(r'x^{2}')")
    data = {"text/latex": r"$\displaystyle x^{2}$", "text/plain": "<IPython.core.display.Math object>"}
    code.outputs = [nbformat.v4.new_output("display_data", data=data)]
    path = one_notebook(tmp_path, nbformat.v4.new_markdown_cell("# T"), code)
    make_html.main(["--out", str(tmp_path / "out"), str(path)])
    output = soup(tmp_path / "out" / "91_made_up.html").select_one("div.jp-CodeCell .jp-RenderedLatex")
    assert output.math["display"] == "inline" and output.math.msup.get_text() == "x2"


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("$$a$$", '<math display="block"><mrow><mi>a</mi></mrow></math>'),
        (r"\[a\]", '<math display="block"><mrow><mi>a</mi></mrow></math>'),
        (" $a$\n", '<math display="inline"><mrow><mi>a</mi></mrow></math>'),
        (r"\begin{tabular}{c} a \end{tabular}", r"<pre>\begin{tabular}{c} a \end{tabular}</pre>"),
        ("a < b", "<pre>a &lt; b</pre>"),
    ],
)
def test_latex_output_html_by_hand(latex, expected):
    assert make_html.latex_output_html(latex) == expected


def test_tex_to_mathml_by_hand():
    assert make_html.tex_to_mathml("x^2") == (
        '<math display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
    )
    assert make_html.tex_to_mathml(r"\frac{a}{b}", "block").startswith('<math display="block">')


@pytest.mark.parametrize(
    ("tex", "display", "message"),
    [
        (r"\frac{a}{", "inline", r"cannot convert \$\\frac\{a\}\{\$ to MathML"),
        (r"\foo x", "inline", r"unknown command \\foo"),
        ("x", "wide", "display must be 'inline' or 'block', got 'wide'"),
    ],
)
def test_tex_that_cannot_be_typeset_is_refused(tex, display, message):
    with pytest.raises(ValueError, match=message):
        make_html.tex_to_mathml(tex, display)


def test_tex_must_be_text():
    with pytest.raises(TypeError, match="tex must be a str of LaTeX, got bytes"):
        make_html.tex_to_mathml(b"x")


def test_a_bad_equation_stops_the_build_naming_notebook_and_cell(tmp_path):
    cell = nbformat.v4.new_markdown_cell(r"# T" "\n\n" r"Broken: $\foo x$.")
    path = one_notebook(tmp_path, cell)
    with pytest.raises(ValueError, match=rf"91_made_up.ipynb, cell {cell.id}: .*unknown command \\foo"):
        make_html.main(["--out", str(tmp_path / "out"), str(path)])


# --- figures, contents, furniture ------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figures_are_embedded(site, path):
    nb = nbformat.read(path, as_version=4)
    figures = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    images = soup(page_of(site, path)).select("main img")
    assert len(images) == figures
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_contents_list_every_section(site, path):
    nb = nbformat.read(path, as_version=4)
    headings = [
        line.lstrip("#").strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith(("## ", "### "))
    ]
    page = soup(page_of(site, path))
    toc = page.select("nav.course-toc li > a")
    for a, heading in zip(toc, headings, strict=True):
        if "$" not in heading:  # a heading with math reads as MathML's text
            assert " ".join(a.get_text().split()) == re.sub(r"[`*]", "", heading)
    for a in toc:
        assert page.find(id=a["href"][1:]) is not None, a["href"]


def test_contents_nest_subsections_by_hand():
    def heading(level, anchor):
        return f'<h{level} id="{anchor}">{anchor}<a class="anchor-link" href="#{anchor}">¶</a></h{level}>'

    body = heading(2, "A") + heading(3, "B") + heading(3, "C") + heading(2, "D") + "<h2>no anchor</h2>"
    assert make_html.toc_html(body) == (
        '<ol><li><a href="#A">A</a><ol><li><a href="#B">B</a></li><li><a href="#C">C</a></li></ol></li>'
        '<li><a href="#D">D</a></li></ol>'
    )
    assert make_html.toc_html(heading(3, "x") + heading(2, "y")) == (
        '<ol><li><a href="#x">x</a></li><li><a href="#y">y</a></li></ol>'
    )


def test_contents_lead_to_each_section_even_with_the_same_heading(tmp_path):
    path = one_notebook(
        tmp_path,
        nbformat.v4.new_markdown_cell("# T\n\n## Part\n\n### Exercise\n\ntext"),
        nbformat.v4.new_markdown_cell("## Part two\n\n### Exercise\n\n### Exercise"),
    )
    make_html.main(["--out", str(tmp_path / "out"), str(path)])
    page = soup(tmp_path / "out" / "91_made_up.html")
    hrefs = [a["href"] for a in page.select("nav.course-toc a")]
    assert hrefs == ["#Part", "#Exercise", "#Part-two", "#Exercise-2", "#Exercise-3"]
    assert [a.get_text() for a in page.select("nav.course-toc a")][-2:] == ["Exercise", "Exercise"]
    for href in hrefs:
        heading = page.find(id=href[1:])
        assert heading.name in ("h2", "h3") and heading.select_one("a.anchor-link")["href"] == href


def test_page_outputs_title_and_index_link(site):
    page = page_of(site, NOTEBOOKS[0]).read_text(encoding="utf-8")
    assert "<title>01 · The spike function and its surrogate gradient</title>" in page
    assert "passed: forward is the step" in page  # outputs are in
    assert soup(page_of(site, NOTEBOOKS[0])).select_one("a.course-home")["href"] == "index.html"


@pytest.mark.parametrize("fixture", ["site", "student_site"])
def test_every_page_credits_the_post_and_fits_a_phone(fixture, request):
    out = request.getfixturevalue(fixture)
    for path in sorted(out.glob("*.html")):
        page = soup(path)
        credit = page.select_one("footer.course-credit").get_text()
        assert all(part in credit for part in CREDIT), path.name
        viewport = page.find("meta", attrs={"name": "viewport"})
        assert viewport is not None and "width=device-width" in viewport["content"], path.name
        assert page.html["lang"] == "en"
        assert "@media (max-width: 640px)" in path.read_text(encoding="utf-8")


def test_site_fits_the_budget(site):
    size = sum(p.stat().st_size for p in site.glob("*"))
    assert size < 20e6, f"{size / 1e6:.1f} MB"
    assert sorted(p.name for p in site.glob("*")) == sorted(
        ["index.html", "search-index.js"] + [f"{p.stem}.html" for p in NOTEBOOKS]
    )


def test_links_stay_inside_the_site(tmp_path):
    path = one_notebook(
        tmp_path,
        nbformat.v4.new_markdown_cell(
            "# T\n\nBack to [01](01_spike_function.ipynb#Setup), the [guide](../docs/teaching.md), "
            "[a paper](https://example.org/paper)."
        ),
    )
    make_html.main(["--out", str(tmp_path / "out"), str(NOTEBOOKS[0]), str(path)])
    prose = soup(tmp_path / "out" / "91_made_up.html").select_one("div.jp-MarkdownCell")
    hrefs = [a["href"] for a in prose.find_all("a") if "anchor-link" not in a.get("class", [])]
    assert hrefs == ["01_spike_function.html#Setup", "https://example.org/paper"]
    assert "the guide," in prose.get_text()  # a file that is not on the site: its text, no link


def test_refuses_a_notebook_without_outputs(tmp_path):
    nb = make_student.student_copy(nbformat.read(NOTEBOOKS[0], as_version=4))
    nbformat.write(nb, tmp_path / NOTEBOOKS[0].name)
    with pytest.raises(SystemExit, match="without outputs"):
        make_html.main(["--out", str(tmp_path / "out"), str(tmp_path / NOTEBOOKS[0].name)])


# --- the student edition ---------------------------------------------------------------------


def solution_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip() not in ("", ")"):
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_student_pages_have_no_solution_and_no_output(student_site, path):
    nb = nbformat.read(path, as_version=4)
    page = soup(page_of(student_site, path))
    banner = page.select_one("section.course-banner")  # a named region: nothing outside a landmark
    assert banner["aria-label"] == "student edition" and "NotImplementedError" in banner.p.get_text()
    code = page.select("main div.jp-CodeCell")
    assert len(code) == sum(c.cell_type == "code" for c in nb.cells)
    assert page.select("main .jp-OutputArea-output") == []
    cells = [c for c in nb.cells if c.cell_type == "code"]
    for cell, div in zip(cells, code, strict=True):
        shown = div.select_one(".jp-InputArea").get_text()
        assert "SOLUTION" not in shown
        assert not set(solution_lines(cell.source)) & {line.strip() for line in shown.splitlines()}
        assert shown.count("raise NotImplementedError()") == cell.source.count("### BEGIN SOLUTION")


# --- figures' text alternatives and the explorers' note --------------------------------------

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def figure_cell(*alts, images: int = 1, tags: tuple = ()) -> nbformat.NotebookNode:
    """A code cell with `images` PNG outputs, a text output between them, and metadata.alt = alts
    (no alt key when alts is empty)."""
    cell = nbformat.v4.new_code_cell("plot()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="drawn\n")]
    for _ in range(images):
        cell.outputs.append(
            nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
        )
    if alts:
        cell.metadata["alt"] = list(alts[0]) if isinstance(alts[0], list) else list(alts)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def cell_alts(path: Path) -> list[str]:
    """Every figure's text alternative in the notebook, in page order."""
    nb = nbformat.read(path, as_version=4)
    return [a.strip() for c in nb.cells if c.cell_type == "code" for a in c.metadata.get("alt", [])]


@pytest.mark.parametrize(
    ("fixture", "paths"), [("site", NOTEBOOKS), ("ja_site", JA_NOTEBOOKS)], ids=["en", "ja"]
)
def test_every_image_alt_is_its_cells_text(fixture, paths, request):
    out = request.getfixturevalue(fixture)
    for path in paths:
        images = soup(page_of(out, path)).select("main img")
        assert [img["alt"] for img in images] == cell_alts(path), path.name
        assert all(img["alt"] and img["alt"] != make_html.NBCONVERT_DEFAULT_ALT for img in images)
    for page in out.glob("*.html"):
        assert make_html.NBCONVERT_DEFAULT_ALT not in page.read_text(encoding="utf-8"), page.name


def test_the_japanese_pages_carry_the_japanese_alt():
    english, japanese = cell_alts(NOTEBOOKS[0]), cell_alts(JA_NOTEBOOKS[0])
    assert len(english) == len(japanese) and english != japanese
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", alt) for alt in japanese)


def test_the_kth_alt_goes_to_the_kth_image(tmp_path):
    path = one_notebook(
        tmp_path, nbformat.v4.new_markdown_cell("# T"), figure_cell("first <one>", " second ", images=2)
    )
    make_html.main(["--out", str(tmp_path / "out"), str(path)])
    images = soup(tmp_path / "out" / "91_made_up.html").select("main img")
    assert [img["alt"] for img in images] == ["first <one>", "second"]  # escaped, then read back; stripped
    assert '<img alt="first &lt;one&gt;"' in (tmp_path / "out" / "91_made_up.html").read_text(
        encoding="utf-8"
    )


def test_with_alt_texts_leaves_the_notebook_as_it_was():
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure_cell("a", "b", images=2), nbformat.v4.new_code_cell("x = 1")]
    marked = make_html.with_alt_texts(nb, "nb.ipynb")
    assert [o.get("metadata", {}).get("alt") for o in marked.cells[0].outputs] == [None, "a", "b"]
    assert all("alt" not in o.get("metadata", {}) for o in nb.cells[0].outputs)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (figure_cell(), r"1 figure\(s\) without a text alternative: give the cell metadata \"alt\""),
        (figure_cell("one", images=2), r"metadata alt has 1 text\(s\) for 2 figure\(s\)"),
        (figure_cell("one", "two", "three", images=2), r"metadata alt has 3 text\(s\) for 2 figure\(s\)"),
        (figure_cell("fine", "  ", images=2), "the text alternative of figure 2 is empty"),
    ],
    ids=["missing", "too-few", "too-many", "empty"],
)
def test_a_figure_without_its_alt_stops_the_build_naming_notebook_and_cell(tmp_path, cell, message):
    path = one_notebook(tmp_path, nbformat.v4.new_markdown_cell("# T"), cell)
    with pytest.raises(ValueError, match=rf"91_made_up.ipynb, cell {cell.id}: {message}"):
        make_html.main(["--out", str(tmp_path / "out"), str(path)])
    assert not (tmp_path / "out" / "91_made_up.html").exists()


def test_an_alt_that_is_not_a_list_of_text_is_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure_cell("x")]
    nb.cells[0].metadata["alt"] = "a plot"
    with pytest.raises(
        ValueError, match=r"nb.ipynb, cell .*: metadata alt must be a list of str, got 'a plot'"
    ):
        make_html.with_alt_texts(nb, "nb.ipynb")


def test_an_explorer_gets_its_note_after_the_figure(tmp_path):
    path = one_notebook(
        tmp_path,
        nbformat.v4.new_markdown_cell("# T"),
        figure_cell("the default", tags=("explorer",)),
        figure_cell("a plain figure"),
    )
    make_html.main(["--out", str(tmp_path / "out"), str(path)])
    explorer, plain = soup(tmp_path / "out" / "91_made_up.html").select("main div.jp-CodeCell")
    notes = explorer.select("p.course-explorer-note")
    assert [n.get_text() for n in notes] == [make_html.EDITIONS["en"].labels["explorer_note"]]
    assert notes[0].find_previous("img")["alt"] == "the default"  # after the figure, in the cell
    assert plain.select("p.course-explorer-note") == []


@pytest.mark.parametrize(
    ("fixture", "paths", "edition"), [("site", NOTEBOOKS, "en"), ("ja_site", JA_NOTEBOOKS, "ja")]
)
def test_every_explorer_of_the_course_has_its_note(fixture, paths, edition, request):
    out, note = request.getfixturevalue(fixture), make_html.EDITIONS[edition].labels["explorer_note"]
    explorers = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "explorer" in c.metadata.get("tags", [])]
        explorers += len(tagged)
        notes = soup(page_of(out, path)).select("main p.course-explorer-note")
        assert [n.get_text() for n in notes] == [note] * len(tagged), path.name
    assert explorers >= 4  # 01, 02, 09, 12
    assert ("JupyterLab" in note) and (("default" in note) if edition == "en" else ("既定" in note))


# --- keyboard, landmarks, language ---------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["site", "ja_site", "student_site"])
def test_every_page_opens_with_a_skip_link_to_the_main_content(fixture, request):
    out = request.getfixturevalue(fixture)
    for path in sorted(out.glob("*.html")):
        page = soup(path)
        first = page.body.find(["a", "input", "button", "select", "textarea", "summary"])
        assert first["class"] == ["course-skip"] and first["href"] == "#main-content", path.name
        main = page.find(id="main-content")
        assert main.name == "main" and main["tabindex"] == "-1", path.name
        assert len(page.find_all("main")) == 1 and page.select_one("body > header") is not None
        assert page.select_one("body > footer") is not None
        labels = [nav["aria-label"] for nav in page.find_all("nav")]
        assert len(labels) == len(set(labels)), f"{path.name}: two navigation landmarks named alike: {labels}"


def test_the_japanese_pages_speak_japanese(ja_site):
    labels = make_html.EDITIONS["ja"].labels
    for path in sorted(ja_site.glob("*.html")):
        page = soup(path)
        assert page.html["lang"] == "ja", path.name
        assert page.select_one("a.course-skip").get_text() == labels["skip"] == "本文へ移動"
        assert page.find("label", attrs={"for": "course-search-input"}).get_text() == "コースを検索"
    header = [th.get_text(strip=True) for th in soup(ja_site / "index.html").select("table thead th")]
    assert header == ["#", "ノートブック", "学ぶこと", "分"]  # README.ja.md's own, not the English


def test_table_header_by_hand():
    section = "Intro.\n\n| # | ノート | 分 |\n|---|:--:|--:|\n| 01 | [a](a.ipynb) | 5 |\n"
    assert make_html.table_header(section) == ["| # | ノート | 分 |", "|---|:--:|--:|"]
    assert make_html.table_header("no table | here\n") == []


def test_what_may_scroll_takes_the_keyboard_focus(site):
    page = soup(page_of(site, NOTEBOOKS[1]))  # 02: code, printed output, block equations
    blocks = page.select("main pre") + page.select("main math[display=block]")
    assert len(page.select("main math[display=block]")) > 0 and len(page.select("main pre")) > 10
    assert all(block.get("tabindex") == "0" for block in blocks)
    assert page.select("div.jp-Cell-inputWrapper[tabindex]") == []  # one stop per block, not three
    assert all(out.find("pre") is None for out in page.select("div.jp-OutputArea-output[tabindex]"))


def test_keyboard_scrolling_by_hand():
    page = BeautifulSoup(
        '<main><div class="jp-CodeCell"><div class="jp-Cell-inputWrapper" tabindex="0"><pre>x</pre></div>'
        '<div class="jp-OutputArea-output" tabindex="0"><pre>1</pre></div>'
        '<div class="jp-OutputArea-output" tabindex="0"><img alt="a"></div>'
        '<div class="jp-OutputArea-output" tabindex="0"><table></table></div></div>'
        '<div class="jp-MarkdownCell"><table></table><math display="block"></math><math></math></div></main>',
        "html.parser",
    )
    make_html.keyboard_scrolling(page)
    assert [tag.name for tag in page.select("[tabindex]")] == ["pre", "pre", "div", "table", "math"]
    assert page.select_one("div.jp-OutputArea-output[tabindex] table") is not None  # rich HTML keeps its stop


# --- the search ------------------------------------------------------------------------------


def search_index(out: Path) -> dict:
    """search-index.js read back: the object it assigns to window.COURSE_SEARCH_INDEX."""
    text = (out / make_html.SEARCH_INDEX).read_text(encoding="utf-8")
    prefix = "window.COURSE_SEARCH_INDEX = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix) : -2])


def matches(index: dict, query: str) -> list[str]:
    """The hrefs of the sections the search finds, by its rule (search.js): each word of the query,
    folded (NFKC, lower case), is a substring of the folded heading and text."""

    def fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text).lower()

    words = fold(query).split()
    found = []
    for number, anchor, heading, text in index["entries"]:
        href = index["pages"][number][0]
        if all(w in fold(f"{heading} {text}") for w in words):
            found.append(href + (f"#{anchor}" if anchor else ""))
    return found


def test_search_index_by_hand(tmp_path):
    path = one_notebook(
        tmp_path,
        nbformat.v4.new_markdown_cell(
            "# T\n\nIntro with $x^2$.\n\n## Alpha\n\nText *a*.\n\n### Sub\n\nMore."
        ),
        nbformat.v4.new_code_cell("print('code is not indexed')"),
        nbformat.v4.new_markdown_cell("## Alpha\n\nAgain.\n\n#### Deep\n\nStill Alpha's."),
    )
    make_html.main(["--out", str(tmp_path / "out"), str(path)])
    index = search_index(tmp_path / "out")
    assert index["pages"][1] == ["91_made_up.html", "T"]
    page_entries = [e[1:] for e in index["entries"] if e[0] == 1]
    assert page_entries == [
        ["T", "T", "Intro with x2."],  # MathML as the browser reads it
        ["Alpha", "Alpha", "Text a."],
        ["Sub", "Sub", "More."],
        ["Alpha-2", "Alpha", "Again. Deep Still Alpha's."],  # an h4 stays in its section
    ]
    assert not any("code is not indexed" in e[3] for e in index["entries"])
    assert matches(index, "ALPHA still") == ["91_made_up.html#Alpha-2"]
    page = soup(tmp_path / "out" / "91_made_up.html")
    for entry in page_entries:  # each anchor leads to its heading
        assert page.find(id=entry[0]).name in ("h1", "h2", "h3")


def test_search_index_holds_every_page_of_the_english_site(site):
    index = search_index(site)
    assert index["pages"] == [["index.html", make_html.EDITIONS["en"].site_title]] + [
        [f"{p.stem}.html", make_html.title_of(nbformat.read(p, as_version=4), p.stem)] for p in NOTEBOOKS
    ]
    assert {e[0] for e in index["entries"]} == set(range(len(index["pages"])))
    hits = matches(index, "surrogate gradient")
    assert any(h.startswith("01_spike_function.html") for h in hits)
    assert matches(index, "Heaviside") and matches(index, "no such word anywhere xq") == []
    for number, anchor, _, _ in index["entries"]:  # every result leads to its section
        if anchor:
            assert soup(site / index["pages"][number][0]).find(id=anchor) is not None, anchor


def test_search_finds_a_japanese_word_inside_longer_ones(ja_site):
    index = search_index(ja_site)
    assert index["pages"][0] == ["index.html", make_html.EDITIONS["ja"].site_title]
    assert "代理勾配" in index["pages"][0][1]
    hits = matches(index, "勾配")  # written inside 代理勾配 and longer words, with no space around it
    assert any(h.startswith("01_spike_function.html") for h in hits)
    inside = [e for e in index["entries"] if "勾配" in e[3] and "勾配" not in e[3].split()]
    assert inside, "no section where 勾配 is only found inside a longer word"
    assert matches(index, "ＳＮＮ") == matches(index, "snn") != []  # full-width letters fold to ASCII


def test_japanese_search_by_hand(tmp_path):
    path = one_notebook(
        tmp_path, nbformat.v4.new_markdown_cell("# 題\n\n代理勾配で訓練する。\n\n## 節\n\n膜電位。")
    )
    make_html.main(["--edition", "ja", "--out", str(tmp_path / "out"), str(path)])
    index = search_index(tmp_path / "out")
    entries = [e[1:] for e in index["entries"] if e[0] == 1]
    assert entries == [
        [quote("題"), "題", "代理勾配で訓練する。"],
        [quote("節"), "節", "膜電位。"],
    ]  # nbconvert's ids

    def ours(query: str) -> list[str]:  # (the index page, the real README.ja.md, has these words too)
        return [h for h in matches(index, query) if h.startswith("91_")]

    assert ours("勾配") == [f"91_made_up.html#{quote('題')}"]  # a substring: no word spaces in Japanese
    assert ours("膜電位") == [f"91_made_up.html#{quote('節')}"]
    assert ours("勾配 膜電位") == []  # every word in one section


@pytest.mark.parametrize("fixture", ["site", "ja_site"])
def test_every_page_has_the_search_box(fixture, request):
    out = request.getfixturevalue(fixture)
    for path in sorted(out.glob("*.html")):
        page = soup(path)
        box = page.select_one("header [role=search] input#course-search-input")
        assert box is not None and box["type"] == "search", path.name
        assert page.find("label", attrs={"for": "course-search-input"}) is not None
        results = page.find(id="course-search-results")
        assert results.has_attr("hidden") and results.select_one("[role=status]") is not None


def test_the_japanese_furniture_follows_the_glossary():
    import ja_style

    variants = ja_style.glossary_variants()
    edition = make_html.EDITIONS["ja"]
    for name, text in [
        *edition.labels.items(),
        ("site_title", edition.site_title),
        ("credit", edition.credit_html),
    ]:
        assert ja_style.find(text, variants) == [], name
    assert ja_style.find("学習者用の版: 各演習", variants) != []  # the check can fail


# --- the audit's own logic (the browser part runs in `make audit`) ----------------------------


def test_the_audit_reads_every_page_of_both_editions_index_first(tmp_path):
    import audit_site

    for name in ("02_b.html", "index.html", "01_a.html", "ja/01_a.html", "ja/index.html", "search-index.js"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    pages = [p.relative_to(tmp_path).as_posix() for p in audit_site.pages_of(tmp_path)]
    assert pages == ["index.html", "01_a.html", "02_b.html", "ja/index.html", "ja/01_a.html"]


def test_the_audit_refuses_a_site_without_both_editions(tmp_path, monkeypatch, capsys):
    import audit_site

    monkeypatch.setattr(audit_site, "AXE", tmp_path / "axe.min.js")
    assert audit_site.main(["--site", str(tmp_path)]) == 1
    assert "axe.min.js is missing: run `npm ci --prefix tools/site`" in capsys.readouterr().err
    (tmp_path / "axe.min.js").write_text("")
    (tmp_path / "index.html").write_text("<html></html>")
    assert audit_site.main(["--site", str(tmp_path), "--shots", str(tmp_path / "shots")]) == 1
    assert "lacks index.html or ja/index.html: run `make html` first" in capsys.readouterr().err
