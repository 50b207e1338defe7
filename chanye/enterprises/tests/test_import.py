"""Importing enterprise sheets as people have them: messy headers and values, LibreOffice-saved files,
all-or-nothing with every bad row explained, and the same file twice changing nothing."""

import io
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from chanye.core.tabular import write_xlsx
from chanye.core.tests.test_tabular import libreoffice
from chanye.enterprises import services
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise, EnterpriseChange, ImportJob, JobStatus, Membership

pytestmark = pytest.mark.django_db

CODE_A, CODE_B, CODE_C = uscc_for(1), uscc_for(2), uscc_for(3)
FULLWIDTH_A = CODE_A.translate(str.maketrans("0123456789", "０１２３４５６７８９")).lower()


def messy_rows():
    """What a street office sends: a title row, a note, synonyms, units in headers, 万/亿 in cells,
    full-width digits, trailing spaces, dates three ways, a duplicate row."""
    return [
        ["2024年天河区重点企业名单（石牌街道报送）", "", "", "", "", "", "", "", ""],
        ["填报说明：金额单位见表头", "", "", "", "", "", "", "", ""],
        [
            "社会信用代码",
            "单位名称",
            "街道",
            "行业代码",
            "经营范围",
            "注册资本（元）",
            "营业收入",
            "从业人数",
            "成立时间",
        ],
        [
            FULLWIDTH_A + " ",
            "广州天越软件有限公司 ",
            "石牌",
            "I6513",
            "软件开发；人工智能应用",
            "5000000",
            "1.2亿",
            "１２０",
            "2019/3/5",
        ],
        [
            CODE_B,
            "广州恒信商贸有限公司",
            "TH02",
            "5199",
            "批发；进出口",
            "10000000",
            "8000万",
            "30",
            "2015年6月1日",
        ],
        [
            CODE_C,
            "广州瑞博银行股份有限公司",
            "冼村街道",
            "6621",
            "货币银行服务",
            "100000000",
            "35亿元",
            "800",
            "20000101",
        ],
        [
            CODE_B,
            "广州恒信商贸有限公司",
            "TH02",
            "5199",
            "批发；进出口",
            "10000000",
            "8000万",
            "30",
            "2015年6月1日",
        ],
    ]


def run(by, path, name=None, **options):
    job = services.import_job_create(by=by, filename=name or path.name, content=path.read_bytes(), **options)
    return services.import_job_run(job)


def xlsx(path, rows, merge=False):
    write_xlsx(path, [("Sheet1", rows[0], rows[1:])])
    if merge:
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(path))
        sheet = workbook.add_worksheet("Sheet1")
        sheet.merge_range(0, 0, 0, len(rows[0]) - 1, rows[0][0])
        for r, row in enumerate(rows[1:], start=1):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
        workbook.close()
    return path


def test_messy_sheet_saved_by_libreoffice_imports_with_every_value_cleaned(systems, personas, tmp_path):
    source = xlsx(tmp_path / "名单.xlsx", messy_rows(), merge=True)
    saved = libreoffice(source, "xlsx", tmp_path / "lo-out", tmp_path / "lo")
    job = run(personas["drc"], saved)
    assert job.status == JobStatus.DONE, (job.message, list(job.row_errors.values_list("reason", flat=True)))
    assert (job.created, job.updated, job.unchanged, job.rejected) == (3, 0, 1, 0)
    assert "1 行与前面的行完全相同" in job.message
    firm = Enterprise.objects.get(uscc=CODE_A)
    assert firm.name == "广州天越软件有限公司"
    assert firm.street.code == "TH05"
    assert firm.gbt_code == "6513"
    assert firm.capital == Decimal("500")  # 5,000,000 元 in 万元
    assert firm.revenue == Decimal("12000")  # 1.2 亿 in 万元
    assert firm.employees == 120
    assert str(firm.registered_on) == "2019-03-05"
    assert firm.scale == "M"  # software: ≥100 people and ≥1,000 万 but < 300 people
    bank = Enterprise.objects.get(uscc=CODE_C)
    assert str(bank.registered_on) == "2000-01-01"
    codes = set(Membership.objects.filter(enterprise=firm).values_list("industry__code", flat=True))
    assert {"SW", "AI"} <= codes
    assert set(Membership.objects.filter(enterprise=bank).values_list("industry__code", flat=True)) == {
        "FINANCE"
    }


