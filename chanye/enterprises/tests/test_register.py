"""The register as its users rely on it: edits with version checks, codes accepted only with a reason,
industries with their reasons and hand decisions that survive re-runs, liaison, masking, exports."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from chanye.audit.models import AuditEvent
from chanye.enterprises import demo, services
from chanye.enterprises.classify import Classifier, IndustryRules
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise, Membership, RuleKind
from chanye.enterprises.scale import classify as size_of
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Street

SHARED = Path(__file__).resolve().parents[3].parent / "shared"


def make(by=None, code=1, **values):
    values = {"uscc": uscc_for(code), "name": f"广州测试{code}有限公司", **values}
    return services.enterprise_save(by=by, values=values)


# Pure parts.


def test_size_follows_the_nbs_standard_for_each_industry():
    assert size_of("6513", employees=350, revenue=Decimal("12000")).scale == "L"
    assert size_of("6513", employees=350, revenue=Decimal("900")).scale == "S"  # falls to the band both reach
    assert size_of("5199", employees=4, revenue=Decimal("50000")).scale == "XS"  # wholesale: < 5 people
    assert size_of("3612", employees=1200, revenue=Decimal("50000")).scale == "L"  # industry
    assert size_of("4710", revenue=Decimal("90000"), assets=Decimal("1000")).scale == "S"  # construction
    unknown = size_of("6513", employees=20)
    assert unknown.scale == "" and "营业收入" in unknown.reason


def test_classifier_gbt_prefixes_sections_keywords_and_exclusions():
    rules = [
        IndustryRules(1, "ICV", "汽车", include=("361", "366"), exclude=("3611",), keywords=("新能源汽车",)),
        IndustryRules(2, "MFG", "制造", include=("C",)),
    ]
    classifier = Classifier(rules, {"36": "C", "65": "I"})
    matches = {m.industry_id: m for m in classifier.classify("3612")}
    assert matches[1].rule == "国民经济行业代码 3612 属于纳入范围 361" and matches[2].kind == "gbt"
    assert {m.industry_id for m in classifier.classify("3611", "新能源汽车研发")} == {2}  # excluded code wins
    keyword = classifier.classify("6513", "新能源汽车软件")
    assert [(m.industry_id, m.rule) for m in keyword] == [(1, "经营范围含关键词「新能源汽车」")]


def test_demo_register_is_deterministic_valid_and_calibrated():
    rows = list(demo.generate(2000))
    assert rows == list(demo.generate(2000))
    assert len({row[0] for row in rows}) == 2000
    from chanye.enterprises.uscc import check

    assert all(check(row[0]).valid for row in rows)
    facts = {}
    with (SHARED / "reference" / "tianhe_stats.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            facts[(row["year"], row["indicator"])] = row
    digital = float(facts[("2023", "数字经济核心产业增加值占GDP")]["value"]) / 100
    secondary_2021 = facts[("2021", "GDP")]["note"].split("三次产业比 ")[1].split(";")[0].split(":")[1]
    shares = demo.shares(rows)
    assert shares["digital_core"] == pytest.approx(digital, abs=0.002)
    assert shares["secondary"] == pytest.approx(float(secondary_2021) / 100, abs=0.002)


# Saving one enterprise.


@pytest.mark.django_db
def test_a_code_failing_its_check_needs_an_authorised_reason(systems, personas):
    bad = uscc_for(7)[:-1] + ("0" if uscc_for(7)[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="第 18 位校验码不符"):
        services.enterprise_save(by=personas["drc"], values={"uscc": bad, "name": "某公司"})
    with pytest.raises(ValidationError, match="你无权接受"):
        services.enterprise_save(
            by=personas["street"], values={"uscc": bad, "name": "某公司"}, uscc_exception="工商登记原件如此"
        )
    firm = services.enterprise_save(
        by=personas["drc"], values={"uscc": bad, "name": "某公司"}, uscc_exception="工商登记原件如此"
    )
    assert firm.uscc_exception == "工商登记原件如此"
    event = AuditEvent.objects.get(action="enterprise.create", object_id=str(firm.pk))
    assert "代码校验例外：工商登记原件如此" in event.message


@pytest.mark.django_db
def test_a_stale_edit_is_refused_in_the_api_with_409(systems, personas, api_as):
    make(code=1, street=Street.objects.get(code="TH01"))
    api = api_as(personas["drc"])
    read = api.get(f"/api/v1/enterprises/{uscc_for(1)}/").json()
    first = api.patch(f"/api/v1/enterprises/{uscc_for(1)}/", {"employees": 50, "version": read["version"]})
    assert first.status_code == 200 and first.json()["version"] == read["version"] + 1
    stale = api.patch(f"/api/v1/enterprises/{uscc_for(1)}/", {"employees": 60, "version": read["version"]})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == read["version"] + 1 and "已被他人修改" in stale.json()["detail"]
    assert Enterprise.objects.get(uscc=uscc_for(1)).employees == 50


@pytest.mark.django_db
def test_a_stale_edit_is_refused_on_the_page(systems, personas, login):
    firm = make(code=1, street=Street.objects.get(code="TH01"))
    client = login(personas["drc"])
    form = {"name": "新名称", "status": "existing", "version": firm.version}
    services.enterprise_save(by=personas["drc"], enterprise=firm, values={"employees": 9})
    response = client.post(f"/enterprises/{firm.uscc}/edit/", form)
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert Enterprise.objects.get(pk=firm.pk).name == firm.name


# Classification.


@pytest.mark.django_db
def test_the_360_page_says_why_an_enterprise_is_in_an_industry(systems, personas, login):
    firm = make(code=1, gbt_code="6513", business_scope="大模型应用开发")
    page = login(personas["drc"]).get(f"/enterprises/{firm.uscc}/").content.decode()
    assert "人工智能" in page and "国民经济行业代码 6513 属于纳入范围 6513" in page
    assert "软件与互联网" in page and "属于纳入范围 65" in page


@pytest.mark.django_db
def test_hand_decisions_survive_a_rerun_of_the_rules(systems, personas, api_as):
    firm = make(code=1, gbt_code="6513")
    api = api_as(personas["drc"])
    response = api.post(
        f"/api/v1/enterprises/{firm.uscc}/industries/",
        {"industry": "AI", "action": "exclude", "reason": "实际从事外包开发，不属人工智能"},
    )
    assert response.status_code == 200 and "AI" not in {row["industry"] for row in response.json()}
    api.post(
        f"/api/v1/enterprises/{firm.uscc}/industries/",
        {"industry": "BIO", "action": "include", "reason": "医疗影像 AI 产品已取得注册证"},
    )
    services.classification_apply(by=personas["drc"])
    rows = {row["industry"]: row for row in api.get(f"/api/v1/enterprises/{firm.uscc}/industries/").json()}
    assert "AI" not in rows and rows["BIO"]["kind"] == "manual" and "注册证" in rows["BIO"]["rule"]
    missing_reason = api.post(
        f"/api/v1/enterprises/{firm.uscc}/industries/", {"industry": "AI", "action": "include"}
    )
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()


@pytest.mark.django_db
def test_rerun_after_a_definition_change_shows_moves_before_applying(systems, personas, api_as):
    software = make(code=1, gbt_code="6513")
    trade = make(code=2, gbt_code="5199", business_scope="批发")
    ai = Industry.objects.get(system=systems, code="AI")
    ai.gbt_include = ["6511"]  # 6513 leaves 人工智能
    ai.keywords = ["批发"]  # and wholesale firms join, to see both directions
    ai.save()
    api = api_as(personas["drc"])
    preview = api.get("/api/v1/enterprise-classification/").json()
    row = next(r for r in preview["industries"] if r["industry"] == "AI")
    assert (row["added"], row["removed"]) == (1, 1)
    assert row["added_examples"] == [trade.name] and row["removed_examples"] == [software.name]
    assert Membership.objects.filter(enterprise=software, industry=ai).exists()  # nothing applied yet
    assert api.post("/api/v1/enterprise-classification/").status_code == 200
    assert not Membership.objects.filter(enterprise=software, industry=ai).exists()
    assert Membership.objects.get(enterprise=trade, industry=ai).rule == "经营范围含关键词「批发」"
    assert api.get("/api/v1/enterprise-classification/").json()["moves"] == 0


@pytest.mark.django_db
def test_counts_per_industry_street_and_tag_page(systems, personas, login):
    make(code=1, gbt_code="6513", street=Street.objects.get(code="TH05"))
    make(code=2, gbt_code="6621", street=Street.objects.get(code="TH05"))
    page = login(personas["drc"]).get("/enterprises/stats/").content.decode()
    assert "共 2 家" in page
    ai = Industry.objects.get(system=systems, code="AI")
    assert Membership.objects.filter(industry=ai).count() == 1
    assert '?industry=AI">人工智能</a></td><td class="text-end">1<' in page
    assert '?street=TH05">石牌街道</a></td><td class="text-end">2<' in page


# Scope, masking and exports.


@pytest.mark.django_db
def test_each_role_sees_its_own_enterprises(systems, personas, api_as):
    make(code=1, gbt_code="6513", street=Street.objects.get(code="TH01"))  # software, 五山
    make(code=2, gbt_code="6621", street=Street.objects.get(code="TH02"))  # bank, 员村

    def seen(persona):
        return {
            row["uscc"] for row in api_as(personas[persona]).get("/api/v1/enterprises/").json()["results"]
        }

    assert seen("drc") == {uscc_for(1), uscc_for(2)}
    assert seen("street") == {uscc_for(1)}
    assert seen("leader") == {uscc_for(1)}  # L-VP-IND leads 软件与互联网
    assert seen("other_leader") == {uscc_for(2)}  # L-VP-FIN leads 现代金融
    assert seen("enterprise") == set()
    firm_user = personas["enterprise"]
    firm_user.enterprise = Enterprise.objects.get(uscc=uscc_for(2))
    firm_user.save()
    assert seen("enterprise") == {uscc_for(2)}


@pytest.mark.django_db
def test_contacts_are_masked_for_roles_that_do_not_need_them(systems, personas, api_as):
    make(
        code=1,
        gbt_code="6513",
        contact_name="张伟",
        contact_phone="13812345678",
        contact_email="zw@example.cn",
    )
    leader = api_as(personas["leader"]).get(f"/api/v1/enterprises/{uscc_for(1)}/").json()
    assert (leader["contact_name"], leader["contact_phone"], leader["contact_email"]) == (
        "张*",
        "138****5678",
        "z***@example.cn",
    )
    drc = api_as(personas["drc"]).get(f"/api/v1/enterprises/{uscc_for(1)}/").json()
    assert drc["contact_phone"] == "13812345678"


@pytest.mark.django_db
def test_exports_are_formula_safe_and_masked(systems, personas, login):
    make(code=1, gbt_code="6513", name='=HYPERLINK("http://x")公司', contact_phone="13812345678")
    leader = login(personas["leader"])
    response = leader.get("/enterprises/export.xlsx")
    assert response.status_code == 200
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    header, row = sheet[0], sheet[1]
    assert header[:2] == ["统一社会信用代码", "企业名称"]
    assert row[1].startswith("'=HYPERLINK")
    assert row[header.index("联系电话")] == "138****5678"
    assert "软件与互联网" in row[header.index("所属产业")]
    text = b"".join(leader.get("/enterprises/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "138****5678" in text and "13812345678" not in text
    assert AuditEvent.objects.filter(action="enterprise.export").count() == 2


@pytest.mark.django_db
def test_import_template_round_trips(systems, personas, login, tmp_path):
    content = login(personas["drc"]).get("/enterprises/template.xlsx").content
    path = tmp_path / "模板.xlsx"
    path.write_bytes(content)
    job = services.import_job_run(
        services.import_job_create(by=personas["drc"], filename=path.name, content=content)
    )
    # The example row's code is a placeholder: the template explains, the import refuses it by name.
    assert job.status == "rejected"
    assert job.row_errors.get(column__startswith="统一社会信用代码").row == 2


# Liaison and visits.


@pytest.mark.django_db
def test_overdue_visits_are_flagged_and_visits_from_two_departments_are_visible(systems, personas, login):
    firm = make(code=1, gbt_code="6513")
    today = timezone.localdate()
    services.liaison_set(
        by=personas["drc"],
        enterprise=firm,
        leader=Leader.objects.get(code="L-VP-IND"),
        department=Department.objects.get(code="IIT"),
        cadence_days=30,
        since=today - timedelta(days=100),
    )
    client = login(personas["leader"])
    board = client.get("/enterprises/liaison/").content.decode()
    assert 'data-testid="overdue-count">1<' in board
    services.visit_log(
        by=personas["dept"],
        enterprise=firm,
        visited_on=today - timedelta(days=3),
        department=Department.objects.get(code="IIT"),
        visitors="工信局 李明",
        topics="扩产用地",
    )
    response = login(personas["drc"]).post(
        f"/enterprises/{firm.uscc}/visits/",
        {
            "visited_on": str(today),
            "department": Department.objects.get(code="SCI").pk,
            "visitors": "科技局",
            "topics": "研发补助",
        },
    )
    assert response.status_code == 302
    assert 'data-testid="overdue-count">0<' in client.get("/enterprises/liaison/").content.decode()
    page = login(personas["drc"]).get(f"/enterprises/{firm.uscc}/").content.decode()
    assert "多个部门走访过本企业" in page and "扩产用地" in page and "研发补助" in page
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.visit_log(
            by=personas["drc"],
            enterprise=firm,
            visited_on=today + timedelta(days=1),
            department=Department.objects.get(code="IIT"),
            visitors="x",
            topics="y",
        )


@pytest.mark.django_db
def test_demo_command_builds_a_marked_synthetic_register(systems, personas, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    outcome = services.demo_register(count=300)
    assert outcome is not None and outcome.created == 300
    assert Enterprise.objects.filter(synthetic=True).count() == 300
    assert Membership.objects.filter(kind=RuleKind.GBT).exists()
    assert services.demo_register(count=300) is None  # idempotent
    page = login(personas["drc"]).get("/enterprises/").content.decode()
    assert 'data-testid="synthetic"' in page and "模拟" in page


@pytest.mark.django_db
def test_search_by_name_part_former_name_and_code(systems, personas, api_as, login):
    make(code=1, name="广州天越软件有限公司")
    renamed = make(code=2, name="广州恒信商贸有限公司")
    services.enterprise_save(by=None, enterprise=renamed, values={"name": "广州恒信供应链有限公司"})
    api = api_as(personas["drc"])

    def found(text):
        return {row["name"] for row in api.get("/api/v1/enterprises/", {"q": text}).json()["results"]}

    assert found("天越软件") == {"广州天越软件有限公司"}  # any part of the name (3+ characters: the index)
    assert found("天越") == {"广州天越软件有限公司"}  # short fragments too
    assert found("恒信商贸") == {"广州恒信供应链有限公司"}  # by its former name
    assert found(uscc_for(1)[:17]) == {"广州天越软件有限公司"}  # a code prefix
    full_width = uscc_for(2).translate(str.maketrans("0123456789", "０１２３４５６７８９")).lower()
    assert found(full_width) == {"广州恒信供应链有限公司"}
    assert found('"; DROP TABLE x; --') == set()
    refused = api.get("/api/v1/enterprises/", {"q": "天\x00越"})  # a NUL: the field named, not a server error
    assert refused.status_code == 400 and "q" in refused.json()
    page = login(personas["drc"]).get("/enterprises/", {"q": "天\x00越"})
    alert = page.content.decode().partition('data-testid="filter-error">')[2].partition("</div>")[0]
    assert page.status_code == 200 and alert.startswith("筛选条件有误") and "名称或代码：" in alert
    assert "广州天越软件有限公司" not in page.content.decode()  # as the alert says: nothing listed
    export = login(personas["drc"]).get("/enterprises/export.xlsx", {"q": "天\x00越"}, follow=True)
    assert "筛选条件有误，未导出：名称或代码" in export.content.decode()  # refused, not the whole register


@pytest.mark.django_db
def test_search_by_code_range_and_by_short_fragment_within_a_street(systems, personas, api_as):
    th01, th02 = Street.objects.get(code="TH01"), Street.objects.get(code="TH02")
    make(code=1, name="广州天越软件有限公司", street=th01)
    make(code=2, name="广州天越贸易有限公司", street=th02)  # same fragment, another street
    make(code=40, name="广州恒信商贸有限公司", street=th01)
    renamed = make(code=41, name="广州天越物流有限公司", street=th01)
    services.enterprise_save(by=None, enterprise=renamed, values={"name": "广州恒达物流有限公司"})
    # Codes on either side of a prefix's bounds (made directly: they need not pass the check).
    for uscc in ("91440106MA9000000A", "91440106MA9ZZZZZZZ", "91440106MA8ZZZZZZZ", "91440106MAA0000000"):
        Enterprise.objects.create(uscc=uscc, name=f"边界{uscc}", street=th02)
    for uscc in ("91440106MZ00000000", "91440106MY00000000", "91440106N000000000"):
        Enterprise.objects.create(uscc=uscc, name=f"边界{uscc}", street=th02)

    def found(persona, text):
        rows = api_as(personas[persona]).get("/api/v1/enterprises/", {"q": text}).json()["results"]
        return {row["uscc"] for row in rows}

    assert found("drc", uscc_for(1)[:15]) == {uscc_for(1), uscc_for(2)}  # not uscc_for(40), …MA000019…
    assert found("drc", uscc_for(2)) == {uscc_for(2)}  # a full code: that one
    full_width = uscc_for(40).translate(str.maketrans("0123456789MA", "０１２３４５６７８９ｍａ"))
    assert found("drc", full_width) == {uscc_for(40)}
    assert found("drc", f" {uscc_for(1)[:10]}-{uscc_for(1)[10:14]} ") == {
        uscc_for(code) for code in (1, 2, 40, 41)
    }
    assert found("drc", "91440106MA9") == {"91440106MA9000000A", "91440106MA9ZZZZZZZ"}
    assert found("drc", "91440106MZ") == {"91440106MZ00000000"}
    assert found("street", uscc_for(2)) == set()  # a code outside the street
    assert found("street", uscc_for(1)[:15]) == {uscc_for(1)}
    # Two characters have no trigram: matched within the street's rows, by name and former name.
    assert found("street", "天越") == {uscc_for(1), uscc_for(41)}
    assert found("drc", "天越") == {uscc_for(1), uscc_for(2), uscc_for(41)}
    assert found("street", "恒") == {uscc_for(40), uscc_for(41)}


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_with_the_limit(systems, personas, login, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = login(personas["drc"]).post(
        "/enterprises/imports/", {"file": io.BytesIO(b"x" * 2048)}, format="multipart"
    )
    assert response.status_code == 400 and "文件超过" in response.content.decode()
    from chanye.enterprises.models import ImportJob

    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_other_modules_add_panels_to_the_360_page(systems, personas, login, tmp_path, settings):
    from chanye.enterprises import panels

    template_dir = tmp_path / "templates"
    (template_dir / "demo").mkdir(parents=True)
    (template_dir / "demo" / "_panel.html").write_text(
        "<p>在建项目 {{ data.count }} 个</p>", encoding="utf-8"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]
    firm = make(code=1, gbt_code="6513")
    panels.register(
        "demo", title="重点项目", template="demo/_panel.html", context=lambda user, e: {"count": 2}
    )
    panels.register(
        "secret", title="审计", template="demo/_panel.html", context=lambda u, e: {}, permission="audit.view"
    )
    try:
        page = login(personas["drc"]).get(f"/enterprises/{firm.uscc}/").content.decode()
    finally:
        panels._PANELS.clear()
    assert 'data-testid="panel-demo"' in page and "在建项目 2 个" in page
    assert 'data-testid="panel-secret"' not in page


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(
    code=st.sampled_from(
        ["0111", "3612", "4710", "5199", "5211", "5411", "6110", "6513", "7010", "7020", "7212", "8010"]
    ),
    employees=st.none() | st.integers(0, 5000),
    revenue=st.none() | st.decimals(0, 500000, places=2),
    assets=st.none() | st.decimals(0, 500000, places=2),
)
def test_the_import_fast_size_agrees_with_the_explained_size(code, employees, revenue, assets):
    from chanye.enterprises.scale import scale_of

    assert (
        scale_of(code, employees, revenue, assets)
        == size_of(code, employees=employees, revenue=revenue, assets=assets).scale
    )


@pytest.mark.django_db
def test_every_one_and_two_character_fragment_finds_what_a_substring_match_finds(
    systems, personas, monkeypatch
):
    """Short fragments are looked up by the names' characters and pairs on PostgreSQL (an index that must
    agree with LIKE exactly: letters in either case, LIKE's wildcards taken literally, a fragment only a former
    name has); on SQLite by walking the rows. Either way the answer is every name or former name containing it."""
    from django.db.models import Q

    from chanye.enterprises import selectors
    from chanye.enterprises.models import FormerName

    names = [
        "广州天越软件有限公司",
        "天河AB科技",
        "ab 实业",
        "星德贸易",
        "广州星德物流有限公司",
        "X",
        "百分%之_百\\",
    ]
    for code, name in enumerate(names, start=1):
        make(code=code, name=name)
    renamed = make(code=50, name="广州恒达物流有限公司")
    services.enterprise_save(by=None, enterprise=renamed, values={"name": "广州瑞祥物流有限公司"})
    fragments = {
        name[i : i + size]
        for name in [*names, "广州恒达物流有限公司"]
        for size in (1, 2)
        for i in range(len(name))
    }
    fragments |= {"Ab", "xy", "達", "%", "_", "\\", "%之", "_百"}
    every = Enterprise.objects.all()

    def expected(text):
        text = " ".join(text.split())
        former = FormerName.objects.filter(name__icontains=text).values("enterprise_id")
        return set(every.filter(Q(name__icontains=text) | Q(id__in=former)).values_list("name", flat=True))

    def found(text):
        return set(selectors.enterprise_search(every, text).values_list("name", flat=True))

    for text in sorted(fragments):
        assert found(text) == expected(text), text
    assert found("恒达") == {"广州瑞祥物流有限公司"} and found("ab") == {"天河AB科技", "ab 实业"}
    assert found("星\x00") == expected("星") and found("\x00") == set(names) | {"广州瑞祥物流有限公司"}
    # A fragment frequent among former names falls back to the walk, with the same answer.
    monkeypatch.setattr(selectors, "_FORMER_GRAM_IDS", 0)
    for text in ("恒达", "达物", "恒", "物流"):
        assert found(text) == expected(text), text
