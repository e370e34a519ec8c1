"""Detect language: one label, a calibrated confidence and MT evidence flags per article."""

from __future__ import annotations

from typing import Any

from pipeline.article import Article
from pipeline.stages.base import Stage


class DetectLanguage(Stage):
    name = "langid"
    version = "4"
    requires = ("text",)
    provides = ("lang", "lang_confidence")

    _detector: Any = None

    @property
    def detector(self) -> Any:
        """The detector, built on first use (its models load lazily on top of that)."""
        if self._detector is None:
            from pipeline.langid import detector_from_config

            self._detector = detector_from_config(self.config.langid)
        return self._detector

    def process(self, doc: Article) -> Article:
        result = self.detector.detect(doc.text)
        doc.lang, doc.lang_confidence = result.lang, result.confidence
        for flag in result.flags:
            doc.add_flag(flag)
        return doc
