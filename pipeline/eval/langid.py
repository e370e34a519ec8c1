"""`python -m pipeline.eval langid [--json FILE]`: the detector against each single anchor on the dev set.

Trained parts (MT-English model, calibration) are scored with 5-fold cross-validated predictions.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

GROUPS = {"short": ("short",), "paragraph+article": ("paragraph", "article"), "all": ("short", "paragraph", "article")}


def f1_table(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold labels, per-label precision/recall/F1."""
    labels = sorted(set(gold))
    per: dict[str, dict[str, float]] = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=True))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred, strict=True))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "n": tp + fn}
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1)
    macro = sum(v["f1"] for v in per.values()) / max(len(per), 1)
    return {"n": len(gold), "accuracy": round(acc, 4), "macro_f1": round(macro, 4), "per_label": per}


def pair_f1(gold: Sequence[str], pred: Sequence[str], pair: tuple[str, str]) -> float:
    """Macro-F1 over the two labels of `pair`, on the rows whose gold is one of them."""
    rows = [(g, p) for g, p in zip(gold, pred, strict=True) if g in pair]
    if not rows:
        return 0.0
    return f1_table([g for g, _ in rows], [p for _, p in rows])["macro_f1"]


def reliability(conf: Sequence[float], correct: Sequence[bool], bins: int = 5) -> tuple[list[dict[str, Any]], float]:
    """Reliability table over equal-width confidence bins, and the expected calibration error."""
    table = []
    ece = 0.0
    edges = [0.5 + 0.5 * i / bins for i in range(bins + 1)]
    edges[0] = 0.0
    for lo, hi in zip(edges, edges[1:], strict=False):
        idx = [i for i, c in enumerate(conf) if lo <= c < hi or (hi == edges[-1] and c == hi)]
        if not idx:
            continue
        mean_c = sum(conf[i] for i in idx) / len(idx)
        acc = sum(correct[i] for i in idx) / len(idx)
        ece += len(idx) / len(conf) * abs(mean_c - acc)
        table.append({"bin": f"{lo:.2f}-{hi:.2f}", "n": len(idx), "confidence": round(mean_c, 3),
                      "accuracy": round(acc, 3)})
    return table, round(ece, 4)


def _anchor_predictors() -> dict[str, Callable[[str], str]]:
    from pipeline.langid import anchors

    def best(scores: dict[str, float]) -> str:
        return max(scores, key=lambda k: scores[k]) if scores else "und"

    def chinese(code: str) -> str:
        return "zh-Hans" if code == "zh" else code  # these detectors cannot tell the two scripts apart

    return {
        "langdetect": anchors.langdetect_label,
        "lingua": lambda t: chinese(best(anchors.lingua_scores(t))),
        "fasttext": lambda t: chinese(best(anchors.fasttext_scores(t))),
        "cld3": lambda t: chinese(best(anchors.cld3_scores(t))),
    }


def evaluate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """All the numbers: ours (cross-validated) and each anchor alone."""
    from pipeline.langid.train import cross_validated

    gold = [r["lang"] for r in rows]
    systems: dict[str, list[str]] = {}
    cv = cross_validated(rows)
    systems["ensemble"] = [c["lang"] for c in cv]
    for name, fn in _anchor_predictors().items():
        systems[name] = [fn(r["text"]) for r in rows]
    out: dict[str, Any] = {"systems": {}}
    for name, pred in systems.items():
        entry: dict[str, Any] = {}
        for group, lengths in GROUPS.items():
            idx = [i for i, r in enumerate(rows) if r["length"] in lengths]
            entry[group] = f1_table([gold[i] for i in idx], [pred[i] for i in idx])
        entry["en_vs_en-mt_f1"] = round(pair_f1(gold, pred, ("en", "en-mt")), 4)
        entry["hans_vs_hant_f1"] = round(pair_f1(gold, pred, ("zh-Hans", "zh-Hant")), 4)
        entry["id_vs_ms_f1"] = round(pair_f1(gold, pred, ("id", "ms")), 4)
        entry["confusion"] = sorted([g, p, n] for (g, p), n in Counter(zip(gold, pred, strict=True)).items())
        out["systems"][name] = entry
    table, ece = reliability([c["confidence"] for c in cv], [c["lang"] == g for c, g in zip(cv, gold, strict=True)])
    out["calibration"] = {"reliability": table, "ece": ece}
    out["errors"] = [{"id": r["id"], "gold": r["lang"], "pred": c["lang"], "confidence": c["confidence"]}
                     for r, c in zip(rows, cv, strict=True) if r["lang"] != c["lang"]]
    return out


def _print(result: dict[str, Any]) -> None:
    print(f"{'system':<11} {'group':<18} {'n':>4} {'acc':>6} {'macroF1':>8}  en/en-mt  Hans/Hant  id/ms")
    for name, entry in result["systems"].items():
        for group in GROUPS:
            g = entry[group]
            pairs = (entry["en_vs_en-mt_f1"], entry["hans_vs_hant_f1"], entry["id_vs_ms_f1"])
            extra = f"  {pairs[0]:>8.3f}  {pairs[1]:>9.3f}  {pairs[2]:>5.3f}" if group == "all" else ""
            print(f"{name:<11} {group:<18} {g['n']:>4} {g['accuracy']:>6.3f} {g['macro_f1']:>8.3f}{extra}")
    ours = result["systems"]["ensemble"]
    print("\nensemble per label (all lengths, cross-validated):")
    for lab, v in ours["all"]["per_label"].items():
        print(f"  {lab:<8} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n {v['n']}")
    for name, entry in result["systems"].items():
        print(f"\nconfusion ({name}): gold -> predicted: count")
        print("  " + ", ".join(f"{g}->{p}:{n}" for g, p, n in entry["confusion"]))
    print(f"\ncalibration (cross-validated): ECE {result['calibration']['ece']:.4f}")
    for b in result["calibration"]["reliability"]:
        print(f"  {b['bin']}  n {b['n']:>3}  mean confidence {b['confidence']:.3f}  accuracy {b['accuracy']:.3f}")
    print("\nerrors:", ", ".join(f"{e['id']} ({e['gold']}->{e['pred']} @{e['confidence']})" for e in result["errors"]))


def main(argv: list[str]) -> int:
    """Evaluate on ../shared/dev/langid_dev.jsonl (or --dev FILE); --json FILE writes the numbers."""
    from pipeline.langid.train import DEV_FILE, load_dev

    dev = Path(argv[argv.index("--dev") + 1]) if "--dev" in argv else DEV_FILE
    if not dev.exists():
        print(f"dev set not found: {dev} (set PIPELINE_SHARED or pass --dev FILE)", file=sys.stderr)
        return 2
    result = evaluate(load_dev(dev))
    _print(result)
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0
