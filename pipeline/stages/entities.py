"""Extract and link entities: knowledge-base matches, then what the KB does not know, then values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.article import Article
from pipeline.entities.kb import KB_DIR, kb_files
from pipeline.stages.base import Stage

if TYPE_CHECKING:
    from pipeline.entities.extract import Extractor


class Entities(Stage):
    name = "entities"
    version = "36"
    requires = ("text", "lang", "sentences", "translation")
    provides = ("entities",)

    def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config)
        self._extractor: Extractor | None = None

    def cache_key_part(self) -> str:
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
        from pipeline.entities.kb import KBError

        try:
            self._extractor = _extractor(self.config)  # built here, in the main process, workers fork with it
        except KBError as exc:
            raise ConfigError(f"entities.kb: {exc}") from exc

    def warm(self) -> None:
        """The NER pipelines of every supported language (spaCy models: plain arrays, safe to fork), and
        pypinyin's tables for the ids of unknown Chinese names."""
        from pipeline.entities.extract import name_key

        name_key("北京")
        if self.config.entities.ner:
            from pipeline.ner import LANGS, load_ner

            for lang in LANGS:
                load_ner(lang)
            # The word segmenters of the zh and vi models: jieba's dictionary (shared with the span check's POS
            # tagger; plain Python dicts) and pyvi's CRF taggers (python-crfsuite, no threads).
            import jieba.posseg  # noqa: F401

            from pipeline.ner.features import segment_zh
            from pipeline.pyvi_load import pyvi

            segment_zh("中文")
            pyvi()

    def run(self, docs: Iterable[Article]) -> Iterator[Article]:
        """The batch's texts go through each NER model once, together (`nlp.pipe`), then article by article."""
        docs = list(docs)
        if not self.config.entities.ner or len(docs) < 2:
            yield from (self.process(doc) for doc in docs)
            return
        with _prefetched_ner(docs):
            for doc in docs:
                yield self.process(doc)

    def process(self, doc: Article) -> Article:
        if self._extractor is None:
            self._extractor = _extractor(self.config)
        doc.entities = self._extractor.extract(doc)
        return doc


_extractors: dict[tuple[Any, ...], Extractor] = {}


def _extractor(config: Any) -> Extractor:
    """The extractor for this configuration and KB, built once per process (KB parse and linker: seconds)."""
    from pipeline.entities.extract import Extractor
    from pipeline.entities.kb import kb_key, load_kb

    cfg = config.entities
    key = (kb_key(cfg.kb or None), cfg.ner, cfg.values, tuple(cfg.heuristics))
    if key not in _extractors:
        _extractors.clear()
        _extractors[key] = Extractor(load_kb(cfg.kb or None), ner=cfg.ner, values=cfg.values,
                                     heuristics=tuple(cfg.heuristics))
    return _extractors[key]


def _ner_identity() -> str:
    """Which NER models are installed, by their meta.json (cheap: no model is loaded)."""
    models = Path(__file__).resolve().parent.parent / "ner" / "models"
    digest = hashlib.sha256()
    for meta in sorted(models.glob("*/meta.json")):
        digest.update(meta.parent.name.encode() + b"\0" + meta.read_bytes())
    return "ner:" + digest.hexdigest()[:12]


@contextmanager
def _prefetched_ner(docs: list[Article]) -> Iterator[None]:
    """While open, each NER model answers the batch's texts from one `nlp.pipe` pass over all of them.

    The extractor asks the model for the text of each article (and the English translation, when there is
    one), one call each; pipe-batching the same texts gives the same spans at a fraction of the per-call
    cost. Texts the extractor asks for that were not prefetched go to the model as before.
    """
    from pipeline.entities.discover import _model, ner_lang

    wanted: dict[str, list[str]] = {}
    for doc in docs:
        translation = (doc.translation or {}).get("text")
        for lang, text in ((doc.lang, doc.text), ("en", translation)):
            code = ner_lang(lang)
            if code and isinstance(text, str) and text.strip():
                wanted.setdefault(code, []).append(text)
    patched: list[Any] = []
    try:
        for code, texts in wanted.items():
            model = _model(code)
            if model is None:
                continue
            unique = list(dict.fromkeys(texts))
            answers = dict(zip(unique, model.find_many(unique, batch_size=len(unique)), strict=True))
            find = model.find

            def cached(text: str, _answers: dict[str, Any] = answers, _find: Any = find) -> Any:
                found = _answers.get(text)
                return list(found) if found is not None else _find(text)

            model.find = cached  # this instance only, for this batch
            patched.append(model)
        yield
    finally:
        for model in patched:
            del model.find  # back to the class's method
