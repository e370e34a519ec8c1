"""MONEY, PERCENT and DATE mentions with normalized values (surface forms in values.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.lazy import load_once

DATA = Path(__file__).resolve().parent / "values.yaml"
_NUM = r"\d+(?:[.,]\d+)*"
_SP = r"[ \u00a0]?"  # amounts are written "US$ 850", "US$850", "929元"
# Latin letters (with Vietnamese and other accents): numbers and unit words must not run into them;
# CJK characters may touch a number ("人均929元的").
_LATIN = r"0-9A-Za-z\u00C0-\u024F\u1E00-\u1EFF"
_NOT_AFTER_WORD = rf"(?<![{_LATIN}.,])"
_NOT_BEFORE_WORD = r"(?![A-Za-z\u00C0-\u024F\u1E00-\u1EFF])"


@dataclass(frozen=True, slots=True)
class Value:
    """One normalized value found in text."""

    start: int
    end: int
    label: str  # MONEY, PERCENT, DATE
    name: str  # the normalized string
    value: dict[str, Any]


def _alt(words: list[str]) -> str:
    """Regex alternation, longest first; short all-caps markers (RM, RMB) keep their case."""
    parts = []
    for w in sorted(words, key=lambda w: (-len(w), w)):
        body = re.escape(w).replace(r"\ ", r"\s+")
        parts.append(f"(?-i:{body})" if w.isupper() and len(w) <= 4 else body)
    return "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True, slots=True)
class _Tables:
    prefix: dict[str, str]
    suffix: dict[str, str]
    mult: dict[str, float]
    per: dict[str, str]
    months: dict[str, int]
    money_pre: re.Pattern[str]
    money_post: re.Pattern[str]
    percent: re.Pattern[str]
    dates: tuple[tuple[str, re.Pattern[str]], ...]


@load_once
def _tables() -> _Tables:
    import yaml

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    prefix = {k.casefold(): v for k, v in data["currency_prefix"].items()}
    suffix = {k.casefold(): v for k, v in data["currency_suffix"].items()}
    mult = {k.casefold(): float(v) for k, v in data["multipliers"].items()}
    per = {k.casefold(): v for k, v in data["per_unit"].items()}
    months: dict[str, int] = {}
    for names in data["months"].values():
        for i, name in enumerate(names):
            months.setdefault(name.casefold(), i + 1)
    # A multiplier or currency word must not run on into a longer word ("rb" in "rbt", "yuan" in "yuanan").
    end = _NOT_BEFORE_WORD
    mult_re = rf"(?:\s*(?P<mult>{_alt(list(data['multipliers']))}){end})?"
    per_re = rf"(?:\s*/\s*(?P<per>{_alt(list(data['per_unit']))}))?"
    money_pre = re.compile(
        rf"(?<![{_LATIN}$])(?P<cur>{_alt(list(data['currency_prefix']))}){_SP}(?P<num>{_NUM}){mult_re}{per_re}", re.I)
    suffix_re = _alt(list(data["currency_suffix"]))
    suffix_re = _alt(list(data["currency_suffix"]))
    money_post = re.compile(rf"{_NOT_AFTER_WORD}(?P<num>{_NUM}){mult_re}\s*(?P<cur>{suffix_re}){end}{per_re}", re.I)
    percent = re.compile(rf"{_NOT_AFTER_WORD}(?P<num>{_NUM})\s*(?:{_alt(data['percent'])}){end}", re.I)
    month_names = _alt(sorted(months))
    d = r"(?P<d>\d{1,2})"
    m = r"(?P<m>\d{1,2})"
    y = r"(?P<y>(?:1[89]|20)\d\d)"
    dates = (
        ("ymd", re.compile(rf"(?<!\d){y}\s*[-/.年]\s*{m}\s*[-/.月]\s*{d}\s*[日号]?(?!\d)")),
        ("ym-range", re.compile(rf"(?<!\d){y}\s*年\s*{m}\s*[-–~至到]\s*(?P<m2>\d{{1,2}})\s*月")),
        ("ym", re.compile(rf"(?<!\d){y}\s*年\s*{m}\s*月(?!\s*\d)")),
        ("md", re.compile(rf"(?<!\d){m}\s*月\s*{d}\s*[日号]")),
        ("md", re.compile(rf"(?<![\w]){m} month {d} (?:Japan|day)\b", re.I)),  # MT calque of 5月3日
        ("dmy", re.compile(rf"(?<![\w/]){d}/{m}/{y}(?![\w/])")),
        ("vi-dmy", re.compile(rf"\bngày\s+{d}\s+tháng\s+{m}(?:\s+năm\s+{y})?", re.I)),
        ("vi-my", re.compile(rf"\btháng\s+{m}(?:/|\s+năm\s+){y}\b", re.I)),
        ("name-dmy", re.compile(rf"(?<!\w){d}\s+(?P<mn>{month_names})\.?,?\s+{y}(?!\d)", re.I)),
        ("name-mdy", re.compile(rf"(?<!\w)(?P<mn>{month_names})\.?\s+{d},?\s+{y}(?!\d)", re.I)),
        ("name-my", re.compile(rf"(?<!\w)(?P<mn>{month_names})\s+{y}(?!\d)", re.I)),
    )
    return _Tables(prefix, suffix, mult, per, months, money_pre, money_post, percent, dates)


def parse_number(text: str, lang: str = "en") -> float | None:
    """A written number, with the language's separators (id/vi: 1.000,5; en/zh: 1,000.5)."""
    dots, commas = text.count("."), text.count(",")
    comma_decimal = (lang or "").split("-")[0] in ("id", "vi", "ms")
    groups = re.split(r"[.,]", text)
    thousands_like = len(groups) > 1 and all(len(g) == 3 for g in groups[1:])
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
    elif commas:
        decimal = "," if comma_decimal or not thousands_like or commas == 1 and len(groups[0]) > 3 else ""
    elif dots:
        decimal = "" if (comma_decimal and thousands_like) or dots > 1 else "."
    else:
        decimal = ""
    thousands = {".": ",", ",": "."}.get(decimal, ".,")
    cleaned = text
    for sep in thousands:
        cleaned = cleaned.replace(sep, "")
    cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _fmt(number: float) -> str:
    return f"{number:.15g}" if number != int(number) or abs(number) >= 1e15 else str(int(number))


