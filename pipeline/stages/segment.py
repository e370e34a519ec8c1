"""Segment sentences: `{start, end, lang}` spans over `text` covering every non-space character."""

from __future__ import annotations

import re

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
    version = "1"
    requires = ("text", "lang")
    provides = ("sentences",)

    def process(self, doc: Article) -> Article:
        doc.sentences = [{"start": a, "end": b, "lang": doc.lang} for a, b in split_sentences(doc.text)]
        return doc
