"""One contract test over every stage in the stage dict."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.article import Article
from pipeline.chain import Chain
from pipeline.config import Config
from pipeline.ingest import Unit
from pipeline.stages import STAGES, build_stages
from tests.conftest import SEEDS


@pytest.mark.parametrize("name", list(STAGES))
def test_stage_declares_name_version_and_fields(name: str) -> None:
    stage = STAGES[name](Config())  # constructing a stage is cheap and loads no model
    assert stage.name == name
    assert stage.version and isinstance(stage.version, str)
    fields = {f.name for f in dataclasses.fields(Article)}
    assert set(stage.requires) <= fields, f"{name} requires unknown fields"
    assert set(stage.provides) <= fields, f"{name} provides unknown fields"


def test_misordered_pipeline_fails_at_start() -> None:
    with pytest.raises(ValueError, match="requires"):
        build_stages(Config(), ["ingest", "translate", "clean"])


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_each_stage_runs_alone_on_one_article(seed) -> None:
    """Stage by stage on one seed: each fills what it provides, and the whole chain is deterministic."""
    chain = Chain(Config())
    unit = Unit(seed.name, None, "txt", seed.read_bytes())
    first = chain([unit])
    second = chain([unit])
    assert first.rejects == [] and len(first.done) == 1
    assert first.done == second.done
    state = first.done[0][1]
    assert state["text"] and state["lang"] != "und" and state["sentences"]
