"""In Debian's chromium: a district leader opens their scorecard, sees its charts drawn, and follows the red
lights' number to the projects behind it, each with the reason for its light."""

import pytest

from chanye.cockpit.tests.test_scorecards import world  # noqa: F401 - fixture
from chanye.core.tests.test_browser import browser, page, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_opens_the_scorecard_and_follows_a_number_to_its_rows(page, world, personas):  # noqa: F811
    leader = world["leader"]
    sign_in(page, personas["leader"].username)
    page.goto(f"/cockpit/leaders/{leader.pk}/?month=2025-06")
    assert "计分卡" in page.locator("[data-testid=scorecard-title]").inner_text()
    page.wait_for_selector("[data-testid=chart-projects] canvas")
    red = page.locator("[data-testid=figure-projects-red]")
    count = int(red.inner_text())
    assert count >= 1
    red.click()
    page.wait_for_url("**/projects/?colour=red*")
    assert page.locator("[data-testid=row-count]").inner_text() == str(count)
    rows = page.locator("[data-testid=rows] tbody tr[data-colour]")
    assert rows.count() == count
    assert all(rows.nth(i).get_attribute("data-colour") == "red" for i in range(count))
    assert "时序进度" in rows.first.locator("[data-testid=light-reason]").inner_text()
    page.click("[data-testid=back-to-card]")
    page.wait_for_selector("[data-testid=figures]")
