"""Layouts of an indicator sheet: which one a header is, the periods a bureau table names and where its
figures go (the period rule), and wide enterprise sheets (one column per indicator or per period) from
real .xlsx files — one saved by LibreOffice — imported all or nothing with every bad cell explained."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from chanye.core.tabular import open_table
from chanye.core.tests.test_tabular import libreoffice
from chanye.enterprises.models import ImportJob, JobStatus
from chanye.indicators import bureau, layouts
from chanye.indicators.imports import indicator_import_create, indicator_import_run
from chanye.indicators.models import Observation
from chanye.indicators.rows import IndicatorInfo

# --- pure: the vocabulary, detection, periods and the period rule -----------------------------------

INDICATORS = [
    IndicatorInfo(1, "gdp", "地区生产总值", "亿元", "quarter", ("district",)),
    IndicatorInfo(2, "gdp_growth", "地区生产总值增速", "%", "quarter", ("district",)),
    IndicatorInfo(3, "fai", "固定资产投资", "亿元", "month", ("district",)),
    IndicatorInfo(4, "revenue", "营业收入", "万元", "month", ("enterprise", "industry", "district")),
    IndicatorInfo(5, "employees", "从业人员", "人", "quarter", ("enterprise", "industry", "district")),
    IndicatorInfo(6, "value_added", "产业增加值", "亿元", "year", ("industry", "district")),
]
VOCABULARY = layouts.vocabulary(INDICATORS, [(11, "SW", "软件与互联网"), (12, "FINANCE", "现代金融")])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("地区生产总值", "gdp"),
        ("地区生产总值（亿元）", "gdp"),
        ("ＧＤＰ", "gdp"),
        ("全社会固定资产投资", "fai"),
        ("营业收入(万元)", "revenue"),
        ("营业收入 单位：元", "revenue"),
        ("REVENUE", "revenue"),
        ("从业人数", "employees"),
        ("社会消费品零售总额", None),
    ],
)
def test_names_codes_and_synonyms_find_their_indicator(text, code):
    found = VOCABULARY.lookup(text)
    assert (found.code if found else None) == code


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("营业收入(万元)", "万元"),
        ("税收（单位：元）", "元"),
        ("产值 单位:亿元", "亿元"),
        ("从业人员（万人）", "万人"),
        ("增速(%)", "%"),
        ("营业收入(美元)", "美元"),  # a unit, and a wrong one: refused where it is used
        ("产值（现价）", ""),  # a remark
        ("地区生产总值(GDP)", ""),
        ("研发投入（必填）", ""),
    ],
)
def test_a_unit_is_read_from_brackets_or_after_danwei(text, unit):
    assert layouts.key_of(text)[1] == unit


def test_a_growth_indicator_is_found_for_its_base():
    assert VOCABULARY.growth["gdp"].code == "gdp_growth" and "fai" not in VOCABULARY.growth


@pytest.mark.parametrize(
    ("header", "layout"),
    [
        (["统一社会信用代码", "指标", "期间", "数值"], layouts.LONG),
        (["统一社会信用代码", "数值"], layouts.LONG),  # incomplete: the long layout names what is missing
        (["统一社会信用代码", "企业名称", "期间", "营业收入(万元)", "税收"], layouts.WIDE),
        (["信用代码", "企业名称", "指标", "2024年1月", "2024-02"], layouts.WIDE),
        (["指标名称", "计量单位", "1-9月", "同比增长(%)"], layouts.STATS),
    ],
)
def test_the_layout_is_recognised_from_the_header(header, layout):
    rows = [(1, ["2024年重点企业指标"]), (2, header)]
    assert layouts.detect(iter(rows), VOCABULARY) == layout


def test_a_bureau_table_without_a_header_is_recognised_by_its_rows():
    rows = [
        (1, ["天河区主要经济指标"]),
        (2, ["地区生产总值", "亿元", "100"]),
        (3, ["固定资产投资", "亿元", "5"]),
    ]
    assert layouts.detect(iter(rows), VOCABULARY) == layouts.STATS


def test_an_unrecognisable_sheet_says_what_each_layout_needs():
    with pytest.raises(layouts.LayoutError, match="统一社会信用代码.*指标名称"):
        layouts.detect(iter([(1, ["姓名", "电话"])]), VOCABULARY)


@pytest.mark.parametrize(
    ("field", "title", "column", "span"),
    [
        ("", "天河区2024年1-9月主要经济指标", "", (2024, 1, 9)),
        ("", "天河区２０２４年１—９月主要经济指标", "", (2024, 1, 9)),
        ("", "2024年前三季度主要经济指标", "", (2024, 1, 9)),
        ("", "2024年上半年", "", (2024, 1, 6)),
        ("", "2024年三季度", "", (2024, 7, 9)),
        ("", "2024年主要经济指标", "", (2024, 1, 12)),
        ("", "2024年9月主要经济指标", "1-9月", (2024, 1, 9)),
        ("", "2024年9月主要经济指标", "本月", (2024, 9, 9)),
        ("", "2024年9月主要经济指标", "本期", (2024, 1, 9)),  # bureau tables are year to date
        ("2024-09", "主要经济指标", "", (2024, 1, 9)),
        ("2024Q3", "", "", (2024, 7, 9)),
        ("2024-09", "天河区2024年1-9月", "", (2024, 1, 9)),  # both say the same
        ("", "主要经济指标", "2024年1-6月", (2024, 1, 6)),
    ],
)
def test_the_span_comes_from_the_form_the_title_or_the_column(field, title, column, span):
    found = bureau.resolve_span(field, title, column)
    assert (found.year, found.first, found.last) == span


@pytest.mark.parametrize(
    ("field", "title", "message"),
    [
        ("2024-06", "天河区2024年1-9月主要经济指标", "不一致"),
        ("", "主要经济指标", "未找到期间"),
        ("九月", "", "期间无法识别"),
    ],
)
def test_a_missing_or_contradicted_period_is_refused(field, title, message):
    with pytest.raises(layouts.LayoutError, match=message):
        bureau.resolve_span(field, title, "")


def _span(first, last, year=2024):
    return bureau.Span(year, first, last)


@pytest.mark.parametrize(
    ("span", "frequency", "kind", "expected"),
    [
        # a cumulative amount: this period less the earlier ones held
        (
            _span(1, 9),
            "quarter",
            "flow",
            [("quarter", date(2024, 7, 1), (date(2024, 1, 1), date(2024, 4, 1)))],
        ),
        (_span(1, 3), "quarter", "flow", [("quarter", date(2024, 1, 1), ())]),
        (_span(7, 9), "quarter", "flow", [("quarter", date(2024, 7, 1), ())]),
        (_span(1, 3), "month", "flow", [("month", date(2024, 3, 1), (date(2024, 1, 1), date(2024, 2, 1)))]),
        (_span(9, 9), "month", "flow", [("month", date(2024, 9, 1), ())]),
        # cumulative growth and stocks: as stated, where the span ends
        (_span(1, 9), "quarter", "rate", [("quarter", date(2024, 7, 1), ())]),
        (_span(1, 9), "quarter", "stock", [("quarter", date(2024, 7, 1), ())]),
        # a full year: the year figure too
        (
            _span(1, 12),
            "quarter",
            "flow",
            [
                ("year", date(2024, 1, 1), ()),
                ("quarter", date(2024, 10, 1), (date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1))),
            ],
        ),
        (_span(1, 12), "year", "flow", [("year", date(2024, 1, 1), ())]),
    ],
)
def test_the_period_rule_places_each_figure(span, frequency, kind, expected):
    plan = bureau.targets(span, frequency, kind)
    assert [(t.frequency, t.period, t.subtract) for t in plan] == expected


@pytest.mark.parametrize(
    ("span", "frequency", "kind", "reason"),
    [
        (_span(1, 8), "quarter", "flow", "不是季末"),
        (_span(1, 9), "year", "flow", "需全年数"),
        (_span(7, 9), "quarter", "rate", "累计口径"),
        (_span(2, 9), "quarter", "flow", "不是完整"),
    ],
)
def test_a_figure_the_rule_cannot_place_is_skipped_with_the_reason(span, frequency, kind, reason):
    assert reason in bureau.targets(span, frequency, kind)


def test_a_bureau_table_maps_rows_lists_the_rest_and_explains_bad_cells():
    rows = [
        (1, ["天河区2024年1-9月主要经济指标（快报）"] * 4),  # a merged title, as the reader fills it
        (2, ["指标名称", "计量单位", "1-9月", "1-9月"]),
        (3, ["指标名称", "计量单位", "绝对值", "同比增长(%)"]),  # a two-row header
        (4, ["一、地区生产总值", "亿元", "４，９６５.３２", "2.1"]),
        (5, ["\u3000\u3000其中：第二产业", "亿元", "400", "1.0"]),
        (6, ["社会消费品零售总额", "亿元", "1500", "3"]),
        (7, ["营业收入", "亿元", "3000", ""]),
        (8, ["其中：软件与互联网", "亿元", "1200", ""]),
        (9, ["现代金融业", "亿元", "—", ""]),
        (10, ["从业人员（万人）", "", "52.5", ""]),
        (11, ["固定资产投资", "亿元", "五百", "-3.2"]),
        (12, ["注：1.地区生产总值为初步核算数。", "", "", ""]),
        (13, ["2.固定资产投资不含农户。", "", "", ""]),
    ]
    table = bureau.read_stats(iter(rows), VOCABULARY, layouts.Options())
    assert (str(table.span), table.status) == ("2024年1-9月", "preliminary")
    figures = {(f.indicator.code, f.industry_id): (f.row, f.value, f.column) for f in table.figures}
    assert figures[("gdp", None)] == (4, Decimal("4965.32"), "1-9月绝对值（C 列）")
    assert figures[("gdp_growth", None)] == (4, Decimal("2.1"), "1-9月同比增长(%)（D 列）")
    assert figures[("revenue", None)][1] == Decimal(30_000_000)  # 3,000 亿元 in 万元
    assert figures[("revenue", 11)][1] == Decimal(12_000_000)  # the industry's row under 营业收入
    assert figures[("employees", None)][1] == Decimal(525_000)  # 万人
    skipped = {s.row: s.reason for s in table.skipped}
    assert "分项" in skipped[5] and "目录中没有该指标" in skipped[6] and "本期无数值" in skipped[9]
    assert 12 not in skipped and 13 not in skipped  # notes are not rows
    [error] = table.errors
    assert (error.row, error.column, error.value) == (11, "1-9月绝对值（C 列）", "五百")
    assert "不是" in error.reason


# --- wide enterprise sheets from real workbooks ----------------------------------------------------


def workbook(path: Path, title: str | None, header: list, rows: list[list], width: int | None = None) -> Path:
    """An .xlsx as people make it: a merged title row over the header, every cell typed as text unless
    it is a number or a date object."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    dates = book.add_format({"num_format": "yyyy-mm"})
    at = 0
    if title is not None:
        sheet.merge_range(0, 0, 0, (width or len(header)) - 1, title)
        at = 1
    for r, row in enumerate([header, *rows], start=at):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def run(path: Path, *, dry_run=False, by=None, **options) -> ImportJob:
    with path.open("rb") as handle:
        job = indicator_import_create(by=by, filename=path.name, content=handle, dry_run=dry_run, **options)
    return indicator_import_run(job)


