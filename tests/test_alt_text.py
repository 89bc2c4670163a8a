"""Every stored figure has a text alternative, in both editions (issue 24: "every figure described").

A code cell's metadata carries ``"alt": ["what figure 1 shows", ...]``: one string per image/png output of
the cell, in order (the site writes the k-th as the k-th image's ``alt``; tools/translate.py carries each
into the notebook's catalog, locale/ja/NN_name.po, and writes the Japanese into notebooks/ja). A figure
without one, an empty one, or one that only repeats a title given in the cell's source (or a plotting
helper's default title) fails here, with the notebook, the cell id and the figure's number.
"""

from __future__ import annotations

import inspect
import re

import nbformat
import pytest

from snn_helpers.core import plotting
from tools.course_files import ROOT, course_notebooks

ENGLISH = course_notebooks()
EDITIONS = [*ENGLISH, *(ROOT / "notebooks" / "ja" / p.name for p in ENGLISH)]
MIN_WORDS = 6  # an English alt is a sentence saying what the figure shows, not a label
JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# a title given in the source: set_title("..."), suptitle("..."), title="...", title = "..." (f-strings too)
TITLE = re.compile(r"""\b(?:set_title|suptitle|title)\s*[=(]\s*(f?)(["'])(.*?)(?<!\\)\2""")


def default_titles() -> list[str]:
    """The titles the course's plotting helpers give a figure when the cell names none."""
    titles = []
    for _, function in inspect.getmembers(plotting, inspect.isfunction):
        parameter = inspect.signature(function).parameters.get("title")
        if parameter is not None and isinstance(parameter.default, str):
            titles.append(parameter.default)
    return titles + ["The IF recurrence unrolled over time"]  # plot_unrolled_if's fixed title


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def title_patterns(source: str) -> list[re.Pattern]:
    """Each title in the cell's source (and each default title) as a pattern over an alt's words; an
    f-string's fields ({...}) match anything."""
    patterns = []
    for f, _, text in TITLE.findall(source):
        parts = re.split(r"\{[^{}]*\}", text) if f else [text]
        patterns.append(re.compile(r".*".join(re.escape(_words(p)) for p in parts)))
    return patterns + [re.compile(re.escape(_words(t))) for t in default_titles()]


def alt_problems(nb: nbformat.NotebookNode, name: str, japanese: bool = False) -> list[str]:
    """What is wrong with the notebook's text alternatives: one line per cell or figure."""
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        where = f"{name} cell {cell.id}"
        n_figures = sum("image/png" in o.get("data", {}) for o in cell.outputs)
        alt = cell.metadata.get("alt", [])
        if not isinstance(alt, list) or not all(isinstance(a, str) for a in alt):
            problems.append(f"{where}: metadata.alt must be a list of strings; got {alt!r}")
            continue
        if len(alt) != n_figures:
            problems.append(f"{where}: {n_figures} figures (image/png outputs) but {len(alt)} alt texts")
        titles = title_patterns(cell.source)
        for k, text in enumerate(alt, start=1):
            if not text.strip():
                problems.append(f"{where}, figure {k}: the alt text is empty")
            elif any(t.fullmatch(_words(text)) for t in titles):
                problems.append(f"{where}, figure {k}: the alt text only repeats a title: {text!r}")
            elif japanese and not JAPANESE.search(text):
                problems.append(
                    f"{where}, figure {k}: the Japanese edition's alt text is not Japanese: {text!r}"
                )
            elif not japanese and len(text.split()) < MIN_WORDS:
                problems.append(f"{where}, figure {k}: under {MIN_WORDS} words, not a description: {text!r}")
    return problems


@pytest.mark.parametrize("path", EDITIONS, ids=[f"{p.parent.name}/{p.name}" for p in EDITIONS])
def test_every_stored_figure_has_its_text_alternative(path):
    nb = nbformat.read(path, as_version=4)
    problems = alt_problems(nb, f"{path.parent.name}/{path.name}", japanese=path.parent.name == "ja")
    assert not problems, (
        "add metadata.alt (one string per figure, saying what it shows) to the English cell, then "
        "`python tools/translate.py update` and translate the alt entries:\n" + "\n".join(problems)
    )


# Planted cases: each kind of fault is caught, and a described figure passes.

PNG = {"image/png": "iVBORw0KGgo="}


def planted(source: str, n_figures: int, alt: object | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source, id="fig-1")
    cell.outputs = [nbformat.v4.new_output("display_data", data=PNG) for _ in range(n_figures)]
    if alt is not None:
        cell.metadata["alt"] = alt
    nb.cells = [nbformat.v4.new_markdown_cell("# A", id="md-1"), cell]
    return nb


SOURCE = 'ax.set(title=f"Loss, seed {seed}")\nfig.suptitle("Two runs")\nplot_raster(s, ax=right)'
GOOD = "The loss falls from 2.3 to 0.1 within 100 iterations in both runs."


def test_a_described_figure_passes():
    assert alt_problems(planted(SOURCE, 1, [GOOD]), "x") == []
    assert alt_problems(planted("print(1)", 0, None), "x") == []  # no figure, no alt needed


@pytest.mark.parametrize(
    ("n_figures", "alt", "expected"),
    [
        (1, None, "x cell fig-1: 1 figures (image/png outputs) but 0 alt texts"),
        (2, [GOOD], "x cell fig-1: 2 figures (image/png outputs) but 1 alt texts"),
        (1, [GOOD, GOOD], "x cell fig-1: 1 figures (image/png outputs) but 2 alt texts"),
        (1, ["   "], "x cell fig-1, figure 1: the alt text is empty"),
        (1, "The loss falls.", "x cell fig-1: metadata.alt must be a list of strings; got 'The loss falls.'"),
        (1, ["Two runs"], "x cell fig-1, figure 1: the alt text only repeats a title: 'Two runs'"),
        (1, ["Loss, seed 3."], "x cell fig-1, figure 1: the alt text only repeats a title: 'Loss, seed 3.'"),
        (1, ["Spike raster"], "x cell fig-1, figure 1: the alt text only repeats a title: 'Spike raster'"),
        (
            1,
            ["The loss falls."],
            "x cell fig-1, figure 1: under 6 words, not a description: 'The loss falls.'",
        ),
    ],
)
def test_a_figure_without_a_description_fails(n_figures, alt, expected):
    assert alt_problems(planted(SOURCE, n_figures, alt), "x") == [expected]


def test_the_japanese_edition_needs_japanese_alt_texts():
    assert (
        alt_problems(planted(SOURCE, 1, ["損失は 100 反復で 0.1 まで下がります。"]), "ja", japanese=True)
        == []
    )
    assert alt_problems(planted(SOURCE, 1, [GOOD]), "ja", japanese=True) == [
        f"ja cell fig-1, figure 1: the Japanese edition's alt text is not Japanese: {GOOD!r}"
    ]


def test_the_default_titles_are_the_plotting_helpers():
    assert {"Spike raster", "Training loss", "Membrane potential", "Confusion matrix"} <= set(
        default_titles()
    )
