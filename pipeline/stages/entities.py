"""Extract and link entities: knowledge-base matches, then what the KB does not know, then values."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.article import Article
from pipeline.entities.kb import KB_DIR, kb_files
from pipeline.stages.base import Stage

if TYPE_CHECKING:
    from pipeline.entities.extract import Extractor


class Entities(Stage):
    name = "entities"
    version = "8"
    requires = ("text", "lang", "sentences", "translation")
    provides = ("entities",)

    def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config)
        self._extractor: Extractor | None = None

    def fingerprint(self) -> str:
        """Stage version plus a hash of the KB and value tables: editing an alias re-links the articles."""
        digest = hashlib.sha256()
        extra = [Path(self.config.entities.kb)] if self.config.entities.kb else []
        for path in [*kb_files(), KB_DIR.parent / "values.yaml", *extra]:
            digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
        ner = _ner_identity() if self.config.entities.ner else "no-ner"
        return f"{self.name}:{self.version}:{digest.hexdigest()[:16]}:{ner}"

    def check(self) -> None:
        """A knowledge base that does not validate stops the run before any article is processed."""
        from pipeline.config import ConfigError
        from pipeline.entities.kb import KBError, load_kb

        try:
            load_kb(self.config.entities.kb or None)
        except KBError as exc:
            raise ConfigError(f"entities.kb: {exc}") from exc

    def process(self, doc: Article) -> Article:
        if self._extractor is None:
            from pipeline.entities.extract import Extractor
            from pipeline.entities.kb import load_kb

            cfg = self.config.entities
            self._extractor = Extractor(load_kb(cfg.kb or None), ner=cfg.ner, values=cfg.values,
                                        heuristics=tuple(cfg.heuristics))
        doc.entities = self._extractor.extract(doc)
        return doc


def _ner_identity() -> str:
    """Which NER models are installed, by their meta.json (cheap: no model is loaded)."""
    models = Path(__file__).resolve().parent.parent / "ner" / "models"
    digest = hashlib.sha256()
    for meta in sorted(models.glob("*/meta.json")):
        digest.update(meta.parent.name.encode() + b"\0" + meta.read_bytes())
    return "ner:" + digest.hexdigest()[:12]
