"""The exploration notebook runs top to bottom on a fresh pipeline output, a filled fixture and an empty output."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.output_fixture import write_fixture_output

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def execute(out: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Run every cell with PIPELINE_OUT=out; nbclient raises CellExecutionError on the first failing cell."""
    monkeypatch.setenv("PIPELINE_OUT", str(out))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}},
                   allow_errors=False).execute()
    return nb


def outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def test_notebook_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.slow
def test_notebook_runs_on_seed_output(seed_output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = execute(seed_output, monkeypatch)
    text = outputs_text(nb)
    assert "articles," in text and "Traceback" not in text


@pytest.mark.slow
def test_notebook_runs_on_fixture_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = execute(write_fixture_output(tmp_path / "out"), monkeypatch)
    text = outputs_text(nb)
    assert "7 articles" in text
    assert "Alibaba Group" in text and "zh-Hans" in text  # the cross-language table
    assert "calque-big-factory" in text  # MT evidence
    assert "degree centrality" in text  # the network was built (its plot is the PNG below)
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert 'class="ent ent-ORG"' in text  # highlighted side-by-side view
    assert "a1b2c3d4e5f60005" in text and "a1b2c3d4e5f60004" in text  # the near-duplicate cluster
    assert "note: no near-duplicates" not in text and "note: no translations" not in text


@pytest.mark.slow
def test_notebook_runs_on_empty_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "articles.jsonl").write_text("", encoding="utf-8")
    text = outputs_text(execute(tmp_path, monkeypatch))
    assert "0 articles" in text and "note: no articles" in text and "note: no entity mentions" in text