def _norm(phrase: str) -> str:
    return " ".join(phrase.split()).casefold()


def _money(match: re.Match[str], lang: str, t: _Tables) -> Value | None:
    number = parse_number(match["num"], lang)
    cur = t.prefix.get(_norm(match["cur"])) if match.re is t.money_pre else t.suffix.get(_norm(match["cur"]))
    if number is None or cur is None:
        return None
    amount = number * (t.mult[_norm(match["mult"])] if match["mult"] else 1.0)
    value: dict[str, Any] = {"amount": amount, "currency": cur}
    name = f"{cur} {_fmt(amount)}"
    if match["per"]:
        value["per"] = t.per[_norm(match["per"])]
        name += f"/{value['per']}"
    return Value(match.start(), match.end(), "MONEY", name, value)


def _date(kind: str, match: re.Match[str], t: _Tables) -> Value | None:
    g = match.groupdict()
    month = int(g["m"]) if g.get("m") else t.months.get(_norm(g.get("mn") or ""), 0)
    day = int(g["d"]) if g.get("d") else 0
    year = g.get("y")
    if not 1 <= month <= 12 or day > 31:
        return None
    if kind == "ym-range":
        end_month = int(g["m2"])
        if not month < end_month <= 12:
            return None
        start, end = f"{year}-{month:02d}", f"{year}-{end_month:02d}"
        return Value(match.start(), match.end(), "DATE", f"{start}/{end}", {"start": start, "end": end})
    if day:
        iso = f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
    else:
        iso = f"{year}-{month:02d}"
    return Value(match.start(), match.end(), "DATE", iso, {"date": iso})


def find_values(text: str, lang: str = "en") -> list[Value]:
    """MONEY, PERCENT and DATE spans in text, non-overlapping, longest first, in text order."""
    t = _tables()
    found: list[Value] = []
    for pattern in (t.money_pre, t.money_post):
        for match in pattern.finditer(text):
            v = _money(match, lang, t)
            if v:
                found.append(v)
    for match in t.percent.finditer(text):
        number = parse_number(match["num"], lang)
        if number is not None:
            found.append(Value(match.start(), match.end(), "PERCENT", f"{_fmt(number)}%", {"percent": number}))
    for kind, pattern in t.dates:
        for match in pattern.finditer(text):
            v = _date(kind, match, t)
            if v:
                found.append(v)
    kept: list[Value] = []
    for v in sorted(found, key=lambda v: (v.start - v.end, v.start, v.label)):
        if all(v.end <= k.start or k.end <= v.start for k in kept):
            kept.append(v)
    return sorted(kept, key=lambda v: (v.start, v.end))
