"""Chinese names without word spaces: personal names by surname and context, words that contain a KB name,
provincial bodies named without their place, and the CC-CEDICT rules of the KB build."""

from __future__ import annotations

import pytest

from pipeline.article import Article
from pipeline.entities import zh
from pipeline.entities.build import cedict_bare_name, cedict_org_name, cedict_type
from pipeline.entities.extract import Extractor
from pipeline.entities.kb import load_kb
from pipeline.stages.segment import split_sentences


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(load_kb(), ner=False, values=True)


def article(text: str, lang: str) -> Article:
    return Article(
        doc_id="t",
        source="t.txt",
        text=text,
        lang=lang,
        sentences=[{"start": a, "end": b, "lang": lang} for a, b in split_sentences(text)],
    )


def names(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in zh.person_spans(text)]


def test_surname_list_is_built() -> None:
    assert {"张", "王", "欧阳", "黄"} <= zh.surnames()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本报讯（记者 王小明 李海燕）昨日上午，会议在北京召开。", ["王小明", "李海燕"]),  # byline in brackets
        ("市政府副秘书长张建国出席会议并讲话。", ["张建国"]),  # after a title
        ("董事长王成表示，公司今年将扩大投资。", ["王成"]),  # two characters after a title
        ("(陳國華 黃美玲)", ["陳國華", "黃美玲"]),  # a credit line of names only, Traditional
    ],
)
def test_person_names_by_surname_and_context(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "这个张量的维度很高，计算过程中需要更多内存。",  # 张量 "tensor" is a word; 过程中 is not a name
        "李先生和王女士昨天来了。",  # a surname with a form of address is not a name
        "教育等领域的投资增加了。",
        "這是壹石二鳥的辦法。",  # the rest of an idiom after a numeral (jieba: 壹/m 石二鸟/nr)
    ],
)
def test_common_words_are_not_person_names(text: str) -> None:
    assert names(text) == []


def test_kb_name_inside_a_longer_word_is_not_a_mention(extractor: Extractor) -> None:
    # 北海 (Beihai) starts inside 拱北 (拱北海關 = Gongbei Customs): not a mention of the city.
    found = {e["name"] for e in extractor.extract(article("拱北海關表示，關員查獲一批手機。", "zh-Hant"))}
    assert "Beihai" not in found
    # A place followed by the word it runs into is still the place.
    found = {e["name"] for e in extractor.extract(article("日本政府表示，北海市今年的游客增加。", "zh-Hans"))}
    assert {"Japan", "Beihai"} <= found


def test_provincial_bodies_named_without_their_place(extractor: Extractor) -> None:
    text = "会议由省科技厅、省人社厅主办，省人大常委会副主任出席。"
    assert [text[s:e] for s, e in zh.local_org_spans(text)] == ["省科技厅", "省人社厅", "省人大常委会"]
    entities = extractor.extract(article(text, "zh-Hans"))
    orgs = {m["text"] for e in entities if e["label"] == "ORG" for m in e["mentions"]}
    assert orgs == {"省科技厅", "省人社厅", "省人大常委会"}  # not 人大常委会 (the NPC's) inside the last one


def test_cedict_rules() -> None:
    # A prefecture-level city described further ("... on the Xiangjiang river") is still a place.
    assert cedict_type("Zhuzhou, prefecture-level city, on the Xiangjiang river in Hunan") == "GPE"
    assert cedict_type("Huili county in Liangshan Yi autonomous prefecture") is None
    assert cedict_type("Gaza (territory adjacent to Israel and Egypt)") == "GPE"
    assert cedict_type("Treaty of Livadia (1879) between Russia and China, relating to territory in Chinese") is None
    # An untyped proper noun whose English name is an organisation's.
    assert cedict_org_name("United Nations") == "United Nations"
    assert cedict_org_name("Chinese Academy of Engineering") == "Chinese Academy of Engineering"
    assert cedict_org_name("The Wealth of Nations (1776) by Adam Smith") is None
    assert cedict_org_name("Imperial College (or Academy), the highest educational body in imperial China") is None
    # A bare brand name, to be joined to the entity of that name from another source.
    assert cedict_bare_name("Pepsi") == "Pepsi"
    assert cedict_bare_name("Jeep (car brand)") == "Jeep"
    assert cedict_bare_name("Zurich, Switzerland") is None


