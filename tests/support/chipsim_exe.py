"""The chipsim executable under test, for the pytest suites (tests/python, tests/analysis)."""
import os

import pytest


def executable() -> str:
    """CHIPSIM_EXE, which ctest sets to the built chipsim; fails the test if it is unset."""
    exe = os.environ.get("CHIPSIM_EXE")
    if not exe:
        pytest.fail("CHIPSIM_EXE is not set (ctest sets it to the built chipsim)")
    return exe
