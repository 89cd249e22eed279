"""The analysis notebook runs, top to bottom, on the tables of a sample run, and saves its
figures; its jupytext twin says the same; the committed copy is an executed one."""
from __future__ import annotations

import jupytext
import nbclient
import nbformat

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "explore_tables.ipynb"
TWIN = ROOT / "notebooks" / "explore_tables.py"
FIGURES = ("difficulties_by_province.png", "recommendations_by_addressee.png", "communes_map.png")


def test_notebook_and_its_twin_hold_the_same_cells():
    notebook, twin = jupytext.read(NOTEBOOK), jupytext.read(TWIN)
    assert [(c.cell_type, c.source) for c in notebook.cells] == [(c.cell_type, c.source) for c in twin.cells]
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"


def test_committed_notebook_is_executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert sum("image/png" in o.get("data", {}) for c in code for o in c.outputs) == len(FIGURES)


def test_notebook_runs_on_a_sample_run(sample_run, tmp_path, monkeypatch):
    figures = tmp_path / "figures"
    monkeypatch.setenv("PROVNEWS_TABLES", str(sample_run))
    monkeypatch.setenv("PROVNEWS_FIGURES", str(figures))
    notebook = jupytext.read(TWIN)  # the reviewed source; the .ipynb holds the same cells
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    for name in FIGURES:
        assert (figures / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    outputs = ["".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")) for c in notebook.cells
               if c.cell_type == "code" for o in c.outputs]
    assert not [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    # Former communes are listed with what they became (they have no ward_code).
    assert any("becomes_name" in o and "Mường Tùng" in o for o in outputs)
