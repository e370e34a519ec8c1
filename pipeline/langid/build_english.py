"""Build data/english_function_words.txt: the English function words of the detector's English gate.

`python -m pipeline.langid.build_english` writes scikit-learn's English stop-word list (the Glasgow
Information Retrieval group's list, `sklearn.feature_extraction.text.ENGLISH_STOP_WORDS`; scikit-learn is a
development dependency, so the list is shipped as a file). See `detector.ENGLISH_GATE_SHARE`.
"""

from __future__ import annotations

from pipeline.langid.detector import ENGLISH_WORDS_FILE

HEADER = """\
# English function words (scikit-learn's ENGLISH_STOP_WORDS, the Glasgow IR stop list), one a line.
# Built by `python -m pipeline.langid.build_english`; do not edit by hand. Used by the language
# detector's English gate (pipeline/langid/detector.py, ENGLISH_GATE_SHARE).
"""


def main() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    ENGLISH_WORDS_FILE.write_text(HEADER + "".join(w + "\n" for w in sorted(ENGLISH_STOP_WORDS)), encoding="utf-8")
    print(f"{len(ENGLISH_STOP_WORDS)} words -> {ENGLISH_WORDS_FILE}")


if __name__ == "__main__":
    main()
