"""Ingest: raw bytes to decoded text, and the fields a JSON input gives."""

from __future__ import annotations

from typing import Any

from pipeline.article import Article
from pipeline.ingest import decode, parse_json
from pipeline.stages.base import Stage

# A record's metadata by the usual field names of scrapers, feeds and corpora, first found wins.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "title_rss", "title_page"),
    "published": ("published", "date_publish", "datePublished", "published_at", "publish_date", "pubDate",
                  "pub_date", "date", "time", "created_at"),
    "url": ("url", "link", "canonical_url", "source_url", "href"),
    "author": ("author", "authors", "byline", "creator"),
    "publisher": ("publisher", "source", "site", "site_name", "sitename", "news", "source_domain"),
    "lang": ("lang",),
}
# Role words that scrapers put into author lists ("Reporter", "Editor") instead of a name.
_AUTHOR_ROLES = frozenset({"reporter", "editor", "penulis", "wartawan", "editor:", "author", "tác giả", "biên tập",
                           "作者", "编辑", "編輯", "记者", "記者"})


def _string(value: Any) -> str | None:
    """A field value as one string: strings as they are, Atom/JSON-LD objects by href/name, lists joined."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return _string(value.get("href") or value.get("name") or value.get("@id"))
    if isinstance(value, list):
        parts = [s for item in value if (s := _string(item)) and s.casefold() not in _AUTHOR_ROLES]
        return ", ".join(dict.fromkeys(parts)) or None
    return None


def record_fields(obj: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """(url, metadata) of a JSON record: title, published, author, publisher, lang by their usual names."""
    meta: dict[str, str] = {}
    for key, names in RECORD_FIELDS.items():
        for name in names:
            value = _string(obj.get(name))
            if value and (key != "url" or value.startswith(("http://", "https://", "//"))):
                meta[key] = value
                break
    return meta.pop("url", None), meta


class Ingest(Stage):
    name = "ingest"
    version = "2"
    requires = ("raw",)
    provides = ("raw_text", "url", "meta")

    def process(self, doc: Article) -> Article:
        text = decode(doc.raw)
        if doc.input_format == "json":
            obj = parse_json(text)
            text = str(obj["text"])
            doc.url, doc.meta = record_fields(obj)
        doc.raw_text = text
        return doc
