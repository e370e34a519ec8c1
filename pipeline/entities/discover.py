"""Names the knowledge base does not know: a statistical NER model when one is installed, and
model-free evidence (jieba POS for Chinese, pyvi proper-noun tags for Vietnamese, capitalised
sequences for Latin script), each kept only where it raises F1 on the dev gold (docs/entities.md)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.languages import NER_ALIASES
from pipeline.lazy import load_once

__all__ = ["HEURISTICS", "byline_names", "heuristic_spans", "keep_span", "ner_lang", "ner_spans", "refine_span"]

Span = tuple[int, int, str]
HEURISTICS = ("caps", "jieba", "pyvi")
_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "GPE"}
_JIEBA_LABELS = {"nr": "PERSON", "ns": "GPE", "nt": "ORG", "nz": "PRODUCT"}
_CAPS = re.compile(r"(?<![\w])[A-Z][\w&'.-]*[\w](?:[ ][A-Z][\w&'.-]*[\w])*")
_DIGITS = re.compile(r"^[\d\W_]+$")


def ner_lang(lang: str | None) -> str | None:
    """The NER model language for an article language (zh-Hant -> zh, en-mt -> en, ms -> id)."""
    code = (lang or "").lower()
    if code.startswith("zh"):
        return "zh"
    code = NER_ALIASES.get(code, code)  # zh-* handled above: only en-mt -> en and ms -> id apply here
    return code if code in ("id", "vi", "zh", "en") else None


@load_once
def _model(lang: str) -> Any:
    try:
        from pipeline.ner import load_ner
    except ImportError:  # the NER package is optional: the KB linker works without it
        return None
    return load_ner(lang)


_ABBREVIATIONS = frozenset({"inc", "ltd", "co", "corp", "bhd", "jr", "sr", "st", "mt", "no", "vol", "dr", "mr", "mrs",
                            "ms", "prof", "gen", "gov", "sen", "rep", "tbk", "dept"})


def pieces(surface: str) -> list[tuple[int, int]]:
    """The parts of a model span between line breaks and sentence ends ("Will Smith. Video: YouTube"); a period
    after an abbreviation or a short word (Dr., U.S., Inc., J.) is not a sentence end."""
    cuts = [0]
    for m in re.finditer(r"\n|(?<=(\w)\.)\s+", surface):
        if m.group() != "\n":
            word = re.search(r"[\w]+(?=\.$)", surface[:m.start()])
            if word is None or len(word.group()) < 3 or word.group().casefold() in _ABBREVIATIONS \
                    or word.group().isupper():
                continue
        cuts.extend([m.start(), m.end()])
    cuts.append(len(surface))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2) if cuts[i] < cuts[i + 1]]


def ner_spans(text: str, lang: str | None) -> list[Span]:
    """(start, end, label) from the statistical NER model of the language, or nothing without one."""
    code = ner_lang(lang)
    model = _model(code) if code else None
    if model is None or not text:
        return []
    out = []
    for s, e, label in model.find(text):
        if label in _LABELS and 0 <= s < e <= len(text):
            # a name never runs across a line break (a heading glued to the next line: "Edge\nGalaxy S6")
            for a, b in pieces(text[s:e]):
                ls, le = trim_span(text, s + a, s + b)
                if ls < le:
                    out.append((ls, le, _LABELS[label]))
                    if code in ("id", "vi") and re.search(r"(?<![\w&])[a-zà-ỹđ][^\W\d_]*[ ]", text[ls:le]):
                        # a span run on over lower-case words ("gửi VNPT về việc ..."): the acronyms in it are
                        # names in any case
                        out.extend((ls + m.start(), ls + m.end(), "ORG")
                                   for m in _ACRONYM.finditer(text[ls:le]) if m.end() - m.start() < le - ls)
    return out


_ACRONYM = re.compile(r"(?<![\w&.-])[A-Z]{3,6}(?![\w&.-])")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A model span without the punctuation and parenthetical it swallowed: "Chen Zhong ( alias )" -> "Chen Zhong"."""
    surface = text[start:end]
    lead = re.match(r"^[\s\W]*", surface)
    start += lead.end() if lead else 0
    surface = text[start:end]
    tail = re.search(r"(?:\s*[(（\[].*|[\s\W]+)$", surface)
    if tail and tail.start() > 0:
        end = start + tail.start()
    # a conjunction or article the model ran on into ("Moto G4 and" G4 Plus)
    dangling = re.search(r"(?:\s+(?:and|or|of|the|dan|atau|và|hoặc))+$", text[start:end])
    if dangling and dangling.start() > 0:
        end = start + dangling.start()
    # a currency code after a name starts the price ("Surface Pen USD 99")
    code = re.search(r"[ ]([A-Z]{3})$", text[start:end])
    if code and code.start() > 0 and code.group(1) in _currencies():
        end = start + code.start()
    return start, end


