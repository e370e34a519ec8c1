"""Cleaning real-world inputs in every format, on small made-up articles: trailers, bylines, corpus headers,
record fields, headline suffixes, dates in their many forms, nothing real rejected; and adversarial sizes."""

from __future__ import annotations

import json

import pytest

from pipeline.article import Article
from pipeline.cleaning import clean_article, load_patterns
from pipeline.cleaning.core import Cleaned
from pipeline.cleaning.glue import repair_glued
from pipeline.cleaning.metadata import byline_date, parse_meta_date, roc_date, strip_site_suffix
from pipeline.config import Config
from pipeline.stages.clean import Clean
from pipeline.stages.ingest import Ingest, record_fields

PATTERNS = load_patterns()
BODY_MS = [
    "Syarikat itu melaporkan keuntungan bersih yang lebih tinggi bagi suku ketiga tahun ini berbanding tahun lalu.",
    "Pengarah urusannya berkata permintaan dari pasaran eksport kekal kukuh walaupun kos bahan mentah meningkat.",
    "Penganalisis menjangkakan prestasi yang stabil bagi baki tahun kewangan semasa menurut laporan itu.",
]
BODY_EN = [
    "The city council approved a new budget on Tuesday after a long debate about the cost of public transport.",
    "Officials said the plan would add two bus routes and extend the opening hours of the main library.",
    "Residents will be able to comment on the proposal at a public meeting scheduled for next month.",
]
BODY_VI = [
    "Công ty cho biết doanh thu quý ba tăng mạnh nhờ nhu cầu xuất khẩu phục hồi sau nhiều tháng trầm lắng.",
    "Ban lãnh đạo dự kiến mở rộng thêm hai nhà máy mới tại các tỉnh phía bắc trong năm tới để đáp ứng đơn hàng.",
    "Các chuyên gia nhận định thị trường sẽ tiếp tục ổn định nếu giá nguyên liệu đầu vào không biến động mạnh.",
]
BODY_ZH = [
    "该公司表示，第三季度营收同比增长百分之十二，主要得益于海外市场需求回暖以及新产品的推出。",
    "管理层预计明年将在中部地区新建两座工厂，以满足不断增长的订单需求，并计划招聘更多技术人员。",
    "分析人士认为，如果原材料价格保持稳定，公司全年业绩有望超过市场此前的普遍预期。",
]


def clean(text: str, fmt: str = "txt", meta: dict[str, str] | None = None, url: str | None = None) -> Cleaned:
    return clean_article(text, fmt, meta or {}, PATTERNS, url)


def kept(text: str, fmt: str = "txt") -> list[str]:
    return clean(text, fmt).text.split("\n")


# --- trailers, disclaimers, reading prompts -----------------------------------------------------------------

def test_site_footer_and_disclaimer_removed() -> None:
    text = "\n".join([*BODY_MS, "PERINGATAN: Komen anda adalah tanggungjawab anda sendiri.",
                      "Hak Cipta Terpelihara 2020 Contoh Media Sdn Bhd", "All Rights Reserved"])
    assert kept(text) == BODY_MS


def test_reading_prompts_removed_anywhere() -> None:
    text = "\n".join([BODY_MS[0], "(Baca juga: Harga minyak naik lagi minggu ini)", BODY_MS[1],
                      "Baca: Bank pusat kekalkan kadar faedah", BODY_MS[2]])
    assert kept(text) == BODY_MS


def test_english_page_chrome_removed() -> None:
    text = "\n".join(["Text size", *BODY_EN, "Share this article", "KEYWORDS: budget, council, transport",
                      "Continue reading the main story"])
    assert kept(text) == BODY_EN


def test_subscription_form_lines_removed() -> None:
    text = "\n".join([BODY_EN[0], "Sign up for our daily newsletter with your email",
                      "Please complete the captcha", BODY_EN[1], BODY_EN[2]])
    assert kept(text) == BODY_EN


def test_link_and_email_trailer_removed_with_labels() -> None:
    text = "\n".join([*BODY_ZH, "原始網址 Original URL：", "https://news.example.org/a/12345-20240101.htm",
                      "© example.org", "電子郵件 Email:", "desk@example.org"])
    assert kept(text) == BODY_ZH


# --- bylines and credit lines --------------------------------------------------------------------------------

def test_name_alone_at_the_end_is_a_byline() -> None:
    assert kept("\n".join([*BODY_VI, "Minh Anh"])) == BODY_VI


def test_byline_before_a_trailing_block_is_removed() -> None:
    text = "\n".join([*BODY_VI, "Theo Báo Ví Dụ", "Lan Hương", "", "", "", BODY_VI[0]])
    assert kept(text) == [*BODY_VI, BODY_VI[0]]


