"""Article and sentence language: script rules, an ensemble of detectors, and three refiners.

Han text goes to Simplified/Traditional by OpenCC evidence, Latin text to a weighted vote of
off-the-shelf detectors, Indonesian/Malay to lexical markers, English to the MT-English model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.langid import anchors
from pipeline.langid.chinese import han_variant
from pipeline.langid.malay import malay_evidence
from pipeline.langid.mt_english import mt_probability
from pipeline.langid.scripts import script_counts

CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration.json"

# Labels that share a base language: a sentence of the same family takes the article's label.
FAMILY = {"en-mt": "en", "en": "en", "ms": "id", "id": "id", "zh-Hant": "zh", "zh-Hans": "zh"}
# One Han, kana or Hangul character carries about as much as a short Latin word.
CJK_WEIGHT = 2.5


@dataclass(frozen=True, slots=True)
class Detection:
    """A language decision: label, calibrated confidence, and the evidence behind it."""

    lang: str
    confidence: float
    flags: tuple[str, ...] = ()
    raw: float = 0.0  # uncalibrated score in (0, 1]
    letters: int = 0


@dataclass(frozen=True)
class DetectorSettings:
    """What the detector needs from `LangidConfig` (kept separate so the library stands alone)."""

    min_chars: int = 3
    sentence_min_chars: int = 20
    sentence_min_raw: float = 0.55
    mt_threshold: float = 0.5
    weights: dict[str, float] = field(default_factory=lambda: {"fasttext": 1.0, "cld3": 1.0, "lingua": 1.0})
    lingua_languages: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _calibration() -> dict | None:
    if not CALIBRATION_FILE.exists():
        return None
    return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))


def calibrate(raw: float, letters: int, table: dict | None = None) -> float:
    """Probability that a decision with this raw score and length is right (fitted on dev, see train.py)."""
    table = table if table is not None else _calibration()
    raw = min(max(raw, 1e-4), 1 - 1e-4)
    if not table:
        return round(raw, 4)
    z = (table["intercept"] + table["coef_logit"] * math.log(raw / (1 - raw))
         + table["coef_length"] * math.log1p(letters))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


class LanguageDetector:
    """Detect the language of a text or of each of its sentences; models load on first use."""

    def __init__(self, settings: DetectorSettings | None = None, mt_model: dict | None = None,
                 calibration: dict | None = None, use_calibration: bool = True) -> None:
        if settings is None:
            from pipeline.config import LangidConfig

            settings = settings_from_config(LangidConfig())
        self.settings = settings
        self.mt_model = mt_model
        self.calibration = calibration
        self.use_calibration = use_calibration

    # -- whole texts -------------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        """Language of a whole text (an article, a paragraph, or one sentence)."""
        lang, raw, flags, letters = self._decide(text, with_mt=True)
        return self._finish(lang, raw, flags, letters)

    def _finish(self, lang: str, raw: float, flags: list[str], letters: int) -> Detection:
        if lang == "und":
            conf = 0.0
        elif self.use_calibration:
            conf = calibrate(raw, letters, self.calibration)
        else:
            conf = round(raw, 4)
        return Detection(lang, conf, tuple(sorted(set(flags))), round(raw, 4), letters)

    def _decide(self, text: str, with_mt: bool) -> tuple[str, float, list[str], int]:
        counts = script_counts(text)
        cjk = counts["han"] + counts["kana"] + counts["hangul"]
        scripts = {k: v for k, v in counts.items() if k not in ("vi", "han", "kana", "hangul")}
        letters = sum(scripts.values()) + cjk
        if letters < self.settings.min_chars:
            return "und", 0.0, [], letters
        weighted = {k: float(v) for k, v in scripts.items()}
        weighted["cjk"] = cjk * CJK_WEIGHT
        top = max(weighted, key=lambda k: weighted[k])
        dominance = weighted[top] / sum(weighted.values())
        if top == "cjk":
            if counts["kana"] >= max(2, 0.05 * cjk):
                return "ja", dominance, [], letters
            if counts["hangul"] > counts["han"]:
                return "ko", dominance, [], letters
            label, share, _ = han_variant(text)
            return label, dominance * share, [], letters
        if top != "latin":
            scores = anchors.fasttext_scores(text)
            best = max(scores, key=lambda k: scores[k]) if scores else "und"
            return best, dominance * scores.get(best, 0.0), [], letters
        return self._latin(text, dominance, with_mt, letters)

    def _latin(self, text: str, dominance: float, with_mt: bool, letters: int) -> tuple[str, float, list[str], int]:
        votes = self.vote(text)
        if not votes:
            return "und", 0.0, [], letters
        best = max(votes, key=lambda k: votes[k])
        share = votes[best]
        flags: list[str] = []
        if best in ("id", "ms"):
            evidence, _ = malay_evidence(text)
            # The detectors' own id/ms split counts as weak evidence; the markers decide when present.
            prior = math.log((votes.get("ms", 0.0) + 0.05) / (votes.get("id", 0.0) + 0.05))
            logodds = max(-2.0, min(2.0, prior)) * 0.5 + evidence
            best = "ms" if logodds > 0 else "id"
            share = (votes.get("id", 0.0) + votes.get("ms", 0.0)) * (1.0 / (1.0 + math.exp(-abs(logodds))))
        elif best == "en" and with_mt:
            p, evidence_names = mt_probability(text, self.mt_model)
            if p >= self.settings.mt_threshold:
                best = "en-mt"
                flags.extend(f"mt-evidence:{name}" for name in evidence_names)
            share *= max(p, 1.0 - p)
        return best, min(1.0, dominance * share), flags, letters

    def vote(self, text: str) -> dict[str, float]:
        """Weighted average of the anchor detectors' probabilities (the weights sum to 1)."""
        weights = {k: w for k, w in self.settings.weights.items() if w > 0}
        total = sum(weights.values())
        votes: dict[str, float] = {}
        for name, weight in weights.items():
            if name == "lingua":
                scores = anchors.lingua_scores(text, self.settings.lingua_languages)
            else:
                scores = anchors.ANCHORS[name](text)
            norm = sum(scores.values()) or 1.0
            for code, p in scores.items():
                votes[code] = votes.get(code, 0.0) + weight / total * p / max(norm, 1.0)
        return votes

    # -- sentences ---------------------------------------------------------------------------
    def detect_sentences(self, text: str, spans: Sequence[tuple[int, int]], article: Detection) -> list[str]:
        """One label per sentence span; short, unclear or same-family sentences take the article's label."""
        out = []
        for start, end in spans:
            out.append(self._sentence(text[start:end], article))
        return out

    def _sentence(self, sentence: str, article: Detection) -> str:
        counts = script_counts(sentence)
        cjk = counts["han"] + counts["kana"] + counts["hangul"]
        size = sum(v for k, v in counts.items() if k not in ("vi", "han", "kana", "hangul")) + cjk * CJK_WEIGHT
        if article.lang == "und" or size < self.settings.sentence_min_chars:
            return article.lang
        lang, raw, _, _ = self._decide(sentence, with_mt=False)
        if lang == "und" or raw < self.settings.sentence_min_raw:
            return article.lang
        if FAMILY.get(lang, lang) == FAMILY.get(article.lang, article.lang):
            if lang in ("zh-Hans", "zh-Hant"):
                _, _, evidence = han_variant(sentence)
                if evidence["traditional"] + evidence["simplified"] < 2:
                    return article.lang
                return lang
            return article.lang
        if lang == "en":
            p, _ = mt_probability(sentence, self.mt_model)
            return "en-mt" if p >= self.settings.mt_threshold else "en"
        return lang


def settings_from_config(config: object) -> DetectorSettings:
    """Detector settings from `LangidConfig`."""
    return DetectorSettings(
        min_chars=config.min_chars,  # type: ignore[attr-defined]
        sentence_min_chars=config.sentence_min_chars,  # type: ignore[attr-defined]
        sentence_min_raw=config.sentence_min_confidence,  # type: ignore[attr-defined]
        mt_threshold=config.mt_threshold,  # type: ignore[attr-defined]
        weights=dict(zip(config.ensemble, config.ensemble_weights, strict=True)),  # type: ignore[attr-defined]
        lingua_languages=tuple(config.lingua_languages),  # type: ignore[attr-defined]
    )


def detector_from_config(config: object) -> LanguageDetector:
    """A detector set up from `LangidConfig`."""
    return LanguageDetector(settings_from_config(config))