@load_once
def _currencies() -> frozenset[str]:
    """ISO 4217 currency codes (CLDR, through Babel)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


@load_once
def _stop_words(lang: str) -> frozenset[str]:
    from spacy.util import get_lang_class

    try:
        return frozenset(w.casefold() for w in get_lang_class(lang).Defaults.stop_words)
    except ImportError:
        return frozenset()


@load_once
def time_zones() -> frozenset[str]:
    """Time-zone abbreviations from the IANA database (WIB, WITA, HKT, EST): after a clock time, not names."""
    import datetime
    import zoneinfo

    out = set()
    for zone in zoneinfo.available_timezones():
        try:
            tz = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            continue
        for month in (1, 7):
            abbr = datetime.datetime(2020, month, 1, tzinfo=tz).tzname() or ""
            if re.fullmatch(r"[A-Z]{2,5}", abbr):
                out.add(abbr)
    return frozenset(out)


# Lowercase words allowed inside (never at the edge of) a Latin-script name: "Bank of America".
_CONNECTORS = frozenset({"of", "de", "du", "van", "von", "der", "bin", "binti", "al", "and", "&", "dan", "và", "for"})
_PINYIN_SYLLABLE = (r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
                    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|"
                    r"er|a|o|e|i|u|v)")
_PINYIN_WORD = re.compile(rf"^(?:{_PINYIN_SYLLABLE}){{1,2}}$")
# A model designation: letters and digits together (G4, X20, S6, 4X) or one capital letter (Moto Z).
_MODEL_WORD = re.compile(r"^(?:[A-Z]|[A-Z]+\d+[A-Za-z]*|\d+[A-Z]+)$")


# Kinds of organisation that open a Vietnamese organisation's name (Ủy ban Chứng khoán Nhà nước, Công ty Tài chính
# Bưu điện): Vietnamese capitalises the first syllable of each word of such a name, not every syllable.
_VI_ORG_HEADS = frozenset(h.casefold() for h in (
    "Ủy ban", "Uỷ ban", "Bộ", "Công ty", "Tổng công ty", "Ngân hàng", "Tập đoàn", "Trường", "Đại học", "Học viện",
    "Viện", "Sở", "Cục", "Tổng cục", "Hội", "Hiệp hội", "Quỹ", "Bệnh viện", "Tòa án", "Toà án", "Văn phòng",
    "Trung tâm", "Liên đoàn", "Đài", "Báo", "Thông tấn xã", "Quốc hội", "Chính phủ", "Nhà máy", "Sở giao dịch",
    "Tổng liên đoàn", "Liên hợp quốc", "Hãng", "Quân đội"))


def vietnamese_org(syllables: list[str]) -> bool:
    """A Vietnamese organisation's name: a kind of organisation, then words each opened by a capital syllable
    (no two lower-case syllables in a row), 3 to 10 syllables, letters only."""
    if not 3 <= len(syllables) <= 10 or not all(w.isalpha() for w in syllables):
        return False
    head = next((n for n in (3, 2, 1) if " ".join(syllables[:n]).casefold() in _VI_ORG_HEADS), 0)
    if not head or head >= len(syllables) or not syllables[0][:1].isupper() or not syllables[head][:1].isupper():
        return False
    rest = syllables[head:]
    return not any(a[:1].islower() and b[:1].islower() and b not in _CONNECTORS and a not in _CONNECTORS
                   for a, b in zip(rest, rest[1:], strict=False)) and rest[-1] not in _CONNECTORS


# Vietnamese function words that end a name: "Apple tại Mỹ" is Apple in the US, not an organisation.
_VI_FUNCTION = frozenset({"tại", "ở", "của", "và", "với", "từ", "trong", "sang", "đến", "tới", "cho", "về", "theo",
                          "thuộc", "là", "có", "được"})


def vietnamese_org_around(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a Vietnamese organisation's name that ends in the place text[start:end] ("Bộ Thương mại Mỹ",
    "Đại học Nebraska-Lincoln"), with a hyphenated continuation of the place, or None."""
    line_start = text.rfind("\n", 0, start) + 1
    before = list(re.finditer(r"\S+", text[max(line_start, start - 60):start]))
    offset = max(line_start, start - 60)
    tail = re.match(r"[-‐‑][A-ZÀ-Ỹ][^\W\d_]*", text[end:end + 30])
    end += tail.end() if tail else 0
    place = re.split(r"[ \-‐‑]+", text[start:end])
    for n in range(min(7, len(before)), 0, -1):
        words = [w.group() for w in before[-n:]]
        if any(w.casefold() in _VI_FUNCTION for w in words[1:]):
            continue
        head = next((k for k in (3, 2, 1) if " ".join(words[:k]).casefold() in _VI_ORG_HEADS), len(words))
        # a kind of organisation right before the place is a common noun: "Công ty Trung Quốc" (a Chinese company)
        if head < len(words) and vietnamese_org(words + place):
            return offset + before[-n].start(), end
    return None


