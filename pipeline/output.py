"""Writing the output contract: articles.jsonl, mentions.jsonl, rejects.jsonl (atomic, sorted)."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path
from typing import Any

from pipeline.article import Article
from pipeline.config import Config
from pipeline.dedup import near_duplicates
from pipeline.store import dumps_line, write_all

MENTION_FIELDS = ("doc_id", "source", "lang", "kb_id", "entity_id", "name", "label", "field", "start", "end", "text",
                  "sentence")
REJECT_FIELDS = ("source", "doc_id", "stage", "error", "message")


def sort_key(source: str) -> tuple[str, int]:
    """Contract order: by source path, then by line for .jsonl inputs."""
    path, _, line = source.partition("#")
    return (path, int(line) if line.isdigit() else 0)


def sentence_index(spans: list[dict[str, Any]], start: int) -> int | None:
    """Index of the sentence span containing offset start."""
    starts = [s["start"] for s in spans]
    i = bisect_right(starts, start) - 1
    return i if i >= 0 and start < spans[i]["end"] else None


def mention_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The mentions.jsonl rows of one article record, in order of field and offset."""
    rows = []
    translation = record.get("translation") or {}
    for entity in record["entities"]:
        for m in entity["mentions"]:
            spans = record["sentences"] if m["field"] == "text" else translation.get("sentences", [])
            rows.append(
                {
                    "doc_id": record["doc_id"],
                    "source": record["source"],
                    "lang": record["lang"],
                    "kb_id": entity["kb_id"],
                    "entity_id": entity.get("entity_id"),
                    "name": entity["name"],
                    "label": entity["label"],
                    "field": m["field"],
                    "start": m["start"],
                    "end": m["end"],
                    "text": m["text"],
                    "sentence": sentence_index(spans, m["start"]),
                }
            )
    rows.sort(key=lambda r: (r["field"], r["start"], r["end"], r["kb_id"] or "", r["name"]))
    return rows


def build_records(articles: list[Article], config: Config) -> list[dict[str, Any]]:
    """Article records in contract order, with corpus-level flags applied."""
    duplicates = near_duplicates(articles, config)
    records = []
    for doc in sorted(articles, key=lambda d: sort_key(d.source)):
        record = doc.to_record()
        if doc.doc_id in duplicates:
            record["flags"] = sorted({*record["flags"], f"near-duplicate-of:{duplicates[doc.doc_id]}"})
        records.append(record)
    return records


def write_outputs(
    out: Path, articles: list[Article], rejects: list[dict[str, Any]], config: Config
) -> None:
    """Write the three JSONL files atomically, together; unchanged files are left untouched."""
    records = build_records(articles, config)
    lines = [dumps_line(r) for r in records]
    mentions = [dumps_line(row) for r in records for row in mention_rows(r)]
    reject_rows = sorted(({k: r[k] for k in REJECT_FIELDS} for r in rejects), key=lambda r: sort_key(r["source"]))
    # All three or none: a full disk midway must not leave new articles beside old mentions.
    write_all({
        out / name: "".join(line + "\n" for line in rows).encode("utf-8")
        for name, rows in (
            ("articles.jsonl", lines),
            ("mentions.jsonl", mentions),
            ("rejects.jsonl", [dumps_line(r) for r in reject_rows]),
        )
    })
