"""Train the MT-English model and the confidence calibration on the dev set, with cross-validation.

`python -m pipeline.langid.train [--dev FILE]` writes data/mt_english.json and data/calibration.json.
Only coefficients leave the dev set; its texts are read from ../shared at run time, never copied.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.langid import mt_english
from pipeline.langid.detector import CALIBRATION_FILE, DetectorSettings, LanguageDetector

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PIPELINE_SHARED", ROOT.parent / "shared"))
DEV_FILE = SHARED / "dev" / "langid_dev.jsonl"
SEED = 0
FOLDS = 5
C = 0.1  # inverse L2 strength: 40 texts and 27 features, keep the weights small


def load_dev(path: Path = DEV_FILE) -> list[dict[str, Any]]:
    """The dev rows `{id, lang, length, text, source}`."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def folds(rows: Sequence[dict[str, Any]], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """Fold number per row, stratified by label and length, deterministic."""
    import random

    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    order.sort(key=lambda i: (rows[i]["lang"], rows[i]["length"]))
    out = [0] * len(rows)
    for n, i in enumerate(order):
        out[i] = n % k
    return out


FLORES = SHARED / "data" / "flores.tar.gz"
SYNTHETIC_SENTENCES = 300
SYNTHETIC_WEIGHT = 0.2  # all synthetic rows together weigh about as much as this share of the real ones
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def _mt_ify(sentence: str, rng: Any) -> str:
    """Apply one or two of the surface habits of raw Chinese-English MT to a human English sentence."""
    import re

    def spaced(s: str) -> str:
        return re.sub(r"([,.;:?!])(\s|$)", r" \1\2", s)

    def year(s: str) -> str:
        return re.sub(r"\b((?:19|20)\d\d)\b", r"\1 year", s, count=1)

    def date(s: str) -> str:
        pat = r"\b(" + "|".join(_MONTHS) + r") (\d{1,2})\b"
        return re.sub(pat, lambda m: f"{_MONTHS.index(m.group(1)) + 1} month {m.group(2)} Japan", s, count=1)

    def fullwidth(s: str) -> str:
        return s.replace(", ", "，").rstrip(".") + "。"

    def enum(s: str) -> str:
        return re.sub(r"(\w), (\w+(?: \w+)?),? and ", r"\1、\2 and ", s, count=1)

    def capital(s: str) -> str:
        pat = r", (the|it|as|we|this|in|and|but|so|there|they) "
        return re.sub(pat, lambda m: ", " + m.group(1).capitalize() + " ", s)

    def dash(s: str) -> str:
        return re.sub(r" (?:-|–|—) |, ", " —— ", s, count=1)

    def quotes(s: str) -> str:
        return re.sub(r'"([^"]+)"', r'“ \1 ”', s)

    habits = [spaced, year, date, fullwidth, enum, capital, dash, quotes]
    out = sentence
    for habit in rng.sample(habits, 3):
        out = habit(out)
    return out


def synthetic_english(n: int = SYNTHETIC_SENTENCES, seed: int = SEED) -> tuple[list[str], list[int]]:
    """Human English sentences (FLORES dev, read from ../shared) and rule-MT-ified copies of them."""
    import random
    import tarfile

    if not FLORES.exists():
        return [], []
    with tarfile.open(FLORES) as tar:
        member = tar.extractfile("flores/dev/eng_Latn.dev")
        lines = member.read().decode("utf-8").splitlines() if member else []
    rng = random.Random(seed)
    picked = rng.sample(lines, min(n, len(lines)))
    texts, labels = [], []
    for line in picked:
        changed = _mt_ify(line, rng)
        texts += [line, changed]
        labels += [0, int(changed != line)]
    return texts, labels


def fit_mt(texts: Sequence[str], labels: Sequence[int], synthetic: bool = True,
           names: Sequence[str] | None = None) -> dict[str, Any]:
    """Logistic regression over the standardised features; returns the JSON-able model."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = list(names or mt_english.FEATURES)
    texts, labels = list(texts), list(labels)
    weights = [1.0] * len(texts)
    if synthetic:
        extra, extra_labels = synthetic_english()
        texts += extra
        labels += extra_labels
        weights += [SYNTHETIC_WEIGHT * len(weights) / max(len(extra), 1)] * len(extra)
    x = np.array([[mt_english.features(t)[n] for n in names] for t in texts])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    y = np.array(labels)
    w = np.array(weights)
    # Balance the classes by weight (what class_weight="balanced" does, with the synthetic weights kept).
    for cls in (0, 1):
        w[y == cls] *= w.sum() / 2 / max(w[y == cls].sum(), 1e-9)
    clf = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
    clf.fit((x - mean) / scale, y, sample_weight=w)
    return {
        "features": names,
        "intercept": float(clf.intercept_[0]),
        "coef": {n: round(float(c), 6) for n, c in zip(names, clf.coef_[0], strict=True)},
        "mean": {n: round(float(m), 6) for n, m in zip(names, mean, strict=True)},
        "scale": {n: round(float(s), 6) for n, s in zip(names, scale, strict=True)},
    }