# Mountains, rivers, lakes and seas are not places in the annotation's sense (countries, provinces, cities).
_NATURAL_HEADS = frozenset({"gunung", "sungai", "danau", "selat", "mount", "mt.", "lake", "núi", "sông", "hồ",
                            "vịnh", "đèo"})
_NATURAL_TAILS = frozenset({"river", "mountain", "mountains", "lake", "sea", "ocean", "strait", "volcano"})


def natural_feature(name: str) -> bool:
    """A name that says it is a mountain, river, lake or sea ("Gunung Rinjani", "Yangtze River", "sông Hồng")."""
    words = name.casefold().split()
    return len(words) >= 2 and (words[0] in _NATURAL_HEADS or words[-1] in _FEATURE_AFTER)


# Words around a place's name that make the whole a mountain, island, river or region, not a mention of the place
# ("pulau Sumatera", "đảo Sardinia", "Klang Valley").
_FEATURE_BEFORE = _NATURAL_HEADS | {"pulau", "đảo", "island"}
_FEATURE_AFTER = _NATURAL_TAILS | {"valley", "island", "islands", "peninsula"}


def in_natural_feature(text: str, start: int, end: int) -> bool:
    """Whether the name text[start:end] is part of a natural feature's or region's name by the word right before
    or after it (a Latin-script word, any case)."""
    before = re.search(r"([^\W\d_]+\.?)[ ]+$", text[max(0, start - 20):start])
    after = re.match(r"[ ]+([^\W\d_]+)", text[end:end + 20])
    return bool((before and before.group(1).casefold() in _FEATURE_BEFORE)
                or (after and after.group(1).casefold() in _FEATURE_AFTER))


def is_pinyin(word: str) -> bool:
    """A word of toneless pinyin, one or two syllables, hyphenated or not (Xiaoxi, Yao-tian)."""
    return bool(_PINYIN_WORD.match(word.lower().replace("-", "")))


_BYLINE = re.compile(r"\(([^()\n]{3,80})\)")


def byline_names(text: str, taken: list[tuple[int, int]] = (),  # type: ignore[assignment]
                 places: frozenset[tuple[int, int]] = frozenset()) -> list[Span]:
    """Reporters' names in a byline of Chinese news in English, two to a pair of pinyin words:
    "(Huang Xiaoxi Zhou Shanshan)" -> Huang Xiaoxi, Zhou Shanshan; a run of an odd number of words is left alone.
    A known name (`taken`: "Xinhua") breaks a run, unless it is a one-word place (`places`: Xian in "Wang Xian")."""
    out: list[Span] = []
    for m in _BYLINE.finditer(text):
        run: list[re.Match[str]] = []
        for w in [*re.finditer(r"\S+", m.group(1)), None]:
            at = (m.start(1) + w.start(), m.start(1) + w.end()) if w is not None else (0, 0)
            if at not in places and any(a < at[1] and at[0] < b for a, b in taken):
                w = None
            if w is not None and w.group()[:1].isupper() and w.group()[1:].islower() and is_pinyin(w.group()):
                run.append(w)
                continue
            if len(run) >= 2 and len(run) % 2 == 0:
                base = m.start(1)
                out.extend((base + run[i].start(), base + run[i + 1].end(), "PERSON") for i in range(0, len(run), 2))
            run = []
    return out


