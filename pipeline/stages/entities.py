"""Extract and link entities: knowledge-base matches, then what the KB does not know."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.stages.base import Stage


class Entities(Stage):
    name = "entities"
    version = "0"
    requires = ("text", "lang", "sentences", "translation")
    provides = ("entities",)

    def process(self, doc: Article) -> Article:
        doc.entities = []
        return doc
