"""Clean: boilerplate out, metadata kept, text normalized (`text` is the reference for all offsets)."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.stages.base import Stage


class Clean(Stage):
    name = "clean"
    version = "0"
    requires = ("raw_text",)
    provides = ("text", "title", "published", "publisher", "flags")

    def process(self, doc: Article) -> Article:
        lines = [" ".join(line.split()) for line in doc.raw_text.splitlines()]
        lines = [line for line in lines if line]
        doc.title = doc.meta.get("title")
        doc.published = doc.meta.get("published")
        doc.publisher = doc.meta.get("publisher")
        if doc.title and (not lines or lines[0] != doc.title):
            lines.insert(0, doc.title)
        doc.text = "\n".join(lines)
        return doc
