"""Friction (issue 10): the analysis package installs as a package. `pip install ./analysis`
works in a virtual environment made with --system-site-packages from Debian's python3 (which
provides xarray, h5py and the rest), with no package index: the build backend ships in the
source tree (analysis/_build)."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def test_pip_install_into_a_venv_works_offline(tmp_path):
    src = tmp_path / "analysis"
    shutil.copytree(ROOT / "analysis", src, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    r = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                       capture_output=True, text=True)
    if r.returncode != 0 and "ensurepip" in r.stdout + r.stderr:
        pytest.fail("python3-venv is missing; scripts/install-deps.sh installs it")
    assert r.returncode == 0, r.stderr
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PYTHONPATH": ""}
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-input", str(src)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Successfully installed chipsim-" in r.stdout
    r = subprocess.run([str(venv / "bin" / "python"), "-c",
                        "import chipsim, xarray; print(chipsim.__file__); "
                        "print(chipsim.summary.__module__)"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert str(venv) in r.stdout and "chipsim.data" in r.stdout
