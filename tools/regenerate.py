"""Execute notebooks in place on a fresh kernel, deterministically (`make notebooks`).

Usage: python tools/regenerate.py [notebooks/NN_name.ipynb ...]   (default: all)

Deterministic: the same code and machine give byte-identical files. Cell execution
timestamps are dropped, consecutive stream outputs merged, the kernelspec set to
python3 and the Python patch version left out of the metadata. A cell tagged
``volatile-output`` (a timing, say) runs but its output is not stored: it would differ at
every run (such a cell also carries ``# NBVAL_IGNORE_OUTPUT``). Cells tagged
``raises-exception`` may raise; any other error stops the run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from course_files import ROOT, course_notebooks
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
ENV = {
    "IPYKERNEL_CELL_NAME": "<cell>",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name into one."""
    merged: list = []
    for out in outputs:
        if (
            merged
            and out.output_type == "stream"
            and merged[-1].output_type == "stream"
            and merged[-1].name == out.name
        ):
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what changes from run to run; fix kernelspec and metadata."""
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    for i, cell in enumerate(nb.cells):
        cell.setdefault("id", f"cell-{i:02d}")
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            volatile = "volatile-output" in cell.metadata.get("tags", [])
            cell.outputs = [] if volatile else merge_streams(cell.outputs)
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)
    return nb


def regenerate(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    nbformat.write(normalize(nb), path)


def main(argv: list[str]) -> int:
    os.environ.update(ENV)
    paths = [Path(p) for p in argv] or course_notebooks()
    for path in paths:
        print(f"executing {path.relative_to(ROOT) if path.is_absolute() else path}", flush=True)
        regenerate(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
