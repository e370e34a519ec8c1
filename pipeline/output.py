"""Writing the output contract: articles.jsonl, mentions.jsonl, rejects.jsonl (atomic, sorted).

`write_outputs` writes from articles in memory; `write_streaming` writes from the run index and the cache
in constant memory, copying the unchanged rows of the previous files as they are. Corpus-level flags are
decided before (near-duplicates: `pipeline.dedup`) and passed in; writing needs no configuration.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.article import Article
from pipeline.contract import MENTION_FIELDS, REJECT_FIELDS
from pipeline.dedup import with_flag
from pipeline.store import dumps_line, file_mode, signals_held, write_all


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
            values = (record["doc_id"], record["source"], record["lang"], entity["kb_id"], entity.get("entity_id"),
                      entity["name"], entity["label"], m["field"], m["start"], m["end"], m["text"],
                      sentence_index(spans, m["start"]))
            rows.append(dict(zip(MENTION_FIELDS, values, strict=True)))
    rows.sort(key=lambda r: (r["field"], r["start"], r["end"], r["kb_id"] or "", r["name"]))
    return rows


def build_records(articles: list[Article], duplicates: Mapping[str, str]) -> list[dict[str, Any]]:
    """Article records in contract order, with the near-duplicate flags (`dedup.near_duplicates`) applied."""
    records = []
    for doc in sorted(articles, key=lambda d: sort_key(d.source)):
        record = doc.to_record()
        record["flags"] = with_flag(record["flags"], duplicates.get(doc.doc_id))
        records.append(record)
    return records


def write_outputs(
    out: Path, articles: list[Article], rejects: list[dict[str, Any]], duplicates: Mapping[str, str]
) -> None:
    """Write the three JSONL files atomically; unchanged files are left untouched."""
    records = build_records(articles, duplicates)
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


# -- streaming: outputs written from the run index and the cache, in constant memory -----------------------

_PREFIX = re.compile(r'\{"doc_id":(?:"[^"]*"|null),"source":')
_DECODER = json.JSONDecoder()


def line_source(line: str) -> str | None:
    """The `source` of an articles.jsonl or mentions.jsonl line we wrote (both start doc_id, source)."""
    match = _PREFIX.match(line)
    if not match:
        return None
    try:
        value, _ = _DECODER.raw_decode(line, match.end())
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None


class OldRows:
    """The previous output file read forward once, giving the lines of one source at a time (sources in order)."""

    def __init__(self, path: Path | None) -> None:
        self.fh = open(path, encoding="utf-8", newline="") if path is not None and path.exists() else None  # noqa: SIM115
        self.line: str | None = None
        self.key: tuple[str, int] | None = None
        self.source: str | None = None
        self._next()

    def _next(self) -> None:
        self.line = self.fh.readline() if self.fh is not None else ""
        if not self.line or not self.line.endswith("\n"):
            self.line, self.source, self.key = None, None, None
            return
        self.source = line_source(self.line)
        self.key = sort_key(self.source) if self.source is not None else ("", -1)

    def take(self, source: str) -> list[str]:
        """The old lines of source (skipping earlier ones); [] when it had none."""
        want = sort_key(source)
        while self.line is not None and (self.key, self.source or "") < (want, source):
            self._next()
        lines = []
        while self.line is not None and self.source == source:
            lines.append(self.line)
            self._next()
        return lines

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


class StreamFile:
    """An output file written line by line to a temp file, then renamed over the old one only if it differs
    (`stage`, then `commit`, so that several files can be replaced all or nothing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.tmp = Path(tmp)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, line: str) -> None:
        self.fh.write(line)

    def stage(self) -> bool:
        """Flush and fsync the temp file; whether it differs from the current output (False: discarded)."""
        self.fh.flush()
        if self.path.exists() and filecmp.cmp(self.tmp, self.path, shallow=False):
            self.abort()
            return False
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.chmod(self.tmp, file_mode())
        return True

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.tmp.unlink(missing_ok=True)


def record_lines(state: dict[str, Any], dup: str | None) -> tuple[str, list[str]]:
    """The articles.jsonl line and the mentions.jsonl lines of one cached article state."""
    record = Article.from_state(state).to_record()
    record["flags"] = with_flag(record["flags"], dup)
    return dumps_line(record) + "\n", [dumps_line(row) + "\n" for row in mention_rows(record)]


def write_streaming(out: Path, rows: Iterable[tuple[str, str, str | None, bool]],
                    load: Callable[[str, str], dict[str, Any] | None], rejects: Iterable[dict[str, Any]],
                    reuse_old: bool) -> list[str]:
    """Write the three JSONL files from (source, key, dup, unchanged) rows in contract order.

    An unchanged row (same cache key and near-duplicate target as when the old files were written) copies
    its old lines verbatim when `reuse_old`; every other row is rebuilt from its cache entry via `load(key, source)`.
    Returns the keys whose cache entry could not be loaded (those rows are left out; the caller redoes them).
    """
    missing: list[str] = []
    old_articles = OldRows(out / "articles.jsonl" if reuse_old else None)
    old_mentions = OldRows(out / "mentions.jsonl" if reuse_old else None)
    files = [StreamFile(out / name) for name in ("articles.jsonl", "mentions.jsonl", "rejects.jsonl")]
    articles, mentions, reject_file = files
    try:
        for source, key, dup, unchanged in rows:
            old_line = old_articles.take(source)
            old_mention_lines = old_mentions.take(source)
            if unchanged and len(old_line) == 1:
                articles.write(old_line[0])
                for line in old_mention_lines:
                    mentions.write(line)
                continue
            state = load(key, source)
            if state is None:
                missing.append(key)
                continue
            line, mention_lines = record_lines(state, dup)
            articles.write(line)
            for line in mention_lines:
                mentions.write(line)
        for row in rejects:
            reject_file.write(dumps_line({k: row[k] for k in REJECT_FIELDS}) + "\n")
        if missing:
            for f in files:
                f.abort()
        else:
            # All three or none: every changed file is staged on disk before the first rename.
            changed = [f for f in files if f.stage()]
            with signals_held():  # Ctrl-C or SIGTERM between two renames would leave a mixed set
                for f in changed:
                    f.commit()
    except BaseException:
        for f in files:
            f.abort()
        raise
    finally:
        old_articles.close()
        old_mentions.close()
    return missing
