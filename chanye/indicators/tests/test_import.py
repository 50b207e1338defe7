"""Importing enterprise indicator series: every row checked first, all written in one transaction or none,
each rejected row explained by row, column, value and reason; a second run changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import ImportJob, JobStatus
from chanye.indicators.imports import indicator_import_create, indicator_import_run
from chanye.indicators.models import Observation, ObservationRevision

pytestmark = pytest.mark.django_db


def _run(text: str, *, by=None, dry_run=False) -> ImportJob:
    job = indicator_import_create(by=by, filename="指标.csv", content=text.encode("utf-8"), dry_run=dry_run)
    return indicator_import_run(job)


def _sheet(firms) -> str:
    return (
        "2025年一季度重点企业指标\n"
        "统一社会信用代码,企业名称,指标,期间,数值,单位,状态\n"
        f'{firms.both.uscc},天河智算,营业收入,2025-01,"1,200",万元,最终\n'
        f"{firms.both.uscc},天河智算,revenue,2025年2月,0.13亿,,最终\n"
        f"{firms.both.uscc},天河智算,从业人员,2025Q1,356人,,初步\n"
        f"{firms.software.uscc},天河云端,研发投入,2025年一季度,860000,元,\n"
    )


def test_a_clean_sheet_is_written_whole_and_a_second_run_changes_nothing(catalogue, firms, personas):
    job = _run(_sheet(firms), by=personas["drc"])
    assert job.status == JobStatus.DONE and job.kind == "indicators"
    assert (job.total, job.created, job.updated, job.unchanged, job.rejected) == (4, 4, 0, 0, 0)
    revenue = {
        o.period: o.value
        for o in Observation.objects.filter(indicator__code="revenue", enterprise=firms.both)
    }
    assert revenue == {
        date(2025, 1, 1): Decimal(1200),
        date(2025, 2, 1): Decimal(1300),
    }  # 0.13 亿元 = 1,300 万元
    heads = Observation.objects.get(indicator__code="employees")
    assert (heads.value, heads.status, heads.frequency, heads.period) == (
        Decimal(356),
        "preliminary",
        "quarter",
        date(2025, 1, 1),
    )
    rd = Observation.objects.get(indicator__code="rd_spend")
    assert rd.value == Decimal(86) and rd.source_type == "import" and rd.source_ref == str(job.pk)
    assert rd.source_url == f"/indicators/imports/{job.pk}/"
    again = _run(_sheet(firms), by=personas["drc"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_a_revision_by_import_keeps_the_earlier_value(catalogue, firms):
    _run(_sheet(firms))
    revised = _sheet(firms).replace("356人,,初步", "360,人,最终")
    job = _run(revised)
    assert (job.created, job.updated, job.unchanged) == (0, 1, 3)
    heads = Observation.objects.get(indicator__code="employees")
    [old] = ObservationRevision.objects.filter(observation=heads)
    assert (heads.value, heads.status, old.value, old.status) == (
        Decimal(360),
        "final",
        Decimal(356),
        "preliminary",
    )


def test_bad_rows_reject_the_whole_file_and_each_is_explained(catalogue, firms):
    text = (
        "统一社会信用代码,指标,期间,数值,单位\n"
        f"{firms.both.uscc},营业收入,2025-03,500,万元\n"  # fine, but not written: the file has errors
        "91440106MA59XXXXX,营业收入,2025-03,500,万元\n"  # 17 characters
        f"{firms.both.uscc},地区生产总值,2025-03,500,亿元\n"  # not an enterprise indicator
        f"{firms.both.uscc},从业人员,2025-03,12,人\n"  # quarterly: no months
        f"{firms.both.uscc},营业收入,2025-03,五百,万元\n"  # not a number
        f"{firms.both.uscc},营业收入,2025-04,500,美元\n"  # foreign currency
        f"{uscc_for(777)},营业收入,2025-03,500,万元\n"  # a valid code nobody registered
    )
    job = _run(text)
    assert job.status == JobStatus.REJECTED and job.rejected == 6
    assert not Observation.objects.exists()
    errors = {(e.row, e.column.split("（")[0]): e.reason for e in job.row_errors.all()}
    assert "长度应为 18 位" in errors[(3, "统一社会信用代码")]
    assert "不是企业层级的指标" in errors[(4, "指标")]
    assert "按季度统计" in errors[(5, "期间")]
    assert "不是金额" in errors[(6, "数值")]
    assert "单位" in errors[(7, "单位")]
    assert "企业名录中没有该企业" in errors[(8, "统一社会信用代码")]
    assert all("列）" in e.column for e in job.row_errors.all()), "the column letter is named"


def test_a_preliminary_figure_cannot_overwrite_a_final_one_and_nothing_is_written(catalogue, firms):
    _run(_sheet(firms))
    text = (
        "统一社会信用代码,指标,期间,数值,状态\n"
        f"{firms.software.uscc},营业收入,2025-01,10,最终\n"
        f"{firms.both.uscc},营业收入,2025-01,999,初步\n"
    )
    job = _run(text)
    assert job.status == JobStatus.REJECTED
    [error] = job.row_errors.all()
    assert error.row == 3 and "已有最终数" in error.reason
    assert not Observation.objects.filter(enterprise=firms.software, indicator__code="revenue").exists()


def test_a_dry_run_counts_and_writes_nothing(catalogue, firms):
    job = _run(_sheet(firms), dry_run=True)
    assert job.status == JobStatus.DONE and job.created == 4 and "仅校验" in job.message
    assert not Observation.objects.exists()


def test_a_sheet_without_the_required_columns_is_refused(catalogue, firms):
    job = _run("统一社会信用代码,数值\n91440106MA59XXXXXX,1\n")
    assert job.status == JobStatus.REJECTED and "缺少必需的列" in job.message and "指标" in job.message


def test_the_import_page_runs_the_job_for_the_drc_only(catalogue, firms, personas, login, client):
    upload = SimpleUploadedFile("指标.csv", _sheet(firms).encode("utf-8"), content_type="text/csv")
    response = login(personas["drc"]).post("/indicators/imports/", {"file": upload})
    job = ImportJob.objects.get(kind="indicators")
    assert response.status_code == 302 and response.url == f"/indicators/imports/{job.pk}/"
    assert job.status == JobStatus.DONE and Observation.objects.count() == 4
    status = client.get(response.url)
    assert status.status_code == 200 and 'data-status="done"' in status.content.decode()
    assert login(personas["leader"]).post("/indicators/imports/", {"file": upload}).status_code == 403


def test_the_job_page_lists_the_rejected_rows_and_offers_them_as_a_workbook(
    catalogue, firms, personas, login
):
    client = login(personas["drc"])
    bad = f"统一社会信用代码,指标,期间,数值\n{firms.both.uscc},营业收入,2025-13,5\n".encode()
    response = client.post("/indicators/imports/", {"file": SimpleUploadedFile("坏.csv", bad)})
    page = client.get(response.url)
    html = page.content.decode()
    assert 'data-status="rejected"' in html and "月份不存在" in html and "期间（C 列）" in html
    workbook = client.get(f"{response.url}errors.xlsx")
    assert workbook.status_code == 200 and workbook["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    enterprise_job = ImportJob.objects.create(filename="名单.xlsx")  # another module's job is not found here
    assert client.get(f"/indicators/imports/{enterprise_job.pk}/").status_code == 404
