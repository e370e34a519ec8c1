"""Chinese names without word spaces: person names by surname and context, and where a dictionary name
found inside running Chinese text is only part of another word.

Person names (张尚武, 歐婉姍) are mostly unknown to any knowledge base and the statistical model misses many of
them. Three kinds of evidence, all on the Simplified view of the text:
- a jieba token tagged `nr` of 3 characters (4 with a two-character surname) that starts with a surname;
- a surname and one or two characters right after a title or role (副主任侯顺利, 秘书长王准, 记者 张尚武);
- a credit in brackets made only of such names ("(歐婉姍 黃彩嬋)", "（记者 陆一夫）").
Surnames are CC-CEDICT's ("surname Zhang"); a candidate that CC-CEDICT lists as a common word (张量 "tensor",
高度 "height") is not a name. Both lists are built by `make kb` (kb/zh_names.txt).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pipeline.lazy import load_once
from pipeline.script import is_cjk, simplified_view

__all__ = [
    "called_spans",
    "common_list_items",
    "model_spans",
    "named_org_spans",
    "pinyin_name",
    "quoted_spans",
    "named_term",
    "zh_model_span",
    "latin_spans",
    "list_org_spans",
    "local_org_spans",
    "person_spans",
    "surnames",
    "word_bounds",
    "unnamed_spans",
]

NAMES_FILE = Path(__file__).resolve().parent / "kb" / "zh_names.txt"

# Titles and roles written right before a name (Simplified). A name after one of them is a person's name.
_TITLES = (
    "记者",
    "通讯员",
    "摄影",
    "摄",
    "编辑",
    "责编",
    "责任编辑",
    "编译",
    "实习生",
    "作者",
    "撰文",
    "文",
    "图",
    "主任",
    "副主任",
    "秘书长",
    "书记",
    "副书记",
    "部长",
    "副部长",
    "厅长",
    "局长",
    "处长",
    "省长",
    "副省长",
    "市长",
    "副市长",
    "县长",
    "区长",
    "主席",
    "副主席",
    "总理",
    "副总理",
    "总统",
    "委员",
    "常委",
    "院士",
    "教授",
    "博士",
    "董事长",
    "副董事长",
    "董事",
    "总裁",
    "副总裁",
    "总经理",
    "副总经理",
    "经理",
    "首席执行官",
    "执行官",
    "首席",
    "行政总裁",
    "总监",
    "创始人",
    "联合创始人",
    "发言人",
    "负责人",
    "会长",
    "副会长",
    "理事长",
    "校长",
    "院长",
    "所长",
    "社长",
    "主编",
    "总编辑",
    "司长",
    "署长",
    "大使",
    "议员",
    "法官",
    "律师",
    "分析师",
    "研究员",
    "主持人",
    "CEO",
    "CTO",
    "CFO",
    "COO",
)
_TITLE_RE = re.compile("(?:" + "|".join(sorted(map(re.escape, _TITLES), key=len, reverse=True)) + r")[ \u3000]?$")
# A form of address after a surname is a reference by role, not a name (李先生, 王女士).
_NUMERALS = frozenset("一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾")
# Particles, prepositions and verbs that follow a name in a sentence and are rarely the end of one.
_PARTICLES = frozenset("的了在对等将同是和与及说也都就又被把从向给为以于由中称表")
_ADDRESS = ("先生", "女士", "小姐", "太太", "老师", "师傅", "同学", "总", "董", "某")


@load_once
def _romanised() -> dict[str, str]:
    """Surname -> its romanisation (CC-CEDICT: 单 -> Shan, 欧阳 -> Ouyang)."""
    out = {}
    try:
        lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] == "surname":
            out[parts[1]] = parts[2]
    return out


def pinyin_name(name: str) -> str | None:
    """The pinyin form of a mainland personal name as English text writes it: surname, space, given name in one
    word (张尚武 -> Zhang Shangwu, 欧阳修 -> Ouyang Xiu); None when name is not a Chinese personal name."""
    from pypinyin import Style, lazy_pinyin

    from pipeline.script import to_simplified

    simple = to_simplified(name)
    n = _surname_len(simple)
    if not is_name(simple):
        return None
    surname = _romanised().get(simple[:n]) or "".join(lazy_pinyin(simple[:n], style=Style.NORMAL)).capitalize()
    given = "".join(lazy_pinyin(simple[n:], style=Style.NORMAL, v_to_u=True))
    return f"{surname} {given.capitalize()}" if given.isalpha() else None


@load_once
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    surnames: set[str] = set()
    common: set[str] = set()
    try:
        lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        if line.startswith("#") or "\t" not in line:
            continue
        kind, word = line.split("\t")[:2]
        (surnames if kind == "surname" else common).add(word.strip())
    return frozenset(surnames), frozenset(common)


def surnames() -> frozenset[str]:
    """Chinese surnames (Simplified, one or two characters)."""
    return _lists()[0]


def _surname_len(name: str) -> int:
    """Length of the surname at the start of name (2 for 欧阳, 1 for 张), 0 when it starts with none."""
    known = surnames()
    if name[:2] in known and len(name) >= 3:
        return 2
    return 1 if name[:1] in known else 0


def is_name(name: str) -> bool:
    """Whether a Simplified string reads as a Chinese personal name: a surname and a one- or two-character given
    name, all CJK, not a common word and not a form of address."""
    n = _surname_len(name)
    if not n or not 1 <= len(name) - n <= 2 or not all(is_cjk(ch) for ch in name):
        return False
    if name in _lists()[1] or name[n:] in _ADDRESS or any(name.endswith(a) for a in _ADDRESS):
        return False
    # jieba glues a surname-like character to the next word or a particle to a name: 过程中, 教育等, 周晨对
    if len(name) - n == 2 and (name[: n + 1] in _lists()[1] or name[-1] in _PARTICLES):
        return False
    return True


@lru_cache(maxsize=64)
def _tokens(simple: str) -> tuple[tuple[int, int, str, str], ...]:
    import jieba.posseg

    out = []
    pos = 0
    for word, flag in jieba.posseg.cut(simple):
        out.append((pos, pos + len(word), word, flag))
        pos += len(word)
    return tuple(out)


def person_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, "PERSON") of Chinese personal names in text (offsets into text)."""
    if not text or not any(is_cjk(ch) for ch in text):
        return []
    view = simplified_view(text)
    simple = view.text
    tokens = _tokens(simple)
    found: dict[int, int] = {}
    starts = {t[0]: i for i, t in enumerate(tokens)}
    for i, (s, e, word, flag) in enumerate(tokens):
        if flag == "nr" and len(word) - _surname_len(word) == 2 and is_name(word):
            # two-character jieba names are too often words (华声, 云栖): context needed; after a numeral it is
            # the rest of an idiom (一石二鳥)
            if not (i > 0 and (tokens[i - 1][3] == "m" or tokens[i - 1][2][-1:] in _NUMERALS)):
                found.setdefault(s, e)
            continue
        # A surname after a title or role: the name is the jieba token(s) that make 2-3 characters from there.
        if _surname_len(word) and _TITLE_RE.search(simple[max(0, s - 6) : s]):
            end = _name_end(simple, tokens, i)
            if end is not None:
                found.setdefault(s, end)
    # Credits in brackets: "(歐婉姍 黃彩嬋)", "（记者 陆一夫）": every space-separated part a name.
    for m in re.finditer(r"[(（]([^()（）\n]{2,40})[)）]", simple):
        parts = list(re.finditer(r"[^\s\u3000]+", m.group(1)))
        names = [p for p in parts if is_name(p.group())]
        if names and all(is_name(p.group()) or _TITLE_RE.search(p.group()) for p in parts):
            for p in names:
                found.setdefault(m.start(1) + p.start(), m.start(1) + p.end())
    out = []
    for s, e in sorted(found.items()):
        if s in starts or s == 0 or not is_cjk(simple[s - 1]) or _TITLE_RE.search(simple[max(0, s - 6) : s]):
            out.append((view.start(s), view.end(e), "PERSON"))
    return out


