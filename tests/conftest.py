"""Fixtures shared by the unit tests."""

import os
from types import ModuleType

import pytest

from snn_helpers.core import kernel


@pytest.fixture
def require_kernel() -> ModuleType:
    """The fused engine's compiled kernel, built if it is not yet (an explicit build, as ``make`` does).

    CI sets ``SNN_HELPERS_REQUIRE_KERNEL=1``: there the kernel must build, and a failure fails the
    test. A laptop without a C++ compiler skips what needs the kernel (the fused engine falls back
    to torch ops there, which the tests run in any case).
    """
    module = kernel.build()
    if module is None:
        if os.environ.get("SNN_HELPERS_REQUIRE_KERNEL") == "1":
            pytest.fail(f"the C++ kernel did not build: {kernel._state.get('error')}")
        pytest.skip(f"no compiled kernel here ({kernel._state.get('error')}): the torch-ops engine is tested")
    return module
