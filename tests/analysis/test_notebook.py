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


def test_sweep_notebook_runs(exe, tmp_path, monkeypatch):
    """The worked example of issue 12: the Sobol sweep, its indices, PRIM, Morris, the grid."""
    monkeypatch.setenv("CHIPSIM_EXE", exe)
    monkeypatch.setenv("CHIPSIM_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("CHIPSIM_NOTEBOOK_REPLICATES", "2")
    nb = nbformat.read(SWEEP_NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(SWEEP_NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 4  # Sobol bars, PRIM trade-off, Morris, heat map
    text = "".join(o.get("text", "") for o in outputs)
    assert "1792 points x 2 replicates" in text
    assert (tmp_path / "nb-sobol.h5").exists()


def test_notebook_runs(exe, tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPSIM_EXE", exe)
    monkeypatch.setenv("CHIPSIM_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("CHIPSIM_NOTEBOOK_REPLICATES", "40")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
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