def _name_end(simple: str, tokens: tuple[tuple[int, int, str, str], ...], i: int) -> int | None:
    """End of a name starting at token i: whole jieba tokens adding up to a surname and a 1-2 character given
    name, preferring the longer reading when the next character is not part of a word jieba sees there."""
    s = tokens[i][0]
    best = None
    end = s
    for j in range(i, min(i + 3, len(tokens))):
        end = tokens[j][1]
        candidate = simple[s:end]
        if len(candidate) > 4:
            break
        if is_name(candidate):
            best = end
    return best


def word_bounds(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether jieba (on the Simplified view, without its guessing model) puts a word boundary at the start and at
    the end of a Chinese match text[start:end]. A match that starts inside a word is part of another name (北海 in
    拱北海關, 比利 in 朱比利线); one that ends inside a word may be (新产 in 新产品) or may be a place with what
    follows (日本政府, 湖南省)."""
    lo, hi = start, end
    while lo > 0 and start - lo < 8 and is_cjk(text[lo - 1]):
        lo -= 1
    while hi < len(text) and hi - end < 8 and is_cjk(text[hi]):
        hi += 1
    window = simplified_view(text[lo:hi])
    if window.origin is not None:
        return True, True  # a phrase rule changed the length: no reliable offsets, keep the match
    bounds = {0}
    pos = 0
    for word in _cut(window.text):
        pos += len(word)
        bounds.add(pos)
    return start - lo in bounds, end - lo in bounds


@lru_cache(maxsize=4096)
def _cut(window: str) -> tuple[str, ...]:
    import jieba

    return tuple(jieba.cut(window, HMM=False))


# Provincial and city bodies named without the place (省科技厅, 市人大常委会, 省茶业协会): 省/市/县 and a few
# characters up to what kind of body it is; the name starts a phrase (after punctuation, a line start, 、 or a
# preposition or conjunction: 由, 与, 和...).
_LOCAL_ORG = re.compile(
    r"(?:(?<=^)|(?<=[\s,.;:!?()、，。；：！？（）“”\"'《》由与和及向据在对]))(?:省|市|县|区)委?"
    r"[\u4e00-\u9fff]{1,6}?(?:常委会|委员会|协会|学会|商会|联合会|办公厅|厅|局|署|法院|检察院|政府)"
    r"(?![会员])",
    re.M,
)


def _view_spans(pattern: re.Pattern[str], text: str, group: int | None = 0) -> list[tuple[int, int]]:
    """Spans in text of a pattern's matches (`group` of each; None: the alternative's group that matched), the
    pattern being matched on the Simplified view of text."""
    view = simplified_view(text)
    out = []
    for m in pattern.finditer(view.text):
        g = (m.lastindex or 0) if group is None else group
        out.append((view.start(m.start(g)), view.end(m.end(g))))
    return out


def local_org_spans(text: str) -> list[tuple[int, int]]:
    """Spans of provincial and municipal bodies named without their place (省科技厅, 省人大常委会)."""
    return _view_spans(_LOCAL_ORG, text)


# Latin-script names inside Chinese text (DeepMind, Ardagh Group, Laura Nettle): the Chinese model hardly sees
# Latin letters. A run of words each with a capital letter, joined by single spaces.
_LATIN_NAME = re.compile(
    r"(?<![A-Za-z0-9&.'+-])[A-Za-z][A-Za-z&.'+-]*[A-Za-z+]"
    r"(?:[ ][A-Za-z][A-Za-z&.'+-]*[A-Za-z+])*(?![A-Za-z0-9&'+-])"
)
# What such a run names when it is not an organisation, product or person: events and prizes.
_EVENT_WORDS = frozenset(
    {
        "award",
        "awards",
        "prize",
        "festival",
        "expo",
        "conference",
        "summit",
        "forum",
        "week",
        "day",
        "cup",
        "championship",
        "games",
        "show",
        "fair",
    }
)


def latin_spans(text: str, common: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of Latin-script names in Chinese text: every word capitalised somewhere (iPhone, DeepMind, FBIF),
    no digits, not a short acronym of 1-3 letters (AI, CEO, SoC), not one common English word (`common`:
    lower-case), not an event ("... Awards"). Leading and trailing short acronyms are left out (AlphaGo AI)."""
    out = []
    for m in _LATIN_NAME.finditer(text):
        words = list(re.finditer(r"\S+", m.group()))
        while words and len(words[-1].group()) <= 3 and words[-1].group().isupper():
            words.pop()
        while words and len(words[0].group()) <= 3 and words[0].group().isupper():
            words.pop(0)
        if not words or not all(any(ch.isupper() for ch in w.group()) for w in words):
            continue
        surface = m.group()[words[0].start() : words[-1].end()]
        if len(surface) <= 3 or (len(words) == 1 and surface.casefold() in common):
            continue
        if words[-1].group().casefold() in _EVENT_WORDS or "-" in surface and surface.replace("-", "").isupper():
            continue
        out.append((m.start() + words[0].start(), m.start() + words[-1].end()))
    return out


