"""The output contract's record fields (articles, mentions, rejects) and the one builder of a reject row."""

from __future__ import annotations

from typing import Any

__all__ = ["ARTICLE_FIELDS", "MENTION_FIELDS", "REJECT_FIELDS", "reject_row"]

# Fields of an articles.jsonl record, in the order they are written.
ARTICLE_FIELDS = (
    "doc_id",
    "source",
    "title",
    "published",
    "publisher",
    "url",
    "author",
    "text",
    "lang",
    "lang_confidence",
    "sentences",
    "translation",
    "translation_status",
    "entities",
    "flags",
    "pipeline",
)
# Fields of a mentions.jsonl record, in the order they are written.
MENTION_FIELDS = ("doc_id", "source", "lang", "kb_id", "entity_id", "name", "label", "field", "start", "end", "text",
                  "sentence")
# Fields of a rejects.jsonl record, in the order they are written.
REJECT_FIELDS = ("source", "doc_id", "stage", "error", "message")


def reject_row(source: str, doc_id: str | None, stage: str, error: str, message: str) -> dict[str, Any]:
    """A rejects.jsonl record: which input, which stage, the error code and a readable message."""
    return dict(zip(REJECT_FIELDS, (source, doc_id, stage, error, message), strict=True))
