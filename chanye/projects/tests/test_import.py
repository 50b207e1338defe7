"""Importing the project library, annual plans and monthly filings as people keep them: messy sheets (one
saved by LibreOffice), every bad row named, all or nothing, the same file twice changing nothing, imported
filings under the filing rules, each user within their projects, the page, the API and the command line."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from chanye.audit.models import AuditEvent
from chanye.core.tabular import open_table, write_xlsx
from chanye.core.tests.test_tabular import libreoffice
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import ImportJob, JobStatus
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects import imports, services
from chanye.projects.models import AnnualPlan, Filing, FilingStatus, Milestone, Project

pytestmark = pytest.mark.django_db
FIRM_A, FIRM_B = uscc_for(7), uscc_for(8)


@pytest.fixture
def library(systems, personas):
    """Two projects: firm1's software park under 工信局 (the `dept` persona), and another firm's finance
    centre under 区委金融办. firm1's user is the `enterprise` persona."""
    own = enterprise_save(by=None, values={"uscc": FIRM_A, "name": "广州天越软件有限公司"})
    other = enterprise_save(by=None, values={"uscc": FIRM_B, "name": "广州恒信商贸有限公司"})
    personas["enterprise"].enterprise = own
    personas["enterprise"].save()
    park = Project.objects.create(
        code="TH2025-900",
        name="天越软件产业园",
        owner=own,
        industry=systems.industries.get(code="SW"),
        street=Street.objects.get(code="TH01"),
        department=Department.objects.get(code="IIT"),
        stage="continuing",
        total_investment=Decimal(200000),
    )
    centre = Project.objects.create(
        code="TH2025-901",
        name="恒信金融中心",
        owner=other,
        industry=systems.industries.get(code="FINANCE"),
        street=Street.objects.get(code="TH02"),
        department=Department.objects.get(code="FIN"),
        stage="continuing",
        total_investment=Decimal(100000),
    )
    AnnualPlan.objects.create(project=park, year=2025, planned_investment=Decimal(12000))
    AnnualPlan.objects.create(project=centre, year=2025, planned_investment=Decimal(6000))
    return park, centre


def sheet(path, rows):
    """A workbook whose first row is `rows[0]` (a title or the header) and the rest below it."""
    write_xlsx(path, [("Sheet1", rows[0], rows[1:])])
    return path


def run(by, path, kind, dry_run=False):
    job = imports.import_job_create(
        by=by, kind=kind, filename=path.name, content=path.read_bytes(), dry_run=dry_run
    )
    return imports.import_job_run(job)


def errors_of(job):
    return [(e.row, e.column, e.value, e.reason) for e in job.row_errors.all()]


def counts(job):
    return job.created, job.updated, job.unchanged, job.rejected


LIBRARY_ROWS = [
    ["2025年天河区重点项目库（发改局汇总）", "", "", "", "", "", "", "", "", "", "", ""],
    [
        "项目代码",
        "项目名称",
        "业主单位信用代码",
        "产业领域",
        "街道",
        "建设阶段",
        "项目类型",
        "项目总投资（亿元）",
        "计划开工",
        "计划竣工日期",
        "牵头单位",
        "资金来源",
    ],
    [
        "th2026-001 ",
        "天河人工智能算力中心",
        FIRM_A.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "软件与互联网",
        "五山",
        "新开工项目",
        "产业项目",
        "１２.５",
        "2026年3月",
        "2028/12/31",
        "区工业和信息化局",
        "企业自筹，专项债",
    ],
    [
        "TH2026-002",
        "恒信金融中心二期",
        FIRM_B,
        "FINANCE",
        "TH02",
        "储备",
        "城市更新",
        "3.2",
        "2027-01-01",
        "20291231",
        "FIN",
        "企业自筹",
    ],
]