# Organisations named in a list the text says are organisations: "中国中车、中联重科、远大科技等48家企业",
# "(综合整理自澎湃新闻、智东西、雷锋网等)", "来源：新京报". Items are 2-10 characters without punctuation.
_ITEM = r"[\u4e00-\u9fffA-Za-z0-9&·]{2,10}"
_KIND_LIST = re.compile(
    rf"((?:{_ITEM}、)+{_ITEM})等(?:[0-9一二三四五六七八九十百多余]+[家个])?[\u4e00-\u9fff]{{0,4}}?"
    r"(?:企业|公司|集团|机构|银行|券商|媒体|平台|厂商|车企|品牌|高校|大学|单位|网站)"
)
_SOURCE_LIST = re.compile(
    rf"(?:综合整理自|整理自|转载自|编译自|来源[:：]|来源于|消息来源[:：])[ ]?"
    rf"((?:{_ITEM}、)*{_ITEM})(?=等|[)）\n。，,；;]|$)"
)


# The outlet an article credits itself to: a dateline (新京报讯（记者..., 湖南日报12月10日讯, TNW中文站 10月14日报道),
# a reporter's line opened by the outlet (新京报记者 陆一夫), and the site name that ends a headline line with its
# channel and site ("… - 视点头条 - 湖南日报网 - 华声在线"). Words for the paper itself or a kind of reporter
# (本报记者, 全媒体记者) are no outlet.
_OUTLET = r"[\u4e00-\u9fffA-Za-z&·]{2,10}"
_CREDIT = re.compile(
    rf"(?:^|(?<=[（(]))[ \u3000]*({_OUTLET}?)(?:讯(?=[（(])|[ ]?\d{{1,2}}月\d{{1,2}}日(?:讯|报道)|记者[ \u3000])", re.M
)
_NOT_OUTLET = frozenset(
    {"本报", "本网", "本刊", "本台", "本站", "全媒体", "融媒体", "特约", "实习", "见习", "首席", "驻站"}
)
_HEADLINE_SITE = re.compile(r"\A[ \u3000]*[^\n]+?(?:[ ][-_|][ ][^\n]+?)+[ ][-_|][ ]([^\s\-_|]{2,10})[ \u3000]*$", re.M)