def test_same_file_twice_changes_nothing(systems, personas, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", messy_rows()[2:])
    first = run(personas["drc"], path)
    assert first.created == 3
    before = list(Enterprise.objects.order_by("id").values("uscc", "version", "updated_at"))
    history = EnterpriseChange.objects.count()
    second = run(personas["drc"], path)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 4, 0)
    assert list(Enterprise.objects.order_by("id").values("uscc", "version", "updated_at")) == before
    assert EnterpriseChange.objects.count() == history


def test_changed_row_is_updated_with_history_and_former_name(systems, personas, tmp_path):
    rows = messy_rows()[2:6]
    run(personas["drc"], xlsx(tmp_path / "a.xlsx", rows))
    rows[1][1] = "广州天越智能科技有限公司"
    rows[1][7] = "350"
    job = run(personas["drc"], xlsx(tmp_path / "b.xlsx", rows))
    assert (job.created, job.updated, job.unchanged) == (0, 1, 2)
    firm = Enterprise.objects.get(uscc=CODE_A)
    assert firm.name == "广州天越智能科技有限公司" and firm.employees == 350 and firm.version == 2
    change = firm.changes.get()
    assert change.changes["name"] == ["广州天越软件有限公司", "广州天越智能科技有限公司"]
    assert change.changes["employees"] == [120, 350]
    assert change.source == f"import:{job.pk}"
    assert list(firm.former_names.values_list("name", flat=True)) == ["广州天越软件有限公司"]


def test_one_bad_row_rejects_the_whole_file_and_explains_every_error(systems, personas, tmp_path):
    rows = messy_rows()[2:6]
    rows.append([uscc_for(4)[:-1] + "0", "校验位错误公司", "石牌", "6513", "", "", "", "", ""])
    rows.append([uscc_for(5), "", "火星街道", "9999", "", "-5", "很多", "12.5", "2023-02-30"])
    rows.append([CODE_B, "广州恒信商贸（改名）有限公司", "TH02", "5199", "", "", "", "", ""])
    job = run(personas["drc"], xlsx(tmp_path / "bad.xlsx", rows))
    assert job.status == JobStatus.REJECTED
    assert Enterprise.objects.count() == 0  # nothing half-written
    errors = {(e.row, e.column.split("（")[0]): e.reason for e in job.row_errors.all()}
    assert "第 18 位校验码不符" in errors[(5, "社会信用代码")]
    assert errors[(6, "单位名称")] == "不能为空"
    assert errors[(6, "街道")] == "不是本区的街道"
    assert "GB/T 4754-2017" in errors[(6, "行业代码")]
    assert "不能为负数" in errors[(6, "注册资本")]
    assert errors[(6, "营业收入")] == "不是金额：很多"
    assert "整数" in errors[(6, "从业人数")]
    assert "日期不存在" in errors[(6, "成立时间")]
    assert "与第 3 行代码相同但内容不同" in errors[(7, "社会信用代码")]
    assert job.rejected == 3
    assert "整个文件未写入" in job.message


def test_rejected_rows_come_back_as_a_workbook(systems, personas, tmp_path, login):
    rows = [messy_rows()[2], ["123", "短代码公司", "", "", "", "", "", "", ""]]
    job = run(personas["drc"], xlsx(tmp_path / "bad.xlsx", rows))
    response = login(personas["drc"]).get(f"/enterprises/imports/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["行号", "列", "值", "原因"]
    assert sheet[1][0] in (2, 2.0, "2") and sheet[1][2] == "123" and "长度应为 18 位" in sheet[1][3]


def test_missing_required_column_and_empty_sheet_are_refused_clearly(systems, personas, tmp_path):
    job = run(personas["drc"], xlsx(tmp_path / "no-code.xlsx", [["企业名称", "街道"], ["某公司", "石牌"]]))
    assert job.status == JobStatus.REJECTED and "缺少必需的列：统一社会信用代码" in job.message
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    job = run(personas["drc"], empty)
    assert job.status == JobStatus.REJECTED and job.message


def test_zip_bomb_is_refused_before_parsing(systems, personas, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 2**20))
    job = run(personas["drc"], bomb)
    assert job.status == JobStatus.REJECTED
    assert job.row_errors.get().reason == job.message and "压缩" in job.message


