"""Real-world evaluation: run the pipeline over real news pages and records and score it against their gold.

`python -m pipeline.eval realworld [--data ../shared/dev/realworld] [--out DIR] [--no-run] [--json FILE] [--errors]`

Runs the pipeline (translation off) over `DATA/docs` into `--out` (a temporary folder when not given; with an
existing output folder the run is incremental, and `--no-run` only re-scores what is there), reads
`DATA/gold.jsonl` and scores by the rules of the dev set's README ("Scoring"):

* rejected: gold articles with no output row;
* language: output `lang` equals gold `lang`;
* boilerplate removed: a gold boilerplate line of 20+ characters survives when it occurs anywhere in the cleaned
  text, a shorter one only when a whole cleaned line equals it;
* body kept: a gold body sentence occurs in the cleaned text;
* title: equals `title` or a `title_alt`; a title output where the gold has none is counted as spurious;
* date: first 10 characters equal; a date output where the gold has none is counted as spurious;
* entities: document-level P/R/F1 on the annotated articles; an output ORG/PERSON/PRODUCT/GPE/NORP/FAC/LOC entity
  matches a gold one when its `kb_id` equals the gold QID, its name equals the gold name case-folded, or one of its
  mention texts equals a gold surface case-folded (one output entity per gold entity).

All text comparisons are NFKC with all whitespace removed. Numbers are printed overall, per input format
(html/json/jsonl/txt) and per gold language; entities also per gold type (recall).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import SHARED
from pipeline.eval.entities import Counts

DEFAULT_DATA = SHARED / "dev" / "realworld"
ENTITY_LABELS = frozenset({"ORG", "PERSON", "PRODUCT", "GPE", "NORP", "FAC", "LOC"})
SHORT_LINE = 20  # boilerplate lines shorter than this survive only as a whole cleaned line
_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """The comparison form of a text: NFKC with all whitespace removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """The entity-name comparison form: NFKC, case-folded, outer whitespace stripped."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def input_format(source: str) -> str:
    """The input format of a source (`a/b.html` -> `html`, `x.jsonl#3` -> `jsonl`)."""
    name = source.split("#", 1)[0]
    suffix = Path(name).suffix.lower().lstrip(".")
    return "html" if suffix == "htm" else suffix or "none"


# ---- pure scoring of one article ---------------------------------------------------------------------------


def boilerplate_survivors(lines: Iterable[str], text: str) -> list[str]:
    """The gold boilerplate lines that survive in the cleaned text."""
    flat = norm(text)
    whole = {norm(line) for line in text.splitlines()}
    out = []
    for line in lines:
        n = norm(line)
        if not n:
            continue
        if (n in flat) if len(n) >= SHORT_LINE else (n in whole):
            out.append(line)
    return out


def body_lost(sentences: Iterable[str], text: str) -> list[str]:
    """The gold body sentences missing from the cleaned text."""
    flat = norm(text)
    return [s for s in sentences if norm(s) not in flat]


def title_correct(pred: str | None, title: str | None, alts: Iterable[str] = ()) -> bool:
    """Whether the output title equals the gold title or one of its accepted forms."""
    if not pred:
        return False
    accepted = {norm(t) for t in [title, *alts] if t}
    return norm(pred) in accepted


def date_correct(pred: str | None, gold: str) -> bool:
    """Whether the output date agrees with the gold date on the first 10 characters."""
    return bool(pred) and str(pred)[:10] == gold[:10]


def entity_matches(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """An output entity matches a gold one by QID, case-folded name, or a mention equal to a gold surface."""
    if gold.get("qid") and pred.get("kb_id") == gold["qid"]:
        return True
    if pred.get("name") and fold(pred["name"]) == fold(gold["name"]):
        return True
    surfaces = {fold(s) for s in gold.get("surface") or []}
    return any(fold(m.get("text", "")) in surfaces for m in pred.get("mentions") or [])


def pair_entities(preds: list[dict[str, Any]], golds: list[dict[str, Any]]) -> dict[int, int]:
    """One-to-one pairs gold index -> output index (maximum bipartite matching, so order cannot steal a pair)."""
    edges = [[i for i, p in enumerate(preds) if entity_matches(p, g)] for g in golds]
    owner: dict[int, int] = {}  # output index -> gold index

    def augment(gi: int, seen: set[int]) -> bool:
        for pi in edges[gi]:
            if pi in seen:
                continue
            seen.add(pi)
            if pi not in owner or augment(owner[pi], seen):
                owner[pi] = gi
                return True
        return False

    for gi in range(len(golds)):
        augment(gi, set())
    return {gi: pi for pi, gi in owner.items()}


# ---- aggregation -------------------------------------------------------------------------------------------


@dataclass
class Ratio:
    """hits / total."""

    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.total += 1

    def value(self) -> float | None:
        return round(self.hits / self.total, 3) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value(), "hits": self.hits, "total": self.total}


@dataclass
class Group:
    """The cleaning and language numbers of one slice (all, a format, a language)."""

    articles: int = 0
    rejected: int = 0
    lang: Ratio = field(default_factory=Ratio)
    boilerplate_removed: Ratio = field(default_factory=Ratio)
    body_kept: Ratio = field(default_factory=Ratio)
    title: Ratio = field(default_factory=Ratio)
    title_spurious: Ratio = field(default_factory=Ratio)
    date: Ratio = field(default_factory=Ratio)
    date_spurious: Ratio = field(default_factory=Ratio)
    entities: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"articles": self.articles, "rejected": self.rejected}
        for name in ("lang", "boilerplate_removed", "body_kept", "title", "title_spurious", "date", "date_spurious"):
            out[name] = getattr(self, name).as_dict()
        out["entities"] = self.entities.scores()
        return out


@dataclass
class Scores:
    """All numbers of one evaluation, and the per-article errors."""

    overall: Group = field(default_factory=Group)
    by_format: dict[str, Group] = field(default_factory=lambda: defaultdict(Group))
    by_lang: dict[str, Group] = field(default_factory=lambda: defaultdict(Group))
    entity_recall_by_type: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "by_format": {k: v.as_dict() for k, v in sorted(self.by_format.items())},
            "by_lang": {k: v.as_dict() for k, v in sorted(self.by_lang.items())},
            "entity_recall_by_type": {k: v.as_dict() for k, v in sorted(self.entity_recall_by_type.items())},
        }


def score_article(gold: dict[str, Any], out: dict[str, Any] | None, scores: Scores) -> None:
    """Add one gold article and its output row (None when rejected or missing) to the scores."""
    source = gold["source"]
    groups = (scores.overall, scores.by_format[input_format(source)], scores.by_lang[gold["lang"]])
    errors = scores.errors

    def add(name: str, hit: bool) -> None:
        for g in groups:
            getattr(g, name).add(hit)

    for g in groups:
        g.articles += 1
        g.rejected += out is None
    row = out or {}
    text = row.get("text") or ""
    if out is None:
        errors.append({"source": source, "kind": "rejected"})
    add("lang", row.get("lang") == gold["lang"])
    if out is not None and row.get("lang") != gold["lang"]:
        errors.append({"source": source, "kind": "lang", "gold": gold["lang"], "out": row.get("lang")})
    survivors = boilerplate_survivors(gold.get("boilerplate") or [], text) if out is not None else []
    for line in gold.get("boilerplate") or []:
        if norm(line):
            add("boilerplate_removed", line not in survivors)
    errors += [{"source": source, "kind": "boilerplate", "line": line} for line in survivors]
    lost = body_lost(gold.get("body") or [], text)
    for sentence in gold.get("body") or []:
        add("body_kept", sentence not in lost)
    errors += [{"source": source, "kind": "body", "sentence": s} for s in lost]
    pred_title = row.get("title")
    if gold.get("title"):
        hit = title_correct(pred_title, gold["title"], gold.get("title_alt") or [])
        add("title", hit)
        if not hit:
            errors.append({"source": source, "kind": "title", "gold": gold["title"], "out": pred_title})
    else:
        add("title_spurious", bool(pred_title))
        if pred_title:
            errors.append({"source": source, "kind": "title-spurious", "out": pred_title})
    pred_date = row.get("published")
    if gold.get("published"):
        hit = date_correct(pred_date, gold["published"])
        add("date", hit)
        if not hit:
            errors.append({"source": source, "kind": "date", "gold": gold["published"], "out": pred_date})
    else:
        add("date_spurious", bool(pred_date))
        if pred_date:
            errors.append({"source": source, "kind": "date-spurious", "out": pred_date})
    if gold.get("entities") is not None:
        preds = [e for e in row.get("entities") or [] if e.get("label") in ENTITY_LABELS]
        pairs = pair_entities(preds, gold["entities"])
        tp = len(pairs)
        for g in groups:
            g.entities.tp += tp
            g.entities.fn += len(gold["entities"]) - tp
            g.entities.fp += len(preds) - tp
        for gi, ent in enumerate(gold["entities"]):
            scores.entity_recall_by_type[ent["type"]].add(gi in pairs)
            if gi not in pairs:
                errors.append({"source": source, "kind": "entity-missed", "name": ent["name"], "type": ent["type"]})
        matched = set(pairs.values())
        errors += [{"source": source, "kind": "entity-spurious", "name": p.get("name"), "label": p.get("label"),
                    "text": [m.get("text") for m in p.get("mentions") or []][:3]}
                   for i, p in enumerate(preds) if i not in matched]


def score(golds: list[dict[str, Any]], outputs: dict[str, dict[str, Any]]) -> Scores:
    """Score every gold article against the output rows keyed by `source`."""
    scores = Scores()
    for gold in golds:
        score_article(gold, outputs.get(gold["source"]), scores)
    return scores


# ---- running and reporting ---------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file (empty when the file is absent)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_pipeline(docs: Path, out: Path) -> None:
    """The pipeline over docs into out, translation off (incremental when out holds an earlier run)."""
    from pipeline.config import load_config
    from pipeline.runner import run

    run(docs, out, load_config(None, ["translate.backend=none"]))


def _fmt(r: Ratio) -> str:
    return f"{r.value():.3f} ({r.hits}/{r.total})" if r.total else "-"


def render(scores: Scores) -> str:
    """The evaluation as plain-text tables."""
    cols = ("articles", "rejected", "lang", "boilerplate", "body", "title", "title-spur", "date", "date-spur",
            "ent P", "ent R", "ent F1")

    def row(name: str, g: Group) -> str:
        e = g.entities.scores()
        has_ent = g.entities.tp + g.entities.fn + g.entities.fp > 0
        cells = [str(g.articles), str(g.rejected), _fmt(g.lang), _fmt(g.boilerplate_removed), _fmt(g.body_kept),
                 _fmt(g.title), _fmt(g.title_spurious), _fmt(g.date), _fmt(g.date_spurious),
                 *((f"{e['p']:.3f}", f"{e['r']:.3f}", f"{e['f1']:.3f}") if has_ent else ("-", "-", "-"))]
        return f"{name:<9}" + "".join(f"{c:>17}" if i in (2, 3, 4, 5, 6, 7, 8) else f"{c:>9}"
                                      for i, c in enumerate(cells))

    def header() -> str:
        return f"{'':<9}" + "".join(f"{c:>17}" if i in (2, 3, 4, 5, 6, 7, 8) else f"{c:>9}"
                                    for i, c in enumerate(cols))

    lines = [header(), row("overall", scores.overall), "", "by input format"]
    lines += [row(k, v) for k, v in sorted(scores.by_format.items())]
    lines += ["", "by language"]
    lines += [row(k, v) for k, v in sorted(scores.by_lang.items())]
    lines += ["", "entity recall by gold type"]
    lines += [f"  {k:<8} {_fmt(v)}" for k, v in sorted(scores.entity_recall_by_type.items())]
    return "\n".join(lines)


def evaluate(data: Path, out: Path, run: bool = True) -> Scores:
    """Run (unless told not to) and score."""
    if run:
        run_pipeline(data / "docs", out)
    if not (out / "articles.jsonl").exists():
        raise FileNotFoundError(f"{out / 'articles.jsonl'} not found: run without --no-run first")
    outputs = {row["source"]: row for row in read_jsonl(out / "articles.jsonl")}
    return score(read_jsonl(data / "gold.jsonl"), outputs)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.eval realworld", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the dev set (docs/ and gold.jsonl)")
    parser.add_argument("--out", type=Path, help="pipeline output folder (reused: the run is incremental)")
    parser.add_argument("--no-run", action="store_true", help="score the existing output in --out without running")
    parser.add_argument("--json", type=Path, help="write all numbers to this file")
    parser.add_argument("--errors", action="store_true", help="list every miss, one JSON object a line")
    args = parser.parse_args(argv)
    if not (args.data / "gold.jsonl").exists():
        print(f"realworld: {args.data / 'gold.jsonl'} not found (pass --data)", file=sys.stderr)
        return 2
    if args.no_run and args.out is None:
        print("realworld: --no-run needs --out", file=sys.stderr)
        return 2
    if args.out is None:
        with tempfile.TemporaryDirectory(prefix="realworld-") as tmp:
            scores = evaluate(args.data, Path(tmp), run=True)
    else:
        scores = evaluate(args.data, args.out, run=not args.no_run)
    if args.errors:
        for err in scores.errors:
            print(json.dumps(err, ensure_ascii=False))
        print()
    print(render(scores))
    if args.json:
        args.json.write_text(json.dumps(scores.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0
