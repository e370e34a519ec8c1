"""The output contract (OUTPUT.md): every record field of articles, mentions and rejects, in one place.

Each field has its JSON Schema and the column type the loader gives it; the field lists, the JSON Schemas
shipped in `pipeline/schemas/` (`python -m pipeline.schemas` writes them, a test keeps them equal), the
loader's dtypes and the one builder of a reject row all come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARTICLE", "ARTICLE_FIELDS", "ENTITY_KEYS", "ENTITY_MENTION_KEYS", "MENTION", "MENTION_FIELDS",
    "MENTION_FIELD_VALUES", "PIPELINE_KEYS", "REJECT", "REJECT_FIELDS", "SENTENCE_KEYS", "TRANSLATION_KEYS", "Field",
    "Record", "RECORDS", "columns", "reject_row",
]

DTYPES = ("string", "category", "datetime", "float", "int", "nullable-int", "nested")


@dataclass(frozen=True)
class Field:
    """One field of a record: its name, its JSON Schema, and the column type the loader gives it."""

    name: str
    schema: dict[str, Any]
    dtype: str  # one of DTYPES
    required: bool = True


@dataclass(frozen=True)
class Record:
    """One output file's row: its fields in the order they are written, and its JSON Schema's header."""

    file: str
    title: str
    fields: tuple[Field, ...]
    closed: bool = False  # no keys besides the fields

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# -- value schemas used in several places -----------------------------------------------------------------

_DOC_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
_LANG = {"type": "string", "pattern": "^(und|en-mt|zh-Hans|zh-Hant|[a-z]{2})$"}
_KB_ID_PATTERN = "^(Q[1-9][0-9]*|x:[a-z0-9-]+)$"
_OFFSET = {"type": "integer", "minimum": 0}
_STRING = {"type": "string"}
_NONEMPTY = {"type": "string", "minLength": 1}
_OPTIONAL_STRING = {"type": ["string", "null"]}
# Which text a mention's offsets point into.
MENTION_FIELD_VALUES = ("text", "translation")
_MENTION_FIELD = {"enum": list(MENTION_FIELD_VALUES)}


def _object(properties: dict[str, Any], required: tuple[str, ...] | None = None, closed: bool = False
            ) -> dict[str, Any]:
    """A JSON Schema object (all properties required unless `required` says which)."""
    out: dict[str, Any] = {"type": "object", "required": list(properties if required is None else required)}
    if closed:
        out["additionalProperties"] = False
    out["properties"] = properties
    return out


_SENTENCE = {"start": _OFFSET, "end": _OFFSET, "lang": _LANG}
_TRANSLATION_SENTENCE = {"start": _OFFSET, "end": _OFFSET}
_TRANSLATION = {"text": _STRING, "backend": _STRING, "model": _STRING,
                "sentences": {"type": "array", "items": _object(_TRANSLATION_SENTENCE)}}
_ENTITY_MENTION = {"field": _MENTION_FIELD, "start": _OFFSET, "end": _OFFSET, "text": _NONEMPTY}
_ENTITY = {
    "kb_id": {"type": ["string", "null"], "pattern": _KB_ID_PATTERN},
    "entity_id": {"type": "string", "pattern": _KB_ID_PATTERN},
    "name": _NONEMPTY,
    "label": {"type": "string", "pattern": "^[A-Z_]+$"},
    "mentions": {"type": "array", "minItems": 1, "items": _object(_ENTITY_MENTION, closed=True)},
}
_PIPELINE = {"version": _STRING, "config_hash": _STRING}

# Keys of the nested objects of an article record, in the order they are written.
SENTENCE_KEYS = tuple(_SENTENCE)
TRANSLATION_KEYS = tuple(_TRANSLATION)
TRANSLATION_SENTENCE_KEYS = tuple(_TRANSLATION_SENTENCE)
ENTITY_KEYS = tuple(_ENTITY)
ENTITY_MENTION_KEYS = tuple(_ENTITY_MENTION)
PIPELINE_KEYS = tuple(_PIPELINE)

# -- the three records ------------------------------------------------------------------------------------

ARTICLE = Record("articles", "articles.jsonl row (output contract v2: v1 plus url and author)", (
    Field("doc_id", _DOC_ID, "string"),
    Field("source", _NONEMPTY, "string"),
    Field("title", _OPTIONAL_STRING, "string"),
    Field("published", {
        "type": ["string", "null"],
        "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$",
    }, "datetime"),
    Field("publisher", _OPTIONAL_STRING, "string"),
    Field("url", _OPTIONAL_STRING, "string"),
    Field("author", _OPTIONAL_STRING, "string"),
    Field("text", _STRING, "string"),
    Field("lang", _LANG, "category"),
    Field("lang_confidence", {"type": "number", "minimum": 0, "maximum": 1}, "float"),
    Field("sentences", {"type": "array", "items": _object(_SENTENCE)}, "nested"),
    Field("translation", {"oneOf": [{"type": "null"}, _object(_TRANSLATION)]}, "nested"),
    Field("translation_status", {
        "type": "string", "pattern": "^(translated|source-is-english|no-model|failed: .+)$",
    }, "category"),
    Field("entities", {"type": "array", "items": _object(_ENTITY, required=("kb_id", "name", "label", "mentions"))},
          "nested"),
    Field("flags", {"type": "array", "items": _NONEMPTY, "uniqueItems": True}, "nested"),
    Field("pipeline", _object(_PIPELINE), "nested"),
))

MENTION = Record("mentions", "mentions.jsonl row (output contract v1)", (
    Field("doc_id", _DOC_ID, "string"),
    Field("source", _STRING, "string"),
    Field("lang", _LANG, "category"),
    Field("kb_id", _OPTIONAL_STRING, "string"),
    Field("entity_id", _OPTIONAL_STRING, "string", required=False),
    Field("name", _STRING, "string"),
    Field("label", _STRING, "category"),
    Field("field", _MENTION_FIELD, "category"),
    Field("start", _OFFSET, "int"),
    Field("end", _OFFSET, "int"),
    Field("text", _NONEMPTY, "string"),
    Field("sentence", {"type": ["integer", "null"], "minimum": 0}, "nullable-int"),
))

REJECT = Record("rejects", "rejects.jsonl row (output contract v1)", (
    Field("source", _NONEMPTY, "string"),
    Field("doc_id", {"type": ["string", "null"], "pattern": "^[0-9a-f]{16}$"}, "string"),
    Field("stage", _STRING, "string"),
    Field("error", {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}, "category"),
    Field("message", _NONEMPTY, "string"),
), closed=True)

RECORDS = {record.file: record for record in (ARTICLE, MENTION, REJECT)}

# Fields of each record, in the order they are written.
ARTICLE_FIELDS = ARTICLE.names
MENTION_FIELDS = MENTION.names
REJECT_FIELDS = REJECT.names


def columns(record: Record, dtype: str) -> tuple[str, ...]:
    """The fields of a record that the loader gives one column type, in contract order."""
    if dtype not in DTYPES:
        raise ValueError(f"unknown column type {dtype!r}; known: {', '.join(DTYPES)}")
    return tuple(f.name for f in record.fields if f.dtype == dtype)


def json_schema(record: Record) -> dict[str, Any]:
    """The JSON Schema of one record (what `pipeline/schemas/<file>.schema.json` holds)."""
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{record.file}.schema.json",
        "title": record.title,
        "type": "object",
        "required": [f.name for f in record.fields if f.required],
    }
    if record.closed:
        out["additionalProperties"] = False
    out["properties"] = {f.name: f.schema for f in record.fields}
    return out


def reject_row(source: str, doc_id: str | None, stage: str, error: str, message: str) -> dict[str, Any]:
    """A rejects.jsonl record: which input, which stage, the error code and a readable message."""
    return dict(zip(REJECT_FIELDS, (source, doc_id, stage, error, message), strict=True))