def test_vietnamese_credit_lines_removed() -> None:
    text = "\n".join([*BODY_VI, "Quang Huy (theo Example Times)"])
    assert kept(text) == BODY_VI
    assert kept("\n".join([*BODY_VI, "H.Lam tổng hợp từ Ví Dụ, ABC"])) == BODY_VI


def test_chinese_credit_lines_removed() -> None:
    text = "\n".join(["2021-03-04 10:20:30 来源：示例网 作者：王五", BODY_ZH[0], "（记者 李明）", BODY_ZH[1],
                      BODY_ZH[2], "原标题：某公司发布新产品", "责任编辑：张三",
                      "本文为示例网原创文章，未经许可不得转载。"])
    cleaned = clean(text)
    assert cleaned.text.split("\n") == BODY_ZH
    assert cleaned.published == "2021-03-04T10:20:30"


def test_reporter_and_photo_lines_removed() -> None:
    text = "\n".join(["Reporter: Ahmad Contoh", *BODY_MS, "Fotografer: Siti Contoh", "(abc/xyz)"])
    assert kept(text) == BODY_MS


def test_dated_byline_gives_the_date_and_goes() -> None:
    text = "\n".join(["In Local News / By A. Writer / 7 March 2018 10:53 am / 12 comments", *BODY_EN])
    cleaned = clean(text)
    assert cleaned.text.split("\n") == BODY_EN
    assert cleaned.published == "2018-03-07"


# --- corpus headers, record fields, entities ------------------------------------------------------------------

def test_corpus_header_lines_are_metadata() -> None:
    text = "\n".join(["# doc_id = ex-0001", "# url = https://example.org/news/1", "# date = 20210331",
                      "Council approves new budget", *BODY_EN])
    cleaned = clean(text)
    assert cleaned.title == "Council approves new budget"
    assert cleaned.published == "2021-03-31"
    assert cleaned.url == "https://example.org/news/1"
    assert "#" not in cleaned.text


def test_markdown_heading_is_not_a_header() -> None:
    assert kept("\n".join(["# Budget news", *BODY_EN]))[0] == "# Budget news"


def test_record_fields_by_usual_names() -> None:
    url, meta = record_fields({"headline": "A title", "date_publish": "2018-09-03 16:19:00", "link": {"href":
                               "https://example.org/a"}, "authors": ["Jane Roe", "Reporter", "Editor"],
                               "source_domain": "example.org", "section": "Business"})
    assert url == "https://example.org/a"
    assert meta == {"title": "A title", "published": "2018-09-03 16:19:00", "author": "Jane Roe",
                    "publisher": "example.org"}


def test_us_order_record_dates_follow_the_url() -> None:
    assert parse_meta_date("07-09-2018", "https://example.org/2018/07/09/story") == "2018-07-09"
    assert parse_meta_date("07-09-2018", "https://example.org/2018/09/07/story") == "2018-09-07"
    assert parse_meta_date("10-30-2015") == "2015-10-30"
    assert parse_meta_date("07/11/2018") == "2018-07-11"  # no URL: month first, as such fields are written
    assert (parse_meta_date("Tue, 19 Nov 2024 20:10:00 +0800") or "")[:10] == "2024-11-19"
    assert parse_meta_date("2099-01-01") is None  # after the crawl: not plausible


def test_json_record_end_to_end_carries_url_and_author() -> None:
    config = Config()
    record = {"title": "Council approves new budget", "text": "\n".join(BODY_EN), "date": "03-06-2018",
              "url": "https://example.org/2018/03/06/budget", "authors": ["Jane Roe"], "news": "Example Post",
              "section": "Business"}
    doc = Article(doc_id="x", source="a.json", input_format="json", raw=json.dumps(record).encode())
    doc = Clean(config).process(Ingest(config).process(doc))
    row = doc.to_record()
    assert row["title"] == "Council approves new budget" and row["text"].split("\n")[0] == row["title"]
    assert row["published"] == "2018-03-06"
    assert (row["url"], row["author"], row["publisher"]) == ("https://example.org/2018/03/06/budget", "Jane Roe",
                                                             "Example Post")


def test_html_in_a_record_text_field_becomes_lines() -> None:
    markup = "".join(f"<p>{line}</p>" for line in BODY_ZH) + '<p>原始網址：<a href="https://x.example/1">' \
        "https://x.example/1</a></p><p>電子郵件 Email: <a href=\"mailto:a@x.example\">a@x.example</a></p>"
    assert kept(markup, "json") == BODY_ZH


