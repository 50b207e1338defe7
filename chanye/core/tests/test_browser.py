"""In Debian's chromium through Playwright: sign in, the system page, edit a responsibility,
see it in the audit trail, and a broken definition explained line by line."""

import base64
import os
import shutil
from pathlib import Path

import pyotp
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from chanye.accounts.roles import Role
from chanye.industries.models import Industry
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs its own event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def with_totp(user) -> pyotp.TOTP:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def sign_in(page, username, totp=None):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    if totp is not None:
        page.wait_for_url("**/accounts/otp/**")
        page.fill("#id_token", totp.now())
        page.click("button:has-text('验证')")
    page.wait_for_load_state("networkidle")


def test_sign_in_and_see_the_18_industries_on_the_system_page(page, systems, make_user):
    make_user(
        "bob",
        Role.DEPARTMENT_OFFICER,
        department=systems.industries.first().responsibilities.first().lead_department,
    )
    sign_in(page, "bob")
    page.wait_for_url("**/systems/tianhe-12126/")
    rows = page.locator("[data-testid=industry-table] tbody tr")
    assert rows.count() == 18
    assert page.locator("#system-chart[data-ready=true] canvas").count() == 1
    first_cells = page.locator("[data-testid=industry-table] tbody tr td:first-child").all_inner_texts()
    assert first_cells[0] == "软件与互联网" and first_cells[-1] == "旅游休闲"
    assert {"智能建造与工业化建筑", "智能无人系统", "具身智能", "现代金融"} <= set(first_cells)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "system.png"), full_page=False)


def test_drc_edits_a_responsibility_and_the_auditor_sees_it(page, browser, live_server, systems, make_user):
    from chanye.organizations.models import Leader

    drc = make_user("dora", Role.DRC_ADMIN)
    auditor = make_user("audrey", Role.AUDIT_ADMIN)
    drc_totp, auditor_totp = with_totp(drc), with_totp(auditor)
    ai = Industry.objects.get(system=systems, code="AI")
    new_leader = Leader.objects.exclude(pk=ai.responsibilities.get(valid_to__isnull=True).leader_id).first()

    sign_in(page, "dora", drc_totp)
    page.goto(f"/industries/{ai.pk}/")
    page.click("text=调整分工")
    page.select_option("#id_leader", str(new_leader.pk))
    page.fill("#id_reason", "区领导分工调整")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"**/industries/{ai.pk}/")
    assert new_leader.title in page.locator("[data-testid=responsibility]").inner_text()
    assert "区领导分工调整" in page.locator("[data-testid=history]").inner_text()

    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "audrey", auditor_totp)
    other.goto("/audit/?action=responsibility")
    table = other.locator("[data-testid=audit]").inner_text()
    assert "responsibility.change" in table and "dora" in table and "人工智能" in table
    assert new_leader.code in table
    other.context.close()


def test_a_broken_definition_is_explained_line_by_line(page, systems, make_user, tmp_path):
    drc = make_user("dora", Role.DRC_ADMIN)
    totp = with_totp(drc)
    text = (Path(__file__).resolve().parents[3] / "systems" / "tianhe-12126.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace('version: "2025.1"', 'version: "2026.1"')
        .replace("code: AI\n", "code: SW\n", 1)
        .replace("  region:", "  colour: red\n  region:", 1),
        encoding="utf-8",
    )
    sign_in(page, "dora", totp)
    page.goto("/systems/tianhe-12126/")
    page.set_input_files("[data-testid=load-form] input[type=file]", str(broken))
    page.click("[data-testid=load-form] button")
    problems = page.locator("[data-testid=problems] li").all_inner_texts()
    assert any("duplicate code 'SW'" in p and p.startswith("broken.yaml:") for p in problems)
    assert any("unknown key 'colour'" in p for p in problems)
    assert "未写入任何内容" in page.content()
    assert systems.versions.count() == 1


def test_switch_the_interface_to_english_and_back(page, systems, make_user):
    make_user("bob", Role.DEPARTMENT_OFFICER)
    sign_in(page, "bob")
    assert page.locator("nav >> text=重点产业").count() == 1
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("nav >> text=Key industries").count() == 1
    assert page.locator("[data-testid=industry-table] th").first.inner_text() == "Industry"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("nav >> text=重点产业").count() == 1
