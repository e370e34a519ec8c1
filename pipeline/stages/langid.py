"""Detect language: one label, a calibrated confidence and MT evidence flags per article."""

from __future__ import annotations

import functools
from typing import Any

from pipeline.article import Article
from pipeline.stages.base import Stage

# Short texts that between them reach every model the detector loads lazily (Malay/Indonesian goes to lingua,
# English to the MT-English model, Han to OpenCC).
_WARM_SAMPLES = ("Pemerintah akan membangun jalan baru di kota itu tahun depan.",
                 "The government will build a new road in the city next year.",
                 "政府明年将在该市修建一条新路。")


class DetectLanguage(Stage):
    name = "langid"
    version = "8"
    requires = ("text",)
    provides = ("lang", "lang_confidence")

    @functools.cached_property
    def detector(self) -> Any:
        """The detector, built on first use (its models load lazily on top of that)."""
        from pipeline.langid import detector_from_config

        return detector_from_config(self.config.langid)

    def warm(self) -> None:
        """The detectors' models (fastText, CLD3, lingua, OpenCC, the MT-English and Malay tables), loaded by
        one detection in each script family that reaches them; the detector keeps no state between texts."""
        for sample in _WARM_SAMPLES:
            self.detector.detect(sample)

    def process(self, doc: Article) -> Article:
        result = self.detector.detect(doc.text)
        doc.lang, doc.lang_confidence = result.lang, result.confidence
        for flag in result.flags:
            doc.add_flag(flag)
        return doc