def test_character_references_decoded_in_text_inputs() -> None:
    text = "Gi&aacute; v&agrave;ng &#27599; ng&agrave;y&nbsp;tăng\n" + "\n".join(BODY_VI)
    out = clean(text).text
    assert "Giá vàng 每 ngày tăng" in out and "&" not in out


# --- headlines ---------------------------------------------------------------------------------------------

def test_headline_site_suffix() -> None:
    assert strip_site_suffix("Council approves new budget - Example Post") == "Council approves new budget"
    assert strip_site_suffix("某公司发布新产品-示例网") == "某公司发布新产品"
    assert strip_site_suffix("某公司发布新产品｜示例 新聞網") == "某公司发布新产品"
    assert strip_site_suffix("Budget - what the council decided and why it matters") == \
        "Budget - what the council decided and why it matters"


def test_metadata_title_with_suffix_finds_its_headline_line() -> None:
    text = "\n".join(["Council approves new budget", *BODY_EN])
    cleaned = clean(text, meta={"title": "Council approves new budget | Example Post"})
    assert cleaned.title == "Council approves new budget"
    assert cleaned.text.count("Council approves new budget") == 1


def test_first_line_headline_in_one_sentence_a_line_corpora() -> None:
    assert clean("\n".join(["某地新建两座工厂 满足订单需求", *BODY_ZH])).title == "某地新建两座工厂 满足订单需求"
    assert clean("\n".join(["Giá vàng tăng mạnh.", *BODY_VI])).title == "Giá vàng tăng mạnh."


def test_caption_or_lead_is_not_a_title() -> None:
    assert clean("\n".join(["ILUSTRASI. Harga minyak", *BODY_MS])).title is None
    lead = "KUALA LUMPUR: The council approved a new budget on Tuesday."
    assert clean("\n".join([lead, *BODY_EN, *BODY_EN])).title is None
    assert clean("\n".join([BODY_ZH[0][:20] + "。", *BODY_ZH])).title is None


# --- dates ------------------------------------------------------------------------------------------------

def test_date_forms() -> None:
    assert byline_date("PUBLISHED : 6 Nov 2024") == "2024-11-06"
    assert clean("\n".join(["Thứ năm, 12/11/2020", *BODY_VI])).published == "2020-11-12"
    assert roc_date("1140527") == "2025-05-27"
    assert clean("\n".join([*BODY_ZH, "1140527"])).published == "2025-05-27"


def test_date_in_the_middle_of_the_page_is_not_taken() -> None:
    body = BODY_EN * 4
    text = "\n".join([*body[:6], "2019-05-01 08:00", *body[6:]])
    assert clean(text).published is None


def test_visible_dateline_beats_a_metadata_date_a_day_off() -> None:
    text = "\n".join(["14 December 2016", *BODY_EN])
    assert clean(text, meta={"published": "2016-12-15T02:00:00+00:00"}).published == "2016-12-14"
    assert clean(text, meta={"published": "2016-10-01"}).published == "2016-10-01"


# --- guards: nothing real rejected, headings kept, nothing emptied --------------------------------------------

def test_heading_between_paragraphs_stays() -> None:
    text = "\n".join([BODY_EN[0], "What comes next", BODY_EN[1], BODY_EN[2]])
    assert "What comes next" in kept(text)


def test_all_short_lines_article_not_emptied() -> None:
    text = "\n".join(["Minh Anh", "Hà Nội", "Mùa thu", "Lá vàng rơi"])
    assert clean(text).text.strip()


def test_short_and_paywalled_articles_are_flagged_not_rejected() -> None:
    config = Config()
    page = ("<html><head><title>Budget plan</title></head><body><article><h1>Budget plan</h1>"
            "<p>The council approved a budget.</p><p>Subscribe to continue reading.</p></article></body></html>")
    doc = Article(doc_id="x", source="a.html", input_format="html", raw=page.encode())
    doc = Clean(config).process(Ingest(config).process(doc))
    assert doc.text and "short" in doc.flags and "paywalled" in doc.flags


# --- adversarial sizes: bounded time (the old code was quadratic here) ----------------------------------------

@pytest.mark.timeout(120)
def test_long_spaceless_line_cleans_in_bounded_time() -> None:
    line = "a" * 2_000_000 + "aB x@y"
    fixed, _ = repair_glued(line, PATTERNS.protected)
    assert len(fixed) >= len(line)
    assert clean("aB" * 1_000_000).text


@pytest.mark.timeout(120)
def test_many_lines_clean_in_bounded_time() -> None:
    text = "\n".join(f"Baris {i} berita." for i in range(130_000))  # ~2 MB, 130k lines
    assert len(kept(text)) == 130_000
