"""An article's entities: KB links in the text and its translation, discovered names, normalized values."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.article import Article
from pipeline.entities.discover import (
    ORG_HEADS,
    byline_names,
    common_words,
    has_latin,
    heuristic_spans,
    in_natural_feature,
    keep_span,
    lone_first_word,
    name_start,
    names_a_day,
    ner_lang,
    ner_spans,
    org_name,
    refine_span,
    vietnamese_org_around,
)
from pipeline.entities.kb import Entry, fold
from pipeline.entities.linker import TRANSLATION_SCOPES, Linker, LinkField, Match, scopes_for
from pipeline.entities.values import find_values
from pipeline.entities.zh import (
    called_spans,
    common_list_items,
    latin_spans,
    list_org_spans,
    local_org_spans,
    model_spans,
    named_org_spans,
    named_term,
    person_spans,
    pinyin_name,
    quoted_spans,
    unnamed_spans,
    word_bounds,
    zh_model_span,
)
from pipeline.script import is_cjk

__all__ = ["Extractor", "VALUE_LABELS"]

VALUE_LABELS = ("MONEY", "PERCENT", "DATE")
_FIELD_RANK = {"text": 0, "translation": 1}


@dataclass(frozen=True, slots=True)
class _Found:
    field: str
    start: int
    end: int
    kb_id: str | None
    name: str
    label: str
    value: dict[str, Any] | None = None


def _sentence_scopes(doc: Article) -> Callable[[int], frozenset[str]]:
    """Alias scopes at an offset of the text: the article's language plus its sentence's language."""
    base = scopes_for(doc.lang)
    spans = doc.sentences or []
    starts = [s["start"] for s in spans]
    cache: dict[str, frozenset[str]] = {}

    def at(offset: int) -> frozenset[str]:
        i = bisect_right(starts, offset) - 1
        lang = spans[i].get("lang") if 0 <= i < len(spans) and offset < spans[i]["end"] else None
        if not lang or lang == doc.lang:
            return base
        if lang not in cache:
            cache[lang] = base | scopes_for(lang)
        return cache[lang]

    return at


class Extractor:
    """Everything the entities stage does to one article; built once per worker."""

    def __init__(self, entries: list[Entry], ner: bool = True, values: bool = True,
                 heuristics: tuple[str, ...] = ()) -> None:
        self.linker = Linker(entries)
        self.ner = ner
        self.values = values
        self.heuristics = heuristics

    def segments(self, doc: Article) -> list[LinkField]:
        """The fields to link: the text, and the English translation when there is one."""
        out = [LinkField("text", doc.text, _sentence_scopes(doc))]
        translation = (doc.translation or {}).get("text")
        if translation:
            out.append(LinkField("translation", translation, lambda _: TRANSLATION_SCOPES))
        return out

    def extract(self, doc: Article) -> list[dict[str, Any]]:
        """Entity records for the article, per the output contract (plus `value` on MONEY/PERCENT/DATE)."""
        segments = self.segments(doc)
        found: list[_Found] = []
        if self.values:
            found.extend(_Found("text", v.start, v.end, None, v.name, v.label, v.value)
                         for v in find_values(doc.text, doc.lang))
        # A KB name inside a date or amount is not a mention of it ("5 month 3 Japan" is 3 May).
        blocked = {"text": [(f.start, f.end) for f in found]}
        inside = _Cover(blocked["text"])
        matches = [m for m in self.linker.link(segments) if not (m.field == "text" and inside(m.start, m.end))]
        texts = {s.field: s.text for s in segments}
        # A place inside an organisation name the model found (美國國防部, 中华全国供销合作总社) is not a mention.
        # The model's spans over the text, found once: the Chinese organisation step and discovery both use them.
        text_spans = ner_spans(doc.text, doc.lang) if self.ner else []
        chinese = ner_lang(doc.lang) == "zh"
        listed = list_org_spans(doc.text) if self.ner and chinese else []
        orgs = self._zh_orgs(doc, text_spans) if self.ner else []
        unnamed: list[tuple[int, int]] = []
        if self.ner and chinese:
            orgs += listed + named_org_spans(doc.text)
            # nor one inside an event, venue or time named with it, or a quoted term (湖南茶业博览会, “湖南红茶”)
            unnamed = unnamed_spans(doc.text)
        # Provincial and city bodies named without the place (省科技厅, 省人大常委会): organisations the KB cannot
        # know; a KB name inside one (人大常委会) is part of it.
        local = local_org_spans(doc.text) if chinese else []
        if self.ner and chinese:  # a listed name longer than a KB name inside it (雷锋网, 中联重科)
            exact = {(m.start, m.end) for m in matches if m.field == "text"}
            local += [(s, e) for s, e in listed if (s, e) not in exact and (
                org_tail(doc.text[s:e]) or any(m.field == "text" and s <= m.start and m.end <= e for m in matches))]
        for start, end in local:
            found.append(_Found("text", start, end, None, doc.text[start:end], "ORG"))
        matches = [m for m in matches if not (m.field == "text" and _overlaps(m.start, m.end, local))]
        # An organisation name run on into a place in Chinese (亚马逊中国, 中移動香港) names its branch there: one
        # organisation the KB does not know, neither the parent nor the place apart.
        branches = {}
        ends = {(m.field, m.end): m for m in matches if self.linker.entries[m.entity].type == "ORG"}
        for m in matches:
            parent = ends.get((m.field, m.start))
            if parent is not None and self.linker.entries[m.entity].type == "GPE" and is_cjk(texts[m.field][m.start]) \
                    and is_cjk(texts[m.field][m.start - 1]) and not org_tail(texts[m.field][parent.start:parent.end]) \
                    and all(word_bounds(texts[m.field], m.start, m.end)):
                branches[m] = (parent.start, m.end)  # not 苹果中国市场 (Apple's China market): 中国市场 is a word
        # A country or city run on into one of its government bodies (中國外交部, 美国商务部) names that body.
        starts = {(m.field, m.start): m for m in matches if self.linker.entries[m.entity].type == "ORG"}
        for m in matches:
            body = starts.get((m.field, m.end))
            if body is not None and m not in branches and self.linker.entries[m.entity].type == "GPE" \
                    and is_cjk(texts[m.field][m.start]) and fold(texts[m.field][body.start:body.end]).endswith(_BODIES):
                branches[m] = (m.start, body.end)
                ends[(m.field, m.start)] = body
        parents = {ends[(m.field, m.start)] for m in branches}
        match_starts = {(m.field, m.start) for m in matches}
        match_ends = {(m.field, m.end) for m in matches}
        for m, (start, end) in branches.items():
            found.append(_Found(m.field, start, end, None, texts[m.field][start:end], "ORG"))
        matches = [m for m in matches if m not in branches and m not in parents]
        quoted = quoted_spans(doc.text) if self.ner and chinese else []
        # an item of a list of things is no name (Tops、功耗等数据: TOPS, not the Tops supermarkets)
        things = set(common_list_items(doc.text)) if self.ner and chinese else set()
        for m in matches:
            if m.field == "text" and (m.start, m.end) in things:
                continue
            # A quoted Chinese term of a known name and a noun is a name of its own (“京东国际”, “湖南红茶”): a
            # sub-brand or product the KB does not know, the name not apart.
            term = next(((s, e) for s, e in quoted if m.field == "text" and s == m.start and e > m.end), None)
            if term is not None and named_term(doc.text, term[0], term[1], m.end):
                found.append(_Found("text", term[0], term[1], None, doc.text[term[0]:term[1]], "PRODUCT"))
                continue
            # A brand or product followed by a model designation is a product of its own (iPhone 8, Xiaomi Mi 6,
            # Samsung Galaxy S6, Intel Pentium Gold 4415Y): one PRODUCT the KB does not know, the brand not apart.
            if self.linker.entries[m.entity].type in ("ORG", "PRODUCT"):
                model_end = model_extent(texts[m.field], m.end)
                if model_end is not None:
                    found.append(_Found(m.field, m.start, model_end, None, texts[m.field][m.start:model_end],
                                        "PRODUCT"))
                    continue
            # A place at the head of an organisation's name is not a mention of the place (香港寬頻, Malaysia
            # Airlines): the whole name is an organisation the KB does not know.
            if self.linker.entries[m.entity].type == "GPE" and not is_cjk(texts[m.field][m.start]) \
                    and in_natural_feature(texts[m.field], m.start, m.end):
                continue  # an island, valley or mountain named after a place: "pulau Sumatera", "Klang Valley"
            org = org_extent(texts[m.field], m.start, m.end) if self.linker.entries[m.entity].type == "GPE" else None
            if org is None and m.field == "text" and ner_lang(doc.lang) == "vi" \
                    and self.linker.entries[m.entity].type == "GPE":
                org = vietnamese_org_around(texts[m.field], m.start, m.end)  # Bộ Thương mại Mỹ
            if org is None and m.field == "text" and self.linker.entries[m.entity].type == "GPE":
                org = next(((s, e) for s, e in orgs if s <= m.start and m.end <= e), None)
            if org is None and m.field == "text" and self.linker.entries[m.entity].type == "GPE" and any(
                    s <= m.start and m.end <= e and e - s > m.end - m.start for s, e in unnamed):
                continue
            if org is None:
                # Chinese has no spaces: a short dictionary name inside a longer word is not a mention (北海 in
                # 拱北海關, 新产 in 新产品); a place may run on into a word (日本政府, 湖南省).
                if m.end - m.start <= 3 and is_cjk(texts[m.field][m.start]):
                    at_start, at_end = word_bounds(texts[m.field], m.start, m.end)
                    # a word that is two KB names in a row is both (联合国安理会)
                    at_start = at_start or (m.field, m.start) in match_ends
                    at_end = at_end or (m.field, m.end) in match_starts
                    if not at_start or (not at_end and self.linker.entries[m.entity].type != "GPE"):
                        continue
                found.append(self._kb(m))
            elif not any(o.field == m.field and o.start < org[1] and org[0] < o.end and
                         (o.kb_id or (o.start, o.end) == org) for o in found):
                found.append(_Found(m.field, org[0], org[1], None, texts[m.field][org[0]:org[1]], "ORG"))
        if self.ner or self.heuristics:
            for segment in segments:
                lang = doc.lang if segment.field == "text" else "en"
                spans = list(text_spans) if segment.field == "text" else None
                found = self._discover(segment, lang, found, spans)
        found += _bare_models(found, texts)
        return _group(_corefer(found, texts), texts)

    def _zh_orgs(self, doc: Article, spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
        """Organisation names the statistical model found (`spans`) in Chinese text, longer than a place name."""
        if ner_lang(doc.lang) != "zh":
            return []
        out = []
        for start, end, label in spans:
            span = zh_model_span(doc.text, start, end, label) if label == "ORG" else None
            if span is None:
                continue
            start, end = span
            surface = doc.text[start:end]
            if end - start >= 4 and org_tail(surface) and keep_span(surface, doc.lang, label, doc.text):
                out.append((start, end))
        return out

    def _kb(self, m: Match) -> _Found:
        entry = self.linker.entries[m.entity]
        return _Found(m.field, m.start, m.end, entry.id, entry.name, entry.type)

    def _discover(self, segment: LinkField, lang: str, found: list[_Found],
                  spans: list[tuple[int, int, str]] | None = None) -> list[_Found]:
        """`found` plus the names the models see in one segment (`spans`: the model's, when already found). A
        model's organisation name that holds KB places and nothing else ("Beijing Municipal Education
        Commission", "China Children's Center") replaces them: a place inside a longer name is not a mention of
        the place."""
        text = segment.text
        linked = {(f.start, f.end): f for f in found if f.field == segment.field and f.kb_id}
        chinese = ner_lang(lang) == "zh"  # the zh model's organisation spans run on past names (湖南高质量)
        taken = [(f.start, f.end) for f in found if f.field == segment.field]
        if spans is None:
            spans = ner_spans(text, lang) if self.ner else []
        names = set()
        if self.ner and chinese:  # Chinese personal names by surname and context (zh.py)
            names = {(s, e) for s, e, _ in person_spans(text) if not _overlaps(s, e, [sp[:2] for sp in spans])}
            spans += [(s, e, "PERSON") for s, e in names]
            # Items of a list of organisations or sources (中国中车、中联重科等48家企业; 综合整理自澎湃新闻、雷锋网) and
            # long names of common words that end in what kind of organisation it is (國際管理發展學院)
            listed = list_org_spans(text) + named_org_spans(text)  # beat a model span across them
            spans = [sp for sp in spans if (sp[0], sp[1]) in names or not _overlaps(sp[0], sp[1], listed)]
            for s, e in listed:
                names.add((s, e))
                spans.append((s, e, "ORG"))
            # Names the text introduces as names (名为“冰里春”, 名为DNC): products, or organisations by their ending
            called = [(s, e) for s, e in called_spans(text) if not _overlaps(s, e, [sp[:2] for sp in spans if (
                sp[0], sp[1]) in names])]
            spans = [sp for sp in spans if (sp[0], sp[1]) in names or not _overlaps(sp[0], sp[1], called)]
            for s, e in called:
                names.add((s, e))
                spans.append((s, e, "ORG" if org_tail(text[s:e]) else "PRODUCT"))
            # Chinese names with a model number (含光800): products; over a model span that cuts them
            models = model_spans(text)
            spans = [sp for sp in spans if (sp[0], sp[1]) in names or not _overlaps(sp[0], sp[1], models)]
            for s, e in models:
                if not _overlaps(s, e, [sp[:2] for sp in spans]):
                    names.add((s, e))
                    spans.append((s, e, "PRODUCT"))
            # nothing inside an event or venue named with common words (德国纽伦堡国际啤酒、酿酒及饮料工业展览会)
            events = unnamed_spans(text, quotes=False)
            quoted_terms = quoted_spans(text)  # a place inside a quoted term (“中国制造”) neither
            things = set(common_list_items(text))  # nor an item of a list of things (Tops、功耗等数据)
            spans = [sp for sp in spans if (sp[0], sp[1]) in names or (sp[0], sp[1]) not in things]
            spans = [sp for sp in spans if sp[2] != "GPE" or not any(
                s <= sp[0] and sp[1] <= e and e - s > sp[1] - sp[0] for s, e in quoted_terms)]
            spans = [sp for sp in spans if (sp[0], sp[1]) in names or sp[2] == "PERSON" or not any(
                s <= sp[0] and sp[1] <= e and e - s > sp[1] - sp[0] for s, e in events)]
            # Latin-script names in Chinese text (DeepMind, Laura Nettle), labelled by the English model
            # a Latin name in brackets right after an event's Chinese name is the event's (展览会（Brau Beviale）)
            event_names = {text[s:e] for s, e in latin_spans(text, common_words()) if s > 0 and text[s - 1] in "（(" and
                           any(ee == s - 1 for _es, ee in events)}
            # nor a Latin word inside a quoted Chinese term (“GOGO武汉”, a campaign)
            terms = [(s, e) for s, e in quoted_spans(text) if any(is_cjk(ch) for ch in text[s:e])]
            for s, e in latin_spans(text, common_words()):
                if (s, e) in things or any(ts <= s and e <= te and te - ts > e - s for ts, te in terms):
                    continue
                if text[s:e] not in event_names and not _overlaps(s, e, [sp[:2] for sp in spans]):
                    names.add((s, e))
                    spans.append((s, e, _latin_label(text[s:e])))
        bylines: set[tuple[int, int, str]] = set()
        if self.ner and ner_lang(lang) == "en":  # also English read as edited text (the detector's en for en-mt)
            bylines = set(byline_names(text, taken, frozenset(k for k, f in linked.items() if f.label == "GPE")))
            spans += sorted(bylines)
        heuristic = heuristic_spans(text, lang, self.heuristics) if self.heuristics else []
        out: list[_Found] = []
        dropped: set[int] = set()
        # Model spans first, then heuristic ones; longer first within each; KB links already hold their spans.
        for start, end, label in sorted(spans, key=lambda s: (s[0] - s[1], s[0])) + \
                sorted(heuristic, key=lambda s: (s[0] - s[1], s[0])):
            refined = refine_span(text, start, end, label)
            if refined is None:
                continue
            start, end, label = refined
            if chinese and (start, end) not in names:
                zh_span = zh_model_span(text, start, end, label)
                if zh_span is None:
                    continue
                start, end = zh_span
            if label != "PERSON" and has_latin(text[start:end]):  # a model designation after it (Helio X20)
                model_end = model_extent(text, end)
                if model_end is not None:
                    end, label = model_end, "PRODUCT"
            surface = text[start:end]
            inner = [(s, e) for s, e in taken if start < e and s < end]
            brand = False
            head: _Found | None = None
            if inner and (start, end, label) in bylines and all(linked.get(span) and linked[span].label == "GPE"
                                                                for span in inner):
                pass  # a reporter's name holding a one-word place ("Wang Xian"): the name
            elif inner:
                inside = [linked[span] for span in inner
                          if span in linked and start <= span[0] and span[1] <= end and span[1] - span[0] < end - start]
                inside.sort(key=lambda f: f.start)
                if label == "PERSON" and inside and inside[-1].label == "GPE" and inside[-1].end == end \
                        and not chinese:
                    label = "ORG"  # a "person" ending in a country is a company's local unit (Chevron Malaysia)
                if len(inside) != len(inner) or label not in ("ORG", "PRODUCT"):
                    continue
                if chinese or not all(f.label == "GPE" for f in inside):
                    # a brand at the head of a longer English name: the brand's product or unit (Apple Pencil);
                    # a legal form after it is the brand itself (Malaysia Airlines Bhd)
                    head = inside[0]
                    if len(inside) == 2 and inside[1].label == "GPE" and inside[1].end == end and head.start == start \
                            and head.label == "ORG" and ner_lang(lang) == "en":
                        label, head = "ORG", None  # a company's unit in a country (Chevron Malaysia)
                    elif len(inside) != 1 or head.label != "ORG" or chinese:
                        continue
                    if head is None:
                        pass
                    elif head.start != start:  # a longer English name around it (New Straits Times)
                        if ner_lang(lang) != "en" or not _org_named(text[start:end]) \
                                or not re.search(r"[A-Za-z][ ]$", text[start:head.start]):
                            continue
                        label = "ORG"
                        head = None
                    elif not re.match(r"[ ][A-Za-z]", text[head.end:head.end + 2]):
                        continue
            if inner and head is not None:
                if all(w.rstrip(".").casefold() in LEGAL_FORMS for w in text[head.end:end].split()):
                    taken.remove((head.start, head.end))
                    dropped.add(id(linked.pop((head.start, head.end))))
                    taken.append((start, end))
                    out.append(_Found(head.field, start, end, head.kb_id, head.name, head.label))
                    continue
                if ner_lang(lang) != "en":
                    continue
                brand = True
                label = "ORG" if _org_named(text[head.end:end]) else "PRODUCT"
            if (start, end) not in names and not keep_span(surface, lang, label, text, brand=brand):
                continue
            if not inner and (lone_first_word(text, start, end) or names_a_day(text, start, end)
                              or (label == "GPE" and has_latin(surface) and in_natural_feature(text, start, end))):
                continue
            if not inner and not _overlaps(name_start(text, start, label), start, taken):
                start = name_start(text, start, label)
                surface = text[start:end]
            claims = [c for c in self.linker.lookup(surface) if c.scope in segment.scopes(start)]
            if inner and claims:
                continue
            for span in inner:
                taken.remove(span)
                dropped.add(id(linked.pop(span)))
            taken.append((start, end))
            if len(claims) == 1:  # the model saw a name where the KB has exactly one entity of that form
                out.append(self._kb(Match(segment.field, start, end, claims[0].entity, claims[0].ambiguous)))
            elif not claims:
                if label == "PERSON" and chinese and org_tail(surface):
                    label = "ORG"  # the model's "person" ends like an organisation (达摩院)
                if label == "PERSON":
                    # a mainland person the KB does not know is named in pinyin, as English text writes the name
                    name = (pinyin_name(surface) if lang == "zh-Hans" else None) or surface
                else:
                    name = org_name(surface) if label == "ORG" else surface
                out.append(_Found(segment.field, start, end, None, name, label))
        return [f for f in found if id(f) not in dropped] + out


def _org_named(words: str) -> bool:
    """Whether a name's words say it is an organisation (Cloud? no: Bank, Group, Centre, Malaysia: yes)."""
    for word in re.findall(r"[^\W\d_][\w.&'-]*", words):
        key = word.rstrip(".").casefold()
        if key in _ORG_WORDS_LATIN or key in ORG_HEADS:
            return True
    return False


def _latin_label(surface: str) -> str:
    """PERSON when the English model reads a Latin name alone as one person ("Laura Nettle"), else ORG."""
    found = ner_spans(surface, "en") if " " in surface else []
    return "PERSON" if [(s, e, label) for s, e, label in found] == [(0, len(surface), "PERSON")] else "ORG"


# Heads and tails of organisation names around a place name (Simplified; the text is matched on its folded view).
_ORG_TAILS_ZH = ("公司", "集团", "银行", "大学", "学院", "电台", "电视", "日报", "晚报", "时报", "报业", "新闻",
                 "航空", "电信", "电讯", "宽频", "宽带", "移动", "联通", "海关", "剧院", "医院", "协会", "委员会",
                 "证券", "保险", "控股", "科技", "基金", "交易所", "机场", "铁路", "地铁", "邮政",
                 "商会", "研究院", "研究所", "实验室", "能源", "石油", "电力")
_ORG_WORDS_LATIN = frozenset(w.casefold() for w in (
    "Airlines", "Airways", "Air", "Airport", "Telecom", "Telekom", "Telecommunications", "Mobile", "Bank",
    "Banking", "University", "Universitas", "Institute", "Institut", "College", "Times", "Post", "Daily", "News",
    "Herald", "Tribune", "Group", "Holdings", "Berhad", "Bhd", "Corp", "Corporation", "Company", "Co", "Ltd",
    "Limited", "Inc", "Railway", "Railways", "Rail", "Petroleum", "Energy", "Electric", "Electronics", "Motors",
    "Securities", "Insurance", "Exchange", "Broadcasting", "Television", "Radio", "Police", "Customs", "Museum",
    "Kementerian", "Badan", "Komisi", "Otoritas", "Dinas", "Televisi", "Trung", "Ngân", "Tập",
    "Đại", "Bộ", "Sở", "Công"))


# Legal forms after a company's name: "Malaysia Airlines Bhd" is Malaysia Airlines.
LEGAL_FORMS = frozenset({"berhad", "bhd", "inc", "incorporated", "ltd", "limited", "corp", "corporation", "co",
                         "company", "tbk", "plc", "llc", "ag", "sa", "gmbh", "nv", "bv", "pte", "pt", "holdings"})


# Model words that make a product name with or without a number ("iPad Pro", "iPhone SE").
_MODEL_SUFFIXES = frozenset({"pro", "max", "plus", "mini", "ultra", "lite", "se", "air", "neo", "edge", "fold",
                             "flip", "xl", "xr", "xs"})
_NOT_MODEL = re.compile(r"^(?:Q[1-4]|H[12]|FY\d*|\d{4,}|\d+(?:st|nd|rd|th|s|[kKmMbB]))$")
_MODEL_TOKEN = re.compile(r"[ ]?([A-Z][A-Za-z]*\d*[A-Za-z+]*|\d+[A-Za-z+]*|[A-Z]+\d+[A-Za-z+]*)"
                          r"(?![A-Za-z0-9.-]*[A-Za-z0-9])")


# A Chinese date or count word right after a number: the number is no model ("10月14日", "800台").
_CJK_COUNT = frozenset("年月日号时分秒岁元万亿千百个家名位次台部件款辆天周")


# A model designation standing alone: letters then digits (G4, A10X, S6), with model words after it (G4 Plus).
_BARE_MODEL = re.compile(r"(?<![\w.'’/-])([A-Z]{1,2}\d{1,3}[A-Z]{0,2})((?:[ ](?:Plus|Pro|Max|MAX|Mini|Ultra|Lite|SE|"
                         r"Edge|XL))*)(?![\w'’/-]|[.,]\d)")


def _bare_models(found: list[_Found], texts: dict[str, str]) -> list[_Found]:
    """Model designations named without their brand ("Moto G4 and G4 Plus", "an upgraded A10X processor") in an
    article that names a product by brand and model: products of their own, or the product whose name ends in
    them ("S6 Edge" after "Galaxy S6 Edge")."""
    products = [f for f in found if f.label in ("PRODUCT", "ORG") and f.value is None
                and re.search(r"[ ][A-Z]{0,2}\d+[A-Za-z]*$", texts[f.field][f.start:f.end])]
    if not products:
        return []
    out = []
    for field in sorted({f.field for f in products}):
        text = texts[field]
        taken = [(f.start, f.end) for f in found if f.field == field]
        names = {texts[f.field][f.start:f.end]: f for f in products}
        for m in _BARE_MODEL.finditer(text):
            start, end = m.start(), m.end()
            if _NOT_MODEL.match(m.group(1)) or re.fullmatch(r"[A-Z]2[A-Z]", m.group(1)) or _overlaps(start, end, taken):
                continue  # "B2B", "O2O" are trade terms
            surface = m.group()
            whole = next((f for name, f in names.items() if name.endswith(" " + surface)), None)
            if whole is not None:
                out.append(_Found(field, start, end, whole.kb_id, whole.name, whole.label))
            else:
                out.append(_Found(field, start, end, None, surface, "PRODUCT"))
    return out


def model_extent(text: str, end: int) -> int | None:
    """The end of a model designation right after a brand at text[:end], or None: up to three tokens, each
    capitalised or alphanumeric, the last with a digit or a model word (Pro, Max, SE...)."""
    from pipeline.script import is_cjk

    best = None
    pos = end
    for _ in range(3):
        m = _MODEL_TOKEN.match(text, pos)
        if m is None or (not m.group().startswith(" ") and not (pos > 0 and is_cjk(text[pos - 1]))):
            break
        token = m.group(1)
        if _NOT_MODEL.match(token) or re.match(r"[%,.]\d|%", text[m.end():m.end() + 2]) \
                or token.isdigit() and text[m.end():m.end() + 1] in _CJK_COUNT:
            break  # a year, quarter or amount: "Samsung 2019", "Alibaba Q3", "Apple 5%", "TNW中文站 10月14日"
        pos = m.end()
        if any(ch.isdigit() for ch in token) or token.casefold() in _MODEL_SUFFIXES:
            best = pos
    return best


# Last characters of a Chinese organisation name beyond _ORG_TAILS_ZH: ministries, bureaus, departments,
# academies, councils, centres, agencies, websites (外交部, 统计局, 科技厅, 工程院, 理事会, 研发中心, 通讯社, 雷锋网).
_ORG_ENDS_ZH = ("部", "局", "厅", "署", "院", "会", "中心", "社", "所", "处", "办", "委", "集团", "公司", "网")


# Government bodies that a country or city name heads (外交部, 商务部, 统计局, 证监会).
_BODIES = ("部", "局", "厅", "署", "委员会", "委", "会", "院", "办")


def org_tail(surface: str) -> bool:
    """Whether a Chinese name ends the way organisation names end (公司, 银行, 部, 局, 院, 中心...)."""
    folded = fold(surface)
    return folded.endswith(_ORG_TAILS_ZH) or folded.endswith(_ORG_ENDS_ZH)


def org_extent(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of an organisation name that the place text[start:end] is part of, or None when it stands alone:
    Chinese: the place runs on, without a break, into an organisation word within a few characters (香港寬頻,
    中国木偶剧院); Latin: a capitalised organisation word next to it (Malaysia Airlines, Bank Indonesia)."""
    from pipeline.entities.kb import fold
    from pipeline.script import is_cjk

    if start < end and is_cjk(text[start]):
        window = fold(text[end:end + 10])
        # a particle ends the name: 中國最大的雲公司 is a description, 中国和美国公司 two things
        cut = next((i for i, ch in enumerate(window) if not is_cjk(ch) or ch in "的和与及是在对将"), len(window))
        window = window[:cut]
        for tail in sorted(_ORG_TAILS_ZH, key=len, reverse=True):
            at = window.find(tail)
            if at >= 0 and at <= 6:
                return start, end + at + len(tail)
        return None
    after = re.match(r"[ ]+([A-ZÀ-Ỹ][\w&.'-]*)", text[end:end + 40])
    if after and after.group(1)[0].isupper() and after.group(1).rstrip(".").casefold() in _ORG_WORDS_LATIN:
        span_end = end + after.end()
        more = re.match(r"(?:[ ]+(?:[A-Z][\w&.'-]*))*", text[span_end:span_end + 60])
        return start, span_end + (more.end() if more else 0)
    before = re.search(r"([A-ZÀ-Ỹ][\w&.'-]*)[ ]+$", text[max(0, start - 40):start])
    if before and before.group(1)[0].isupper() and before.group(1).casefold() in _ORG_WORDS_LATIN:
        head = re.search(r"(?:[A-Z][\w&.'-]*[ ]+)*$", text[max(0, start - 80):start])
        return start - (len(head.group()) if head else len(before.group())), end
    return None


class _Cover:
    """Whether [start, end) lies inside one of a fixed set of spans: O(log n) a query (spans sorted by start,
    with the running maximum of their ends)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach: list[int] = []
        for _, e in ordered:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def __call__(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.reach[i] >= end


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def name_key(name: str) -> str:
    """One key for a name in any script: Chinese (Simplified or Traditional) as toneless pinyin, Latin without
    case, accents, spaces and hyphens, so 张一鸣, 張一鳴 and Zhang Yiming share one key."""
    import unicodedata

    from pipeline.entities.kb import fold
    from pipeline.script import has_cjk

    folded = re.sub(r"^the\s+(?=\w)", "", fold(name))  # "The Malaysian Reserve" = "Malaysian Reserve"
    if has_cjk(folded):
        from pypinyin import lazy_pinyin

        folded = "".join(lazy_pinyin(folded))
    ascii_ = unicodedata.normalize("NFKD", folded.replace("đ", "d")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_.lower()) or folded


def unknown_id(name: str) -> str:
    """The stable id of an entity the KB does not know: `x:new-` and a hash of its name key."""
    return "x:new-" + hashlib.sha1(name_key(name).encode("utf-8")).hexdigest()[:12]


def _corefer(found: list[_Found], texts: dict[str, str]) -> list[_Found]:
    """Short references to a longer name in the same article take that name's entity: part of a person's name
    alone (Mulyani, Melinda -> Sri Mulyani Indrawati, Melinda Gates) and an organisation's acronym (MAB ->
    Malaysia Airlines Berhad, TM -> Telekom Malaysia, BKPM -> Badan Koordinasi Penanaman Modal), where exactly
    one entity of the article fits."""
    people: dict[tuple[str, ...], set[tuple[str | None, str, str]]] = {}
    org_words: dict[str, set[tuple[str | None, str, str]]] = {}
    products: dict[str, tuple[str | None, str, str]] = {}
    initials: dict[str, set[tuple[str | None, str, str]]] = {}
    for f in found:
        if f.value is not None:
            continue
        surface = texts[f.field][f.start:f.end]
        who = (f.kb_id, f.name, f.label)
        words = surface.split()
        if f.label == "PERSON" and len(words) >= 2 and has_latin(surface):
            for i in range(len(words)):
                for j in range(i + 1, len(words) + (i > 0)):
                    people.setdefault(tuple(words[i:j]), set()).add(who)
        if f.label in ("ORG", "PRODUCT"):
            caps = [w for w in re.findall(r"[^\W\d_][\w'&.-]*", surface) if w[0].isupper()]
            if len(caps) >= 2:
                initials.setdefault("".join(w[0] for w in caps).upper(), set()).add(who)
        if f.label == "ORG" and len(words) >= 2:  # the distinctive word of an organisation's name (Tập đoàn FPT)
            for word in words:
                key = word.rstrip(".,").casefold()
                if word[0].isupper() and key not in _ORG_WORDS_LATIN and key not in LEGAL_FORMS \
                        and key not in common_words() and len(key) > 1:
                    org_words.setdefault(word.rstrip(".,"), set()).add(who)
        if f.label == "PRODUCT" and len(words) >= 2:
            products[surface] = who
    if not people and not initials and not org_words and not products:
        return found
    out = []
    for f in found:
        surface = texts[f.field][f.start:f.end]
        targets: set[tuple[str | None, str, str]] = set()
        if f.kb_id is None and f.value is None:
            if re.fullmatch(r"[A-Z]{2,6}", surface) and f.label != "GPE":
                targets = initials.get(surface, set())
            elif f.label in ("PERSON", "ORG", "GPE"):  # a model may call part of a person's name a place
                targets = people.get(tuple(surface.split()), set())
            if not targets and f.label in ("ORG", "PRODUCT") and " " not in surface:
                targets = set(org_words.get(surface, set()))
            if not targets and f.label == "PRODUCT" and " " in surface:
                # a brand before a product's name given alone elsewhere ("Xiaomi Redmi Note 4X", "Redmi Note 4X")
                targets = {who for name, who in products.items() if surface.endswith(" " + name)}
        targets.discard((f.kb_id, f.name, f.label))
        if len(targets) > 1:  # "Sri" in both "Sri Mulyani" and "Sri Mulyani Indrawati": the longest name
            targets = {t for t in targets if not any(t != u and _inside(t[1], u[1]) for u in targets)}
        if len(targets) > 1:  # a surname alone: the name that ends in it (Hanson -> David Hanson, not Hanson Robotics)
            targets = {t for t in targets if t[1].split()[-1] == surface} or targets
        if len(targets) == 1:
            kb_id, name, label = next(iter(targets))
            f = _Found(f.field, f.start, f.end, kb_id, name, label)
        out.append(f)
    return out


def _inside(short: str, long: str) -> bool:
    """Whether the words of one name run, in order, inside another's."""
    a, b = short.split(), long.split()
    return len(a) < len(b) and any(b[i:i + len(a)] == a for i in range(len(b) - len(a) + 1))


def _group(found: list[_Found], texts: dict[str, str]) -> list[dict[str, Any]]:
    """One record per entity (KB id; else label and folded name), mentions and entities in text order."""
    groups: dict[tuple[str, ...], list[_Found]] = {}
    for f in found:
        key = ("kb", f.kb_id) if f.kb_id else ("new", f.label, fold(f.name)) if f.value else ("new", unknown_id(f.name))
        groups.setdefault(key, []).append(f)
    records = []
    for items in groups.values():
        items.sort(key=lambda f: (_FIELD_RANK[f.field], f.start, f.end))
        first = items[0]
        record: dict[str, Any] = {"kb_id": first.kb_id, "name": first.name, "label": first.label}
        if first.value is None:
            record["entity_id"] = first.kb_id or unknown_id(first.name)
        if first.value is not None:
            record["value"] = first.value
        record["mentions"] = [{"field": f.field, "start": f.start, "end": f.end,
                               "text": texts[f.field][f.start:f.end]} for f in items]
        records.append(record)
    records.sort(key=lambda r: (_FIELD_RANK[r["mentions"][0]["field"]], r["mentions"][0]["start"],
                                r["mentions"][0]["end"], r["label"], r["name"]))
    return records
