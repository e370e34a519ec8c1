"""Build the detector's function-word lists (data/english_function_words.txt, other_function_words.txt,
indonesian_function_words.txt).

`python -m pipeline.langid.build_english` writes
- scikit-learn's English stop-word list (the Glasgow Information Retrieval group's list,
  `sklearn.feature_extraction.text.ENGLISH_STOP_WORDS`; scikit-learn is a development dependency, so the list
  is shipped as a file), the evidence for English;
- the function words of other Latin-script languages (spaCy's stop lists of `OTHER_LANGUAGES`: the languages of
  the region the detectors confuse with English or Indonesian, and the larger European ones), ASCII words only,
  without any word of either English stop list or any word written in lower case anywhere in the English
  text of `../shared/data/mt_detect` (native English and human translations: 8,000+ lines), so a word that English
  prose uses (`come`, `certain`, `bar`) is not counted against English. The evidence against English in
  the gate's lower tier (`detector.ENGLISH_GATE_LOW_SHARE`);
- the Indonesian and Malay function words (spaCy's id and ms stop lists, less the same English words), by which a
  sentence of an Indonesian or Malay article is in its article's language without the detectors
  (`detector.INDONESIAN_GATE_SHARE`).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from pipeline.config import SHARED
from pipeline.langid.detector import ENGLISH_WORDS_FILE, INDONESIAN_WORDS_FILE, LOWER_WORD, OTHER_WORDS_FILE

ENGLISH_TEXT = SHARED / "data" / "mt_detect"
OTHER_LANGUAGES = ("id", "ms", "tl", "fr", "es", "pt", "it", "de", "nl", "ca", "ro", "sv", "da", "nb", "pl", "cs",
                   "tr", "hr", "sl", "sk", "hu", "fi", "et", "lv", "lt", "af", "sq", "eu", "ga", "lb", "yo", "la")

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
INDONESIAN_HEADER = """\
# Indonesian and Malay function words (spaCy's id and ms stop lists) that are neither English stop words nor
# written in lower case in the English text of ../shared/data/mt_detect.
# Built by `python -m pipeline.langid.build_english`; do not edit by hand. Used by the language
# detector's sentence labels (pipeline/langid/detector.py, INDONESIAN_GATE_SHARE).
"""


def english_lower_words(folder: Path = ENGLISH_TEXT) -> set[str]:
    """Every word written in lower case in the native English and human-translated English of `folder`."""
    files = sorted((folder / "native-en").glob("*")) + sorted((folder / "human-ref").glob("*"))
    if not files:
        raise FileNotFoundError(f"no English text under {folder}/native-en or human-ref: "
                                "set PIPELINE_SHARED to the shared data folder")
    words: set[str] = set()
    for path in files:
        words.update(LOWER_WORD.findall(path.read_text(encoding="utf-8")))
    return words


def function_words(codes: tuple[str, ...], english: set[str]) -> set[str]:
    """spaCy's stop words of the languages `codes` (lower-case ASCII words), less the words in `english`."""
    words: set[str] = set()
    for code in codes:
        stop = importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS
        words.update(w for w in stop if w.isascii() and w.isalpha() and w.islower())
    return words - english


def _write(path: Path, header: str, words: set[str] | frozenset[str]) -> None:
    path.write_text(header + "".join(w + "\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(words)} words -> {path}")


def main() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.en.stop_words import STOP_WORDS as SPACY_ENGLISH

    _write(ENGLISH_WORDS_FILE, HEADER, set(ENGLISH_STOP_WORDS))
    english = set(ENGLISH_STOP_WORDS) | set(SPACY_ENGLISH) | english_lower_words()  # what English uses
    _write(OTHER_WORDS_FILE, OTHER_HEADER.format(languages=", ".join(OTHER_LANGUAGES)),
           function_words(OTHER_LANGUAGES, english))
    _write(INDONESIAN_WORDS_FILE, INDONESIAN_HEADER, function_words(("id", "ms"), english))


if __name__ == "__main__":
    main()
