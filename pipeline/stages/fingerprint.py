"""Fingerprint: a MinHash signature of the article for corpus-level near-duplicate search."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.stages.base import Stage


class Fingerprint(Stage):
    name = "fingerprint"
    version = "0"
    requires = ("text",)
    provides = ("fingerprint",)

    def process(self, doc: Article) -> Article:
        doc.fingerprint = []
        return doc
