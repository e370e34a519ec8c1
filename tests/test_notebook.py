"""The notebooks run top to bottom with the project's kernel on a fresh pipeline output, a filled fixture and an
empty output."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import pipeline
from pipeline.notebook import KERNEL, execute_notebook
from tests.output_fixture import ALIBABA, build_records, write_fixture_output

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
# Sections of explore.ipynb that draw a plot whenever their data exists (cell tags).
PLOTS = ["languages", "timeline", "entity-types", "top-entities", "co-occurrence", "rejects-flags"]


def outputs_text(nb: nbformat.NotebookNode, tag: str | None = None) -> str:
    parts = []
    for cell in nb.cells:
        if tag is not None and tag not in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def pngs(nb: nbformat.NotebookNode, tag: str) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if tag in c.metadata.get("tags", [])
               for o in c.get("outputs", []))


def html_tables(nb: nbformat.NotebookNode, tag: str) -> list[pd.DataFrame]:
    return [pd.read_html(StringIO(o["data"]["text/html"]))[0] for c in nb.cells if tag in c.metadata.get("tags", [])
            for o in c.get("outputs", []) if "text/html" in o.get("data", {})]


def test_notebooks_exist() -> None:
    assert NOTEBOOK in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == KERNEL  # opens with the project's environment in JupyterLab


def test_plot_sections_exist() -> None:
    tags = {t for c in nbformat.read(NOTEBOOK, as_version=4).cells for t in c.metadata.get("tags", [])}
    assert set(PLOTS) <= tags


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_seed_output(path: Path, seed_output: Path) -> None:
    nb = execute_notebook(path, seed_output)
    text = outputs_text(nb)
    assert "Traceback" not in text
    if path == NOTEBOOK:
        assert f"{len(pipeline.load(seed_output)[0])} articles," in text
        assert [tag for tag in PLOTS if not pngs(nb, tag)] == [], "sections without their plot"


@pytest.mark.slow
def test_notebook_runs_on_fixture_output(tmp_path: Path) -> None:
    out = write_fixture_output(tmp_path / "out")
    nb = execute_notebook(NOTEBOOK, out)
    text = outputs_text(nb)
    articles, mentions = pipeline.load(out)
    assert f"{len(articles)} articles" in text
    assert [tag for tag in PLOTS if not pngs(nb, tag)] == [], "sections without their plot"

    # Top entities: one row per knowledge-base id, whatever the script, with every surface form and language.
    records = build_records()
    alibaba = [(r["lang"], m) for r in records for e in r["entities"] if e["kb_id"] == ALIBABA[0]
               for m in e["mentions"]]
    top = html_tables(nb, "top-entities")[0]
    row = top[top["kb_id"] == ALIBABA[0]]
    assert len(row) == 1
    assert int(row["mentions"].iloc[0]) == len(alibaba)
    assert int(row["languages"].iloc[0]) == len({lang for lang, _ in alibaba}) > 3
    assert set(row["surface_forms"].iloc[0].split(" · ")) == {m["text"] for _, m in alibaba}
    assert "阿里巴巴" in row["surface_forms"].iloc[0]
    assert "zh-Hans" in outputs_text(nb, "one-entity")

    # Timeline: the dated articles (the loader parses `published`), the rest counted as undated.
    dated = int(articles["published"].notna().sum())
    assert f"{dated} of {len(articles)} articles dated" in text and f"undated: {len(articles) - dated}" in text

    # Co-occurrence counts sentences that mention both entities.
    units = [set(group["kb_id"].dropna()) for _, group in
             mentions.groupby(["doc_id", "field", "sentence"], observed=True)]
    both = sum({ALIBABA[0], "Q860580"} <= ids for ids in units)
    pairs = html_tables(nb, "co-occurrence")[0]
    pair = pairs[pairs[["entity", "with"]].apply(set, axis=1) == {ALIBABA[1], "Tencent"}]
    assert both > 1 and pair["shared sentences"].tolist() == [both]
    assert "degree centrality" in text

    assert "binary-file" in outputs_text(nb, "rejects-flags")  # the rejected input
    assert "calque-big-factory" in text  # MT evidence
    assert 'class="ent ent-ORG"' in text  # highlighted side-by-side view
    assert "a1b2c3d4e5f60005" in text and "a1b2c3d4e5f60004" in text  # the near-duplicate cluster
    assert "note: no near-duplicates" not in text and "note: no translations" not in text


@pytest.mark.slow
def test_notebook_runs_on_empty_output(tmp_path: Path) -> None:
    (tmp_path / "articles.jsonl").write_text("", encoding="utf-8")
    nb = execute_notebook(NOTEBOOK, tmp_path)
    text = outputs_text(nb)
    assert "0 articles" in text and "note: no articles" in text and "note: no entity mentions" in text
    assert "note: no article has a `published` date" in text and "note: no flags" in text
    assert not any(pngs(nb, tag) for tag in PLOTS)


def test_missing_kernel_and_notebook_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.notebook import KernelMissingError, check_kernel
    from pipeline.report import main

    with pytest.raises(KernelMissingError, match="make kernel"):
        check_kernel("no-such-kernel-here")
    assert check_kernel()["display_name"] == "Python (newscorpus)"  # `make kernel` registered it
    out = write_fixture_output(tmp_path / "out")
    assert main(["--out", str(out), "--notebook", str(tmp_path / "missing.ipynb")]) == 2
    assert "notebook not found" in capsys.readouterr().err
    assert not (out / "report").exists()


@pytest.mark.slow
def test_report_fails_on_a_failing_cell_and_keeps_the_old_report(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.report import build_report, main

    out = write_fixture_output(tmp_path / "out")
    report = build_report(out)
    broken = tmp_path / "broken.ipynb"
    cell = nbformat.v4.new_code_cell("import os\nraise ValueError(os.environ['PIPELINE_OUT'])")
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {"name": KERNEL, "display_name": KERNEL}})
    nbformat.write(nb, broken)
    assert main(["--out", str(out), "--notebook", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "broken.ipynb failed" in err and f"ValueError: {out.resolve()}" in err
    assert (report / "index.html").is_file() and not (report / "broken.html").exists()
