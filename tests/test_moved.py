"""The 0.2 import paths still work for one version, with a DeprecationWarning that names the new path,
and give the very objects of the new modules (snn_helpers/_moved.py)."""

import importlib
import sys

import pytest

import snn_helpers
from snn_helpers._moved import MOVED, MOVED_NAMES


def fresh_import(name: str):
    sys.modules.pop(name, None)
    return importlib.import_module(name)


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_every_old_module_path_imports_with_a_warning(old, new):
    with pytest.warns(DeprecationWarning, match=rf"snn_helpers\.{old} moved to snn_helpers\.{new} in 0\.3"):
        module = fresh_import(f"snn_helpers.{old}")
    target = importlib.import_module(f"snn_helpers.{new}")
    for name in getattr(target, "__all__", [n for n in vars(target) if not n.startswith("_")])[:5]:
        assert getattr(module, name) is getattr(target, name)


@pytest.mark.parametrize(("old", "name"), sorted(MOVED_NAMES))
def test_names_that_changed_home_follow_them(old, name):
    with pytest.warns(DeprecationWarning):
        module = fresh_import(f"snn_helpers.{old}")
    assert getattr(module, name) is getattr(
        importlib.import_module(f"snn_helpers.{MOVED_NAMES[old, name]}"), name
    )


def test_a_notebook_of_0_2_still_runs_its_imports():
    for old in ("digits", "readout"):
        sys.modules.pop(f"snn_helpers.{old}", None)
    with pytest.warns(DeprecationWarning):
        from snn_helpers.digits import DigitsSNN, rate_encode  # the old notebook's line
        from snn_helpers.readout import ReadoutSNN, leaky_integrate
    from snn_helpers.core.encoding import rate_encode as new_rate_encode
    from snn_helpers.tasks.digits import DigitsSNN as NewDigitsSNN
    from snn_helpers.tasks.digits import ReadoutSNN as NewReadoutSNN

    assert DigitsSNN is NewDigitsSNN and rate_encode is new_rate_encode and ReadoutSNN is NewReadoutSNN
    assert leaky_integrate is snn_helpers.leaky_integrate


def test_old_top_level_names_warn_and_unknown_ones_fail():
    with pytest.warns(
        DeprecationWarning, match=r"snn_helpers\.PostEnsemble moved to snn_helpers\.course\.ensemble"
    ):
        ensemble_class = snn_helpers.PostEnsemble
    from snn_helpers.course.ensemble import PostEnsemble

    assert ensemble_class is PostEnsemble
    with pytest.raises(AttributeError, match=r"module 'snn_helpers' has no attribute 'NoSuchThing'"):
        snn_helpers.NoSuchThing  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("snn_helpers.no_such_module")
