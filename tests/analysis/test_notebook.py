"""analysis/notebooks/quickstart.ipynb executes end to end (nbclient), and is stored without
outputs."""
import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "analysis" / "notebooks" / "quickstart.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = json.loads(NOTEBOOK.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


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
