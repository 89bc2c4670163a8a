"""The prose check (tools/check_prose.py): planted cells give the expected lines; every notebook passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import check_prose  # noqa: E402

CODE = "lr = 0.01\nn_time = 10\nacc = train(lr, n_time)\nprint(f'{acc:.3f}', total)"
OUTPUT = "0.951 1505000\nratio 3e-3\n"


def notebook(
    tmp_path: Path, *markdown: str | tuple[str, dict], folder: str = "", meta: dict | None = None
) -> Path:
    """A notebook file with one executed code cell (CODE printing OUTPUT), then the markdown cells."""
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": CODE,
            "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": OUTPUT}],
        },
    ]
    for m in markdown:
        source, cell_meta = (m, {}) if isinstance(m, str) else m
        cells.append({"cell_type": "markdown", "metadata": cell_meta, "source": source})
    nb = {"cells": cells, "metadata": meta or {}, "nbformat": 4, "nbformat_minor": 5}
    where = tmp_path / folder if folder else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    path = where / "99_planted.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    """The problem lines without the path prefix: ``cell N: ...``."""
    return [line.split(".ipynb ", 1)[1] for line in check_prose.check_notebook(path)]


def test_a_number_without_source_is_named_with_its_cell(tmp_path):
    # the README's stale 0.967 while the output prints 0.951
    path = notebook(tmp_path, "The test accuracy is 0.951.", "The README says 0.967.")
    assert problems(path) == ["cell 2: 0.967 has no source"]


def test_printed_precision(tmp_path):
    # 0.95 is not 0.951 at its printed precision; 0.9510 is the same number as 0.951
    path = notebook(tmp_path, "About 0.95, or 0.9510.")
    assert problems(path) == ["cell 1: 0.95 has no source"]


def test_percentages_match_a_fraction_at_their_precision(tmp_path):
    path = notebook(tmp_path, "About 95% (95.1%), not 97%, nor 95.2%.")
    assert problems(path) == ["cell 1: 97% has no source", "cell 1: 95.2% has no source"]


def test_thousands_separators_and_powers_of_ten(tmp_path):
    path = notebook(
        tmp_path, "It costs 1,505,000, a ratio of 3 × 10⁻³, $3 \\times 10^{-3}$, 3·10^-3, 0.003; not 4e-3."
    )
    assert problems(path) == ["cell 1: 4e-3 has no source"]


def test_a_number_that_matches_only_a_code_literal_has_a_source(tmp_path):
    path = notebook(tmp_path, "The learning rate is 0.01, over 10 steps; 1% is 0.01 too.")
    assert problems(path) == []
    explained = check_prose.check_notebook(path, explain=True)
    assert any(line.endswith("cell 1: 0.01 in the code as 0.01") for line in explained)


def test_declarations_cell_and_notebook(tmp_path):
    path = notebook(
        tmp_path,
        (
            "A MAC costs 4.6 pJ and an addition 0.9 pJ.",
            {"numbers": {"4.6 pJ": "Horowitz (2014)", "0.9 pJ": ""}},
        ),
        ("Energy 3.7 pJ.", {"numbers": {"12 pJ": "a stale declaration"}}),
        "The threshold is 2.5 throughout.",
        meta={"numbers": {"2.5": "a constant of the setup"}},
    )
    assert problems(path) == [
        "cell 1: 0.9 pJ is declared without a source",
        "cell 1: 0.9 has no source",
        "cell 2: 3.7 has no source",
        "cell 2: 12 pJ is declared but not in the cell",
    ]


def test_a_declaration_key_must_hold_a_number(tmp_path):
    path = notebook(tmp_path, ("Nothing here.", {"numbers": {"pJ": "Horowitz (2014)"}}))
    assert problems(path) == ["cell 1: the declared key 'pJ' holds no number"]


def test_what_is_not_a_quoted_number(tmp_path):
    path = notebook(
        tmp_path,
        "# 07 · Title\n\n## 3. Section\n\n1. first item\n2. second item\n\n"
        "See notebook 07, notebooks 08, 09 and 11, section 6, exercise 2, cell 5, seeds 0 to 2.\n"
        "Code `x = 0.123` and a [link](https://example.org/v2/0.456), https://example.org/7.7 too.\n"
        "LaTeX integers $x_{42} = 2(\\sqrt{2} - 1)^{17}$ are not checked.\n"
        "Zenke & Vogels 2021 and (Horowitz, 2014) are citations; L1, float64 and 32-bit are names; "
        "Python 3.11 is a version, so is 2.5.1.\n\n"
        "**Estimated time:** 35 minutes. **Before this:** 06. **Next:** 12, then 08.\n**Next:** 11 counts.\n\n"
        '## Further reading\n\n- A. Author, "A paper", J. 33(4), 2021, pp. 899-925.\n',
    )
    assert problems(path) == []


def test_latex_decimals_are_checked(tmp_path):
    path = notebook(tmp_path, "With $\\beta = 0.875$ and $T = 10$.")
    assert problems(path) == ["cell 1: 0.875 has no source"]


def test_a_measured_time_on_the_setup_line_is_checked(tmp_path):
    path = notebook(
        tmp_path, "**Estimated time:** 30 minutes (the grid takes about 7 seconds). **Next:** 08."
    )
    assert problems(path) == ["cell 1: 7 has no source"]


def test_a_japanese_cell(tmp_path):
    path = notebook(
        tmp_path,
        "ノートブック 07 の正解率は約 95% で、0.967 ではありません。2 つのことがわかります。6 節で選びます。",
        "データの 4 分の 1 を使います。所要時間ではなく、Hinton の 2012 年の講義です。",
        "**所要時間:** 約35分。**前提:** 06。**次:** 08。",
        folder="ja",
    )
    # 4 分の 1 is 0.25: no output or literal holds it
    assert problems(path) == ["cell 1: 0.967 has no source", "cell 2: 4 分の 1 has no source"]


def test_the_command_line(tmp_path):
    path = notebook(tmp_path, "The README says 0.967.")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "check_prose.py"), str(path)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert run.stdout == f"{path} cell 1: 0.967 has no source\n"
    clean = notebook(tmp_path / "clean", "It prints 0.951.")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "check_prose.py"), "--explain", str(clean)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout
    assert run.stdout == f"{clean} cell 1: 0.951 printed as 0.951\n"


@pytest.mark.parametrize("path", check_prose.default_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_notebook_quotes_only_numbers_with_a_source(path):
    found = check_prose.check_notebook(path)
    assert not found, "numbers in the prose without a source:\n" + "\n".join(found)
