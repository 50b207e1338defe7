"""In Debian's chromium: a statistics-bureau officer opens the value-added page, sees the shares with their
contributing divisions, edits a division's rate, and the page shows the new rate and the estimate rerun."""

import pytest

from chanye.core.tests.test_browser import browser, page, sign_in  # noqa: F401 - fixtures
from chanye.economy.models import ValueAddedRate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_renders_and_a_rate_edit_saves(page, economy, firms, stats_officer):  # noqa: F811
    sign_in(page, stats_officer.username)
    page.goto("/economy/")
    page.wait_for_selector("[data-testid=rates] tr[data-division='97']")
    page.click("[data-testid=estimate]")
    page.wait_for_selector("[data-share=secondary_share]")
    assert page.locator("[data-testid=shares] tr[data-share]").count() == 3
    page.locator("[data-share=secondary_share] summary").click()
    assert (
        page.locator("[data-share=secondary_share] [data-testid=division-link]")
        .first.inner_text()
        .startswith("39")
    )

    page.locator("tr[data-division='65'] [data-testid=rate-edit]").click()
    page.wait_for_selector("[data-testid=rate-form]")
    page.fill("#id_rate", "2")
    page.click("[data-testid=save]")
    assert "不大于 1" in page.locator("[data-testid=error-rate]").inner_text()
    page.fill("#id_rate", "55%")
    page.fill("#id_reason", "区统计局核定")
    page.click("[data-testid=save]")
    page.wait_for_url("**/economy/#rates")
    assert page.locator("tr[data-division='65'] [data-testid=rate]").inner_text() == "55%"
    page.screenshot(path="build/screenshots/economy.png", full_page=True)
    row = ValueAddedRate.objects.get(division="65")
    assert str(row.rate) == "0.5500" and row.revisions.count() == 1
