"""Adding articles to the corpus under its naming convention `<NNN>_<16 hex>.<ext>`."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from pipeline.ingest import discover

NAME = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.")


class AddError(ValueError):
    """An article that cannot be added; the message says which existing file it duplicates."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_articles(paths: list[Path], raw: Path, url: str | None = None) -> Iterator[Path]:
    """Copy each new article into raw; refuse exact duplicates of articles already there."""
    raw.mkdir(parents=True, exist_ok=True)
    existing = {_digest(p.read_bytes()): p for p in discover(raw)}
    numbers = [int(m.group(1)) for p in existing.values() if (m := NAME.match(p.name))]
    next_number = max(numbers, default=-1) + 1
    if url is not None and len(paths) != 1:
        raise AddError("--url names one article; give exactly one path with it")
    for path in paths:
        data = path.read_bytes()
        digest = _digest(data)
        if digest in existing:
            raise AddError(f"{path} is already in the corpus as {existing[digest].relative_to(raw.resolve())}")
        key = hashlib.sha256(url.encode()).hexdigest() if url else digest
        suffix = path.suffix.lower() or ".txt"
        target = raw / f"{next_number:03d}_{key[:16]}{suffix}"
        shutil.copyfile(path, target)
        existing[digest] = target.resolve()
        next_number += 1
        yield target
