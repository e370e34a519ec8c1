"""Fingerprint: the article's MinHash signatures for corpus-level near-duplicate search (`pipeline.dedup`)."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.dedup import signatures
from pipeline.stages.base import Stage


class Fingerprint(Stage):
    name = "fingerprint"
    version = "1"
    requires = ("text", "lang", "translation")
    provides = ("fingerprint",)

    def process(self, doc: Article) -> Article:
        doc.fingerprint = signatures(doc, self.config.near_duplicates.num_perm)
        return doc
