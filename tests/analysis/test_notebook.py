"""analysis/notebooks/quickstart.ipynb executes end to end (nbclient), and is stored without
outputs."""
import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "analysis" / "notebooks" / "quickstart.ipynb"
SWEEP_NOTEBOOK = ROOT / "analysis" / "notebooks" / "sweep.ipynb"


@pytest.mark.parametrize("path", [NOTEBOOK, SWEEP_NOTEBOOK], ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


def execute(path, exe, out, replicates, monkeypatch, timeout):
    """Runs a notebook with nbclient; returns its outputs, the PNGs among them and its text."""
    monkeypatch.setenv("CHIPSIM_EXE", exe)
    monkeypatch.setenv("CHIPSIM_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("CHIPSIM_NOTEBOOK_REPLICATES", str(replicates))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    return pngs, "".join(o.get("text", "") for o in outputs)


def test_sweep_notebook_runs(exe, tmp_path, monkeypatch):
    """The worked example of issue 12: the Sobol sweep, its indices, PRIM, Morris, the grid."""
    pngs, text = execute(SWEEP_NOTEBOOK, exe, tmp_path, 2, monkeypatch, 600)
    assert len(pngs) >= 4  # Sobol bars, PRIM trade-off, Morris, heat map
    assert "1792 points x 2 replicates" in text
    assert (tmp_path / "nb-sobol.h5").exists()


def test_notebook_runs(exe, tmp_path, monkeypatch):
    pngs, _ = execute(NOTEBOOK, exe, tmp_path, 40, monkeypatch, 300)
    assert len(pngs) >= 5  # fan, comparison, market share, chokepoints, calibration
    assert (tmp_path / "nb-baseline.h5").exists()


def test_notebook_copied_out_of_the_repository_fails_clearly(tmp_path, monkeypatch):
    """Friction (issue 10): the root search used to loop forever outside the repository. It
    now stops at / with a clear message, and CHIPSIM_ROOT points it at the repository."""
    from nbclient.exceptions import CellExecutionError

    copy = tmp_path / "quickstart.ipynb"
    copy.write_text(NOTEBOOK.read_text())
    monkeypatch.delenv("CHIPSIM_ROOT", raising=False)
    nb = nbformat.read(copy, as_version=4)
    nb.cells = nb.cells[:2]  # the set-up cell is where the search runs
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError, match="cannot find the chipsim repository at or "
                                                 "above"):
        client.execute()
    monkeypatch.setenv("CHIPSIM_ROOT", str(ROOT))
    nb = nbformat.read(copy, as_version=4)
    nb.cells = nb.cells[:2]
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
