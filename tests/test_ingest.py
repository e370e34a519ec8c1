"""Ingest: every input form, any encoding, and bad inputs rejected with reasons."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from pipeline.errors import Reject
from pipeline.ingest import decode, discover, split_units
from tests.conftest import RAW, run_cli

SEED_ZH_HANT = (RAW / "003_dde74e33d400e6f9.txt").read_text(encoding="utf-8")
SEED_VI = (RAW / "001_3981877e907cdb5c.txt").read_text(encoding="utf-8")
SEED_EN = (RAW / "002_a0d83b5d60a2e16f.txt").read_text(encoding="utf-8")


def encodable(text: str, encoding: str) -> str:
    """The lines of text that the legacy encoding can represent."""
    keep = []
    for line in text.splitlines():
        try:
            line.encode(encoding)
        except UnicodeEncodeError:
            continue
        keep.append(line)
    return "\n".join(keep)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (SEED_ZH_HANT, "gb18030"),
        (encodable(SEED_ZH_HANT, "big5"), "big5"),
        (SEED_VI, "utf-16"),
        (SEED_VI, "utf-16-le"),
        (SEED_EN.replace('"', "\u201c", 1) + "\nCafé résumé — naïve façade, 5 €.", "cp1252"),
        ("阿里巴巴集团董事局主席张勇表示，公司将继续投资。", "gb18030"),
        ("Alibaba (阿里巴巴) and Tencent (腾讯) reported results on Monday.", "gb18030"),
    ],
)
def test_decode_legacy_encodings(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # a BOM says which byte order
    assert decode(data) == unicodedata.normalize("NFC", text)


def test_decode_repairs_mojibake_and_keeps_fullwidth_punctuation() -> None:
    broken = "Trung Quá»‘c vÃ  Alibaba"  # UTF-8 read as cp1252
    assert decode(broken.encode("utf-8")) == "Trung Quốc và Alibaba"
    mt = "Market share is A lot of spelling 、 Tiktok ，and others ．"
    assert decode(mt.encode("utf-8")) == mt


def test_decode_normalizes_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Trung Quốc")
    assert decode(decomposed.encode("utf-8")) == "Trung Quốc"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary-file"),
        (bytes(range(256)) * 8, "binary-file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary-file"),
    ],
)
def test_decode_rejects_non_text(data: bytes, code: str) -> None:
    with pytest.raises(Reject) as info:
        decode(data)
    assert info.value.code == code


def test_discover_skips_dotfiles_and_symlinks_out_of_raw(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "nested" / "deeper").mkdir(parents=True)
    (raw / "a.txt").write_text("Alibaba")
    (raw / "nested" / "deeper" / "b.txt").write_text("Tencent")
    (raw / ".hidden.txt").write_text("secret")
    (raw / ".git").mkdir()
    (raw / ".git" / "c.txt").write_text("internal")
    outside = tmp_path / "outside.txt"
    outside.write_text("not part of the corpus")
    (raw / "link-out.txt").symlink_to(outside)
    (tmp_path / "outdir").mkdir()
    (raw / "dirlink").symlink_to(tmp_path / "outdir", target_is_directory=True)
    (raw / "link-in.txt").symlink_to(raw / "a.txt")
    found = [p.relative_to(raw.resolve()).as_posix() for p in discover(raw)]
    assert found == ["a.txt", "link-in.txt", "nested/deeper/b.txt"]


def test_split_units_jsonl_lines_and_ids(tmp_path: Path) -> None:
    raw = tmp_path
    lines = [json.dumps({"text": "Alibaba"}), "", json.dumps({"text": "京东"}, ensure_ascii=False)]
    (raw / "x.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    units = list(split_units(raw / "x.jsonl", raw, 10_000))
    assert [u.source for u in units] == ["x.jsonl#1", "x.jsonl#3"]
    assert units[1].raw == lines[2].encode("utf-8")
    import hashlib

    assert units[1].doc_id == hashlib.sha256(lines[2].encode()).hexdigest()[:16]


def write_bad_corpus(raw: Path) -> dict[str, str]:
    """Good and bad inputs side by side; returns the expected reject code per bad source."""
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "good.txt").write_text(SEED_VI, encoding="utf-8")
    (raw / "good.html").write_text(
        "<html><head><title>Alibaba mở rộng</title></head><body><article><h1>Alibaba mở rộng</h1>"
        f"<p>{SEED_VI.splitlines()[0]}</p></article></body></html>",
        encoding="utf-8",
    )
    (raw / "good.json").write_text(
        json.dumps({"text": SEED_EN, "title": "Internet manufacturers", "url": "https://example.com/a"})
    )
    (raw / "good-gb.txt").write_bytes(SEED_ZH_HANT.encode("gb18030"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_text("  \n\n \t \n")
    (raw / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048)[:1500])
    (raw / "broken.json").write_text('{"text": "unterminated')
    (raw / "notext.json").write_text(json.dumps({"title": "no body here"}))
    (raw / "big.txt").write_text("Alibaba " * 4000)
    good_line = json.dumps({"text": "Tencent và Alibaba hợp tác trong lĩnh vực thanh toán."}, ensure_ascii=False)
    (raw / "many.jsonl").write_text(
        good_line + "\n{broken json\n" + json.dumps({"text": "JD.com tăng trưởng."}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "image.txt": "binary-file",
        "broken.json": "bad-json",
        "notext.json": "no-text",
        "big.txt": "too-large",
        "many.jsonl#2": "bad-json",
    }


def test_run_rejects_bad_inputs_and_keeps_good_ones(tmp_path: Path) -> None:
    expected = write_bad_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    proc = run_cli("run", "--raw", str(tmp_path / "raw"), "--out", str(out), "--set", "ingest.max_bytes=20000")
    assert proc.returncode == 1, proc.stderr
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert {r["source"]: r["error"] for r in rejects} == expected
    assert all(r["message"] for r in rejects)
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert [a["source"] for a in articles] == [
        "good-gb.txt",
        "good.html",
        "good.json",
        "good.txt",
        "many.jsonl#1",
        "many.jsonl#3",
    ]
    gb = next(a for a in articles if a["source"] == "good-gb.txt")
    assert "騰訊" in gb["text"]
    html = next(a for a in articles if a["source"] == "good.html")
    assert "<p>" not in html["text"] and "Alibaba" in html["text"]
    assert next(a for a in articles if a["source"] == "good.json")["title"] == "Internet manufacturers"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rejected"] == len(expected)
    assert manifest["processed"] == len(articles)


def test_fix_text_matches_ftfy_line_by_line() -> None:
    """The ASCII shortcut and per-line memo give exactly ftfy's result: mojibake, controls, line endings, seeds."""
    import random

    import ftfy

    from pipeline.ingest import FTFY_CONFIG, fix_text

    samples = [SEED_ZH_HANT, SEED_VI, SEED_EN, "plain ascii\n\nplain ascii\n",
               "caf\u00c3\u00a9 \u00e2\u20ac\u0153x\u00e2\u20ac\n", "a\r\nb\rc\n", "bell\x07 esc\x1b[31mred\x1b[0m\n",
               "form\x0cfeed\tand tab\n", "\u2028sep\u2029\n", "\x85next\n", "\ufeffbom\n", "e\u0301 combining\n",
               "no newline at end"]
    rng = random.Random(7)
    alphabet = [chr(i) for i in range(128)] + ["é", "Ã©", "â€™", "\u2028", "\x85", "中", "ư"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in samples:
        assert fix_text(text) == ftfy.fix_text(text, config=FTFY_CONFIG), repr(text)
