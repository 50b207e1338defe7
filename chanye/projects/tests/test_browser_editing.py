"""In Debian's chromium: the DRC reshapes a project's monthly plan on the project page, watching the total
and the 时序进度 update as it types, and the lights page then judges the project against the new curve."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chanye.core.tests.test_browser import browser, page, sign_in, with_totp  # noqa: F401 - fixtures
from chanye.projects.models import AnnualPlan, Filing, FilingStatus
from chanye.projects.tests.test_filing import project  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_the_plan_curve_and_see_the_light_change(page, project, personas):  # noqa: F811
    # March filed on time: 3,000 of a 12,000 plan, exactly on the pro-rata schedule (25%).
    Filing.objects.create(
        project=project,
        period=date(2025, 3, 1),
        investment=Decimal(1000),
        cumulative=Decimal(3000),
        status=FilingStatus.ACCEPTED,
        due_on=date(2025, 4, 5),
        submitted_at=datetime(2025, 4, 2, 2, 0, tzinfo=UTC),
    )
    drc = personas["drc"]
    sign_in(page, drc.username, with_totp(drc))
    page.goto("/projects/lights/?month=2025-03")
    row = page.locator(f"tr[data-code='{project.code}']")
    assert row.locator("[data-testid=light]").inner_text() == "绿灯"
    row.locator("summary").click()
    assert "时序进度 25.0%" in row.inner_text()

    page.goto(f"/projects/{project.code}/?year=2025")
    page.click("[data-testid=plan-panel] summary")
    total = page.locator("[data-testid=plan-total]")
    assert "按月平均" in total.inner_text()
    for month in range(1, 4):
        page.fill(f"#id_m{month}", "2000")
    assert total.inner_text() == "合计 6,000 万元，与年度计划 12,000 万元相差 -6,000 万元"
    for month in range(4, 13):  # the whole year's plan in the first half
        page.fill(f"#id_m{month}", "2000" if month <= 6 else "0")
    assert total.inner_text() == "合计 12,000 万元"
    assert page.locator("[data-share]").nth(2).inner_text() == "50.0%"  # 时序进度 at the end of March
    page.click("[data-testid=plan-save]")
    page.wait_for_selector("text=2025 年度计划已保存")
    assert "3月 50.0%" in page.locator("[data-testid=plan-curve]").inner_text()
    assert AnnualPlan.objects.get(project=project, year=2025).curve[2] == "0.5"

    page.goto("/projects/lights/?month=2025-03")
    row = page.locator(f"tr[data-code='{project.code}']")
    assert row.locator("[data-testid=light]").inner_text() == "黄灯"
    row.locator("summary").click()
    assert "时序进度 50.0%，落后 25.0 个百分点" in row.inner_text()
    page.screenshot(path="build/screenshots/project-plan-curve.png", full_page=True)
