"""Clean: boilerplate out, metadata kept, text normalized (`text` is the reference for all offsets)."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.cleaning import clean_article, load_patterns
from pipeline.cleaning.patterns import SHIPPED
from pipeline.stages.base import Reject, Stage


class Clean(Stage):
    name = "clean"
    version = "1"
    requires = ("raw_text",)
    provides = ("text", "title", "published", "publisher", "flags")

    def fingerprint(self) -> str:
        """The shipped patterns are part of the output: editing them re-cleans the corpus."""
        import hashlib

        digest = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()[:12]
        return f"{self.name}:{self.version}:{digest}"

    def process(self, doc: Article) -> Article:
        patterns = load_patterns(self.config.clean.patterns)
        cleaned = clean_article(doc.raw_text, doc.input_format, doc.meta, patterns, doc.url,
                                repair=self.config.clean.repair_glued)
        if not cleaned.text.strip():
            raise Reject("empty", "no article text is left after extraction (an HTML page without main content?)")
        doc.text = cleaned.text
        doc.title = cleaned.title
        doc.published = cleaned.published
        doc.publisher = cleaned.publisher
        for flag in cleaned.flags:
            doc.add_flag(flag)
        return doc
