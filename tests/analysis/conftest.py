"""Fixtures for the analysis package: small runs of the baseline and a what-if made once
per session with the chipsim built by ctest (CHIPSIM_EXE)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analysis"))
sys.path.insert(0, str(ROOT / "tests" / "support"))
from chipsim_exe import executable  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

N = 40


@pytest.fixture(scope="session")
def exe():
    return executable()


@pytest.fixture(scope="session")
def runs(exe, tmp_path_factory):
    """Paths of: baseline and China accepting the H200 (N replicates, same seed), a summary-only
    baseline, a single-replicate baseline, and a baseline with another seed."""
    d = tmp_path_factory.mktemp("runs")

    def run(scenario, name, *args):
        subprocess.run([exe, "run", str(ROOT / scenario), "-q", "-o", str(d / name), *args],
                       check=True, stdout=subprocess.DEVNULL)
        return d / name

    return {
        "base": run("scenarios/baseline.toml", "base.h5", "-n", str(N)),
        "h200": run("scenarios/whatif/02-china-accepts-h200.toml", "h200.h5", "-n", str(N)),
        "summary": run("scenarios/baseline.toml", "summary.h5", "-n", str(N), "--summary-only"),
        "single": run("scenarios/baseline.toml", "single.h5", "-n", "1"),
        "seed2": run("scenarios/baseline.toml", "seed2.h5", "-n", str(N), "--seed", "2"),
    }
