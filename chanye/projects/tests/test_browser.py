"""In Debian's chromium: the owner files a prefilled monthly report in one step; the department accepts it;
the DRC opens the lights page and reads why a project is yellow."""

import pytest

from chanye.core.tests.test_browser import browser, page, sign_in, with_totp  # noqa: F401 - fixtures
from chanye.projects.models import Filing, FilingStatus
from chanye.projects.tests.test_filing import project  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_in_one_step_accept_and_read_the_light(page, project, personas):  # noqa: F811
    sign_in(page, personas["enterprise"].username)
    page.goto(f"/projects/{project.code}/filings/2025-03/")
    assert page.input_value("#id_investment") == "1000.00"  # prefilled from the plan
    page.fill("#id_investment", "500")
    page.fill("#id_cumulative", "500")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=月报已报送")
    assert Filing.objects.get(project=project).status == FilingStatus.SUBMITTED
    page.context.clear_cookies()

    sign_in(page, personas["dept"].username)
    page.goto("/projects/filings/?month=2025-03")
    page.click("[data-testid=queue] button[value=accept]")
    page.wait_for_selector("text=月报已审核通过")
    assert Filing.objects.get(project=project).status == FilingStatus.ACCEPTED
    page.context.clear_cookies()

    drc = personas["drc"]
    sign_in(page, drc.username, with_totp(drc))
    page.goto("/projects/lights/?month=2025-03")
    row = page.locator(f"tr[data-code='{project.code}']")
    assert row.locator("[data-testid=light]").inner_text() == "黄灯"
    row.locator("summary").click()
    assert "时序进度 25.0%，落后 20.8 个百分点" in row.inner_text()
    page.screenshot(path="build/screenshots/project-lights.png", full_page=True)
