"""The one record every stage reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from pipeline.contract import ARTICLE_FIELDS

# Fields of the output contract, in the order they are written (defined in pipeline.contract).
CONTRACT_FIELDS = ARTICLE_FIELDS


@dataclass(slots=True)
class Article:
    """One article as it moves through the stages; contract fields first, working fields after."""

    doc_id: str
    source: str
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    url: str | None = None  # the article's address, when the input gives one (contract v2)
    author: str | None = None  # the byline, when the input gives one (contract v2)
    text: str = ""
    lang: str = "und"
    lang_confidence: float = 0.0
    sentences: list[dict[str, Any]] = field(default_factory=list)
    translation: dict[str, Any] | None = None
    translation_status: str = "no-model"
    entities: list[dict[str, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    pipeline: dict[str, Any] = field(default_factory=dict)

    # Working fields: filled by stages, not part of articles.jsonl.
    line: int | None = None  # 1-based line for .jsonl inputs
    raw: bytes = b""  # the input bytes of this article (file, or one .jsonl line)
    input_format: str = "txt"  # txt, html, json (a .jsonl line is json)
    raw_text: str = ""  # decoded input text, before cleaning
    meta: dict[str, Any] = field(default_factory=dict)  # title/published/lang given by a JSON input
    fingerprint: list[int] = field(default_factory=list)  # MinHash signature for near-duplicates

    def add_flag(self, flag: str) -> None:
        """Add a quality flag once, keeping flags sorted for stable output."""
        if flag not in self.flags:
            self.flags.append(flag)
            self.flags.sort()

    def to_record(self) -> dict[str, Any]:
        """The article as an articles.jsonl row (contract fields only)."""
        return {name: getattr(self, name) for name in CONTRACT_FIELDS}

    def to_state(self) -> dict[str, Any]:
        """Everything the cache needs to restore the article without re-running a stage (a deep copy, like
        `dataclasses.asdict`, which spends most of its time copying immutable values one by one)."""
        return {name: _copy(getattr(self, name)) for name in _STATE_FIELDS}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Article:
        """Inverse of `to_state`."""
        return cls(**state)


_STATE_FIELDS = tuple(f.name for f in fields(Article) if f.name != "raw")


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data: lists, tuples and dicts copied, everything else (str, numbers, None) shared."""
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value
