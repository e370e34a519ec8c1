"""Sentence spans and their languages."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.config import Config
from pipeline.stages.langid import DetectLanguage
from pipeline.stages.segment import Segment, split_sentences


def test_split_sentences_spans_cover_all_non_space() -> None:
    text = "  Alibaba naik 5%. Saham Tencent turun!\n\n阿里巴巴上涨。腾讯下跌？ \n”Done.” Next"
    spans = split_sentences(text)
    covered = set()
    for a, b in spans:
        assert a < b and text[a:b] == text[a:b].strip()
        covered.update(range(a, b))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert spans == sorted(spans)


def test_split_sentences_empty_text() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []


def test_segment_chinese_sentences_with_brand_names_stay_chinese() -> None:
    text = "阿里巴巴今天宣布，淘宝和天猫将接入微信支付。Lazada 和 AliExpress 的海外业务增长了百分之三十。"
    config = Config()
    doc = DetectLanguage(config).process(Article(doc_id="x", source="x", text=text))
    doc = Segment(config).process(doc)
    assert doc.lang == "zh-Hans"
    assert {s["lang"] for s in doc.sentences} == {"zh-Hans"}


def test_segment_labels_every_sentence() -> None:
    text = "Xinhua News Agency , Beijing , July 25 . The 2018 year sales rose .\nThe company said so ."
    config = Config()
    doc = DetectLanguage(config).process(Article(doc_id="x", source="x", text=text))
    doc = Segment(config).process(doc)
    assert len(doc.sentences) == len(split_sentences(text))
    assert all(s["lang"] in ("en", "en-mt") for s in doc.sentences)
