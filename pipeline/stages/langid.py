"""Detect language: one label and a confidence per article."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.stages.base import Stage


class DetectLanguage(Stage):
    name = "langid"
    version = "0"
    requires = ("text",)
    provides = ("lang", "lang_confidence")

    def process(self, doc: Article) -> Article:
        from langdetect import DetectorFactory, detect_langs

        DetectorFactory.seed = 0
        best = detect_langs(doc.text)[0] if doc.text.strip() else None
        doc.lang, doc.lang_confidence = (best.lang, round(best.prob, 4)) if best else ("und", 0.0)
        return doc