def list_org_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the items of a list of organisations or of sources (Simplified or Traditional), and of the
    outlet a dateline, reporter's line or headline credits (see above)."""
    view = simplified_view(text)
    out = []
    for m in _CREDIT.finditer(view.text):
        if m.group(1) not in _NOT_OUTLET and not m.group(1).endswith(_TITLES):
            out.append((view.start(m.start(1)), view.end(m.end(1))))
    site = _HEADLINE_SITE.search(view.text)
    if site:
        out.append((view.start(site.start(1)), view.end(site.end(1))))
    for pattern in (_KIND_LIST, _SOURCE_LIST):
        for m in pattern.finditer(view.text):
            items = m.group(1).split("、")
            pos = m.start(1)
            if pattern is _KIND_LIST:  # the first item may have run on from the words before it (的有华为)
                first = _last_words(items[0])
                pos += len(items[0]) - len(first)
                items[0] = first
            for item in items:
                name = item.removesuffix("等").removesuffix("在内")
                if len(name) >= 2 and not name.isdigit():
                    out.append((view.start(pos), view.end(pos + len(name))))
                pos += len(item) + 1
    return sorted(set(out))


_LIST_LEAD = frozenset(
    {
        "的",
        "有",
        "是",
        "和",
        "与",
        "在",
        "了",
        "包括",
        "如",
        "像",
        "例如",
        "比如",
        "以及",
        "及",
        "由",
        "对",
        "向",
        "将",
        "把",
        "被",
        "从",
        "等",
        "其中",
        "还有",
        "参与",
        "参加",
        "合作",
        "联合",
    }
)


