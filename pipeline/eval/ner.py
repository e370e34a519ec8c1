"""NER evaluation: `python -m pipeline.eval ner [--lang id] [--limit N] [--json FILE] [--seeds]`.

Scores the shipped models end to end (raw sentence text -> model tokenizer -> spans) with exact-match
entity precision/recall/F1 on character offsets, on the deduplicated WikiANN test sets and the
human-annotated extra test sets in ../shared/data/ner.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.ner import LANGS, load_ner, normalize_lang
from pipeline.ner.data import SHARED, Sentence, char_spans, load_corpus, load_split

# Published scores of other small models (their own test sets, not ours: a rough anchor only).
ANCHORS = {
    "en": "spaCy en_core_web_sm F 0.843 (OntoNotes)",
    "zh": "spaCy zh_core_web_sm F 0.684 (OntoNotes); Stanza zh 79.2 (OntoNotes)",
    "vi": "Stanza vi 82.4 (VLSP 2018)",
    "id": "no Stanza/spaCy Indonesian NER; spaCy xx_ent_wiki_sm F 0.831 (WikiNER)",
}
TARGETS = {("id", "wikiann"): 0.85, ("vi", "wikiann"): 0.85, ("en", "wikiann"): 0.85, ("zh", "wikiann"): 0.78,
           ("id", "id_idner-news-2k"): 0.70}


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 from counts."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def score(lang: str, sents: list[Sentence]) -> dict[str, object]:
    """Exact-span P/R/F overall and per label of the shipped model on some sentences."""
    model = load_ner(lang)
    if model is None:
        raise SystemExit(f"no NER model for {lang}: run `python -m pipeline.ner.train --lang {lang}`")
    pairs = [char_spans(s) for s in sents]
    started = time.perf_counter()
    predicted = model.find_many([text for text, _ in pairs])
    seconds = time.perf_counter() - started
    counts: dict[str, list[int]] = {}
    for (_, gold), pred in zip(pairs, predicted, strict=True):
        pred_set = set(pred)
        for label in ("ALL", "PERSON", "ORG", "LOC"):
            g = gold if label == "ALL" else {s for s in gold if s[2] == label}
            p = pred_set if label == "ALL" else {s for s in pred_set if s[2] == label}
            c = counts.setdefault(label, [0, 0, 0])
            c[0] += len(g & p)
            c[1] += len(p)
            c[2] += len(g)
    result: dict[str, object] = {"sentences": len(sents), "entities": counts["ALL"][2], "seconds": round(seconds, 2)}
    result.update(prf(*counts["ALL"]))
    result["per_label"] = {k: prf(*v) for k, v in counts.items() if k != "ALL"}
    return result


def evaluate(lang: str, limit: int | None = None, with_duplicates: bool = False) -> dict[str, dict[str, object]]:
    """Scores of one language on each of its deduplicated test sets (first `limit` sentences each)."""
    corpus = load_corpus(lang)
    out = {}
    for name, sents in corpus.tests.items():
        res = score(lang, sents[:limit] if limit else sents)
        res["dropped_as_train_duplicates"] = corpus.removed_from_tests[name]
        out[name] = res
    if with_duplicates:
        # The whole WikiANN test set, as published scores use it (its train duplicates were still left out of training).
        full = load_split(lang, "wikiann", "test")
        out["wikiann+dups"] = score(lang, full[:limit] if limit else full)
    return out


def seed_recall(raw: Path) -> dict[str, dict[str, int]]:
    """Per seed: how many gold surface forms (PERSON/ORG/GPE) the NER model finds verbatim as a span."""
    out = {}
    for line in (SHARED / "dev" / "seeds_gold.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        model = load_ner(rec["lang"])
        path = raw / rec["source"]
        if model is None or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        found = {text[s:e] for para in [text] for s, e, _ in model.find(para)}
        surfaces = {s for ent in rec["entities"] if ent["type"] in ("PERSON", "ORG", "GPE") for s in ent["surface"]
                    if s in text}
        out[rec["doc_id"]] = {"gold_surfaces": len(surfaces), "found": len(surfaces & found),
                              "predicted_spans": len(found)}
    return out


def main(argv: list[str]) -> int:
    """CLI entry point (see module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.eval ner", description=__doc__)
    parser.add_argument("--lang", action="append", help="only these languages (repeatable)")
    parser.add_argument("--limit", type=int, default=None, help="first N deduplicated sentences of each test set")
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument("--with-duplicates", action="store_true",
                        help="also score the whole WikiANN test set, train duplicates included (as published)")
    parser.add_argument("--seeds", action="store_true", help="recall of gold seed surface forms in data/raw")
    parser.add_argument("--raw", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    langs = [normalize_lang(x) for x in args.lang] if args.lang else list(LANGS)
    results: dict[str, Any] = {}
    print(f"{'lang':4} {'test set':18} {'sents':>6} {'ents':>6} {'P':>6} {'R':>6} {'F1':>6} {'target':>7}  anchor")
    for lang in langs:
        res = evaluate(lang, args.limit, args.with_duplicates)
        results[lang] = res
        for name, r in res.items():
            target = TARGETS.get((lang, name))
            mark = "" if target is None else f"{target:.2f}{'+' if float(r['f']) >= target else '-'}"  # type: ignore[arg-type]
            print(f"{lang:4} {name:18} {r['sentences']:>6} {r['entities']:>6} {r['p']:>6.3f} {r['r']:>6.3f} "
                  f"{r['f']:>6.3f} {mark:>7}  {ANCHORS[lang] if name == 'wikiann' else ''}")
    if args.seeds:
        seeds = seed_recall(args.raw)
        results["seeds"] = seeds
        for doc, found in seeds.items():
            print(f"seed {doc}: {found['found']}/{found['gold_surfaces']} gold surface forms found "
                  f"({found['predicted_spans']} distinct predicted spans)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
