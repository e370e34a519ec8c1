"""A hand-built pipeline output with every field filled: entities, translations, flags, rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.output import mention_rows

ALIBABA = ("Q1359568", "Alibaba Group", "ORG")


def _sentences(text: str, lang: str) -> list[dict[str, Any]]:
    """Spans of sentences ending in . ! ? 。 or a newline, covering all non-space characters."""
    spans = []
    for m in re.finditer(r"[^\s].*?(?:[.!?。！？](?=\s|$)|(?=\n)|$)", text):
        if m.group().strip():
            spans.append({"start": m.start(), "end": m.end(), "lang": lang})
    return spans


def _mentions(text: str, needle: str, field: str = "text", nth: int | None = None) -> list[dict[str, Any]]:
    """Every occurrence of needle in text as a mention (or only the nth)."""
    found = [{"field": field, "start": m.start(), "end": m.end(), "text": needle}
             for m in re.finditer(re.escape(needle), text)]
    assert found, f"{needle!r} not in {text!r}"
    return found if nth is None else [found[nth]]


def _entity(kb_id: str | None, name: str, label: str, mentions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"kb_id": kb_id, "name": name, "label": label, "mentions": mentions, **extra}


def _article(doc_id: str, source: str, text: str, lang: str, **fields: Any) -> dict[str, Any]:
    record = {
        "doc_id": doc_id, "source": source, "title": text.split("\n", 1)[0], "published": None, "publisher": None,
        "text": text, "lang": lang, "lang_confidence": 0.97, "sentences": _sentences(text, lang),
        "translation": None, "translation_status": "no-model", "entities": [], "flags": [],
        "pipeline": {"version": "0.1.0", "config_hash": "0123456789abcdef", "stages": {"clean": 2}},
    }
    record.update(fields)
    return record


def _translation(text: str) -> dict[str, Any]:
    return {"text": text, "backend": "fixture", "model": "hand-written",
            "sentences": [{"start": s["start"], "end": s["end"]} for s in _sentences(text, "en")]}


def build_records() -> list[dict[str, Any]]:
    """Six articles in five languages exercising every optional part of the contract."""
    id_text = ("Alibaba Group & Amazon <bersaing>\n"
               "Valuasi Alibaba melonjak menjadi US$ 850 miliar. Perusahaan yang dipimpin Jack Ma berekspansi.\n"
               "Alibaba Cloud tumbuh 12%.")
    id_tr = ("Alibaba Group & Amazon <compete>\n"
             "Alibaba's valuation jumped to US$ 850 billion. The company led by Jack Ma expanded.\n"
             "Alibaba Cloud grew 12%.")
    id_doc = _article(
        "a1b2c3d4e5f60001", "id/alibaba.txt", id_text, "id", published="2022-04-21T10:00:00+07:00",
        publisher="Detik", translation=_translation(id_tr), translation_status="translated",
        flags=["boilerplate-removed"],
        entities=[
            _entity(*ALIBABA, [*_mentions(id_text, "Alibaba Group"), *_mentions(id_text, "Alibaba", nth=1),
                               *_mentions(id_text, "Alibaba", nth=2), *_mentions(id_tr, "Alibaba", "translation", 0),
                               *_mentions(id_tr, "Alibaba", "translation", 1)]),
            # Contains the third "Alibaba" ORG mention above (nested spans).
            _entity("Q2891398", "Alibaba Cloud", "PRODUCT", _mentions(id_text, "Alibaba Cloud")),
            _entity("Q3505850", "Amazon", "ORG", _mentions(id_text, "Amazon")),
            _entity("Q4980", "Jack Ma", "PERSON", [*_mentions(id_text, "Jack Ma"),
                                                     *_mentions(id_tr, "Jack Ma", "translation")]),
            _entity(None, "US$ 850 billion", "MONEY", _mentions(id_text, "US$ 850 miliar"),
                    value=850e9, unit="USD"),
            _entity(None, "12%", "PERCENT", _mentions(id_text, "12%")),
            # Crosses both "Alibaba Group" and "Amazon" partially: the renderer must split it, not drop it.
            _entity("x:group-amazon", "Group & Amazon", "MISC", _mentions(id_text, "Group & Amazon")),
        ])
    zh_text = "阿里巴巴与腾讯互联互通。\n阿里巴巴在2022财年营收增长。"
    zh_tr = "Alibaba and Tencent interconnect.\nAlibaba's revenue grew in fiscal 2022."
    zh_doc = _article(
        "a1b2c3d4e5f60002", "zh/hulian.html", zh_text, "zh-Hans", published="2022-08-03",
        translation=_translation(zh_tr), translation_status="translated",
        entities=[
            _entity(*ALIBABA, [*_mentions(zh_text, "阿里巴巴"), *_mentions(zh_tr, "Alibaba", "translation")]),
            _entity("Q860580", "Tencent", "ORG",
                    [*_mentions(zh_text, "腾讯"), *_mentions(zh_tr, "Tencent", "translation")]),
            _entity("x:fiscal-2022", "fiscal 2022", "DATE", _mentions(zh_text, "2022财年")),
        ])
    mt_text = ("13 years of Alibaba e-commerce: Zhang Yong's merits and demerits\n"
               "Alibaba and Tencent carry out the interconnection and intercommunication. "
               "Zhang Yong said the big factory must open.")
    mt_doc = _article(
        "a1b2c3d4e5f60003", "en/zhangyong.jsonl#2", mt_text, "en-mt", published="2021-09-10 08:30",
        translation_status="source-is-english",
        flags=["mt-evidence:calque-big-factory", "mt-evidence:interconnection-and-intercommunication"],
        entities=[
            _entity(*ALIBABA, _mentions(mt_text, "Alibaba")),
            _entity("Q860580", "Tencent", "ORG", _mentions(mt_text, "Tencent")),
            _entity("Q10920786", "Daniel Zhang", "PERSON", _mentions(mt_text, "Zhang Yong")),
        ])
    vi_text = "Alibaba và Tencent mở cửa cho nhau.\nCác bức tường thành đã sụp đổ."
    vi_doc = _article(
        "a1b2c3d4e5f60004", "vi/tuong-thanh.txt", vi_text, "vi", published="2022-09-14T03:00:00Z",
        translation_status="failed: model crashed",
        entities=[_entity(*ALIBABA, _mentions(vi_text, "Alibaba")),
                  _entity("Q860580", "Tencent", "ORG", _mentions(vi_text, "Tencent"))])
    vi_copy = _article(
        "a1b2c3d4e5f60005", "vi/tuong-thanh-copy.txt", vi_text + "\nNguồn: VnExpress", "vi",
        published="hôm qua", flags=["near-duplicate-of:a1b2c3d4e5f60004"],
        entities=[_entity(*ALIBABA, _mentions(vi_text, "Alibaba"))])
    und_text = '<script>alert("x")</script> & ☃ 12345'
    und_doc = _article("a1b2c3d4e5f60006", "misc/odd.txt", und_text, "und", title=None, lang_confidence=0.0,
                       translation_status="no-model")
    en_text = "Tencent opens WeChat to Alibaba links."
    en_doc = _article(
        "a1b2c3d4e5f60007", "en/wechat.json", en_text, "en", published="2022-09-01",
        translation_status="source-is-english",
        entities=[_entity("Q860580", "Tencent", "ORG", _mentions(en_text, "Tencent")),
                  _entity("Q283233", "WeChat", "PRODUCT", _mentions(en_text, "WeChat")),
                  _entity(*ALIBABA, _mentions(en_text, "Alibaba"))])
    return sorted([id_doc, zh_doc, mt_doc, vi_doc, vi_copy, und_doc, en_doc], key=lambda r: r["source"])


def write_fixture_output(out: Path) -> Path:
    """Write articles.jsonl, mentions.jsonl, rejects.jsonl and manifest.json into out."""
    out.mkdir(parents=True, exist_ok=True)
    records = build_records()
    for record in records:  # the fixture itself must honour the contract's offsets
        for entity in record["entities"]:
            for m in entity["mentions"]:
                base = record["text"] if m["field"] == "text" else record["translation"]["text"]
                assert base[m["start"]:m["end"]] == m["text"], (record["source"], m)

    def dump(rows: list[dict[str, Any]]) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    (out / "articles.jsonl").write_text(dump(records), encoding="utf-8")
    (out / "mentions.jsonl").write_text(dump([row for r in records for row in mention_rows(r)]), encoding="utf-8")
    rejects = [{"source": "bad/blob.bin", "doc_id": None, "stage": "ingest", "error": "binary-file",
                "message": "not a text file"}]
    (out / "rejects.jsonl").write_text(dump(rejects), encoding="utf-8")
    manifest = {"pipeline_version": "0.1.0", "config_hash": "0123456789abcdef", "inputs": len(records) + 1,
                "processed": len(records), "unchanged": 0, "rejected": 1, "seconds": {"total": 0.1}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out