_LATIN_TOKEN = re.compile(r"^[^\W\d_][\w'’.&-]*$")


def _capitalised(word: str) -> bool:
    """A word written as a name: an initial capital, or a lower-case prefix before one (iPad, eBay, iOS)."""
    return word[:1].isupper() or (len(word) <= 12 and word[:1].islower() and any(ch.isupper() for ch in word[1:3]))


def keep_span(surface: str, lang: str | None, label: str = "", text: str = "", brand: bool = False) -> bool:
    """Precision filters for a discovered name (the held-out measure counts spurious entities).

    No stop words, digits, single characters or lowercase words; in Latin script every word of the
    name is capitalised (connectors aside), no quotes or stray punctuation, and a single word that
    the article also uses in lowercase is a common word, not a name. Raw machine translation
    capitalises at random, so there only multi-word person names are kept. `brand`: the name starts with a
    known brand ("Apple Pencil"), so common words after it are a product's name, not a heading.
    """
    code = ner_lang(lang) or "en"
    stripped = surface.strip()
    if stripped != surface or len(stripped) < 2 or _DIGITS.match(stripped):
        return False
    if stripped.casefold() in _stop_words(code) or is_region(stripped) or stripped.upper() in time_zones():
        return False
    if natural_feature(stripped):
        return False
    if code == "zh":
        return len(stripped) >= 2 and _jieba_confirms(text, stripped)
    if stripped == stripped.lower():
        return False
    words = stripped.split()
    if code == "vi" and label == "ORG" and vietnamese_org(words):
        return True
    if not all(_LATIN_TOKEN.match(w) for w in words) or len(words) > 5:
        return False
    if words[0].casefold() in _stop_words(code) or words[-1].casefold() in _stop_words(code):
        return False
    if code != "id" and len(words) == 1 and stripped.casefold() in common_words() and label != "NORP":
        # a capitalised common word ("Yesterday", "Government") at a sentence or heading start; in Indonesian
        # text a capitalised English word is mostly a name (Telegraph, Pentagon)
        return False
    if not all(_capitalised(w) or (0 < i < len(words) - 1 and w in _CONNECTORS) for i, w in enumerate(words)):
        return False
    if label == "PERSON" and code != "en" and len(words) == 1 and stripped.casefold() in common_words():
        # a capitalised English word alone in Indonesian or Vietnamese text is a title or a heading's word
        # ("Prosperity"), not a person, whom the model guesses from the capital alone
        return False
    if brand:
        return lang != "en-mt" or any(ch.isdigit() for ch in words[-1])
    if code == "en" and len(words) > 1 and (len(words) < 3 or words[-1].casefold() not in ORG_HEADS | _PRESS) \
            and all(w.casefold() in common_words() or w in _CONNECTORS for w in words):
        # In English text a title-cased phrase of common English words is a heading or label ("Public Transport",
        # "Analysis Report"); in Indonesian or Vietnamese text an English phrase is usually a name ("Brand Finance").
        return False
    if len(words) == 1 and text and re.search(rf"(?<!\w){re.escape(stripped.lower())}(?!\w)", text):
        return False
    if lang == "en-mt":  # MT from Chinese: people are pinyin names ("Chen Zhong", "Dai Shan"), and organisations
        # are named by their kind ("Beijing Municipal Education Commission", "Guangdong Provincial People's Government")
        if label in ("ORG", "PRODUCT") and 2 <= len(words) <= 4 and _MODEL_WORD.match(words[-1]):
            return True  # a product with its model designation ("Moto G4", "Redmi Note 4X")
        if label == "ORG":  # "... Bureau", "... Department of Education"
            return len(words) >= 2 and any(w.casefold() in ORG_HEADS and (i == len(words) - 1 or words[i + 1] == "of")
                                           for i, w in enumerate(words[1:], 1))
        return label == "PERSON" and 2 <= len(words) <= 3 and all(is_pinyin(w) for w in words)
    return True


