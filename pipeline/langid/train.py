"""Fit the confidence calibration on the dev set, with cross-validation.

`python -m pipeline.langid.train [--dev FILE]` writes data/calibration.json. The MT-English model is
trained apart, on ../shared/data/mt_detect (`python -m pipeline.langid.train_mt`), so on the dev set it is
out of sample. Only coefficients leave the dev set; its texts are read from ../shared, never copied.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import SHARED
from pipeline.langid.detector import CALIBRATION_FILE, DetectorSettings, LanguageDetector

DEV_FILE = SHARED / "dev" / "langid_dev.jsonl"
SEED = 0
FOLDS = 5


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
    """Per row: the detector's label, raw score and calibrated confidence, the calibration fitted on
    the other folds only (the MT-English model never saw the dev set)."""
    fold_of = folds(rows)
    det = LanguageDetector(settings, use_calibration=False)
    raw_out: list[dict[str, Any]] = []
    for row in rows:
        d = det.detect(row["text"])
        raw_out.append({"lang": d.lang, "raw": d.raw, "letters": d.letters, "flags": list(d.flags)})
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
    cv = cross_validated(rows)
    table: dict[str, Any] = fit_calibration([c["raw"] for c in cv], [c["letters"] for c in cv],
                            [c["lang"] == r["lang"] for c, r in zip(cv, rows, strict=True)])
    table["card"] = ("P(label right) = sigmoid(intercept + coef_logit*logit(raw) + coef_length*log1p(letters)), "
                     f"fitted on {FOLDS}-fold cross-validated decisions over {len(rows)} dev texts")
    CALIBRATION_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
