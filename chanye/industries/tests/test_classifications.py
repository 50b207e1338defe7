"""The digital-economy core and strategic-emerging-industry tables, and the secondary-industry rule."""

import csv
from pathlib import Path

import pytest

from chanye.industries.classifications import load, normalize, secondary_industry
from chanye.industries.codes import edition_codes

NAMES = ("digital_core_2021", "sei_2018")
EDITION = {"digital_core_2021": "dec-2021", "sei_2018": "sei-2018"}
REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "gbt4754_2017_codes.csv"


@pytest.fixture(scope="module")
def reference_classes() -> dict[str, str]:
    if not REFERENCE.exists():
        pytest.skip(f"reference list not present at {REFERENCE}")
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["level"] == "小类"}


@pytest.mark.parametrize("name", NAMES)
def test_every_gbt_code_is_a_class_of_the_reference_list(name, reference_classes):
    unknown = {row.gbt_code for row in load(name).rows} - reference_classes.keys()
    assert not unknown


@pytest.mark.parametrize("name", NAMES)
def test_categories_are_the_catalogues_own_codes(name):
    """Each row's 中类 (or 大类, where the source gives none) and its 大类 exist in the shipped edition."""
    codes = {code.code: code for code in edition_codes(EDITION[name])}
    for row in load(name).rows:
        assert codes[row.top].level == "大类" and codes[row.top].name == row.top_name
        category = codes[row.category]
        assert category.name == row.category_name
        assert row.category == row.top or (category.level == "中类" and category.parent == row.top)


def test_digital_core_has_only_the_four_core_categories():
    assert {row.top for row in load("digital_core_2021").rows} == {"01", "02", "03", "04"}


@pytest.mark.parametrize("name", NAMES)
def test_one_row_per_category_and_class_with_a_known_source(name):
    rows = load(name).rows
    assert len({(row.category, row.gbt_code) for row in rows}) == len(rows)
    assert {row.source for row in rows} <= {"transcribed", "recalled"}


@pytest.mark.parametrize(
    ("name", "code", "top", "category", "partial"),
    [
        ("digital_core_2021", "3911", "01", "0101", False),  # 计算机整机制造
        ("digital_core_2021", "3921", "01", "0102", False),  # 通信系统设备制造
        ("digital_core_2021", "3964", "01", "0104", False),  # 服务消费机器人制造
        ("digital_core_2021", "6513", "03", "0301", False),  # 应用软件开发
        ("digital_core_2021", "6429", "03", "0303", True),  # 互联网其他信息服务*
        ("digital_core_2021", "6431", "04", "0401", False),  # 互联网生产服务平台
        ("digital_core_2021", "6637", "04", "0403", False),  # 网络借贷服务
        ("digital_core_2021", "2330", "01", "0106", False),  # 记录媒介复制
        ("digital_core_2021", "2462", "01", "0106", True),  # 游艺用品及室内游艺器材制造*: 电子游戏机
        ("digital_core_2021", "3491", "01", "0104", False),  # 工业机器人制造
        ("digital_core_2021", "3493", "01", "0106", False),  # 增材制造装备制造
        ("digital_core_2021", "5176", "02", "0201", False),  # 计算机、软件及辅助设备批发
        ("digital_core_2021", "5193", "04", "0402", False),  # 互联网批发
        ("digital_core_2021", "4790", "04", "0405", True),  # 其他房屋建筑业*: 算力基础设施建设
        ("sei_2018", "3911", "1", "1.1", False),  # 计算机整机制造: 新型计算机及信息终端设备制造
        ("sei_2018", "3919", "1", "1.1", True),  # 其他计算机制造*: 网络设备
        ("sei_2018", "3973", "1", "1.2", False),  # 集成电路制造
        ("sei_2018", "6440", "1", "1.3", False),  # 互联网安全服务
        ("sei_2018", "3961", "1", "1.5", False),  # 可穿戴智能设备制造: 人工智能
        ("sei_2018", "3964", "2", "2.1", False),  # 服务消费机器人制造: 智能制造装备
        ("sei_2018", "6331", "2", "2.3", False),  # 广播电视卫星传输服务: 卫星应用服务
        ("sei_2018", "6321", "8", "8.2", True),  # 有线广播电视传输服务*: 数字文化创意活动
        ("sei_2018", "6731", "9", "9.2", False),  # 创业投资基金: 现代金融服务
        ("sei_2018", "2710", "4", "4.1", False),  # 化学药品原料药制造: 生物医药产业
        ("sei_2018", "2651", "1", "1.2", True),  # 初级形态塑料及合成树脂制造*: 关键电子材料
        ("sei_2018", "2651", "3", "3", True),  # … and 新材料产业 (the source names no 中类 there)
        ("sei_2018", "3491", "2", "2.1", False),  # 工业机器人制造: 智能制造装备产业
        ("sei_2018", "4420", "6", "6.5", True),  # 电力供应*: 智能电网产业
        ("digital_core_2021", "7320", "04", "0407", True),  # 工程和技术研究和试验发展*: 数字技术研发
        ("digital_core_2021", "7213", "04", "0406", True),  # 资源与产权交易服务*: 数据资源与产权交易
        ("digital_core_2021", "8610", "03", "0303", True),  # 新闻业*: 互联网资讯服务
        ("digital_core_2021", "7441", "03", "0304", False),  # 遥感测绘服务: 地理遥感信息及测绘
        ("digital_core_2021", "8121", "02", "0204", False),  # 计算机和辅助设备修理 (was recalled)
        ("digital_core_2021", "3831", "01", "0106", True),  # 电线、电缆制造*: 专用电线电缆 (was recalled)
        ("sei_2018", "3612", "5", "5.1", False),  # 新能源车整车制造
        ("sei_2018", "3841", "5", "5.2", True),  # 锂离子电池制造*: 新能源汽车储能装置
        ("sei_2018", "3711", "2", "2.4", False),  # 高铁车组制造: 轨道交通装备
        ("sei_2018", "8111", "5", "5.4", True),  # 汽车修理与维护*: 新能源汽车维修
        ("sei_2018", "7245", "7", "7.2", False),  # 环保咨询: 环保研发与技术服务
        ("sei_2018", "7540", "9", "9.1", False),  # 创业空间服务: 创新创业服务
        ("sei_2018", "7320", "3", "3", True),  # … 新材料研究与试验发展 (the source names no 中类)
        ("sei_2018", "8626", "8", "8.2", False),  # 数字出版: 新型媒体服务
    ],
)
def test_known_correspondences(name, code, top, category, partial):
    rows = {row.category: row for row in load(name).rows_of(code)}
    assert rows[category].top == top
    assert rows[category].partial is partial