# The last word of a newspaper's or news site's name ("New Straits Times", "Economic Observer").
_PRESS = frozenset({"times", "post", "news", "daily", "herald", "tribune", "journal", "observer", "gazette", "review",
                    "telegraph", "guardian", "chronicle", "reporter", "reserve", "insider", "weekly", "star"})
# The last word of an organisation name that says what kind of organisation it is.
ORG_HEADS = frozenset(w.casefold() for w in (
    "Commission", "Committee", "Bureau", "Department", "Ministry", "Government", "Administration", "Agency",
    "Office", "Council", "Association", "Federation", "Academy", "University", "College", "Institute", "School",
    "Hospital", "Museum", "Center", "Centre", "Court", "Army", "Police", "Bank", "Group", "Company", "Corporation",
    "Team", "Club", "Exchange", "Society", "Foundation", "Union", "Party", "Congress"))


def _jieba_confirms(text: str, surface: str) -> bool:
    """A Chinese model span counts only where jieba also tags a proper noun (nr, ns, nt, nz) inside it."""
    return _jieba_proper_noun(surface)


@lru_cache(maxsize=4096)
def _jieba_proper_noun(surface: str) -> bool:
    """Whether jieba tags a proper noun of two or more characters in surface (a name recurs in an article and
    across articles: its HMM tagging, ~10 ms for an unknown name, is done once)."""
    import jieba.posseg

    return any(flag in _JIEBA_LABELS and word in surface for word, flag in jieba.posseg.lcut(surface) if len(word) > 1)


def heuristic_spans(text: str, lang: str | None, kinds: tuple[str, ...]) -> list[Span]:
    """Name spans from model-free evidence enabled in `kinds` (caps, jieba, pyvi)."""
    code = ner_lang(lang)
    spans: list[Span] = []
    if "jieba" in kinds and code == "zh":
        import jieba.posseg

        pos = 0
        for word, flag in jieba.posseg.cut(text):
            if flag in _JIEBA_LABELS:
                spans.append((pos, pos + len(word), _JIEBA_LABELS[flag]))
            pos += len(word)
    if "pyvi" in kinds and code == "vi":
        spans.extend(_pyvi_spans(text))
    if "caps" in kinds and code in ("id", "en"):
        for m in _CAPS.finditer(text):
            # A lone capitalised word at a sentence start is usually just the first word.
            before = text[:m.start()].rstrip()
            if " " not in m.group() and (not before or before[-1] in ".!?\n\"“"):
                continue
            spans.append((m.start(), m.end(), "ORG"))
    return spans


def _pyvi_spans(text: str) -> list[Span]:
    from pipeline.pyvi_load import pyvi

    ViTokenizer, ViPosTagger = pyvi()  # noqa: N806 - pyvi's classes, loaded without leaving temp files

    spans: list[Span] = []
    for line_start, line in _lines(text):
        tokens, tags = ViPosTagger.postagging(ViTokenizer.tokenize(line))
        pos = 0
        run: list[tuple[int, int]] = []
        for token, tag in zip(tokens, tags, strict=True):
            surface = token.replace("_", " ")
            found = line.find(surface, pos)
            if found < 0:
                run = []
                continue
            pos = found + len(surface)
            if tag == "Np":
                run.append((found, pos))
            elif run:
                spans.append((line_start + run[0][0], line_start + run[-1][1], "ORG"))
                run = []
        if run:
            spans.append((line_start + run[0][0], line_start + run[-1][1], "ORG"))
    return spans


