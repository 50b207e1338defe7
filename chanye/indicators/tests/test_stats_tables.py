"""Statistical-bureau tables of district figures, from real .xlsx files (one saved by LibreOffice): rows
matched to the catalogue, year-to-date figures placed by the period rule (Q3 = 1-9月 − Q1 − Q2 held),
industry sub-rows, skipped rows listed, 快报 as preliminary, all or nothing, twice changes nothing —
through the job, the page, the API and the command."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from chanye.core.tests.test_tabular import libreoffice
from chanye.enterprises.models import ImportJob, JobStatus
from chanye.indicators.models import Observation, ObservationRevision
from chanye.indicators.services import Item, observations_write
from chanye.indicators.tests.test_layouts import run, workbook

pytestmark = pytest.mark.django_db

HEADER = ["指标名称", "计量单位", "1-9月", "同比增长(%)"]


def table(path: Path, title: str, rows: list[list], header=HEADER) -> Path:
    return workbook(path, title, header, rows)


def district(code: str, period: date, frequency: str):
    observation = Observation.objects.filter(
        indicator__code=code, level="district", period=period, frequency=frequency
    ).first()
    return observation


def hold(catalogue, code: str, frequency: str, values: dict[date, str], *, industry=None) -> None:
    observations_write(
        items=[
            Item(
                catalogue[code],
                "industry" if industry else "district",
                period,
                frequency,
                Decimal(value),
                industry_id=industry.pk if industry else None,
            )
            for period, value in values.items()
        ],
        by=None,
        source_type="manual",
    )


def q1_q2(catalogue) -> None:
    hold(catalogue, "gdp", "quarter", {date(2024, 1, 1): "1500", date(2024, 4, 1): "1600"})
    hold(catalogue, "fai", "month", {date(2024, m, 1): "100" for m in range(1, 9)})


NINE_MONTHS = [
    ["一、地区生产总值", "亿元", "４，９６５.３２", "2.1"],
    ["\u3000\u3000其中：第二产业", "亿元", "357.6", "1.2"],
    ["", "", "", ""],
    ["固定资产投资（亿元）", "", "1,012.5", "-3.2"],
    ["社会消费品零售总额", "亿元", "1560.3", "3.0"],
    ["注：1.本表地区生产总值为初步核算数。", "", "", ""],
    ["2.固定资产投资不含农户。", "", "", ""],
]


def test_a_nine_month_table_records_q3_as_the_cumulative_less_the_held_quarters(
    catalogue, personas, tmp_path
):
    q1_q2(catalogue)
    path = table(tmp_path / "1-9月.xlsx", "天河区2024年1-9月主要经济指标（快报）", NINE_MONTHS)
    job = run(path, by=personas["drc"])
    assert job.status == JobStatus.DONE, list(job.row_errors.values_list("row", "column", "reason"))
    assert job.mapping["detected"] == "stats"
    gdp = district("gdp", date(2024, 7, 1), "quarter")
    assert gdp.value == Decimal("1865.32")  # 4,965.32 − 1,500 − 1,600
    assert (gdp.status, gdp.basis, gdp.source_type) == ("preliminary", "official", "import")
    assert "2024Q1" in gdp.note and "2024Q2" in gdp.note and gdp.source_ref == str(job.pk)
    growth = district("gdp_growth", date(2024, 7, 1), "quarter")
    assert growth.value == Decimal("2.1")  # cumulative growth: as stated, at Q3
    assert district("fai", date(2024, 9, 1), "month").value == Decimal("212.5")  # 1,012.5 − 8 × 100
    assert district("fai_growth", date(2024, 9, 1), "month").value == Decimal("-3.2")
    assert job.created == 4 and "2024年1-9月" in job.message and "初步" in job.message
    skipped = {row["row"]: (row["label"], row["reason"]) for row in job.mapping["skipped"]}
    assert skipped[4] == ("第二产业", "分项（其中…），不作为全区数导入")
    assert skipped[7] == ("社会消费品零售总额", "指标目录中没有该指标")
    assert len(skipped) == 2, "the notes below the table are not rows"
    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_without_the_earlier_quarters_the_table_is_refused_and_nothing_is_written(catalogue, tmp_path):
    hold(catalogue, "gdp", "quarter", {date(2024, 1, 1): "1500"})  # Q2 missing; FAI months missing
    path = table(tmp_path / "1-9月.xlsx", "天河区2024年1-9月主要经济指标", NINE_MONTHS)
    job = run(path)
    assert job.status == JobStatus.REJECTED
    errors = {e.row: e for e in job.row_errors.all()}
    assert errors[3].column == "1-9月（C 列）" and errors[3].value == "４，９６５.３２"
    assert "还没有 2024Q2 的数" in errors[3].reason and "2024Q1" not in errors[3].reason.split("还没有")[1]
    assert "2024-01" in errors[6].reason and "2024-08" in errors[6].reason
    assert Observation.objects.count() == 1, "not even the growth rates are written"


def test_a_dry_run_counts_exactly_and_writes_nothing(catalogue, tmp_path):
    q1_q2(catalogue)
    path = table(tmp_path / "1-9月.xlsx", "天河区2024年1-9月主要经济指标", NINE_MONTHS)
    before = Observation.objects.count()
    dry = run(path, dry_run=True)
    assert (dry.status, dry.created) == (JobStatus.DONE, 4) and Observation.objects.count() == before
    real = run(path)
    assert (real.created, real.updated, real.unchanged) == (dry.created, dry.updated, dry.unchanged)


def test_the_final_figures_revise_the_preliminary_ones_with_history(catalogue, tmp_path):
    q1_q2(catalogue)
    run(table(tmp_path / "快报.xlsx", "天河区2024年1-9月主要经济指标（快报）", NINE_MONTHS))
    rows = [list(row) for row in NINE_MONTHS]
    rows[0][2] = "4970.32"
    job = run(table(tmp_path / "正式.xlsx", "天河区2024年1-9月主要经济指标", rows))
    assert (job.created, job.updated, job.unchanged) == (0, 4, 0)  # a new value or final status each
    gdp = district("gdp", date(2024, 7, 1), "quarter")
    [earlier] = ObservationRevision.objects.filter(observation=gdp)
    assert (gdp.value, gdp.status, earlier.value, earlier.status) == (
        Decimal("1870.32"),
        "final",
        Decimal("1865.32"),
        "preliminary",
    )
    late = run(table(tmp_path / "又一份快报.xlsx", "天河区2024年1-9月主要经济指标", rows), status="初步")
    assert late.status == JobStatus.REJECTED and "不能用初步数覆盖" in late.row_errors.first().reason


def test_a_full_year_table_records_the_year_the_last_quarter_and_industry_rows(catalogue, systems, tmp_path):
    hold(
        catalogue,
        "gdp",
        "quarter",
        {date(2024, 1, 1): "1500", date(2024, 4, 1): "1600", date(2024, 7, 1): "1700"},
    )
    software = systems.industries.get(code="SW")
    finance = systems.industries.get(code="FINANCE")
    ai = systems.industries.get(code="AI")
    rows = [
        ["地区生产总值", "亿元", "6614.7", "3.1"],
        ["产业增加值", "亿元", "", ""],
        ["  其中：软件与互联网", "亿元", "1,088.6", "12.5"],
        ["现代金融业", "亿元", "1 020", ""],
        [f"{ai.name}产业增加值", "亿元", "245", ""],
        ["固定资产投资", "亿元", "1350", "-2.0"],  # the months before December are not held
    ]
    header = ["指标名称", "计量单位", "2024年", "比上年增长(%)"]
    job = run(table(tmp_path / "全年.xlsx", "天河区主要经济指标", rows, header=header))
    assert job.status == JobStatus.DONE, list(job.row_errors.values_list("row", "column", "reason"))
    assert district("gdp", date(2024, 1, 1), "year").value == Decimal("6614.7")
    assert district("gdp", date(2024, 10, 1), "quarter").value == Decimal("1814.7")
    assert district("gdp_growth", date(2024, 1, 1), "year").value == Decimal("3.1")
    assert district("fai", date(2024, 1, 1), "year").value == Decimal(1350)
    assert not Observation.objects.filter(indicator__code="fai", frequency="month").exists()
    assert "未推算2024-12" in job.message  # the year is recorded, December could not be derived
    industry = {
        o.industry.code: o.value
        for o in Observation.objects.filter(
            indicator__code="value_added", level="industry", period=date(2024, 1, 1)
        )
    }
    assert industry == {software.code: Decimal("1088.6"), finance.code: Decimal(1020), ai.code: Decimal(245)}
    skipped = {row["row"]: row["reason"] for row in job.mapping["skipped"]}
    assert "本期无数值" in skipped[4] and "增速指标" in skipped[5]


def test_the_period_field_supplies_a_missing_period_and_must_agree_with_the_title(catalogue, tmp_path):
    hold(catalogue, "gdp", "quarter", {date(2024, 1, 1): "1500"})
    rows = [["地区生产总值", "亿元", "3100", "2.5"]]
    header = ["指标名称", "计量单位", "本期", "增速(%)"]
    no_period = table(tmp_path / "无期间.xlsx", "天河区主要经济指标", rows, header=header)
    refused = run(no_period)
    assert refused.status == JobStatus.REJECTED and "未找到期间" in refused.message
    job = run(no_period, period="2024-06")
    assert job.status == JobStatus.DONE
    assert district("gdp", date(2024, 4, 1), "quarter").value == Decimal(1600)
    titled = table(tmp_path / "有期间.xlsx", "天河区2024年1-9月主要经济指标", rows, header=header)
    conflict = run(titled, period="2024-06")
    assert conflict.status == JobStatus.REJECTED and "不一致" in conflict.message


def test_a_table_saved_by_libreoffice_imports_the_same_figures(catalogue, tmp_path):
    q1_q2(catalogue)
    source = table(tmp_path / "1-9月.xlsx", "天河区2024年1-9月主要经济指标（快报）", NINE_MONTHS)
    saved = libreoffice(source, "xlsx", tmp_path / "lo-out", tmp_path / "lo")
    job = run(saved)
    assert job.status == JobStatus.DONE, list(job.row_errors.values_list("row", "column", "reason"))
    assert job.created == 4
    assert district("gdp", date(2024, 7, 1), "quarter").value == Decimal("1865.32")
    assert run(source).unchanged == 4


def test_the_page_the_api_and_the_command_take_the_layout(catalogue, personas, login, api_as, tmp_path):
    q1_q2(catalogue)
    path = table(tmp_path / "1-9月.xlsx", "天河区2024年1-9月主要经济指标", NINE_MONTHS)
    client = login(personas["drc"])
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post("/indicators/imports/", {"file": upload, "layout": "stats", "dry_run": "on"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page and "社会消费品零售总额" in page and "指标目录中没有该指标" in page

    api = api_as(personas["drc"])
    with path.open("rb") as handle:
        created = api.post(
            "/api/v1/indicator-imports/", {"file": handle, "layout": "stats"}, format="multipart"
        )
    assert created.status_code == 202, created.content
    body = api.get(f"/api/v1/indicator-imports/{created.json()['id']}/").json()
    assert (body["status"], body["detected"], body["created"]) == ("done", "stats", 4)
    assert {"row": 7, "label": "社会消费品零售总额", "reason": "指标目录中没有该指标"} in body["skipped"]
    with path.open("rb") as handle:
        bad = api.post("/api/v1/indicator-imports/", {"file": handle, "layout": "pdf"}, format="multipart")
    assert bad.status_code == 400 and "layout" in bad.json()
    with path.open("rb") as handle:
        bad = api.post("/api/v1/indicator-imports/", {"file": handle, "period": "明年"}, format="multipart")
    assert bad.status_code == 400 and "period" in str(bad.json())
    assert api_as(personas["leader"]).get("/api/v1/indicator-imports/").status_code == 403
    assert api_as(None).get("/api/v1/indicator-imports/").status_code == 401

    from io import StringIO

    out = StringIO()
    call_command("indicators", "import", str(path), "--layout", "stats", stdout=out)
    text = out.getvalue()
    assert "4 unchanged" in text and "skipped row 7 社会消费品零售总额" in text
    assert ImportJob.objects.filter(kind="indicators").count() == 3


def test_an_enterprise_sheet_imported_as_a_bureau_table_is_refused_with_the_reason(
    catalogue, firms, tmp_path
):
    header = ["统一社会信用代码", "指标", "期间", "数值"]
    path = workbook(tmp_path / "企业.xlsx", None, header, [[firms.both.uscc, "营业收入", "2025-01", "10"]])
    job = run(path, layout="stats")
    assert job.status == JobStatus.REJECTED and "不是统计局报表" in job.message
    assert not Observation.objects.exists()