def test_kb_links_chinese_names_of_brands_and_bodies(extractor: Extractor) -> None:
    text = "百事可乐的广告，联合国的报告，中国工程院的院士，聯合國安理會的決議。"
    found = {e["name"] for e in extractor.extract(article(text, "zh-Hans")) if e["kb_id"]}
    expected = {"Pepsi", "United Nations", "Chinese Academy of Engineering", "United Nations Security Council"}
    assert expected <= found, found


def test_organisation_runs_on_into_a_place_names_its_branch(extractor: Extractor) -> None:
    entities = extractor.extract(article("微软中国宣布，微软将推出新产品。", "zh-Hans"))
    assert {(e["name"], e["label"]) for e in entities} >= {("微软中国", "ORG"), ("Microsoft", "ORG")}
    assert "China" not in {e["name"] for e in entities}
    # not a branch: the company and the place apart
    entities = extractor.extract(article("微软在中国推出新产品。", "zh-Hans"))
    assert {"Microsoft", "China"} <= {e["name"] for e in entities}


def test_latin_names_in_chinese_text() -> None:
    from pipeline.entities.discover import common_words

    text = "DeepMind的AlphaGo AI击败了棋手，FPGA、SoC和ResNet-50都是术语，World Beverage Innovation Awards入围名单。"
    assert [text[s:e] for s, e in zh.latin_spans(text, common_words())] == ["DeepMind", "AlphaGo", "FPGA"]


def test_lists_of_organisations_and_sources() -> None:
    text = "参加会议的有华为、小米等企业。北京、上海等城市。（综合整理自澎湃新闻、智东西等）"
    assert [text[s:e] for s, e in zh.list_org_spans(text)] == ["华为", "小米", "澎湃新闻", "智东西"]


def test_country_run_on_into_a_government_body_names_the_body(extractor: Extractor) -> None:
    entities = extractor.extract(article("中國外交部發言人表示，中國反對。", "zh-Hant"))
    orgs = {m["text"] for e in entities if e["label"] == "ORG" for m in e["mentions"]}
    assert "中國外交部" in orgs and "外交部" not in orgs
    assert "China" in {e["name"] for e in entities}  # the second 中國 stands alone


@pytest.mark.parametrize(
    ("surface", "label", "expected"),
    [
        ("中华全国供销合作总社理事会", "ORG", "中华全国供销合作总社"),  # the board is an office of the organisation
        ("阿里巴巴董事会", "ORG", "阿里巴巴董事会"),  # kept whole when the rest does not end like an organisation
        ("中國最大的雲公司", "ORG", None),  # a description
        ("第十八届“世界饮料创新奖", "ORG", None),  # an ordinal event with a quote
        ("张量", "PERSON", None),  # a common word
        ("李先生", "ORG", None),  # a surname and a form of address
        ("张建国", "PERSON", "张建国"),
    ],
)
def test_chinese_model_spans_made_names(surface: str, label: str, expected: str | None) -> None:
    span = zh.zh_model_span(surface, 0, len(surface), label)
    assert (surface[span[0] : span[1]] if span else None) == expected


def test_chinese_names_with_a_model_number_are_products() -> None:
    text = "阿里发布含光800芯片，销量超过800台，同比增长910万，营收2019年创新高，价格999元，延时300ms。"
    assert [text[s:e] for s, e in zh.model_spans(text)] == ["含光800"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张尚武", "Zhang Shangwu"),
        ("欧阳修", "Ouyang Xiu"),  # a two-character surname
        ("单田芳", "Shan Tianfang"),  # the surname's own reading (CC-CEDICT), not 单 dan
        ("吕布", "Lü Bu"),
        ("张量", None),  # a common word
    ],
)
def test_pinyin_names_of_mainland_people(name: str, expected: str | None) -> None:
    assert zh.pinyin_name(name) == expected


def test_unknown_person_in_simplified_text_is_named_in_pinyin() -> None:
    from pipeline.entities.extract import unknown_id

    ex = Extractor(load_kb(), ner=True, values=False)
    entities = ex.extract(article("本报记者 张尚武 报道。", "zh-Hans"))
    person = next(e for e in entities if e["label"] == "PERSON")
    assert person["name"] == "Zhang Shangwu" and person["mentions"][0]["text"] == "张尚武"
    assert person["entity_id"] == unknown_id("張尚武")  # one id with the Traditional spelling


