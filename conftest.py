"""pytest setup shared by unit tests and the strict nbval run (docs/maintaining.md).

The notebooks' environment comes from tools/course_files.py (one place for it, shared with
`make notebooks`); variables set here reach the kernels that nbval starts, the figure check
(tools/figcheck.py) included.
"""

import os
from pathlib import Path

from tools.course_files import NOTEBOOK_ENV, figure_check_env

ROOT = Path(__file__).resolve().parent
for name, value in NOTEBOOK_ENV.items():
    os.environ.setdefault(name, value)


def pytest_configure(config):
    """Pin nbval's sanitize file to an absolute path, whatever the working directory; give the
    kernels of an nbval run the figure check (tools/figcheck.py: a problem of a stored figure is a
    ``figure check:`` line on the cell's stderr, which the stored output does not have)."""
    if hasattr(config.option, "nbval_sanitize_with") and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
    if getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False):
        os.environ.update(figure_check_env())
