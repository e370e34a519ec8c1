"""`python -m pipeline.entities.candidates --out data/processed`: names the KB does not know, most frequent first.

Reads articles.jsonl and ranks entities with `kb_id: null` (people, organisations, places; not values) by the
number of articles that mention them, to show what to add to pipeline/entities/kb/ next.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pipeline.entities.extract import VALUE_LABELS
from pipeline.entities.kb import fold


def rank(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unknown names with article and mention counts, their languages and spellings, most frequent first."""
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    mentions: Counter[tuple[str, str]] = Counter()
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    langs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        for entity in record.get("entities", []):
            if entity.get("kb_id") or entity["label"] in VALUE_LABELS:
                continue
            key = (entity["label"], fold(entity["name"]))
            docs[key].add(record["doc_id"])
            langs[key].add(record.get("lang", "und"))
            for m in entity["mentions"]:
                mentions[key] += 1
                spellings[key][m["text"]] += 1
    rows: list[dict[str, Any]] = []
    for key in docs:
        forms = spellings[key].most_common()
        rows.append({"name": forms[0][0], "label": key[0], "articles": len(docs[key]), "mentions": mentions[key],
                     "langs": ",".join(sorted(langs[key])), "forms": "|".join(f for f, _ in forms[:5])})
    rows.sort(key=lambda r: (-r["articles"], -r["mentions"], r["label"], r["name"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.entities.candidates", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/processed"), help="pipeline output folder")
    parser.add_argument("--top", type=int, default=50, help="rows to print")
    args = parser.parse_args(argv)
    path = args.out / "articles.jsonl"
    if not path.exists():
        print(f"{path} not found: run `python -m pipeline run --out {args.out}` first", file=sys.stderr)
        return 2
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rank(records)
    target = args.out / "kb_candidates.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name", "label", "articles", "mentions", "langs", "forms"])
        writer.writeheader()
        writer.writerows(rows)
    for row in rows[: args.top]:
        print(f"{row['articles']:5d} {row['mentions']:6d}  {row['label']:<7} {row['name']}  [{row['langs']}]")
    print(f"{len(rows)} unknown names; all in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
