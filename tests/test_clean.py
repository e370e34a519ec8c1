"""Cleaning: seeds against the gold file, and guards for what cleaning must never do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.article import Article
from pipeline.cleaning import PARAGRAPH_SEP, clean_article, load_patterns
from pipeline.cleaning.glue import repair_glued
from pipeline.cleaning.metadata import parse_date_line, weekday_date
from pipeline.cleaning.normalize import normalize_line, split_lines
from pipeline.config import DEFAULT_CONFIG_FILE, ROOT, CleanConfig, Config, load_config
from pipeline.stages.base import Reject
from pipeline.stages.clean import Clean
from tests.conftest import RAW, SHARED

DATA = Path(__file__).parent / "data" / "clean"
PATTERNS = load_patterns()


def clean_txt(text: str, meta: dict[str, str] | None = None) -> object:
    return clean_article(text, "txt", meta or {}, PATTERNS)


def gold_items() -> list[tuple[str, dict]]:
    path = SHARED / "dev" / "seeds_clean.json"
    return sorted(json.loads(path.read_text(encoding="utf-8")).items()) if path.exists() else []


# --- seeds against ../shared/dev/seeds_clean.json ---------------------------------------------

@pytest.mark.shared
@pytest.mark.parametrize(("name", "gold"), gold_items(), ids=[n for n, _ in gold_items()])
def test_clean_seed_matches_gold(name: str, gold: dict) -> None:
    raw = (RAW / name).read_text(encoding="utf-8")
    cleaned = clean_txt(raw)
    out_lines = cleaned.text.split(PARAGRAPH_SEP)
    boilerplate = {normalize_line(b) for b in gold["boilerplate"]}
    for line in boilerplate:
        assert line not in out_lines and line not in cleaned.text, f"boilerplate kept: {line!r}"
    glued = {g: re.sub(r"(?<=[^\W\d_])(?=[A-Z])", " ", g) for g in gold.get("glued", [])}
    body = [line for line in split_lines(raw) if line not in boilerplate]
    for line in body:
        for bad, good in glued.items():
            line = line.replace(bad, good)
        assert line in out_lines, f"body line lost: {line[:80]!r}"
    for heading in gold["headings"]:
        assert normalize_line(heading) in out_lines
    assert cleaned.title == gold["title"]
    assert cleaned.published == gold["published"]
    assert cleaned.publisher == gold["publisher"]
    if gold["title"]:
        assert out_lines[0] == gold["title"]
    for bad, good in glued.items():
        assert bad not in cleaned.text and good in cleaned.text
    assert ("boilerplate-removed" in cleaned.flags) == bool(gold["boilerplate"])
    assert ("glued-words-repaired" in cleaned.flags) == bool(glued)


@pytest.mark.parametrize("path", sorted(RAW.glob("[0-9][0-9][0-9]_*.txt")), ids=lambda p: p.name[:3])
def test_clean_seed_spinner_flags(path: Path) -> None:
    flags = clean_txt(path.read_text(encoding="utf-8")).flags
    damaged = path.name.startswith("003_")  # the one seed rewritten by a spinner
    assert ("corrupted-numerals" in flags) == damaged
    assert ("elided-text" in flags) == damaged


# --- boilerplate guards ---------------------------------------------------------------------

BODY_ID = [
    "Perusahaan teknologi asal China itu melaporkan pendapatan kuartalan yang naik 9% dibanding tahun lalu.",
    "Analis menilai kenaikan itu didorong oleh bisnis cloud dan logistik yang tumbuh lebih cepat dari perkiraan.",
    "Namun, persaingan dengan platform lokal seperti Tokopedia dan Shopee masih ketat di pasar Indonesia.",
]


def test_clean_heading_kept_between_body_and_boilerplate() -> None:
    text = "\n".join([BODY_ID[0], "Persaingan di Asia Tenggara", BODY_ID[1], "Kesimpulan", BODY_ID[2],
                      "Baca juga: Tokopedia PHK karyawan", "Hak Cipta 2024 Contoh Media"])
    cleaned = clean_txt(text)
    lines = cleaned.text.split("\n")
    assert "Persaingan di Asia Tenggara" in lines and "Kesimpulan" in lines
    assert lines[-1] == BODY_ID[2]
    assert "boilerplate-removed" in cleaned.flags


def test_clean_heading_after_title_and_before_tail_kept() -> None:
    text = "\n".join(["Alibaba tách mảng thương mại điện tử", "Bối cảnh", "Tập đoàn thông báo tái cơ cấu thành sáu "
                      "đơn vị kinh doanh độc lập, mỗi đơn vị có hội đồng quản trị riêng.", "Triển vọng",
                      "Giới phân tích cho rằng việc tách mảng sẽ giúp định giá từng phần rõ ràng hơn.",
                      "Tin liên quan", "• Tencent bán cổ phần JD", "• Shopee tăng phí"])
    lines = clean_txt(text).text.split("\n")
    assert lines[:2] == ["Alibaba tách mảng thương mại điện tử", "Bối cảnh"]
    assert "Triển vọng" in lines
    assert not any(line.startswith("•") or line == "Tin liên quan" for line in lines)


def test_clean_all_short_lines_not_emptied() -> None:
    poem = ["Hujan di Jakarta", "jalan tergenang", "ojek menunggu", "pesanan datang", "malam berlalu"]
    cleaned = clean_txt("\n".join([*poem, "© 2024 Contoh Media"]))
    assert cleaned.text.split("\n") == poem


def test_clean_only_chrome_is_not_emptied() -> None:
    cleaned = clean_txt("SCROLL TO CONTINUE WITH CONTENT\ncopyright notice")
    assert cleaned.text.strip()


def test_clean_body_list_kept_when_not_shielded() -> None:
    text = "\n".join([BODY_ID[0], "Poin utama:", "• Pendapatan naik 9%", "• Laba turun 3%", "copyright 2024 Contoh"])
    lines = clean_txt(text).text.split("\n")
    assert "• Pendapatan naik 9%" in lines and "• Laba turun 3%" in lines
    assert "copyright 2024 Contoh" not in lines


def test_clean_sentence_starting_like_chrome_kept() -> None:
    body = "Copyright law in China was revised in 2020 to raise damages for infringement by online platforms."
    text = "\n".join([body, BODY_ID[1]])
    assert clean_txt(text).text.split("\n")[0] == body


def test_clean_whitespace_unified() -> None:
    text = "Alibaba\u00a0Group  memimpin\tpasar.\n\u3000\u3000阿里巴巴集团\u3000宣布。 \n\n\nTencent \u200bdan JD."
    cleaned = clean_txt(text)
    assert cleaned.text == "Alibaba Group memimpin pasar.\n阿里巴巴集团 宣布。\nTencent dan JD."


# --- glued words ----------------------------------------------------------------------------

REAL_NAMES = ["WeChat", "TikTok", "iPhone", "JD.com", "McDonald's", "YouTube", "PayPal", "eBay", "LinkedIn", "OpenAI",
              "AliCloud", "TaoBao"]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_glue_real_names_not_split(name: str) -> None:
    text = f"Người dùng {name} tăng mạnh. We saw {name} grow while Open and You and Chat and Tok and Pay were words."
    fixed, count = repair_glued(text, PATTERNS.protected)
    assert name in fixed and count == 0


def test_glue_unknown_camel_case_name_not_split() -> None:
    # Neither part stands alone in the text: no evidence of a glue.
    text = "The startup SoundHound and GoPro both reported losses this quarter."
    fixed, count = repair_glued(text, PATTERNS.protected)
    assert count == 0 and "SoundHound" in fixed and "GoPro" in fixed


@pytest.mark.parametrize(("text", "expected"), [
    ("gã khổng lồ công nghệ Trung QuốcAlibaba đã", "Trung Quốc Alibaba"),
    ("việc tích hợpGrab vào ứng dụng", "hợp Grab"),
    ("pembayaran melalui danTokopedia dan Shopee", "dan Tokopedia"),
    ("Alibaba dan Alipay, yaitu AlibabaAlipay", "Alibaba Alipay"),
])
def test_glue_repaired(text: str, expected: str) -> None:
    fixed, count = repair_glued(text, PATTERNS.protected)
    assert expected in fixed and count == 1


def test_glue_url_untouched() -> None:
    text = "Xem tại https://example.com/tinTuc/AlibabaAlipay hoặc email anNguyen@example.com và Alibaba, Alipay."
    assert repair_glued(text, PATTERNS.protected)[0] == text


# --- metadata -------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "iso", "publisher"), [
    ("2022-05-07 18:28:5936kr", "2022-05-07T18:28:59", "36kr"),
    ("2023年5月7日 10:20 来源：新浪科技", "2023-05-07T10:20:00", "新浪科技"),
    ("Thứ ba, 14/3/2023, 08:30 (GMT+7)", "2023-03-14T08:30:00", None),
    ("2021-11-02 | Reuters", "2021-11-02", "Reuters"),
])
def test_metadata_date_line(line: str, iso: str, publisher: str | None) -> None:
    assert parse_date_line(line) == (iso, publisher)


def test_metadata_textual_date_line_with_dateparser() -> None:
    assert parse_date_line("Kamis, 21 April 2022 10:15") == ("2022-04-21T10:15:00", None)


def test_metadata_sentence_is_not_a_date_line() -> None:
    assert parse_date_line("2021-11-02 Alibaba announced a new chairman. Shares rose 3% in Hong Kong.") is None


def test_metadata_weekday_date_needs_matching_weekday() -> None:
    assert weekday_date(["Dilansir dari Bloomberg, Kamis (21/4/2022), valuasi..."], PATTERNS) == "2022-04-21"
    assert weekday_date(["Dilansir dari Bloomberg, Kamis (22/4/2022), valuasi..."], PATTERNS) is None


def test_metadata_json_fields_win() -> None:
    text = "\n".join(["2022-05-07 18:28:5936kr", BODY_ID[0], BODY_ID[1], "(source: Contoh Daily)"])
    meta = {"title": "Judul dari JSON", "published": "2021-01-02", "publisher": "Media JSON"}
    cleaned = clean_txt(text, meta)
    assert (cleaned.title, cleaned.published, cleaned.publisher) == ("Judul dari JSON", "2021-01-02", "Media JSON")
    assert cleaned.text.split("\n")[:2] == ["Judul dari JSON", BODY_ID[0]]


def test_metadata_credit_line_gives_publisher() -> None:
    cleaned = clean_txt("\n".join([BODY_ID[0], BODY_ID[1], "(Sumber: Kontan)"]))
    assert cleaned.publisher == "Kontan" and "Kontan" not in cleaned.text


# --- spinner damage -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "flag"), [
    ("在65438年8月8日的業績會上", "corrupted-numerals"),
    ("服務超過654.38+0億用戶", "corrupted-numerals"),
    ("revenue reached 654.38 million yuan", "corrupted-numerals"),
    ("用戶數增長至165438+8億", "corrupted-numerals"),
    ("與美團數據* * *,淘寶物流開放", "elided-text"),
])
def test_spinner_flags(text: str, flag: str) -> None:
    cleaned = clean_txt(text)
    assert flag in cleaned.flags and cleaned.text == text  # flagged, never rewritten


def test_spinner_clean_numbers_and_scene_break_not_flagged() -> None:
    cleaned = clean_txt("Revenue was 1.5 million yuan, 6543 orders.\n* * *\nThe next day 38 stores opened.")
    assert not {"corrupted-numerals", "elided-text"} & set(cleaned.flags)


# --- HTML ------------------------------------------------------------------------------------

def test_clean_html_page() -> None:
    cleaned = clean_article((DATA / "page_vi.html").read_text(encoding="utf-8"), "html", {}, PATTERNS)
    lines = cleaned.text.split("\n")
    assert cleaned.title == "Shopee và Lazada tăng phí người bán" == lines[0]
    assert cleaned.published == "2023-03-14"
    assert cleaned.publisher == "Tin Kinh Tế Số"
    assert "Người bán nhỏ chịu ảnh hưởng nhiều nhất" in lines
    assert len(lines) == 6
    for chrome in ("Trang chủ", "Tin liên quan", "Bản quyền", "Xem thêm", "GMT+7", "Tiki"):
        assert chrome not in cleaned.text
    assert "boilerplate-removed" in cleaned.flags


def test_clean_stage_rejects_page_without_text() -> None:
    page = "<html><head><title></title></head><body></body></html>"
    doc = Article(doc_id="x", source="x.html", input_format="html", raw_text=page)
    with pytest.raises(Reject):
        Clean(Config()).process(doc)


def test_clean_stage_fills_fields_and_flags() -> None:
    raw = "\n".join([BODY_ID[0], "SCROLL TO CONTINUE WITH CONTENT", BODY_ID[1]])
    doc = Article(doc_id="x", source="x.txt", raw_text=raw)
    doc = Clean(Config()).process(doc)
    assert doc.text == f"{BODY_ID[0]}\n{BODY_ID[1]}" and doc.flags == ["boilerplate-removed"]


def test_clean_config_file_equals_defaults() -> None:
    assert load_config(ROOT / DEFAULT_CONFIG_FILE).clean == CleanConfig()


def test_clean_user_patterns_merge(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text("[[group]]\nname = 'a site'\nwhere = 'anywhere'\npatterns = ['^IKLAN BARIS$']\n", encoding="utf-8")
    patterns = load_patterns(str(extra))
    cleaned = clean_article("\n".join([BODY_ID[0], "IKLAN BARIS", BODY_ID[1]]), "txt", {}, patterns)
    assert "IKLAN BARIS" not in cleaned.text and len(patterns.anywhere) == len(PATTERNS.anywhere) + 1
