"""Translate to English, sentence-aligned; honest `no-model` when nothing is installed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property

from pipeline.article import Article
from pipeline.config import Config
from pipeline.languages import ENGLISH
from pipeline.stages.base import Stage
from pipeline.translation.models import Registry
from pipeline.translation.translator import Job, Translator


def no_model_note(missing: list[str]) -> str:
    """The one line a run prints when articles could not be translated for want of a model."""
    return (f"translation: no model installed for {', '.join(missing)} (articles recorded as no-model); "
            "run `make models` to install them, or pass --models DIR")


class Translate(Stage):
    name = "translate"
    version = "1"
    requires = ("text", "lang", "sentences")
    provides = ("translation", "translation_status")

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.registry = Registry(config.translate)  # looks at files only; weights load on first use
        self.notes: set[str] = set()

    @cached_property
    def translator(self) -> Translator:
        """The translator (and its memory), built on first use; it loads each model on first use in turn."""
        memory = self.config.run.translation_memory_path()  # the runner has made "auto" a file under --out
        return Translator(self.config.translate, self.registry, memory)

    def cache_key_part(self) -> str:
        # Installing or replacing a model changes which articles it would translate and how.
        return f"{self.name}:{self.version}:{self.registry.identity()}"

    def process(self, doc: Article) -> Article:
        return next(iter(self.run([doc])))

    def run(self, docs: Iterable[Article]) -> Iterator[Article]:
        docs = list(docs)
        groups: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            doc.translation = None
            spec = self.registry.model_for(doc.lang)
            if doc.lang in ENGLISH:
                doc.translation_status = "source-is-english"
            elif spec is None:
                doc.translation_status = "no-model"
                if doc.lang in self.config.translate.languages and self.config.translate.backend != "none":
                    self.notes.add(no_model_note(self.registry.missing()))
            elif not doc.sentences:
                doc.translation = {"text": "", "backend": spec.backend, "model": spec.name, "sentences": []}
                doc.translation_status = "translated"
            else:
                groups.setdefault(spec.key, []).append(i)
        for indices in groups.values():
            spec = self.registry.model_for(docs[indices[0]].lang)
            assert spec is not None
            jobs = [Job(docs[i].text, [(s["start"], s["end"]) for s in docs[i].sentences], docs[i].lang)
                    for i in indices]
            for i, outcome in zip(indices, self.translator.translate_jobs(spec, jobs), strict=True):
                docs[i].translation, docs[i].translation_status = outcome.translation, outcome.status
        yield from docs
