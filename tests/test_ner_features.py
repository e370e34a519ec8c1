"""Token features for the Chinese and Vietnamese NER models: the jieba word tokenizer and vi word context."""

from __future__ import annotations

import random

import pytest
import spacy

from pipeline.ner.features import WordContext, ZhWordTokenizer, segment_vi
from pipeline.script import to_simplified

ZH_HANT = "阿里巴巴集團董事局主席張勇在杭州表示，騰訊與京東的合作將擴大到東南亞。"
VI = "Ông Nguyễn Văn Bình sống ở Hà Nội, Việt Nam, và làm việc cho Tập đoàn Viettel."


def test_word_context_vi_groups_syllables_of_a_word() -> None:
    nlp = spacy.blank("xx")
    doc = WordContext("vi")(nlp(VI))
    by_text = {t.text: (t.lemma_, t.tag_) for t in doc}
    assert by_text["Hà"] == ("hà nội", "B2")
    assert by_text["Nội"] == ("hà nội", "E2")
    assert by_text["Ông"][1] == "S1"
    assert all(t.norm_ == t.text.lower() for t in doc)


def test_segment_vi_covers_the_text_exactly() -> None:
    for text in (VI, "  hai  khoảng trắng  ", "Hà Nội_", "", "TP.HCM có 9 triệu dân (2023)."):
        assert "".join(segment_vi(text)) == text


def test_word_context_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="no segmenter"):
        WordContext("fr")


def test_zh_word_tokenizer_round_trips_text_and_normalizes_script() -> None:
    tokenizer = ZhWordTokenizer(spacy.blank("zh").vocab)
    rng = random.Random(0)
    pieces = ["阿里巴巴", "騰訊", " ", "  ", "\n", "Alibaba Group", "2024年", "，", "京東", "張勇", "e-commerce"]
    texts = [ZH_HANT, "", " ", "臺灣 台灣\n\n香港"] + ["".join(rng.choices(pieces, k=12)) for _ in range(200)]
    for text in texts:
        doc = tokenizer(text)
        assert doc.text == text
        for token in doc:
            if not token.is_space:
                assert token.norm_ == to_simplified(token.text).lower()
    assert [t.norm_ for t in tokenizer("騰訊與京東")] == ["腾讯", "与", "京东"]