def test_dry_run_reports_exact_counts_and_writes_nothing(systems, personas, tmp_path):
    job = run(personas["drc"], xlsx(tmp_path / "a.xlsx", messy_rows()[2:]), dry_run=True)
    assert job.status == JobStatus.DONE and (job.created, job.unchanged) == (3, 1)
    assert "仅校验" in job.message
    assert Enterprise.objects.count() == 0


def test_saved_column_mapping_covers_unknown_headers(systems, personas, tmp_path):
    rows = [["纳税主体编码", "纳税人名称"], [CODE_A, "广州天越软件有限公司"]]
    path = xlsx(tmp_path / "tax.xlsx", rows)
    assert run(personas["drc"], path).status == JobStatus.REJECTED
    job = run(personas["drc"], path, mapping={"纳税主体编码": "uscc", "纳税人名称": "name"})
    assert job.status == JobStatus.DONE and job.created == 1


def test_csv_in_gb18030_with_tags(systems, personas, tmp_path):
    path = tmp_path / "名单.csv"
    text = f"统一社会信用代码,企业名称,企业标签\n{CODE_A},广州天越软件有限公司,规上、高新技术企业\n"
    path.write_bytes(text.encode("gb18030"))
    job = run(personas["drc"], path)
    assert job.status == JobStatus.DONE
    assert set(Enterprise.objects.get(uscc=CODE_A).tags.values_list("name", flat=True)) == {
        "规上",
        "高新技术企业",
    }
    path.write_bytes(
        f"统一社会信用代码,企业名称,企业标签\n{CODE_A},广州天越软件有限公司,不存在的标签\n".encode()
    )
    job = run(personas["drc"], path)
    assert job.status == JobStatus.REJECTED and "未知标签「不存在的标签」" in job.row_errors.get().reason


def test_upload_through_the_page_runs_and_shows_counts(systems, personas, tmp_path, login, settings):
    client = login(personas["drc"])
    path = xlsx(tmp_path / "a.xlsx", messy_rows()[2:])
    with path.open("rb") as handle:
        response = client.post("/enterprises/imports/", {"file": handle})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response.url)
    assert job.status == JobStatus.DONE  # the test settings run tasks immediately
    assert 'data-testid="created">3<' in page.content.decode()


def test_upload_through_the_api_and_row_errors(systems, personas, api_as, tmp_path):
    api = api_as(personas["drc"])
    rows = [messy_rows()[2], ["123", "短代码公司", "", "", "", "", "", "", ""]]
    path = xlsx(tmp_path / "bad.xlsx", rows)
    with path.open("rb") as handle:
        response = api.post("/api/v1/enterprise-imports/", {"file": handle}, format="multipart")
    assert response.status_code == 202
    job = api.get(f"/api/v1/enterprise-imports/{response.json()['id']}/").json()
    assert job["status"] == "rejected" and job["rejected"] == 1
    errors = api.get(job["errors_url"]).json()["results"]
    assert errors == [
        {"row": 2, "column": "社会信用代码（A 列）", "value": "123", "reason": "长度应为 18 位，实为 3 位"}
    ]


def test_only_the_drc_imports(personas, api_as, tmp_path, systems):
    response = api_as(personas["street"]).post(
        "/api/v1/enterprise-imports/", {"file": io.BytesIO(b"x")}, format="multipart"
    )
    assert response.status_code == 403


