"""Entity evaluation: run the stages over annotated articles and score linked entities against the gold.

`python -m pipeline.eval entities [--raw data/raw] [--gold ../shared/dev/seeds_gold.jsonl] [--oracle-lang] [--json]`
Scores (article, entity) pairs (matched by QID where both sides have one, else by canonical name or a gold
surface form), per language and per type, and the mention-level recall of the gold surface forms; once per
variant: KB only, KB + NER, and KB + each model-free heuristic.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.article import Article
from pipeline.config import ROOT, SHARED, load_config
from pipeline.entities.extract import VALUE_LABELS, Extractor
from pipeline.entities.kb import fold, load_kb

DEFAULT_GOLD = SHARED / "dev" / "seeds_gold.jsonl"
LINKED = ("ORG", "PERSON", "PRODUCT", "GPE")
VARIANTS: dict[str, dict[str, Any]] = {
    "kb": {"ner": False, "heuristics": ()},
    "kb+ner": {"ner": True, "heuristics": ()},
    "kb+caps": {"ner": False, "heuristics": ("caps",)},
    "kb+jieba": {"ner": False, "heuristics": ("jieba",)},
    "kb+pyvi": {"ner": False, "heuristics": ("pyvi",)},
}


@dataclass
class Counts:
    """True positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Report:
    """Scores of one variant over all articles."""

    overall: Counts = field(default_factory=Counts)
    by_lang: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    surfaces: int = 0
    surfaces_found: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.scores(),
            "by_lang": {k: v.scores() for k, v in sorted(self.by_lang.items())},
            "by_type": {k: v.scores() for k, v in sorted(self.by_type.items())},
            "mention_recall": round(self.surfaces_found / self.surfaces, 3) if self.surfaces else 0.0,
            "surfaces": self.surfaces,
        }


def read_gold(path: Path) -> dict[str, dict[str, Any]]:
    """Gold records by doc_id (the seed file stem)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["doc_id"]: r for r in rows}


def process(raw: Path) -> list[Article]:
    """Run every stage before `entities` over a folder of articles (once; variants re-run only entities)."""
    from pipeline.chain import Chain
    from pipeline.runner import collect_units
    from pipeline.stages import STAGES

    config = load_config()
    names = list(STAGES)
    chain = Chain(config, names[: names.index("entities")])
    units, _ = collect_units(raw, config)
    result = chain(units)
    return [Article.from_state(state) for _, state in result.done]


def gold_for(doc: Article, gold: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The gold record of an article: by file stem (seeds) or by doc_id."""
    stem = Path(doc.source.split("#")[0]).stem
    return gold.get(stem) or gold.get(doc.doc_id)


def matches(pred: dict[str, Any], gold: dict[str, Any], by_surface: bool = True) -> bool:
    """QID against QID where both have one; otherwise canonical name (or, with by_surface, a gold surface form)."""
    kb_id = pred.get("kb_id") or ""
    if gold.get("qid") and kb_id.startswith("Q"):
        return kb_id == gold["qid"]
    if fold(pred["name"]) == fold(gold["name"]):
        return True
    surfaces = {fold(s) for s in gold.get("surface", [])}
    return by_surface and (fold(pred["name"]) in surfaces or any(fold(m["text"]) in surfaces for m in pred["mentions"]))