def _lines(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((start, line))
        start += len(line) + 1
    return out


# ---------------------------------------------------------------- span refinement (titles, hyphens, NORP)

# Titles and honorifics precede a name but are not part of it ("Prime Minister Najib Razak" -> "Najib Razak").
_TITLES = frozenset(w.casefold() for w in (
    "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Prof", "Prof.", "Sir", "Dame", "Lord", "Lady", "Madam",
    "President", "Vice", "Prime", "Minister", "Chancellor", "Premier", "Secretary", "General", "Governor", "Mayor",
    "Senator", "Representative", "Rep.", "Sen.", "Gov.", "Gen.", "Chairman", "Chairwoman", "Chair", "Chief",
    "Executive", "Officer", "CEO", "CFO", "CTO", "COO", "Founder", "Co-founder", "Director", "Manager", "Head",
    "King", "Queen", "Prince", "Princess", "Emperor", "Pope", "Judge", "Justice", "Ambassador", "Commissioner",
    "Deputy", "Acting", "Former", "Analyst", "Professor", "Spokesman", "Spokeswoman", "Spokesperson",
    "Tun", "Tan", "Datuk", "Dato", "Dato'", "Datin", "Tengku", "Haji", "Hajah", "Pak", "Bu", "Bapak",
    "Ibu", "Presiden", "Menteri", "Gubernur", "Direktur", "Utama", "Wakil", "Ketua", "Bupati", "Walikota",
    "Ông", "Bà", "Anh", "Chị", "Thủ", "Tướng", "Chủ", "Tịch", "Tổng", "Giám", "Đốc", "Bộ", "Trưởng",
    "Tiến", "Sĩ", "Giáo", "Sư", "Thạc", "Bác", "Ngài", "Phó", "Thống",
))
# Second words of Malaysian titles ("Tan Sri", "Datuk Seri"); alone, Sri is a given name (Sri Mulyani Indrawati).
_SECOND_TITLES = frozenset({"sri", "seri"})
# Nationality adjectives and language names, built by `make kb` from CLDR (pipeline/entities/kb/norp.txt).
NORP_FILE = Path(__file__).resolve().parent / "kb" / "norp.txt"


@load_once
def norp_words() -> frozenset[str]:
    """Folded demonyms and language names ("chinese", "malaysian", "cantonese")."""
    try:
        return frozenset(w.split("\t")[0].strip().casefold() for w in NORP_FILE.read_text(encoding="utf-8").splitlines()
                         if w.strip() and not w.startswith("#"))
    except FileNotFoundError:
        return frozenset()


COMMON_FILE = NORP_FILE.parent / "common_en.txt"
REGIONS_FILE = NORP_FILE.parent / "regions.txt"
_REGION_KEY = re.compile(r"[\s\-‐‑]+")
_REGION_TAILS = ("地区", "地區", "based")


def _region_key(text: str) -> str:
    key = _REGION_KEY.sub("", text.casefold())
    for tail in _REGION_TAILS:
        if key.endswith(tail) and len(key) > len(tail) + 1:
            key = key[:-len(tail)]
    return key


@load_once
def region_keys() -> frozenset[str]:
    """Comparison keys of CLDR continent and world-region names (built by `make kb`): "southeastasia", "东南亚"."""
    try:
        return frozenset(_region_key(w) for w in REGIONS_FILE.read_text(encoding="utf-8").splitlines()
                         if w.strip() and not w.startswith("#"))
    except FileNotFoundError:
        return frozenset()


def is_region(surface: str) -> bool:
    """A continent or world region ("Asia", "South East Asia", "Europe-based", "东南亚地区"): not annotated."""
    return _region_key(surface) in region_keys()


@load_once
def language_names() -> frozenset[str]:
    """Folded entries of norp.txt that CLDR lists as language names (marked "language" there)."""
    try:
        return frozenset(w.split("\t")[0].strip().casefold() for w in NORP_FILE.read_text(encoding="utf-8").splitlines()
                         if w.endswith("\tlanguage"))
    except FileNotFoundError:
        return frozenset()


@load_once
def common_words() -> frozenset[str]:
    """Lower-case English words and short phrases (CC-CEDICT glosses, built by `make kb`)."""
    try:
        return frozenset(w.strip() for w in COMMON_FILE.read_text(encoding="utf-8").splitlines()
                         if w.strip() and not w.startswith("#"))
    except FileNotFoundError:
        return frozenset()


def refine_span(text: str, start: int, end: int, label: str) -> tuple[int, int, str] | None:
    """A discovered Latin-script span made whole and bare: leading titles out, a hyphenated last part in
    ("Lee Kun" + "-hee"), and a nationality adjective or language name relabelled NORP. None: nothing left."""
    surface = text[start:end]
    if has_latin(surface):
        # hyphenated or apostrophe-joined continuation cut off by the tokenizer
        tail = re.match(r"[-‐‑][A-Za-zÀ-ɏ]+", text[end:end + 20])
        if tail and not (end + tail.end() < len(text) and text[end + tail.end()].isalnum()):
            end += tail.end()
        if label == "ORG":  # "Beijing Municipal Human Resources" + " and Social Security Bureau"
            more = re.match(r" and((?: [A-Z][\w'-]*){1,4})", text[end:end + 60])
            if more and more.group(1).split()[-1].casefold() in ORG_HEADS:
                end += more.end()
        # a company's legal form ends its name: what follows is a byline or the next name ("Astra Otoparts Tbk
        # Yusak Kristian")
        cut = re.search(r"(?<=\w)[ ](?:Tbk|Bhd|Berhad|Ltd|Inc|Plc|PLC|LLC|GmbH)\.?(?=[ ]+[A-Z])", text[start:end])
        if cut:
            end = start + cut.end()
        words = list(re.finditer(r"\S+", text[start:end]))
        drop = 0
        while drop < len(words) - 1 and (words[drop].group().casefold() in _TITLES
                                         or (drop and words[drop].group().casefold() in _SECOND_TITLES)):
            drop += 1
        if drop:
            start += words[drop].start()
            label = "PERSON" if label in ("ORG", "PERSON") else label
        if text[start:end].casefold() in norp_words():
            # An adjective before a word is a nationality ("Chinese buyers"); alone, a language name is the
            # language ("speaks Mandarin and Cantonese"), as OntoNotes labels them.
            follows = re.match(r"[ ]+([^\W\d_]+)", text[end:end + 30])
            if follows is None and text[start:end].casefold() in language_names():
                return start, end, "LANGUAGE"
            return start, end, "NORP"
    return (start, end, label) if start < end else None


def name_start(text: str, start: int, label: str) -> int:
    """Where an organisation's name starts: a capitalised "The" inside a sentence, right before it, is part of the
    name (The Star, The Malaysian Reserve); at a sentence start it is just the article."""
    if label == "ORG" and re.search(r"[a-z,] The $", text[max(0, start - 8):start]):
        return start - 4
    return start


_LEGAL_HEAD = re.compile(r"^(?:PT|PT\.|CV|Perseroan Terbatas)[ ]+(?=[A-Z0-9])")
_LEGAL_TAIL = re.compile(r"(?:,?[ ]+(?:Tbk|\(Persero\)|Persero|Bhd|Berhad|Sdn Bhd|Ltd|Limited|Inc|Plc|PLC|LLC|GmbH|"
                         r"Co\.?,? Ltd|Corp|Corporation|Group|Holdings)\.?)+$")


def org_name(surface: str) -> str:
    """The name of an organisation the KB does not know, without its legal form, so that its mentions with and
    without one are one entity: "PT Astra Otoparts Tbk" -> "Astra Otoparts", "Malaysia Airlines Bhd" -> ..."""
    name = _LEGAL_TAIL.sub("", _LEGAL_HEAD.sub("", surface))
    return name if len(name) >= 2 else surface


def lone_first_word(text: str, start: int, end: int) -> bool:
    """A single capitalised word that opens a sentence or line and occurs nowhere else in the text: the capital
    is the sentence's, not a name's ("Dikutip dari ...", "Ahad (24/9) ...")."""
    surface = text[start:end]
    if " " in surface or surface.isupper() or not has_latin(surface):
        return False
    before = text[:start].rstrip(" \t")
    if before and before[-1] not in ".!?:\n\"“”'‘’(-–—":
        return False
    return len(re.findall(rf"(?<!\w){re.escape(surface)}(?!\w)", text)) == 1


def names_a_day(text: str, start: int, end: int) -> bool:
    """A single word right before a day/month date in brackets is the day's name: "Ahad (8/4)", "Senin
    (22/8/2016)" in Indonesian and Malay news."""
    return " " not in text[start:end] and bool(re.match(r"[ ]?\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)", text[end:end + 14]))


def has_latin(text: str) -> bool:
    return bool(re.search(r"[A-Za-zÀ-ɏ]", text))