def _english_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["lang"] in ("en", "en-mt")]


def fit_calibration(raws: Sequence[float], letters: Sequence[int], correct: Sequence[bool]) -> dict[str, float]:
    """Platt-style map from (logit raw score, log length) to P(correct)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    def logit(p: float) -> float:
        p = min(max(p, 1e-4), 1 - 1e-4)
        return math.log(p / (1 - p))

    x = np.array([[logit(r), math.log1p(n)] for r, n in zip(raws, letters, strict=True)])
    y = np.array([int(c) for c in correct])
    if y.min() == y.max():  # every decision right: keep the raw score
        return {"intercept": 0.0, "coef_logit": 1.0, "coef_length": 0.0}
    clf = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED).fit(x, y)
    return {"intercept": float(clf.intercept_[0]), "coef_logit": float(clf.coef_[0][0]),
            "coef_length": float(clf.coef_[0][1])}


def cross_validated(rows: Sequence[dict[str, Any]], settings: DetectorSettings | None = None) -> list[dict[str, Any]]:
    """Per row: the detector's label, raw score and calibrated confidence, with every trained part
    (MT model, calibration) fitted on the other folds only."""
    fold_of = folds(rows)
    raw_out: list[dict[str, Any]] = [{} for _ in rows]
    for k in range(FOLDS):
        train = _english_rows([r for r, f in zip(rows, fold_of, strict=True) if f != k])
        model = fit_mt([r["text"] for r in train], [int(r["lang"] == "en-mt") for r in train])
        det = LanguageDetector(settings, mt_model=model, use_calibration=False)
        for i, row in enumerate(rows):
            if fold_of[i] == k:
                d = det.detect(row["text"])
                raw_out[i] = {"lang": d.lang, "raw": d.raw, "letters": d.letters, "flags": list(d.flags)}
    for k in range(FOLDS):
        train_idx = [i for i in range(len(rows)) if fold_of[i] != k]
        table = fit_calibration([raw_out[i]["raw"] for i in train_idx], [raw_out[i]["letters"] for i in train_idx],
                                [raw_out[i]["lang"] == rows[i]["lang"] for i in train_idx])
        from pipeline.langid.detector import calibrate

        for i in range(len(rows)):
            if fold_of[i] == k:
                raw_out[i]["confidence"] = calibrate(raw_out[i]["raw"], raw_out[i]["letters"], table)
    return raw_out


def main(argv: list[str]) -> int:
    """Fit on the whole dev set and write the shipped JSON files."""
    path = Path(argv[argv.index("--dev") + 1]) if "--dev" in argv else DEV_FILE
    rows = load_dev(path)
    english = _english_rows(rows)
    model = fit_mt([r["text"] for r in english], [int(r["lang"] == "en-mt") for r in english])
    model["card"] = {
        "what": "logistic regression, raw machine-translated English (from Chinese) vs English",
        "trained_on": f"{len(english)} English texts of the langid dev set (labels en / en-mt); texts not shipped",
        "synthetic": (f"{SYNTHETIC_SENTENCES} FLORES-200 dev English sentences (read from ../shared) as human "
                      "English, and copies put through rule-based MT habits (spaced punctuation, unit and date "
                      "calques, full-width commas, the enumeration comma, Chinese dashes, spaced quotes) as MT, "
                      f"weighing {SYNTHETIC_WEIGHT} of the real rows together"),
        "regularisation": f"L2, C={C}, classes balanced by weight, seed={SEED}",
        "command": "python -m pipeline.langid.train",
    }
    mt_english.MODEL_FILE.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    mt_english._model.cache_clear()
    cv = cross_validated(rows)
    table: dict[str, Any] = fit_calibration([c["raw"] for c in cv], [c["letters"] for c in cv],
                            [c["lang"] == r["lang"] for c, r in zip(cv, rows, strict=True)])
    table["card"] = ("P(label right) = sigmoid(intercept + coef_logit*logit(raw) + coef_length*log1p(letters)), "
                     f"fitted on {FOLDS}-fold cross-validated decisions over {len(rows)} dev texts")
    CALIBRATION_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {mt_english.MODEL_FILE} and {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