def _last_words(item: str) -> str:
    """The words at the end of a run of characters, back to the first particle or verb of a list's lead-in."""
    words = list(_cut(item))
    kept: list[str] = []
    while words and words[-1] not in _LIST_LEAD and len("".join(kept)) + len(words[-1]) <= 8:
        kept.insert(0, words.pop())
    return "".join(kept)


# The governing body of an organisation, written after its name ("…总社理事会副主任"): the person holds an office in
# the organisation, which is the name.
_BOARD = re.compile(r"(理事会|董事会|监事会|党委|党组|常委会)$")


def zh_model_span(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """A Chinese span of the statistical model made into a name, or None: an organisation without the board its
    name ends in (中华全国供销合作总社理事会 -> 中华全国供销合作总社), no description with 的 (中國最大的雲公司), no
    quotes or ordinal (第十八届“世界饮料创新奖), no surname with a form of address (李先生), and no
    person whose "name" CC-CEDICT lists as a common word (张量 "tensor")."""
    view = simplified_view(text[start:end])
    simple = view.text
    if re.search(r"[“”\"《》「」『』]|^第[0-9一二三四五六七八九十百]", simple):
        return None  # a title or an ordinal event (第十八届“世界饮料创新奖), not a name
    if label == "ORG":
        if "的" in simple or simple.endswith(_EVENT_ENDS):
            return None  # a description, or an event or venue (湖南国际会展中心)
        board = _BOARD.search(simple)
        if board and board.start() >= 4 and view.origin is None:
            from pipeline.entities.extract import org_tail

            if org_tail(simple[: board.start()]):
                return start, start + board.start()
    if label == "PERSON" and simple in _lists()[1]:
        return None
    n = _surname_len(simple)
    if n and (simple[n:] in _ADDRESS or simple[n:] == "某"):
        return None  # a surname and a form of address (李先生, 王女士, 马某): no name
    return start, end


# A Chinese name followed by a model number is a product (含光800, 玄铁910, 麒麟990): a noun-like jieba token of
# 2-3 characters, then 2-4 digits that are neither a year nor a count or measure (台, 万, 元, 名, 毫秒, ms...).
_COUNT_AFTER = frozenset("年月日号时分秒岁元角万亿千百十个家名人位次台部件款辆架艘只条张本份倍天周度米克吨斤%％.:：,，")
_UNIT_AFTER = frozenset("毫微纳兆赫瓦伏帧像码寸")
_NOUN_TAGS = frozenset({"n", "nr", "nz", "nt", "ns", "nrt", "i", "j", "l"})


def model_spans(text: str) -> list[tuple[int, int]]:
    """Spans of Chinese product names with a model number."""
    view = simplified_view(text)
    simple = view.text
    tokens = _tokens(simple)
    out = []
    for i in range(len(tokens) - 1):
        s, e, word, flag = tokens[i]
        digits = tokens[i + 1][2]
        if flag not in _NOUN_TAGS or not 2 <= len(word) <= 3 or not all(is_cjk(ch) for ch in word):
            continue
        if not (digits.isdigit() and 2 <= len(digits) <= 4 and tokens[i + 1][0] == e):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", digits) or word in _lists()[1]:
            continue
        after = simple[tokens[i + 1][1] : tokens[i + 1][1] + 1]
        if after in _COUNT_AFTER or after in _UNIT_AFTER or (after.isascii() and after.isalpha()):  # 300ms, 8GB
            continue
        out.append((view.start(s), view.end(tokens[i + 1][1])))
    return out


# Long organisation names the model misses (香港生成式人工智能研發中心, 國際管理發展學院): a run of noun-like jieba
# tokens that ends in a word saying what kind of organisation it is, at least 2 tokens and 6 characters before
# it, and starts a phrase (after punctuation, a preposition or a line start).
_ORG_SUFFIX_WORDS = frozenset(
    {
        "中心",
        "学院",
        "研究院",
        "研究所",
        "协会",
        "委员会",
        "基金会",
        "联合会",
        "实验室",
        "大学",
        "医院",
        "银行",
        "集团",
        "交易所",
        "商会",
        "学会",
    }
)
_RUN_TAGS = frozenset({"n", "nz", "ns", "nt", "vn", "l", "j", "eng", "an", "nrt"})
_RUN_START = frozenset({"p", "c", "x", "v", "uj"})


def named_org_spans(text: str) -> list[tuple[int, int]]:
    """Spans of long organisation names made of common words (see above)."""
    view = simplified_view(text)
    tokens = _tokens(view.text)
    out = []
    for i, (_s, e, word, _flag) in enumerate(tokens):
        if word not in _ORG_SUFFIX_WORDS:
            continue
        j = i
        while j > 0 and tokens[j - 1][3] in _RUN_TAGS and all(is_cjk(ch) for ch in tokens[j - 1][2]):
            j -= 1
        if i - j < 2 or e - tokens[j][0] < 6:
            continue
        if j > 0 and tokens[j - 1][3] not in _RUN_START or tokens[i - 1][2] + word in _EVENT_ENDS:
            continue
        out.append((view.start(tokens[j][0]), view.end(e)))
    things = set(common_list_items(text))  # not an item of a list of things (数据管理、电话客务中心和技术开发三方面)
    return [span for span in out if span not in things]


# Names of events, venues and times that begin with a place (第十三届湖南茶业博览会, 湖南国际会展中心,
# 2021中国国际轨道交通和装备制造产业人才峰会, 英国夏令时): a run of noun-like jieba tokens (numbers, conjunctions,
# 、 and a verb between nouns allowed: 装备制造产业) that ends in a word for an event, venue or time. The dev set's
# rules annotate neither the event nor a place inside it.
_EVENT_ENDS = (
    "博览会",
    "展览会",
    "交易会",
    "推介会",
    "发布会",
    "研讨会",
    "峰会",
    "论坛",
    "大会",
    "年会",
    "展会",
    "运动会",
    "锦标赛",
    "大赛",
    "会展中心",
    "展览中心",
    "会议中心",
    "夏令时",
    "冬令时",
    "标准时间",
)
_EVENT_RUN_TAGS = _RUN_TAGS | {"m", "c", "nr", "ng"}
_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"\n，。；：！？,;:!?]{2,15})[”」』\"]")