def test_long_organisation_names_of_common_words() -> None:
    text = "根據國際管理發展學院的排名，該公司與研究中心合作。"
    assert [text[s:e] for s, e in zh.named_org_spans(text)] == ["國際管理發展學院"]  # not 研究中心 alone


def test_outlets_credited_by_dateline_reporter_line_and_headline() -> None:
    text = (
        "小米发布新手机 - 科技频道 - 南方财经\n财新网讯（记者 王明）3月2日，公司表示。\n"
        "Tech中文站 5月6日报道\n第一财经记者 李华\n本报记者 张三\n（全媒体记者 赵四）"
    )
    assert [text[s:e] for s, e in zh.list_org_spans(text)] == ["南方财经", "财新网", "Tech中文站", "第一财经"]


def test_places_inside_events_venues_times_and_quoted_terms() -> None:
    text = "第五届广东茶叶博览会在广州国际会展中心举行，“广东红茶”亮相，结果于3日（日本标准时间）公布。代表团来自上海。"
    spans = [text[s:e] for s, e in zh.unnamed_spans(text)]
    assert "第五届广东茶叶博览会" in spans and "广州国际会展中心" in spans and "广东红茶" in spans
    ex = Extractor(load_kb(), ner=True, values=False)
    found = {(e["label"], e["name"]) for e in ex.extract(article(text, "zh-Hans"))}
    assert ("GPE", "Shanghai") in found  # a place named alone stays
    assert not {name for label, name in found if label == "GPE"} & {"Guangdong", "Guangzhou", "Japan"}
    assert not any(label == "ORG" and "会展中心" in name for label, name in found)  # a venue is no organisation


def test_a_date_after_a_latin_name_is_no_model_number() -> None:
    from pipeline.entities.extract import model_extent

    text = "Tech中文站 10月14日报道，iPhone 11发布"
    assert model_extent(text, text.index(" 10")) is None
    assert model_extent(text, text.index("iPhone") + 6) == text.index("发布")


def test_quoted_term_of_a_known_name_and_a_noun_is_a_name_of_its_own() -> None:
    ex = Extractor(load_kb(), ner=True, values=False)
    text = "京东把业务升级为“京东书城”，又提出“中国制造”口号。"
    found = {(e["label"], e["name"]) for e in ex.extract(article(text, "zh-Hans"))}
    assert ("PRODUCT", "京东书城") in found
    assert not any("中国制造" in name for _label, name in found)  # a noun after the name, not a verb


def test_names_the_text_introduces_as_names() -> None:
    text = "他们推出一款名为“云上春”的绿茶，以及名为XNet（一种网络）的模型，还有叫做阿强的人。"
    assert [text[s:e] for s, e in zh.called_spans(text)] == ["云上春", "XNet"]


def test_a_particle_ends_an_organisation_name_around_a_place() -> None:
    from pipeline.entities.extract import org_extent

    text = "中國最大的雲公司，香港寬頻"
    assert org_extent(text, 0, 2) is None  # a description with 的
    assert org_extent(text, text.index("香港"), text.index("香港") + 2) == (text.index("香港"), len(text))


def test_items_of_a_list_of_things_are_not_names() -> None:
    text = "厂商没有公布Tops、功耗等数据，但在服务器、FPGA以及存储等领域有经验；华为、小米等企业参加。"
    assert [text[s:e] for s, e in zh.common_list_items(text)] == ["Tops", "功耗", "服务器", "FPGA", "存储"]
    ex = Extractor(load_kb(), ner=True, values=False)
    found = {m["text"] for e in ex.extract(article(text, "zh-Hans")) for m in e["mentions"]}
    assert not found & {"Tops", "FPGA"} and {"华为", "小米"} <= found


def test_a_long_name_that_is_an_item_of_a_list_of_things_is_no_organisation() -> None:
    text = "可以在數據管理、電話客務中心和技術開發三方面運用AI。根據國際管理發展學院的排名。"
    assert [text[s:e] for s, e in zh.named_org_spans(text)] == ["國際管理發展學院"]