def figures() -> dict:
    return {
        (o.enterprise.uscc, o.indicator.code, o.period, o.frequency): (o.value, o.status, o.basis)
        for o in Observation.objects.select_related("indicator", "enterprise")
    }


WIDE_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "期间",
    "营业收入(万元)",
    "税收（单位：元）",
    "从业人员(人)",
    "研发投入",
    "产值（亿元）",
]


def wide_rows(firms) -> list[list]:
    return [
        [firms.both.uscc, "天河智算", "2025-01", "１，２００", "860000", None, None, "0.5"],
        [firms.both.uscc, "天河智算", "2025年2月", "1300.5", "", None, None, "—"],
        [firms.both.uscc, "天河智算", "2025Q1", None, None, "３５６", "120", None],
        [firms.software.uscc, "天河云端", "2025-01", 800, 50000, None, None, None],
        [None, "合计", None, "3300.5", None, None, None, None],
        ["注：税收为区级入库数。"],
    ]


@pytest.mark.django_db
def test_a_wide_sheet_is_unpivoted_into_the_long_layouts_figures_and_twice_changes_nothing(
    catalogue, firms, personas, tmp_path
):
    path = workbook(tmp_path / "宽表.xlsx", "2025年一季度重点企业指标", WIDE_HEADER, wide_rows(firms))
    job = run(path, by=personas["drc"])
    assert job.status == JobStatus.DONE, list(job.row_errors.values_list("column", "reason"))
    assert job.mapping["detected"] == "wide" and job.mapping["figures"] == 8
    assert (job.total, job.created, job.updated, job.unchanged, job.rejected) == (4, 8, 0, 0, 0)
    stored = figures()
    both, software = firms.both.uscc, firms.software.uscc
    assert stored[(both, "revenue", date(2025, 1, 1), "month")] == (Decimal(1200), "final", "reported")
    assert stored[(both, "revenue", date(2025, 2, 1), "month")][0] == Decimal("1300.5")
    assert stored[(both, "tax", date(2025, 1, 1), "month")][0] == Decimal(86)  # 860,000 元 in 万元
    assert stored[(both, "output", date(2025, 1, 1), "month")][0] == Decimal(5000)  # 0.5 亿元
    assert stored[(both, "employees", date(2025, 1, 1), "quarter")][0] == Decimal(356)
    assert stored[(both, "rd_spend", date(2025, 1, 1), "quarter")][0] == Decimal(120)
    assert stored[(software, "tax", date(2025, 1, 1), "month")][0] == Decimal(5)
    assert (both, "output", date(2025, 2, 1), "month") not in stored  # "—" is no figure
    assert job.mapping["skipped"] == [{"row": 7, "label": "合计", "reason": "合计行，不导入"}]
    again = run(path, by=personas["drc"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


@pytest.mark.django_db
def test_a_bad_cell_is_explained_by_row_and_column_and_nothing_is_written(catalogue, firms, tmp_path):
    rows = wide_rows(firms)
    rows[1][4] = "五百"  # 税收, row 3 of the file
    rows[2][5] = "12.5"  # 从业人员: not a whole number
    rows[3][2] = "2025-13"  # no such month
    path = workbook(tmp_path / "坏.xlsx", "2025年一季度重点企业指标", WIDE_HEADER, rows)
    job = run(path)
    assert job.status == JobStatus.REJECTED and job.rejected == 3
    assert not Observation.objects.exists()
    errors = {(e.row, e.column): (e.value, e.reason) for e in job.row_errors.all()}
    assert (
        errors[(4, "税收（单位：元）（E 列）")][0] == "五百"
        and "不是金额" in errors[(4, "税收（单位：元）（E 列）")][1]
    )
    assert "整数" in errors[(5, "从业人员(人)（F 列）")][1]
    assert "月份不存在" in errors[(6, "期间（C 列）")][1]
    assert len([e for e in errors if e[0] == 6]) == 1, "one period error for the row, not one per column"


@pytest.mark.django_db
def test_a_header_unit_that_does_not_fit_refuses_the_file(catalogue, firms, tmp_path):
    header = ["统一社会信用代码", "期间", "从业人员(万元)"]
    path = workbook(tmp_path / "单位.xlsx", None, header, [[firms.both.uscc, "2025Q1", "3"]])
    job = run(path)
    assert job.status == JobStatus.REJECTED and "从业人员(万元)（C 列）" in job.message


@pytest.mark.django_db
def test_a_dry_run_of_a_wide_sheet_counts_exactly_and_writes_nothing(catalogue, firms, tmp_path):
    path = workbook(tmp_path / "宽表.xlsx", "2025年一季度重点企业指标", WIDE_HEADER, wide_rows(firms))
    dry = run(path, dry_run=True)
    assert (dry.status, dry.created) == (JobStatus.DONE, 8) and not Observation.objects.exists()
    real = run(path)
    assert (real.created, real.updated, real.unchanged) == (dry.created, dry.updated, dry.unchanged)


@pytest.mark.django_db
def test_one_column_per_period_with_the_indicator_in_the_title(catalogue, firms, tmp_path):
    header = ["统一社会信用代码", "企业名称", "2025年1月", "2025-02", date(2025, 3, 1), "2025年4月"]
    rows = [
        [firms.both.uscc, "天河智算", "１００", "110", 120, None],
        [firms.bank.uscc, "天河测试银行", "2000", "", "2100", None],
    ]
    path = workbook(tmp_path / "按月.xlsx", "2025年重点企业营业收入（亿元）", header, rows)
    job = run(path, layout="wide")
    assert job.status == JobStatus.DONE, list(job.row_errors.values_list("column", "reason"))
    stored = figures()
    assert stored[(firms.both.uscc, "revenue", date(2025, 3, 1), "month")][0] == Decimal(1_200_000)
    assert stored[(firms.bank.uscc, "revenue", date(2025, 1, 1), "month")][0] == Decimal(20_000_000)
    assert job.created == 5


@pytest.mark.django_db
def test_one_column_per_period_with_an_indicator_column_and_a_status(catalogue, firms, tmp_path):
    header = ["信用代码", "指标", "单位", "2025年一季度", "2025年二季度"]
    rows = [
        [firms.both.uscc, "从业人数", "人", "356", "360"],
        [firms.both.uscc, "研发费用", "元", "1200000", "abc"],
    ]
    path = workbook(tmp_path / "按季.xlsx", None, header, rows)
    job = run(path, status="初步")
    errors = [(e.row, e.column, e.reason) for e in job.row_errors.all()]
    assert job.status == JobStatus.REJECTED and errors == [(3, "2025年二季度（E 列）", "不是金额：abc")]
    rows[1][4] = "1300000"
    job = run(workbook(tmp_path / "按季2.xlsx", None, header, rows), status="初步")
    assert job.status == JobStatus.DONE and job.created == 4
    rd = Observation.objects.get(indicator__code="rd_spend", period=date(2025, 4, 1))
    assert (rd.value, rd.status) == (Decimal(130), "preliminary")


@pytest.mark.django_db
def test_a_unit_in_the_indicator_cell_applies_to_that_row(catalogue, firms, tmp_path):
    header = ["统一社会信用代码", "指标", "2025年1月", "2025年2月"]
    rows = [
        [firms.both.uscc, "营业收入(亿元)", "1.2", "1.3"],
        [firms.both.uscc, "税收（人）", "1", ""],
    ]
    job = run(workbook(tmp_path / "单位.xlsx", None, header, rows))
    [error] = job.row_errors.all()
    assert (error.row, error.column, error.value) == (3, "指标（B 列）", "人")
    assert "不是金额单位" in error.reason
    rows.pop()
    job = run(workbook(tmp_path / "单位2.xlsx", None, header, rows))
    assert job.status == JobStatus.DONE
    assert figures()[(firms.both.uscc, "revenue", date(2025, 1, 1), "month")][0] == Decimal(12000)


@pytest.mark.django_db
def test_a_wide_sheet_saved_by_libreoffice_imports_the_same_figures(catalogue, firms, tmp_path):
    source = workbook(tmp_path / "宽表.xlsx", "2025年一季度重点企业指标", WIDE_HEADER, wide_rows(firms))
    saved = libreoffice(source, "xlsx", tmp_path / "lo-out", tmp_path / "lo")
    job = run(saved)
    assert job.status == JobStatus.DONE, list(job.row_errors.values_list("column", "reason"))
    assert (job.created, job.rejected) == (8, 0)
    assert figures()[(firms.both.uscc, "revenue", date(2025, 1, 1), "month")][0] == Decimal(1200)
    assert run(source).unchanged == 8, "the original and the LibreOffice copy state the same figures"


@pytest.mark.django_db
def test_the_wide_templates_download_with_their_headers(catalogue, firms, personas, login):
    client = login(personas["drc"])
    for layout, sheet_header in (("wide", "营业收入(万元)"), ("periods", "2025年1月")):
        response = client.get(f"/indicators/template.xlsx?layout={layout}")
        assert response.status_code == 200
        with open_table(io.BytesIO(response.content), "t.xlsx") as table:
            header = next(iter(table.rows()))[1]
        assert sheet_header in header
    page = client.get("/indicators/imports/").content.decode()
    assert 'data-testid="template-wide"' in page and "自动识别" in page
    assert login(personas["leader"]).get("/indicators/template.xlsx?layout=wide").status_code == 403


@pytest.mark.django_db
def test_the_import_page_takes_the_layout_and_refuses_a_bad_option(
    catalogue, firms, personas, login, tmp_path
):
    client = login(personas["drc"])
    path = workbook(tmp_path / "宽表.xlsx", "2025年一季度重点企业指标", WIDE_HEADER, wide_rows(firms))
    upload = SimpleUploadedFile("宽表.xlsx", path.read_bytes())
    response = client.post("/indicators/imports/", {"file": upload, "layout": "wide"})
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert 'data-status="done"' in detail and 'data-testid="skipped"' in detail and "合计行" in detail
    upload = SimpleUploadedFile("宽表.xlsx", path.read_bytes())
    refused = client.post("/indicators/imports/", {"file": upload, "period": "下个月"})
    assert refused.status_code == 400 and "期间无法识别" in refused.content.decode()