def unnamed_spans(text: str, quotes: bool = True) -> list[tuple[int, int]]:
    """Spans of events, venues and times named with a place (see above), and of quoted terms (“湖南红茶”, “GOGO武汉”):
    a place strictly inside one is part of that term, not a mention of the place."""
    view = simplified_view(text)
    tokens = _tokens(view.text)
    out = []
    for i, (_s, e, word, _flag) in enumerate(tokens):
        if not word.endswith(_EVENT_ENDS):
            continue
        j = i
        while j > 0 and e - tokens[j - 1][0] <= 30:
            prev = tokens[j - 1]
            if prev[3] in _EVENT_RUN_TAGS or prev[2] == "、":
                j -= 1
            elif prev[3] == "v" and j >= 2 and tokens[j - 2][3] == "n" and tokens[j][3] == "n":
                j -= 1
            else:
                break
        if j < i:
            out.append((view.start(tokens[j][0]), view.end(e)))
    if quotes:
        out += quoted_spans(text)
    return out


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of short quoted terms (“京东国际”, “湖南红茶”), inside the quotation marks."""
    return _view_spans(_QUOTED, text, 1)


_TERM_TAGS = frozenset({"n", "nz", "nt", "ng", "nr", "vn", "an"})


def named_term(text: str, start: int, end: int, head_end: int) -> bool:
    """Whether a quoted term text[start:end] that opens with a known name (text[start:head_end]) is a name of its
    own: the name and 2-4 Chinese characters of nouns (“京东国际”, “湖南红茶”; not “中国制造”, “美国优先”)."""
    rest = simplified_view(text[head_end:end]).text
    if not 2 <= len(rest) <= 4 or not all(is_cjk(ch) for ch in rest):
        return False
    return all(flag in _TERM_TAGS for _s, _e, _w, flag in _tokens(rest))


def is_event(name: str) -> bool:
    """Whether a Chinese name is that of an event, venue or time (湖南国际会展中心, 世界饮料创新大赛)."""
    return simplified_view(name).text.endswith(_EVENT_ENDS)


# A name the text introduces as one: "一款名为“冰里春”的高山茶", "这款名为DNC（…）的AI模型". After 名为, 叫做, 称为,
# 命名为 or 取名为: a quoted term, or a run of Latin letters and digits.
_CALLED = re.compile(
    r"(?:名为|名叫|叫做|称为|命名为|取名为)[ ]?(?:[“「]([^“”「」\n，。；：！？]{2,15})[”」]"
    r"|([A-Za-z][A-Za-z0-9+-]*(?:[ ][A-Z][A-Za-z0-9+-]*)*))"
)


def called_spans(text: str) -> list[tuple[int, int]]:
    """Spans of names the text introduces as names (see above): the quoted term or the Latin run."""
    return _view_spans(_CALLED, text, None)


# Items of a list the text types as something other than names: "Tops、功耗等数据", "服务器、FPGA以及存储等领域",
# "数据管理、电话客务中心和技术开发三方面".
_COMMON_LIST = re.compile(
    rf"((?:{_ITEM}、)+[\u4e00-\u9fffA-Za-z0-9&·]{{2,12}}?)"
    r"(?:等(?:[0-9一二三四五六七八九十百多余]+[个项种类大])?|[0-9两三四五六七八九十]+[个项种类大]?)"
    r"(?:数据|领域|技术|指标|参数|方面|功能|场景|因素|问题|行业|业务|环节|工艺|材料|算法|硬件|软件)"
)


def common_list_items(text: str) -> list[tuple[int, int]]:
    """Spans of the items of a list of things that are not names (see above); 以及, 及, 和 and 与 also join items."""
    view = simplified_view(text)
    out = []
    for m in _COMMON_LIST.finditer(view.text):
        parts = re.split(r"(、|以及|及|和|与)", m.group(1))
        first = _last_words(parts[0])  # the first item may have run on from the words before it
        latin = re.search(r"[A-Za-z][A-Za-z0-9&·]*$", first)
        first = latin.group() if latin else first  # 给出Tops: the Latin word
        pos = m.start(1) + len(parts[0]) - len(first)
        parts[0] = first
        for item in parts:
            if item and not re.fullmatch(r"、|以及|及|和|与", item):
                out.append((view.start(pos), view.end(pos + len(item))))
            pos += len(item)
    return out
