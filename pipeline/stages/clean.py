"""Clean: boilerplate out, metadata kept, text normalized (`text` is the reference for all offsets)."""

from __future__ import annotations

from pathlib import Path

from pipeline.article import Article
from pipeline.cleaning import clean_article, load_patterns
from pipeline.cleaning.patterns import SHIPPED
from pipeline.config import ConfigError
from pipeline.stages.base import Reject, Stage


class Clean(Stage):
    name = "clean"
    version = "2"
    requires = ("raw_text",)
    provides = ("text", "title", "published", "publisher", "url", "author", "flags")

    def cache_key_part(self) -> str:
        """The patterns are part of the output: editing the shipped file or the user's re-cleans the corpus."""
        import hashlib

        digest = hashlib.sha256(SHIPPED.read_bytes())
        extra = self.config.clean.patterns
        if extra:
            path = Path(extra)
            digest.update(b"\0" + (path.read_bytes() if path.is_file() else b"missing"))
        return f"{self.name}:{self.version}:{digest.hexdigest()[:12]}"

    def check(self) -> None:
        """A pattern file that is missing or does not compile stops the run before any article is cleaned."""
        try:
            load_patterns(self.config.clean.patterns)
        except (OSError, ValueError) as exc:  # a bad TOML file or regex is a ValueError
            raise ConfigError(f"clean.patterns: {exc}") from exc

    def warm(self) -> None:
        """The extraction and date libraries (imports, dateparser's locale tables for the languages it reads)."""
        import htmldate  # noqa: F401
        import trafilatura  # noqa: F401

        from pipeline.cleaning.metadata import warm_dates

        load_patterns(self.config.clean.patterns)
        warm_dates()

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
        doc.url = cleaned.url
        doc.author = cleaned.author
        for flag in cleaned.flags:
            doc.add_flag(flag)
        return doc
