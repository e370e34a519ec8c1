"""Translate to English, sentence-aligned; honest `no-model` when nothing is installed."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.stages.base import Stage


class Translate(Stage):
    name = "translate"
    version = "0"
    requires = ("text", "lang", "sentences")
    provides = ("translation", "translation_status")

    def process(self, doc: Article) -> Article:
        doc.translation = None
        doc.translation_status = "source-is-english" if doc.lang in ("en", "en-mt") else "no-model"
        return doc