def test_library_saved_by_libreoffice_imports_cleaned_and_twice_changes_nothing(library, personas, tmp_path):
    source = tmp_path / "项目库.csv"
    source.write_text("\n".join(",".join(row) for row in LIBRARY_ROWS), encoding="utf-8-sig")
    # UTF-8, comma-separated, codes (columns 1 and 3) as text: as a clerk opens and re-saves the export.
    saved = libreoffice(source, "xlsx", tmp_path / "lo-out", tmp_path / "lo", "CSV:44,34,76,1,1/2/3/2")
    job = run(personas["drc"], saved, "projects")
    assert job.status == JobStatus.DONE, errors_of(job)
    assert counts(job) == (2, 0, 0, 0)
    centre = Project.objects.get(code="TH2026-001")
    assert centre.owner.uscc == FIRM_A  # full-width digits
    assert centre.total_investment == Decimal(125000)  # 12.5 亿元 in 万元
    assert (centre.stage, centre.category) == ("new", "industry")
    assert centre.street.code == "TH01" and centre.industry.code == "SW"
    assert centre.department.code == "IIT"
    assert (centre.planned_start, centre.planned_end) == (date(2026, 3, 1), date(2028, 12, 31))
    assert centre.funding == "企业自筹、专项债"
    second = Project.objects.get(code="TH2026-002")
    assert (second.stage, second.category, second.planned_end) == (
        "reserve",
        "urban_renewal",
        date(2029, 12, 31),
    )
    assert second.changes.filter(action="create").exists()  # the project page's history
    assert AuditEvent.objects.filter(action="project.create", object_id=str(second.pk)).exists()
    versions = list(Project.objects.order_by("code").values_list("code", "version", "updated_at"))
    again = run(personas["drc"], saved, "projects")
    assert again.status == JobStatus.DONE and counts(again) == (0, 0, 2, 0)
    assert list(Project.objects.order_by("code").values_list("code", "version", "updated_at")) == versions


