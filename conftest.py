"""pytest setup shared by unit tests and the strict nbval run (see GUIDE section 5).

Environment variables set here reach the notebook kernels that nbval starts.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Warnings raised in a cell name the cell's file: a fixed name keeps outputs stable.
os.environ.setdefault("IPYKERNEL_CELL_NAME", "<cell>")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def pytest_configure(config):
    """Pin nbval's sanitize file to an absolute path, whatever the working directory."""
    if hasattr(config.option, "nbval_sanitize_with") and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