def test_command_line_import_dry_run_and_errors_workbook(systems, tmp_path, capsys):
    from django.core.management import call_command

    path = xlsx(tmp_path / "a.xlsx", messy_rows()[2:])
    call_command("import", "enterprises", str(path), "--dry-run")
    assert "3 created" in capsys.readouterr().out and Enterprise.objects.count() == 0
    call_command("import", "enterprises", str(path))
    assert Enterprise.objects.count() == 3
    bad = xlsx(tmp_path / "bad.xlsx", [messy_rows()[2], ["123", "短代码公司", "", "", "", "", "", "", ""]])
    out = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as exit_code:
        call_command("import", "enterprises", str(bad), "--errors", str(out))
    assert exit_code.value.code == 1
    printed = capsys.readouterr().out
    assert "row 2 社会信用代码（A 列）: '123' — 长度应为 18 位，实为 3 位" in printed
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[1][3] == "长度应为 18 位，实为 3 位"


def test_a_large_first_load_rebuilds_indexes_and_search(systems, personas, tmp_path, monkeypatch, api_as):
    from django.db import connection

    from chanye.enterprises import loader

    def indexes():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'enterprises_%%' UNION ALL "
                    "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid::regclass::text LIKE 'enterprises_%%'"
                )
            else:
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE tbl_name LIKE 'enterprises_%%' AND sql IS NOT NULL"
                )
            return sorted(row[0] for row in cursor.fetchall())

    before = indexes()
    monkeypatch.setattr(loader, "BULK_MIN", 1)  # the bulk path, at test size
    job = run(personas["drc"], xlsx(tmp_path / "a.xlsx", messy_rows()[2:]))
    assert job.status == JobStatus.DONE and job.created == 3, job.message
    assert indexes() == before  # every index, key constraint and search trigger is back
    found = api_as(personas["drc"]).get("/api/v1/enterprises/", {"q": "天越软件"}).json()["results"]
    assert [row["uscc"] for row in found] == [CODE_A]
    assert Membership.objects.filter(enterprise__uscc=CODE_A, industry__code="AI").exists()


def test_a_first_load_rolls_back_batches_already_written_when_a_later_row_is_bad(
    systems, personas, tmp_path, monkeypatch
):
    from chanye.enterprises import loader

    monkeypatch.setattr(loader, "FIRST_LOAD_BATCH", 2)  # PostgreSQL writes each batch as it goes
    monkeypatch.setattr(loader, "CHECK_BATCH", 2)
    rows = messy_rows()[2:6]
    rows.append([uscc_for(4), "广州后来公司", "石牌", "6513", "", "", "很多", "", ""])
    job = run(personas["drc"], xlsx(tmp_path / "late-error.xlsx", rows))
    assert job.status == JobStatus.REJECTED
    assert [(e.row, e.reason) for e in job.row_errors.all()] == [(5, "不是金额：很多")]
    assert (job.created, job.rejected) == (3, 1)  # what the valid rows would have done
    assert not Enterprise.objects.exists() and not Membership.objects.exists()
    again = run(personas["drc"], xlsx(tmp_path / "fixed.xlsx", rows[:-1]))
    assert (again.status, again.created, again.unchanged) == (JobStatus.DONE, 3, 0)


def test_a_first_load_reports_progress_outside_its_transaction(systems, tmp_path):
    """A first load into an empty PostgreSQL register is one long transaction; its progress must still be seen
    by the job's page, so it is reported on another connection, never inside the load."""
    import threading

    from django.db import connection

    from chanye.core.tabular import open_table
    from chanye.enterprises import loader

    if connection.vendor != "postgresql":
        pytest.skip("the overlapped first load is PostgreSQL's")
    reports = []

    def progress(phase, count):
        from django.db import connection as own

        reports.append(
            (phase, count, own.in_atomic_block, threading.current_thread() is threading.main_thread())
        )

    path = xlsx(tmp_path / "a.xlsx", messy_rows()[2:])
    with open_table(str(path), path.name) as table:
        outcome = loader.import_table(
            table, lookups=services.lookups(), version_id=None, source="test", progress=progress
        )
    assert outcome.written and (outcome.created, outcome.unchanged) == (3, 1)
    assert [phase for phase, *_ in reports][-2:] == ["checked", "writing"]
    assert reports[-1][1] == 4
    assert not any(inside or main for _phase, _count, inside, main in reports)
