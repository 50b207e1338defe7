"""In Debian's chromium: the DRC administrator tightens the progress thresholds, previews the back-test of
March, saves the draft as a new version, and the lights page shows the new colours with the new numbers."""

import pytest

from chanye.core.tests.test_browser import browser, page, sign_in, with_totp  # noqa: F401 - fixtures
from chanye.projects.models import LightRules
from chanye.projects.tests.test_rules import projects  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_a_threshold_preview_the_back_test_save_and_see_the_lights(page, projects, personas):  # noqa: F811
    drc = personas["drc"]
    sign_in(page, drc.username, with_totp(drc))
    page.goto("/projects/lights/?month=2025-03")
    row = page.locator("tr[data-code='TH2025-RB']")
    assert row.locator("[data-testid=light]").inner_text() == "黄灯"
    page.click("[data-testid=rules-link]")
    page.wait_for_selector("[data-testid=rules-form]")

    page.fill("#id_progress_yellow_pp", "5")
    page.fill("#id_progress_red_pp", "20")
    page.click("[data-testid=rules-form] [data-testid=preview]")
    page.wait_for_selector("[data-testid=changes]")
    changed = page.locator("[data-testid=changes] tr[data-code='TH2025-RB']")
    assert changed.locator("[data-testid=before]").inner_text() == "黄灯"
    assert changed.locator("[data-testid=after]").inner_text() == "红灯"
    assert "红灯：落后超过 20 个百分点" in changed.inner_text()
    assert page.locator("[data-testid=counts-after] td[data-colour=red]").inner_text() == "1"
    assert page.locator("[data-testid=counts-before] td[data-colour=red]").inner_text() == "0"
    assert not LightRules.objects.exists()  # the preview saved nothing
    page.screenshot(path="build/screenshots/project-lights-backtest.png", full_page=True)

    page.fill("[data-testid=save-draft] #id_note", "从严考核投资进度")
    page.click("[data-testid=save-draft] [data-testid=save]")
    page.wait_for_selector("text=已保存红黄绿灯规则")
    saved = LightRules.objects.get()
    assert saved.created_by == drc and saved.rules["progress_red_pp"] == "20"
    assert "从严考核投资进度" in page.locator("[data-testid=versions]").inner_text()
    page.screenshot(path="build/screenshots/project-light-rules.png", full_page=True)

    page.goto("/projects/lights/?month=2025-03")
    row = page.locator("tr[data-code='TH2025-RB']")
    assert row.locator("[data-testid=light]").inner_text() == "红灯"
    row.locator("summary").click()
    assert "落后 20.8 个百分点（红灯：落后超过 20 个百分点）" in row.inner_text()
    assert "红灯线(百分点)=20" in row.inner_text()
    assert page.locator("tr[data-code='TH2025-RC'] [data-testid=light]").inner_text() == "黄灯"
