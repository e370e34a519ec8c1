"""Load the pipeline's JSONL output as typed pandas or polars DataFrames, and export it to Parquet."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.contract import (
    ARTICLE,
    ARTICLE_FIELDS,
    ENTITY_KEYS,
    ENTITY_MENTION_KEYS,
    MENTION,
    MENTION_FIELD_VALUES,
    MENTION_FIELDS,
    PIPELINE_KEYS,
    REJECT,
    REJECT_FIELDS,
    SENTENCE_KEYS,
    TRANSLATION_KEYS,
    TRANSLATION_SENTENCE_KEYS,
    Record,
    columns,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# Columns added to the articles table for convenience (not in articles.jsonl).
DERIVED_FIELDS = ("n_sentences", "n_entities", "n_mentions")
# String columns, from the contract's fields (the other column types: `_typed`).
STRING_ARTICLE = columns(ARTICLE, "string")
STRING_MENTION = columns(MENTION, "string")
ENGINES = ("pandas", "polars")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file (blank lines skipped); a missing file reads as empty."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def read_manifest(out_dir: str | Path = "data/processed") -> dict[str, Any]:
    """The run summary `manifest.json`, or an empty dict when there is none."""
    try:
        return json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def read_rejects(out_dir: str | Path = "data/processed") -> pd.DataFrame:
    """`rejects.jsonl` as a DataFrame (source, doc_id, stage, error, message)."""
    import pandas as pd

    rows = read_jsonl(Path(out_dir) / "rejects.jsonl")
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys([*REJECT_FIELDS, *(k for r in rows for k in r)])))
    for name in REJECT_FIELDS:
        frame[name] = frame[name].astype("string")
    for name in columns(REJECT, "category"):
        frame[name] = frame[name].astype("category")
    return frame


def _records(out_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Article and mention rows, with missing contract fields filled so older or partial outputs still load."""
    path = out_dir / "articles.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `python -m pipeline run --raw data/raw --out {out_dir}` first")
    articles = read_jsonl(path)
    defaults: dict[str, Any] = {"sentences": [], "entities": [], "flags": [], "pipeline": {}}
    for record in articles:
        for name in ARTICLE_FIELDS:
            if record.get(name) is None and name in defaults:
                record[name] = type(defaults[name])()
            record.setdefault(name, None)
        record["n_sentences"] = len(record["sentences"])
        record["n_entities"] = len(record["entities"])
        record["n_mentions"] = sum(len(e.get("mentions") or []) for e in record["entities"])
    mentions_path = out_dir / "mentions.jsonl"
    if mentions_path.is_file():
        mentions = read_jsonl(mentions_path)
    else:
        from pipeline.output import mention_rows

        mentions = [row for record in articles for row in mention_rows(record)]
    for row in mentions:
        for name in MENTION_FIELDS:
            row.setdefault(name, None)
    return articles, mentions


def parse_published(values: Iterable[Any]) -> pd.Series:
    """ISO 8601 dates and date-times as tz-naive datetime64 (offsets converted to UTC); anything else is NaT."""
    import pandas as pd

    raw = pd.Series(list(values), dtype=object)
    raw = raw.where(raw.map(lambda v: isinstance(v, str)), None)
    parsed = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
    return parsed.dt.tz_convert(None).astype("datetime64[us]")


def _categorical(values: Iterable[Any], categories: Iterable[str] | None = None) -> pd.Categorical:
    import pandas as pd

    values = list(values)
    cats = sorted({v for v in values if v is not None}) if categories is None else list(categories)
    return pd.Categorical(values, categories=cats)


