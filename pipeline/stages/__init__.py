"""The stages, in pipeline order: a plain dict of name to class."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.stages.base import Reject, Stage
from pipeline.stages.clean import Clean
from pipeline.stages.entities import Entities
from pipeline.stages.fingerprint import Fingerprint
from pipeline.stages.ingest import Ingest
from pipeline.stages.langid import DetectLanguage
from pipeline.stages.segment import Segment
from pipeline.stages.translate import Translate

STAGES: dict[str, type[Stage]] = {
    "ingest": Ingest,
    "clean": Clean,
    "langid": DetectLanguage,
    "segment": Segment,
    "translate": Translate,
    "entities": Entities,
    "fingerprint": Fingerprint,
}

# Fields the runner fills before the first stage.
INITIAL_FIELDS = ("doc_id", "source", "raw", "input_format", "line")


def build_stages(config: Config, names: list[str] | None = None) -> list[Stage]:
    """Instantiate the stages and check that each one's requirements are provided upstream."""
    stages = [STAGES[name](config) for name in (names or list(STAGES))]
    available = set(INITIAL_FIELDS)
    for stage in stages:
        missing = [f for f in stage.requires if f not in available]
        if missing:
            raise ValueError(f"stage {stage.name!r} requires {', '.join(missing)}, which no earlier stage provides")
        available.update(stage.provides)
    return stages


__all__ = ["STAGES", "Reject", "Stage", "build_stages"]
