"""MONEY, PERCENT and DATE spans and their normalized values."""

from __future__ import annotations

import pytest

from pipeline.entities.values import find_values, parse_number


def only(text: str, lang: str) -> tuple[str, str, dict]:
    found = find_values(text, lang)
    assert len(found) == 1, [(text[v.start:v.end], v.name) for v in found]
    v = found[0]
    return text[v.start:v.end], v.label, v.value


@pytest.mark.parametrize(("text", "lang", "surface", "label", "value"), [
    ("laba US$ 850 miliar tahun ini", "id", "US$ 850 miliar", "MONEY", {"amount": 8.5e11, "currency": "USD"}),
    ("giá chỉ 2 Nhân dân tệ mỗi đơn", "vi", "2 Nhân dân tệ", "MONEY", {"amount": 2.0, "currency": "CNY"}),
    ("about 2000 Million Hong Kong dollars , It", "en-mt", "2000 Million Hong Kong dollars", "MONEY",
     {"amount": 2e9, "currency": "HKD"}),
    ("revenue 614.12 One hundred million yuan ,", "en-mt", "614.12 One hundred million yuan", "MONEY",
     {"amount": 6.1412e10, "currency": "CNY"}),
    ("客单价929元/人，", "zh-Hans", "929元/人", "MONEY", {"amount": 929.0, "currency": "CNY", "per": "person"}),
    ("同比增长84.43%。", "zh-Hant", "84.43%", "PERCENT", {"percent": 84.43}),
    ("在2021 年 4-6 月期间", "zh-Hant", "2021 年 4-6 月", "DATE", {"start": "2021-04", "end": "2021-06"}),
    ("5 month 3 Japan , the news", "en-mt", "5 month 3 Japan", "DATE", {"date": "--05-03"}),
    ("Rp 8,5 triliun", "id", "Rp 8,5 triliun", "MONEY", {"amount": 8.5e12, "currency": "IDR"}),
    ("khoảng 1.500 tỷ đồng", "vi", "1.500 tỷ đồng", "MONEY", {"amount": 1.5e12, "currency": "VND"}),
    ("pada 7 Mei 2022 lalu", "id", "7 Mei 2022", "DATE", {"date": "2022-05-07"}),
    ("vào ngày 7 tháng 5 năm 2022", "vi", "ngày 7 tháng 5 năm 2022", "DATE", {"date": "2022-05-07"}),
    ("On May 3, 2022 it fell", "en", "May 3, 2022", "DATE", {"date": "2022-05-03"}),
    ("a rise of 12 percent", "en", "12 percent", "PERCENT", {"percent": 12.0}),
])
def test_values_normalize(text: str, lang: str, surface: str, label: str, value: dict) -> None:
    assert only(text, lang) == (surface, label, value)


def test_values_not_inside_words_or_plain_numbers() -> None:
    assert find_values("Model X2000 yuanbao and 42 apples", "en") == []
    assert find_values("abc2 yuan", "en") == []


def test_parse_number_separators_by_language() -> None:
    assert parse_number("8,5", "id") == 8.5
    assert parse_number("1.000", "id") == 1000.0
    assert parse_number("1.000", "en") == 1.0
    assert parse_number("2,000", "en") == 2000.0
    assert parse_number("1.234,5", "vi") == 1234.5
    assert parse_number("1,234.5", "en") == 1234.5
