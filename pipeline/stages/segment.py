"""Segment sentences: `{start, end, lang}` spans over `text` covering every non-space character."""

from __future__ import annotations

import functools
import re
from typing import Any

from pipeline.article import Article
from pipeline.stages.base import Stage

# A sentence ends at a line break, or after terminal punctuation (Latin followed by space,
# CJK at once), keeping closing quotes and brackets with the sentence they close.
_END = re.compile(r"\n+|(?<=[.!?])[\"'”’)\]]*\s+|(?<=[。！？；!?])[”’」』）)]*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans over text, trimmed of surrounding whitespace, never empty."""
    spans = []
    start = 0
    for match in _END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            out.append((a + left, a + right))
    return out


class Segment(Stage):
    name = "segment"
    version = "3"
    requires = ("text", "lang")
    provides = ("sentences",)

    @functools.cached_property
    def detector(self) -> Any:
        """The language detector for sentence labels, built on first use."""
        from pipeline.langid import detector_from_config

        return detector_from_config(self.config.langid)

    def process(self, doc: Article) -> Article:
        spans = split_sentences(doc.text)
        langs = self._sentence_langs(doc, spans)
        doc.sentences = [{"start": a, "end": b, "lang": lang} for (a, b), lang in zip(spans, langs, strict=True)]
        return doc

    def _sentence_langs(self, doc: Article, spans: list[tuple[int, int]]) -> list[str]:
        """Each sentence's own language where it is clear, else the article's."""
        from pipeline.langid import Detection

        article = Detection(doc.lang, doc.lang_confidence)
        return self.detector.detect_sentences(doc.text, spans, article)
