"""Fingerprint: a MinHash signature of the article for corpus-level near-duplicate search."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.dedup import fingerprint
from pipeline.stages.base import Stage


class Fingerprint(Stage):
    name = "fingerprint"
    version = "1"
    requires = ("text", "lang", "translation")
    provides = ("fingerprint",)

    def process(self, doc: Article) -> Article:
        doc.fingerprint = fingerprint(doc, self.config.clean.num_perm)
        return doc