def _typed(frame: pd.DataFrame, record: Record, categories: dict[str, list[str] | None]) -> None:
    """Give each contract column of a frame the dtype the contract names (in place); nested columns stay objects."""
    import pandas as pd

    for f in record.fields:
        column = frame[f.name]
        if f.dtype == "string":
            frame[f.name] = column.astype("string")
        elif f.dtype == "category":
            frame[f.name] = _categorical(column, categories.get(f.name))
        elif f.dtype == "datetime":
            frame[f.name] = parse_published(column)
        elif f.dtype == "float":
            frame[f.name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif f.dtype == "int":
            frame[f.name] = column.astype("int64")
        elif f.dtype == "nullable-int":
            frame[f.name] = pd.array(list(column), dtype="Int64")


def _pandas(articles: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd

    known = (*ARTICLE_FIELDS, *DERIVED_FIELDS)
    extra_a = [k for k in dict.fromkeys(k for r in articles for k in r) if k not in known]
    a = pd.DataFrame({name: pd.Series([r[name] for r in articles], dtype=object)
                      for name in (*ARTICLE_FIELDS, *DERIVED_FIELDS, *extra_a)})
    # One category set for `lang` in both tables, so joins and group-bys line up.
    langs = sorted({r["lang"] for r in (*articles, *mentions) if r.get("lang") is not None})
    _typed(a, ARTICLE, {"lang": langs})
    for name in DERIVED_FIELDS:
        a[name] = a[name].astype("int64")

    extra_m = [k for k in dict.fromkeys(k for r in mentions for k in r) if k not in MENTION_FIELDS]
    m = pd.DataFrame({name: pd.Series([r[name] for r in mentions], dtype=object)
                      for name in (*MENTION_FIELDS, *extra_m)})
    fields = sorted({*MENTION_FIELD_VALUES, *(v for v in m["field"] if v is not None)})
    _typed(m, MENTION, {"lang": langs, "field": fields})
    return a, m


def _split(obj: dict[str, Any] | None, known: tuple[str, ...]) -> dict[str, Any] | None:
    """Known keys of a nested object, with any other keys kept as a JSON string under `extra`."""
    if obj is None:
        return None
    out = {k: obj.get(k) for k in known}
    rest = {k: v for k, v in obj.items() if k not in known}
    out["extra"] = json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else None
    return out


def _arrow_schemas() -> tuple[pa.Schema, pa.Schema]:
    import pyarrow as pa

    cat = pa.dictionary(pa.int32(), pa.string())
    span = pa.struct([("start", pa.int64()), ("end", pa.int64())])
    mention = pa.struct([("field", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
                         ("extra", pa.string())])
    articles = pa.schema([
        ("doc_id", pa.string()), ("source", pa.string()), ("title", pa.string()),
        ("published", pa.timestamp("us")), ("publisher", pa.string()), ("url", pa.string()), ("author", pa.string()),
        ("text", pa.string()), ("lang", cat),
        ("lang_confidence", pa.float64()),
        ("sentences", pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64()), ("lang", pa.string())]))),
        ("translation", pa.struct([("text", pa.string()), ("backend", pa.string()), ("model", pa.string()),
                                   ("sentences", pa.list_(span)), ("extra", pa.string())])),
        ("translation_status", cat),
        ("entities", pa.list_(pa.struct([("kb_id", pa.string()), ("entity_id", pa.string()), ("name", pa.string()),
                                         ("label", pa.string()),
                                         ("mentions", pa.list_(mention)), ("extra", pa.string())]))),
        ("flags", pa.list_(pa.string())),
        ("pipeline", pa.struct([("version", pa.string()), ("config_hash", pa.string()), ("extra", pa.string())])),
        ("n_sentences", pa.int64()), ("n_entities", pa.int64()), ("n_mentions", pa.int64()),
    ])
    mentions = pa.schema([
        ("doc_id", pa.string()), ("source", pa.string()), ("lang", cat), ("kb_id", pa.string()),
        ("entity_id", pa.string()), ("name", pa.string()), ("label", cat), ("field", cat), ("start", pa.int64()),
        ("end", pa.int64()), ("text", pa.string()), ("sentence", pa.int64()),
    ])
    return articles, mentions


def to_arrow(articles: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> tuple[pa.Table, pa.Table]:
    """Both tables with a fixed nested schema; unknown keys inside nested objects are kept as JSON in `extra`."""
    import pandas as pd
    import pyarrow as pa

    a_schema, m_schema = _arrow_schemas()
    published = parse_published(r["published"] for r in articles)
    rows = []
    for record, when in zip(articles, published, strict=True):
        rows.append({
            **{k: record[k] for k in (*STRING_ARTICLE, "lang", "translation_status", *DERIVED_FIELDS)},
            "published": None if pd.isna(when) else when.to_pydatetime(),
            "lang_confidence": record["lang_confidence"],
            "sentences": [{k: s.get(k) for k in SENTENCE_KEYS} for s in record["sentences"]],
            "translation": _split(record["translation"], TRANSLATION_KEYS),
            "entities": [{**(_split(e, ENTITY_KEYS) or {}),
                          "mentions": [_split(m, ENTITY_MENTION_KEYS) for m in e.get("mentions") or []]}
                         for e in record["entities"]],
            "flags": list(record["flags"]),
            "pipeline": _split(record["pipeline"], PIPELINE_KEYS),
        })
    for row in rows:
        if row["translation"] is not None:
            row["translation"]["sentences"] = [{k: s.get(k) for k in TRANSLATION_SENTENCE_KEYS}
                                               for s in row["translation"]["sentences"] or []]
    a_table = pa.Table.from_pylist(rows, schema=a_schema)
    m_table = pa.Table.from_pylist([{k: r[k] for k in MENTION_FIELDS} for r in mentions], schema=m_schema)
    return a_table, m_table


def _polars(articles: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> tuple[Any, Any]:
    import polars as pl

    a_table, m_table = to_arrow(articles, mentions)
    a, m = pl.from_arrow(a_table), pl.from_arrow(m_table)
    assert isinstance(a, pl.DataFrame) and isinstance(m, pl.DataFrame)
    return a, m


def load(out_dir: str | Path = "data/processed", engine: str = "pandas") -> tuple[Any, Any]:
    """(articles, mentions) DataFrames from a pipeline output folder, with categorical, datetime and integer dtypes."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    articles, mentions = _records(Path(out_dir))
    if engine == "polars":
        return _polars(articles, mentions)
    return _pandas(articles, mentions)


def export_parquet(out_dir: str | Path = "data/processed", dest: str | Path | None = None) -> list[Path]:
    """Write articles.parquet and mentions.parquet (into dest, default out_dir); returns the paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.store import write_atomic

    out = Path(out_dir)
    target = Path(dest) if dest is not None else out
    a_table, m_table = to_arrow(*_records(out))
    paths = []
    for name, table in (("articles.parquet", a_table), ("mentions.parquet", m_table)):
        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer, compression="zstd")
        write_atomic(target / name, buffer.getvalue().to_pybytes())
        paths.append(target / name)
    return paths


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.loader --out DIR --format parquet`: export the output folder."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.loader", description=__doc__)
    parser.add_argument("--out", default="data/processed", help="pipeline output folder (default: %(default)s)")
    parser.add_argument("--format", choices=["parquet"], default="parquet", help="export format")
    parser.add_argument("--dest", default=None, help="where to write (default: the --out folder)")
    args = parser.parse_args(argv)
    try:
        paths = export_parquet(args.out, args.dest)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
