"""The batch check reads every sheet exactly as the row-by-row check does: same rows refused, same values,
same size, same tags, same industries with the same reasons. Generated rows mix clean cells (the fast path)
with the messy ones people really send (the parser path)."""

import sys
import unicodedata
from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chanye.core.tabular.values import clean_text
from chanye.enterprises.classify import Classifier, IndustryRules
from chanye.enterprises.columnar import CLEAN, SAFE, ColumnarChecker
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.rows import COLUMNS, Lookups, RowChecker

FIELDS = [column.field for column in COLUMNS]
LOOKUPS = Lookups(
    streets={"TH05": 5, "石牌街道": 5, "石牌": 5, "TH02": 2, "员村街道": 2, "员村": 2},
    tags={"规上": 1, "四上": 2, "高新技术企业": 3, "专精特新": 4},
    gbt_codes=frozenset(
        {"65", "651", "6511", "6513", "51", "519", "5199", "36", "361", "3612", "70", "701", "7010"}
    ),
    accepted_uscc=frozenset({"91440106MA59AAAAA0"}),
    classifier=Classifier(
        [
            IndustryRules(
                1, "AI", "人工智能", include=("6513",), keywords=("人工智能", "机器学习", "大模型")
            ),
            IndustryRules(2, "SW", "软件", include=("I",), exclude=("6513",), keywords=("软件开发", "软件")),
            IndustryRules(3, "CAR", "汽车", include=("361",), keywords=("新能源汽车", "汽车(电子)", "a.b")),
            IndustryRules(4, "TRADE", "商贸", include=("51",), exclude=("5199",), keywords=("批发", "软件")),
        ],
        {"65": "I", "51": "F", "36": "C", "70": "K"},
    ),
)


def _variants(code: str) -> list[str]:
    wide = code.translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY",
            "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
        )
    )
    other = "0" if code[-1] != "0" else "1"
    org = "0" if code[16] != "0" else "1"
    return [code, code.lower(), f" {code} ", wide, code[:-1] + other, code[:16] + org + code[17], code[:17]]


CELLS = {
    "uscc": st.one_of(
        st.integers(1, 60).map(uscc_for),
        st.integers(1, 60).map(uscc_for).flatmap(lambda code: st.sampled_from(_variants(code))),
        st.sampled_from(["", "123", "91440106MA59AAAAA0", "'=91440106MA59AAAAA0", "91440106MA59AAAA-A0"]),
    ),
    "name": st.sampled_from(
        [
            "广州天越软件有限公司",
            " 广州天越软件有限公司",
            "广州（天河）科技有限公司",
            "A  B",
            "",
            "x" * 201,
            "广州·瑞博《数据》有限公司",
            "'=cmd",
        ]
    ),
    "status": st.sampled_from(["", "存续", "在业", "吊销未注销", "注销 ", "开业中", "倒闭"]),
    "registered_on": st.one_of(
        st.dates().map(date.isoformat),
        st.sampled_from(
            ["", "2019/3/5", "20190305", "2023-02-30", "2024-02-29", "0000-01-01", "43000", "昨天"]
        ),
    ),
    "capital": st.sampled_from(
        ["", "100", "100.5", "100.50", "100.000", "0", "0.00", "007", "10.0", "1,000", "3亿", "500万元", "-5"]
        + ["1e3", "0.0001", "１００", "1.1234567", "1.", "123456789012345.123456"]
    ),
    "address": st.sampled_from(["", "广州市天河区天河路1号", "天河路\u3000 1号", "x" * 256]),
    "street": st.sampled_from(["", "石牌", "TH02", "员村街道", "天河区石牌街道", "海珠"]),
    "gbt_code": st.sampled_from(
        ["", "6513", "6511", "I6513", "5199", "519", "3612", "7010", "9999", "65", "6 513"]
    ),
    "business_scope": st.sampled_from(
        [
            "",
            "软件开发；人工智能应用",
            "新能源汽车整车制造；汽车(电子)",
            "批发；a.b；axb",
            "大模型 机器学习",
            "ＡＩ软件",
        ]
    ),
    "revenue": st.one_of(
        st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(str),
        st.sampled_from(["", "1.2亿", "8000万", "300", "299.9999", "40000", "abc"]),
    ),
    "employees": st.sampled_from(
        ["", "0", "5", "20", "299", "300", "1000", "１２０", "12人", "12.5", "1,200"]
    ),
    "assets": st.sampled_from(["", "100", "5000", "8000", "120000", "9e5", "2000.5"]),
    "tags": st.sampled_from(["", "规上", "规上、四上", "高新技术企业,专精特新", "四上；规上", "独角兽"]),
    "credit_rating": st.sampled_from(["", "A", "B ", "AAAAAAAAAAA"]),
    "dishonest": st.sampled_from(["", "是", "否", "Y", "no", "也许"]),
    "dishonest_source": st.sampled_from(["", "信用中国", "法院"]),
    "dishonest_on": st.one_of(st.dates().map(date.isoformat), st.sampled_from(["", "2020年1月1日", "x"])),
    "contact_name": st.sampled_from(["", "王先生", "李 女士", "Ｗang"]),
    "contact_phone": st.sampled_from(
        ["", "13800000000", "020-8888 8888", "020-88888888转123", "１３８", "phone"]
    ),
    "contact_email": st.sampled_from(["", "a@b.cn", "a b@c.cn", "ａ@b.cn", "nope"]),
    "former_names": st.sampled_from(["", "广州旧名有限公司", "旧名一、旧名二", " 旧名 ；"]),
}


