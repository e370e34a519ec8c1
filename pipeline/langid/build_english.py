"""Build the word lists of the detector's English gate (data/english_function_words.txt, data/other_function_words.txt).

`python -m pipeline.langid.build_english` writes
- scikit-learn's English stop-word list (the Glasgow Information Retrieval group's list,
  `sklearn.feature_extraction.text.ENGLISH_STOP_WORDS`; scikit-learn is a development dependency, so the list
  is shipped as a file), the evidence for English;
- the function words of other Latin-script languages (spaCy's stop lists of `OTHER_LANGUAGES`: the languages of
  the region the detectors confuse with English or Indonesian, and the larger European ones), ASCII words only,
  without any word of either English stop list or any word written in lower case anywhere in the English
  text of `../shared/data/mt_detect` (native English and human translations: 8,000+ lines), so a word that English
  prose uses (`come`, `certain`, `bar`) is not counted against English. The evidence against English in
  the gate's lower tier (`detector.ENGLISH_GATE_LOW_SHARE`).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from pipeline.config import SHARED
from pipeline.langid.detector import ENGLISH_WORDS_FILE, OTHER_WORDS_FILE

ENGLISH_TEXT = SHARED / "data" / "mt_detect"
OTHER_LANGUAGES = ("id", "ms", "tl", "fr", "es", "pt", "it", "de", "nl", "ca", "ro", "sv", "da", "nb", "pl", "cs",
                   "tr", "hr", "sl", "sk", "hu", "fi", "et", "lv", "lt", "af", "sq", "eu", "ga", "lb", "yo", "la")
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")

HEADER = """\
# English function words (scikit-learn's ENGLISH_STOP_WORDS, the Glasgow IR stop list), one a line.
# Built by `python -m pipeline.langid.build_english`; do not edit by hand. Used by the language
# detector's English gate (pipeline/langid/detector.py, ENGLISH_GATE_SHARE).
"""
OTHER_HEADER = """\
# Function words of other Latin-script languages (spaCy's stop lists of {languages}) that are
# neither English stop words nor written in lower case in the English text of ../shared/data/mt_detect.
# Built by `python -m pipeline.langid.build_english`; do not edit by hand. Used by the language
# detector's English gate (pipeline/langid/detector.py, ENGLISH_GATE_LOW_SHARE).
"""


def english_lower_words(folder: Path = ENGLISH_TEXT) -> set[str]:
    """Every word written in lower case in the native English and human-translated English of `folder`."""
    files = sorted((folder / "native-en").glob("*")) + sorted((folder / "human-ref").glob("*"))
    if not files:
        raise FileNotFoundError(f"no English text under {folder}/native-en or human-ref: "
                                "set PIPELINE_SHARED to the shared data folder")
    words: set[str] = set()
    for path in files:
        words.update(_LOWER_WORD.findall(path.read_text(encoding="utf-8")))
    return words


def other_function_words(english: set[str]) -> set[str]:
    """spaCy's stop words of `OTHER_LANGUAGES`, less those English uses."""
    from spacy.lang.en.stop_words import STOP_WORDS as SPACY_ENGLISH

    words: set[str] = set()
    for code in OTHER_LANGUAGES:
        stop = importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS
        words.update(w for w in stop if w.isascii() and w.isalpha() and w.islower())
    return words - english - set(SPACY_ENGLISH) - english_lower_words()


def main() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    ENGLISH_WORDS_FILE.write_text(HEADER + "".join(w + "\n" for w in sorted(ENGLISH_STOP_WORDS)), encoding="utf-8")
    print(f"{len(ENGLISH_STOP_WORDS)} words -> {ENGLISH_WORDS_FILE}")
    other = other_function_words(set(ENGLISH_STOP_WORDS))
    header = OTHER_HEADER.format(languages=", ".join(OTHER_LANGUAGES))
    OTHER_WORDS_FILE.write_text(header + "".join(w + "\n" for w in sorted(other)), encoding="utf-8")
    print(f"{len(other)} words -> {OTHER_WORDS_FILE}")


if __name__ == "__main__":
    main()