def test_every_bad_library_row_is_named_and_nothing_is_written(library, personas, tmp_path, login):
    header = LIBRARY_ROWS[1]
    good = LIBRARY_ROWS[2]
    rows = [
        header,
        good,  # row 2: fine on its own
        ["TH2026-003", "无业主项目", uscc_for(99), "软件与互联网", "五山", "续建", "", "1亿", "", "", "", ""],
        ["TH2026-004", "阶段不明项目", FIRM_A, "软件与互联网", "五山", "在谈", "", "100", "", "", "", ""],
        ["TH2026-005", "产业不明项目", FIRM_A, "元宇宙", "月球街道", "储备", "", "", "", "", "", ""],
        [
            "TH2026-001",
            "天河人工智能算力中心",
            FIRM_A,
            "软件与互联网",
            "五山",
            "新开工",
            "",
            "13亿",
            "",
            "",
            "",
            "",
        ],
        ["TH2025-900", "天越软件产业园", FIRM_A, "软件与互联网", "五山", "竣工", "", "20亿", "", "", "", ""],
    ]
    path = sheet(tmp_path / "bad.xlsx", rows)
    before = Project.objects.count()
    job = run(personas["drc"], path, "projects")
    assert job.status == JobStatus.REJECTED
    assert job.rejected == 5
    assert Project.objects.count() == before and not Project.objects.filter(code="TH2026-001").exists()
    found = {(row, column.split("（")[0], reason) for row, column, _value, reason in errors_of(job)}
    assert (3, "业主单位信用代码", "不在企业名录中：请先在企业名录中登记该企业") in found
    assert (4, "建设阶段", "项目阶段应为 储备、新开工、续建、竣工 或 投产") in found
    assert any(
        row == 5 and column == "产业领域" and "不是现行产业体系中的产业" in r for row, column, r in found
    )
    assert any(row == 5 and column == "街道" and r == "不是本区的街道" for row, column, r in found)
    assert any(
        row == 5 and column == "项目总投资" and r == "新项目必须填写总投资" for row, column, r in found
    )
    assert any(row == 6 and "与第 2 行的项目编号相同但内容不同" in r for row, _c, r in found)
    assert any(row == 7 and "阶段在年末统一调整" in r for row, _c, r in found)
    park = Project.objects.get(code="TH2025-900")
    assert (park.stage, park.total_investment) == ("continuing", Decimal(200000))
    # The column letter is named too, as in the enterprise import.
    assert any(column == "建设阶段（F 列）" for _row, column, _v, _r in errors_of(job))
    # The page shows the counts and the rows; the rejected rows come back as a workbook.
    client = login(personas["drc"])
    page = client.get(f"/projects/imports/{job.pk}/").content.decode()
    assert "整个文件未写入" in page and "不在企业名录中" in page
    status = client.get(f"/projects/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert status.startswith('<div id="import-status"') and 'data-status="rejected"' in status
    workbook = _read(client.get(f"/projects/imports/{job.pk}/errors.xlsx").content)
    assert workbook[0] == ["行号", "列", "值", "原因"]
    assert {row[0] for row in workbook[1:]} == {"3", "4", "5", "6", "7"}


def test_plans_take_monthly_amounts_or_cumulative_shares_and_milestone_dates(library, personas, tmp_path):
    months = [f"{m}月" for m in range(1, 13)]
    header = ["项目编号", "年度", "年度计划投资（万元）", *months, "主体封顶", "计划竣工"]
    amounts = ["0", "0", "1000", "1000", "1000", "1000", "1000", "1000", "1000", "1000", "2000", "2000"]
    shares = ["5%", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "95%", "100%"]
    falling = [*shares[:5], "35%", *shares[6:]]
    rows = [
        header,
        ["TH2025-900", "2025年", "1.2亿", *amounts, "2025-06-30", "2026年12月"],
        ["TH2025-901", "2025", "6000", *falling, "", ""],
        ["TH2099-999", "2025", "100", *[""] * 12, "", ""],
    ]
    job = run(personas["drc"], sheet(tmp_path / "plans.xlsx", rows), "plans")
    assert job.status == JobStatus.REJECTED and job.rejected == 2
    reasons = {row: reason for row, _column, _value, reason in errors_of(job)}
    assert "第 6 个月的累计占比 0.35 小于上月的 0.4" in reasons[3]
    assert reasons[4] == "项目库中没有这个项目编号：请先导入项目库或核对编号"
    assert AnnualPlan.objects.get(project__code="TH2025-900").curve == []  # nothing written

    rows[2] = ["TH2025-901", "2025", "6000", *shares, "", ""]
    rows.pop()
    path = sheet(tmp_path / "plans.xlsx", rows)
    job = run(personas["drc"], path, "plans")
    assert job.status == JobStatus.DONE, errors_of(job)
    assert counts(job) == (0, 2, 0, 0)
    park = AnnualPlan.objects.get(project__code="TH2025-900", year=2025)
    assert park.planned_investment == Decimal(12000)
    assert [Decimal(v) for v in park.curve][:3] == [Decimal(0), Decimal(0), Decimal("0.0833")]
    assert park.curve[-1] == "1"
    assert services.plan_share(park, 10) == Decimal("0.6667")  # 8,000 of 12,000 by October
    centre = AnnualPlan.objects.get(project__code="TH2025-901", year=2025)
    assert [Decimal(v) for v in centre.curve] == [Decimal(s.rstrip("%")) / 100 for s in shares]
    topping = Milestone.objects.get(project__code="TH2025-900", kind="topping")
    completion = Milestone.objects.get(project__code="TH2025-900", kind="completion")
    assert (topping.planned_on, completion.planned_on) == (date(2025, 6, 30), date(2026, 12, 1))
    assert AuditEvent.objects.filter(action="project.plan").count() == 2

    again = run(personas["drc"], path, "plans")
    assert counts(again) == (0, 0, 2, 0)


def test_plan_over_the_total_investment_is_refused_with_the_library_rule(library, personas, tmp_path):
    rows = [
        ["项目编号", "年度", "年度计划投资", "以前年度累计完成投资"],
        ["TH2025-901", "2026", "8000", "9.5亿"],
    ]
    job = run(personas["drc"], sheet(tmp_path / "p.xlsx", rows), "plans")
    assert errors_of(job) == [
        (
            2,
            "年度计划投资（C 列）",
            "8000",
            "以前年度累计 95000 万元加本年计划 8000 万元，超过项目总投资 100000 万元",
        )
    ]


FILING_HEADER = [
    "项目编号",
    "项目名称",
    "月份",
    "本月完成投资（万元）",
    "本年累计完成投资（万元）",
    "本月完成节点",
    "形象进度",
    "存在问题",
]


def test_filings_continue_the_cumulative_and_are_submitted_with_revisions(library, personas, tmp_path):
    rows = [
        FILING_HEADER,
        ["TH2025-900", "天越软件产业园", "2025-01", "800", "", "", "桩基施工", ""],
        ["TH2025-900", "天越软件产业园", "2025年2月", "", "1,700", "", "桩基完成", ""],
        ["TH2025-900", "天越软件产业园", "202503", "1000", "2700", "主体封顶", "主体封顶", "用电报装待批"],
        ["TH2025-901", "恒信金融中心", "2025/1", "500", "600", "", "", ""],
    ]
    path = sheet(tmp_path / "月报.xlsx", rows)
    job = run(personas["drc"], path, "filings")
    assert job.status == JobStatus.REJECTED
    assert errors_of(job) == [
        (
            5,
            "本年累计完成投资（万元）（E 列）",  # the header as the file has it
            "600",
            "本年累计应等于上月累计 0 加本月完成 500（即 500 万元），请核对",
        )
    ]
    assert not Filing.objects.exists()

    rows[4][4] = "500"
    job = run(personas["drc"], sheet(path, rows), "filings")
    assert job.status == JobStatus.DONE, errors_of(job)
    assert counts(job) == (4, 0, 0, 0)
    park = {f.period.month: f for f in Filing.objects.filter(project__code="TH2025-900")}
    assert [(park[m].investment, park[m].cumulative) for m in (1, 2, 3)] == [
        (Decimal(800), Decimal(800)),
        (Decimal(900), Decimal(1700)),
        (Decimal(1000), Decimal(2700)),
    ]
    march = park[3]
    assert march.status == FilingStatus.SUBMITTED and march.submitted_by == personas["drc"]
    assert march.milestones == ["topping"] and march.blockers == "用电报装待批"
    assert march.due_on == date(2025, 4, 5)
    assert march.revisions.get().action == "submit"
    assert AuditEvent.objects.filter(action="filing.submit").count() == 4

    again = run(personas["drc"], path, "filings")
    assert counts(again) == (0, 0, 4, 0)
    assert march.revisions.count() == 1


def test_an_accepted_filing_is_not_overwritten(library, personas, tmp_path):
    park = library[0]
    first = services.filing_save(
        project=park,
        period=date(2025, 1, 1),
        values={"investment": 800, "cumulative": 800},
        by=personas["drc"],
        submit=True,
    )
    services.filing_accept(filing=first, by=personas["dept"])
    same = [FILING_HEADER, ["TH2025-900", "", "2025-01", "800", "800", "", "", ""]]
    assert counts(run(personas["drc"], sheet(tmp_path / "a.xlsx", same), "filings")) == (0, 0, 1, 0)
    changed = [FILING_HEADER, ["TH2025-900", "", "2025-01", "900", "900", "", "", ""]]
    job = run(personas["drc"], sheet(tmp_path / "b.xlsx", changed), "filings")
    assert job.status == JobStatus.REJECTED
    assert errors_of(job)[0][3] == "该月报已审核通过，不能通过导入覆盖；如需更正，请联系责任部门退回后再导入"
    first.refresh_from_db()
    assert (first.status, first.investment) == (FilingStatus.ACCEPTED, Decimal(800))


def test_a_returned_filing_is_corrected_and_a_draft_stays_a_draft(library, personas, tmp_path):
    park = library[0]
    january = services.filing_save(
        project=park,
        period=date(2025, 1, 1),
        values={"investment": 800, "cumulative": 800},
        by=personas["drc"],
        submit=True,
    )
    services.filing_return(filing=january, reason="金额与凭证不符", by=personas["dept"])
    rows = [
        [*FILING_HEADER, "报送状态"],
        ["TH2025-900", "", "2025-01", "750", "", "", "", "", ""],
        ["TH2025-900", "", "2025-02", "250", "", "", "", "", "草稿"],
    ]
    job = run(personas["drc"], sheet(tmp_path / "c.xlsx", rows), "filings")
    assert counts(job) == (1, 1, 0, 0), errors_of(job)
    january.refresh_from_db()
    assert (january.status, january.cumulative, january.version) == (FilingStatus.SUBMITTED, Decimal(750), 3)
    february = Filing.objects.get(project=park, period=date(2025, 2, 1))
    assert (february.status, february.cumulative) == (FilingStatus.DRAFT, Decimal(1000))


def test_each_user_imports_filings_only_for_their_own_projects(library, personas, tmp_path, login):
    rows = [
        FILING_HEADER,
        ["TH2025-900", "", "2025-01", "800", "", "", "", ""],
        ["TH2025-901", "", "2025-01", "500", "", "", "", ""],
    ]
    path = sheet(tmp_path / "f.xlsx", rows)
    for persona in ("enterprise", "dept"):
        job = run(personas[persona], path, "filings")
        assert job.status == JobStatus.REJECTED
        assert [(row, reason[:8]) for row, _c, _v, reason in errors_of(job)] == [(3, "没有这个项目编号")]
        assert not Filing.objects.exists()  # not even the row of their own project
    own = sheet(tmp_path / "own.xlsx", rows[:2])
    job = run(personas["enterprise"], own, "filings")
    assert job.status == JobStatus.DONE
    assert Filing.objects.get().submitted_by == personas["enterprise"]
    # The library and plans are the 发改局's: an enterprise may not even upload them.
    with pytest.raises(Exception, match="无权导入项目库"):
        run(personas["enterprise"], own, "projects")
    client = login(personas["enterprise"])
    page = client.get("/projects/imports/")
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == ["filings"]
    assert client.get("/projects/imports/template/projects.xlsx").status_code == 403
    assert login(personas["leader"]).get("/projects/imports/").status_code == 403
    # Jobs are private to whoever uploaded them (the 发改局 sees all).
    assert login(personas["dept"]).get(f"/projects/imports/{job.pk}/").status_code == 404
    assert login(personas["drc"]).get(f"/projects/imports/{job.pk}/").status_code == 200


def _read(content: bytes) -> list[list[str]]:
    buffer = io.BytesIO(content)
    with open_table(buffer, "x.xlsx") as table:
        return [cells for _number, cells in table.rows()]


def test_round_trip_through_the_template(library, personas, login, tmp_path):
    client = login(personas["drc"])
    response = client.get("/projects/imports/template/plans.xlsx")
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names == ["年度计划", "填写说明"]
    header = _read(response.content)[0]
    assert header[:4] == ["项目编号", "项目名称", "年度", "年度计划投资（万元）"]
    filled = [header, ["TH2025-900", "天越软件产业园", "2026", "24000"] + [""] * (len(header) - 4)]
    filled[1][header.index("开工计划时间")] = "2026-02-01"
    path = sheet(tmp_path / "年度计划.xlsx", filled)
    with path.open("rb") as handle:
        response = client.post("/projects/imports/", {"kind": "plans", "file": handle})
    assert response.status_code == 302
    detail = client.get(response.url)
    assert detail.context["job"].status == JobStatus.DONE, list(detail.context["errors"])
    assert AnnualPlan.objects.get(project__code="TH2025-900", year=2026).planned_investment == Decimal(24000)
    assert Milestone.objects.get(project__code="TH2025-900", kind="start").planned_on == date(2026, 2, 1)
    assert "新增" in detail.content.decode()


def test_round_trip_through_the_monthly_table(library, personas, login, tmp_path):
    """The 发改局 circulates the March table; the April figures come back in it, the month in the title."""
    park, centre = library
    services.filing_save(
        project=park,
        period=date(2025, 3, 1),
        values={"investment": 2500, "cumulative": 2500},
        by=personas["drc"],
        submit=True,
    )
    client = login(personas["drc"])
    exported = _read(client.get("/projects/monthly.xlsx?month=2025-03").content)
    assert exported[0][0].startswith("2025年1-3月")
    header = exported[2]
    cumulative, narrative = header.index("本年累计完成(亿元)"), header.index("形象进度")
    exported[0][0] = exported[0][0].replace("1-3月", "1-4月")
    for cells in exported[3:]:
        if cells[1] == park.code:
            cells[cumulative], cells[narrative] = "0.35", "主体结构施工"
        elif cells[1] == centre.code:
            cells[cumulative] = ""  # no report this month: left out
    path = tmp_path / "4月.xlsx"
    write_xlsx(path, [("进度表", exported[0], exported[1:])])
    job = run(personas["drc"], path, "filings")
    assert job.status == JobStatus.DONE, errors_of(job)
    assert counts(job) == (1, 0, 1, 0)
    assert "月份取自标题：2025-04" in job.message and "分组、小计" in job.message
    april = Filing.objects.get(project=park, period=date(2025, 4, 1))
    assert (april.investment, april.cumulative, april.narrative) == (
        Decimal(1000),
        Decimal(3500),
        "主体结构施工",
    )


def test_api_uploads_checks_and_lists_errors(library, personas, api_as, tmp_path):
    api = api_as(personas["drc"])
    rows = [FILING_HEADER, ["TH2025-900", "", "2025-01", "800", "", "", "", ""]]
    path = sheet(tmp_path / "f.xlsx", rows)
    with path.open("rb") as handle:
        response = api.post(
            "/api/v1/project-imports/", {"kind": "filings", "file": handle, "dry_run": "true"}
        )
    assert response.status_code == 202, response.content
    assert response.data["status"] == "done" and response.data["created"] == 1
    assert "仅校验" in response.data["message"]
    assert not Filing.objects.exists()
    rows.append(["TH2025-900", "", "2025-13", "1", "", "", "", ""])
    with sheet(path, rows).open("rb") as handle:
        response = api.post("/api/v1/project-imports/", {"kind": "filings", "file": handle})
    assert response.status_code == 202 and response.data["status"] == "rejected"
    job = api.get(f"/api/v1/project-imports/{response.data['id']}/")
    assert job.status_code == 200 and job.data["kind"] == "filings" and job.data["rejected"] == 1
    errors = api.get(response.data["errors_url"])
    assert errors.data["results"] == [
        {"row": 3, "column": "月份（C 列）", "value": "2025-13", "reason": "月份应为 1–12，而不是 13"}
    ]
    firm = api_as(personas["enterprise"])
    with path.open("rb") as handle:
        refused = firm.post("/api/v1/project-imports/", {"kind": "projects", "file": handle})
    assert refused.status_code == 403
    assert firm.get(f"/api/v1/project-imports/{response.data['id']}/").status_code == 404
    assert api_as(personas["street"]).get("/api/v1/project-imports/").status_code == 403
    assert api_as(None).get("/api/v1/project-imports/").status_code == 401


def test_command_line_imports_and_writes_the_rejected_rows(library, tmp_path, capsys):
    rows = [
        ["项目编号", "年度", "年度计划投资"],
        ["TH2025-900", "2026", "5000"],
        ["TH2025-777", "2026", "10"],
    ]
    path = sheet(tmp_path / "plans.xlsx", rows)
    out = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as exited:
        call_command("import", "plans", str(path), "--errors", str(out))
    assert exited.value.code == 1
    assert "row 3 项目编号（A 列）" in capsys.readouterr().out
    assert _read(out.read_bytes())[1][:2] == ["3", "项目编号（A 列）"]
    assert not AnnualPlan.objects.filter(year=2026).exists()
    path = sheet(path, rows[:2])
    call_command("import", "plans", str(path), "--dry-run")
    assert "1 created" in capsys.readouterr().out
    assert not AnnualPlan.objects.filter(year=2026).exists()
    call_command("import", "plans", str(path))
    assert AnnualPlan.objects.get(year=2026).planned_investment == Decimal(5000)
    job = ImportJob.objects.filter(kind="plans").first()
    assert job is not None and job.created_by is None
