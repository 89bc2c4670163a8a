"""Render the executed notebooks to standalone HTML pages (`make html`).

Usage: python tools/make_html.py [--out html] [notebooks/NN_name.ipynb ...]   (default: all)

Each page carries its figures inside (PNG as data URIs) and its styles inline, so it can be
copied to a course site or a learning platform as one file. Equations are typeset by MathJax,
which the page loads from its CDN when opened. An index.html links the pages in order.
"""

from __future__ import annotations

import html
import sys

import nbformat
from course_files import parse_out_and_notebooks
from nbconvert import HTMLExporter


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    first = nb.cells[0].source.splitlines()[0] if nb.cells else ""
    return first.lstrip("# ").strip() or fallback


def main(argv: list[str]) -> int:
    out, paths = parse_out_and_notebooks(argv, __doc__.splitlines()[0], "html")
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    links = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and c.execution_count is None for c in nb.cells):
            raise SystemExit(f"{path} has code cells without outputs: run `make notebooks` first")
        title = title_of(nb, path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
        links.append(f'<li><a href="{path.stem}.html">{html.escape(title)}</a></li>')
        print(f"{out / path.stem}.html")
    index = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Training SNNs with surrogate gradients"
        "</title></head>\n<body><h1>Training a spiking neural network with surrogate gradients</h1>\n<ol>\n"
        + "\n".join(links)
        + "\n</ol></body></html>\n"
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
