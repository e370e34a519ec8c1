"""Ingest: raw bytes to decoded text, and the fields a JSON input gives."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.ingest import decode, parse_json
from pipeline.stages.base import Stage

JSON_META = ("title", "published", "publisher", "lang")


class Ingest(Stage):
    name = "ingest"
    version = "1"
    requires = ("raw",)
    provides = ("raw_text", "url", "meta")

    def process(self, doc: Article) -> Article:
        text = decode(doc.raw)
        if doc.input_format == "json":
            obj = parse_json(text)
            text = str(obj["text"])
            url = obj.get("url")
            doc.url = url if isinstance(url, str) and url else None
            doc.meta = {k: v for k in JSON_META if isinstance(v := obj.get(k), str) and v.strip()}
        doc.raw_text = text
        return doc
