"""Shared fixtures: the chipsim executable (from ctest) and the baseline scenario."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from chipsim_exe import executable  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.toml"


@pytest.fixture(scope="session")
def chipsim():
    return executable()


@pytest.fixture(scope="session")
def run(chipsim):
    """run(out, *args) runs `chipsim run baseline -o out -q *args` and returns the result."""

    def _run(out, *args, check=True):
        cmd = [chipsim, "run", str(BASELINE), "-o", str(out), "-q", *map(str, args)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return _run