def test_a_class_in_several_categories_has_all_their_tops():
    sei = load("sei_2018")
    assert [top for top, _ in sei.top_of("3921")] == ["1", "2", "5"]
    assert sei.codes()["3921"] is True  # only 5G, satellite … equipment within the class
    assert sei.codes()["3911"] is False


@pytest.mark.parametrize("code", ["6513", "I6513", " i6513 "])
def test_codes_with_or_without_the_section_letter(code):
    digital = load("digital_core_2021")
    assert digital.contains(code)
    assert digital.top_of(code) == [("03", "数字技术应用业")]


def test_classes_outside_the_catalogue_and_bad_codes():
    digital = load("digital_core_2021")
    assert not digital.contains("0111")  # 稻谷种植
    assert digital.top_of("4710") == []
    assert not digital.contains("C6513")  # section C has no division 65
    assert not digital.contains("")


def test_coverage_tells_absence_from_not_transcribed():
    sei = load("sei_2018")
    assert sei.covers("3953") and not sei.contains("3953")  # read: 影视录放设备制造 is not an SEI class
    assert sei.covers("2710") and sei.contains("2710")  # 化学药品原料药制造: read, in 生物医药产业
    assert sei.covers("3042") and sei.codes()["3042"] is True  # 特种玻璃制造: read, partial only
    assert sei.covers("3611") and not sei.contains("3611")  # read: 汽柴油车整车制造 is not an SEI class
    assert sei.covers("6210") and not sei.contains("6210")  # read: 正餐服务
    assert sei.covers("4411") and sei.codes()["4411"] is True  # 火力发电: read, partial only
    assert sei.covers("3391") and sei.contains("3391")  # 黑色金属铸造: read, in 新材料产业
    assert sei.covers("2431") and not sei.contains("2431")  # read: 雕塑工艺品制造 is not an SEI class
    assert not sei.covers("65")  # a division, not a class
    assert not sei.covers("9800")  # not a GB/T 4754 code


@pytest.mark.parametrize("name", NAMES)
def test_every_class_of_the_reference_list_is_covered(name, reference_classes):
    """The source was read for all 1,381 classes, so a class without rows is not in the catalogue."""
    classification = load(name)
    assert not [code for code in reference_classes if not classification.covers(code)]


def test_recalled_rows_only_where_the_source_was_not_read():
    """A recalled row stands only where the source is silent; 6321, 6322 and 7519 are read but carry
    no digital tag there, so they stay recalled (see data/CLASSIFICATIONS.md)."""
    digital = load("digital_core_2021")
    read_but_recalled = {
        row.gbt_code for row in digital.rows if row.source == "recalled" and digital.covers(row.gbt_code)
    }
    assert read_but_recalled == {"6321", "6322", "7519"}


def test_unknown_classification_is_refused():
    with pytest.raises(ValueError, match="unknown classification"):
        load("sei_2019")


@pytest.mark.parametrize(
    ("code", "secondary"),
    [
        ("0511", False),  # A: 农业专业及辅助性活动
        ("0610", True),  # B06 mining
        ("B0610", True),
        ("1020", True),  # B10
        ("1120", False),  # B11 开采专业及辅助性活动
        ("1200", True),  # B12
        ("1310", True),  # C13 first manufacturing division
        ("4290", True),  # C42
        ("4310", False),  # C43 金属制品修理
        ("C4330", False),
        ("4411", True),  # D
        ("4620", True),  # D
        ("4710", True),  # E construction
        ("5010", True),  # E50
        ("5110", False),  # F
        ("6513", False),  # I
        ("11", False),
        ("43", False),
        ("44", True),
    ],
)
def test_secondary_industry(code, secondary):
    assert secondary_industry(code) is secondary


@pytest.mark.parametrize("code", ["", "65131", "X6513", "C6513", "9800", "abc"])
def test_secondary_industry_refuses_what_is_not_a_code(code):
    with pytest.raises(ValueError):
        secondary_industry(code)


def test_normalize_keeps_digits_only():
    assert normalize(" i6513") == "6513"
    assert normalize("E47") == "47"