def score_article(doc: Article, gold: dict[str, Any], report: Report) -> None:
    """Add one article's (article, entity) pairs and surface recall to the report."""
    lang = gold.get("lang", doc.lang)
    preds = [e for e in doc.entities if e["label"] in LINKED]
    unmatched = list(range(len(preds)))
    # Identity (QID, canonical name) first, so a surface shared by two entities cannot steal a pair.
    paired: dict[int, int] = {}
    for by_surface in (False, True):
        for gi, g in enumerate(gold["entities"]):
            if gi in paired:
                continue
            hit = next((i for i in unmatched if matches(preds[i], g, by_surface)), None)
            if hit is not None:
                paired[gi] = hit
                unmatched.remove(hit)
    for gi, g in enumerate(gold["entities"]):
        hit = paired.get(gi)
        counts = (report.overall, report.by_lang[lang], report.by_type[g["type"]])
        if hit is None:
            for c in counts:
                c.fn += 1
            report.errors.append({"doc": doc.source, "kind": "missed", "name": g["name"], "surface": g["surface"]})
        else:
            for c in counts:
                c.tp += 1
        pred = preds[hit] if hit is not None else None
        for surface in g.get("surface", []):
            report.surfaces += 1
            spans = [(m["start"], m["end"]) for m in (pred or {}).get("mentions", []) if m["field"] == "text"]
            start = doc.text.find(surface)
            while start >= 0:
                if any(s < start + len(surface) and start < e for s, e in spans):
                    report.surfaces_found += 1
                    break
                start = doc.text.find(surface, start + 1)
    for i in unmatched:
        p = preds[i]
        for c in (report.overall, report.by_lang[lang], report.by_type[p["label"]]):
            c.fp += 1
        report.errors.append({"doc": doc.source, "kind": "spurious", "name": p["name"], "kb_id": p["kb_id"],
                              "text": [m["text"] for m in p["mentions"]][:3]})


def evaluate(docs: list[Article], gold: dict[str, dict[str, Any]], extractor: Extractor,
             oracle_lang: bool = False) -> Report:
    """Run the entity extraction over processed articles and score it."""
    report = Report()
    for doc in docs:
        g = gold_for(doc, gold)
        if g is None:
            continue
        work = Article.from_state(doc.to_state())
        if oracle_lang and g.get("lang"):
            work.lang = g["lang"]
            work.sentences = [{**s, "lang": g["lang"]} for s in work.sentences]
        work.entities = extractor.extract(work)
        assert all(e["label"] in LINKED or e["label"] in VALUE_LABELS for e in work.entities)
        score_article(work, g, report)
    return report


def table(results: dict[str, dict[str, Any]]) -> str:
    """A markdown table: one row per variant, F1 overall, per language and per type, mention recall."""
    langs = sorted({k for r in results.values() for k in r["by_lang"]})
    types = sorted({k for r in results.values() for k in r["by_type"]})
    head = ["variant", "P", "R", "F1", *(f"F1 {x}" for x in langs), *(f"F1 {x}" for x in types), "mention R"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in results.items():
        o = r["overall"]
        cells = [name, o["p"], o["r"], o["f1"], *(r["by_lang"].get(x, {}).get("f1", "-") for x in langs),
                 *(r["by_type"].get(x, {}).get("f1", "-") for x in types), r["mention_recall"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.eval entities", description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated: {', '.join(VARIANTS)}")
    parser.add_argument("--oracle-lang", action="store_true", help="use the gold language instead of langid's")
    parser.add_argument("--errors", action="store_true", help="list missed and spurious entities (first variant)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"gold file {args.gold} not found (set --gold)", file=sys.stderr)
        return 2
    gold = read_gold(args.gold)
    docs = process(args.raw)
    entries = load_kb(load_config().entities.kb or None)
    results: dict[str, dict[str, Any]] = {}
    first: Report | None = None
    for name in args.variants.split(","):
        spec = VARIANTS[name]
        report = evaluate(docs, gold, Extractor(entries, ner=spec["ner"], values=True,
                                                heuristics=spec["heuristics"]), args.oracle_lang)
        first = first or report
        results[name] = report.as_dict()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print(f"{sum(1 for d in docs if gold_for(d, gold))} annotated articles, {len(entries)} KB entities, "
              f"language from {'gold' if args.oracle_lang else 'langid'}\n")
        print(table(results))
    if args.errors and first:
        for e in first.errors:
            print(json.dumps(e, ensure_ascii=False), file=sys.stderr)
    return 0