def _checkers(fields: list[str], units: dict[str, str]) -> tuple[RowChecker, ColumnarChecker]:
    columns = dict(enumerate(fields))
    checker = RowChecker(LOOKUPS, columns, {i: f"col{i}" for i in columns}, units)
    staged = ["uscc", *[name for name in fields if name not in ("uscc", "tags", "former_names")]]
    if {"employees", "revenue", "assets", "gbt_code"} & set(fields):
        staged.append("scale")
    return checker, ColumnarChecker(checker, staged, postgres=False)


@st.composite
def sheets(draw):
    fields = ["uscc", "name", *draw(st.lists(st.sampled_from(FIELDS[2:]), unique=True, max_size=len(FIELDS)))]
    rows = draw(st.lists(st.tuples(*[CELLS[name] for name in fields]).map(list), min_size=1, max_size=25))
    units = draw(st.sampled_from([{}, {"capital": "元"}, {"revenue": "亿元", "assets": "万元"}]))
    return fields, rows, units


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_batch_check_equals_row_check(sheet):
    fields, rows, units = sheet
    checker, columnar = _checkers(fields, units)
    numbers = list(range(2, len(rows) + 2))
    batch = columnar.check(numbers, rows)
    expected_bad, good = [], []
    for position, (number, cells) in enumerate(zip(numbers, rows, strict=True)):
        checked, errors = checker.check(number, cells)
        if errors:
            expected_bad.append(position)
        else:
            good.append(checked)
    assert batch.bad == expected_bad
    assert batch.stage["row_no"].to_list() == [checked.row for checked in good]
    for record, checked in zip(batch.stage.iter_rows(named=True), good, strict=True):
        for name, text in record.items():
            if name != "row_no":
                assert text == columnar._text(checked.values.get(name)), (name, record, checked)
        tags = batch.tags.filter(pl.col("row_no") == checked.row)["tag_id"].to_list()
        assert tags == (checked.tag_ids or [])
        formers = batch.formers.filter(pl.col("row_no") == checked.row)["name"].to_list()
        assert formers == checked.former_names
        members = batch.members.filter(pl.col("row_no") == checked.row).select("industry_id", "kind", "rule")
        assert sorted(members.iter_rows()) == sorted((m.industry_id, m.kind, m.rule) for m in checked.matches)


def test_equal_rows_have_equal_fingerprints_and_different_rows_do_not():
    checker, columnar = _checkers(["uscc", "name", "revenue", "tags"], {})
    a = [uscc_for(1), "广州甲有限公司", "100", "规上"]
    batch = columnar.check([2, 3, 4, 5], [a, list(a), [*a[:2], "100.00", "规上"], [*a[:3], "四上"]])
    prints = batch.fingerprint.to_list()
    assert prints[0] == prints[1] == prints[2]  # 100 and 100.00 are the same amount
    assert prints[3] != prints[0]


def test_safe_characters_are_left_alone_by_normalising():
    """Every character the fast path passes as it is must come out of clean_text unchanged."""
    pattern = pl.Series([chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF])
    safe = pattern.filter(pattern.str.contains(f"^{SAFE}$")).to_list()
    assert len(safe) > 20_000
    changed = [
        char for char in safe if clean_text(char) != char or unicodedata.normalize("NFKC", char) != char
    ]
    assert changed == []


@pytest.mark.parametrize("text", ["广州 天河", "a b c", "《数据》·“报告”", ""])
def test_clean_cells_match_the_clean_pattern(text):
    assert pl.Series([text]).str.contains(CLEAN)[0] and clean_text(text) == text


@pytest.mark.parametrize("text", [" a", "a ", "a  b", "（天河）", "ａ", "a\u3000b", "a\u200bb"])
def test_cells_normalising_would_change_do_not_match_the_clean_pattern(text):
    assert not pl.Series([text]).str.contains(CLEAN)[0] and clean_text(text) != text
