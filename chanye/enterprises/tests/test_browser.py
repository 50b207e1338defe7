"""In Debian's chromium: upload a sheet, watch the job go from queued to done as the worker runs it,
read the row errors, and ask the 360 page why an enterprise is in 人工智能."""

import pytest
from django.core.management import call_command

from chanye.core.tabular import write_xlsx
from chanye.core.tests.test_browser import browser, page, sign_in, with_totp  # noqa: F401 - fixtures
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise, ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_progress_errors_and_the_reason_on_the_360_page(page, systems, personas, settings, tmp_path):  # noqa: F811
    from conftest import _reset_task_backends

    # The real queue: the upload only enqueues; a worker picks the job up, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _reset_task_backends()
    drc = personas["drc"]
    sign_in(page, drc.username, with_totp(drc))
    sheet = tmp_path / "石牌街道企业名单.xlsx"
    rows = [
        [uscc_for(i), f"广州天越{i}号科技有限公司", "石牌", "6513", "大模型应用开发", "1200", "80"]
        for i in range(1, 40)
    ]
    rows.append(["91440106MA0000000X", "代码有误公司", "石牌", "6513", "", "", ""])
    write_xlsx(
        sheet,
        [
            (
                "名单",
                ["统一社会信用代码", "企业名称", "街道", "行业代码", "经营范围", "营业收入", "从业人员"],
                rows,
            )
        ],
    )

    page.goto("/enterprises/imports/")
    page.set_input_files("#id_file", str(sheet))
    page.click("button:has-text('上传并校验')")
    page.wait_for_selector("[data-testid=import-status][data-status=queued]")
    call_command("db_worker", "--batch", "--no-startup-delay")  # the worker runs the queued job
    page.wait_for_selector("[data-testid=import-status][data-status=rejected]")  # the page polled itself
    assert page.inner_text("[data-testid=rejected]") == "1"
    assert "整个文件未写入" in page.inner_text("[data-testid=job-message]")
    assert "组织机构代码校验位不符" in page.inner_text("[data-testid=row-errors]")
    assert Enterprise.objects.count() == 0
    with page.expect_download() as download:
        page.click("[data-testid=errors-download]")
    assert download.value.suggested_filename.endswith(".xlsx")

    write_xlsx(
        sheet,
        [
            (
                "名单",
                ["统一社会信用代码", "企业名称", "街道", "行业代码", "经营范围", "营业收入", "从业人员"],
                rows[:-1],
            )
        ],
    )
    page.goto("/enterprises/imports/")
    page.set_input_files("#id_file", str(sheet))
    page.click("button:has-text('上传并校验')")
    call_command("db_worker", "--batch", "--no-startup-delay")
    page.wait_for_selector("[data-testid=import-status][data-status=done]")
    assert page.inner_text("[data-testid=created]") == "39"
    assert ImportJob.objects.filter(status="done").count() == 1

    page.goto("/enterprises/?q=天越12号")
    page.click("text=广州天越12号科技有限公司")
    memberships = page.inner_text("[data-testid=memberships]")
    assert "人工智能" in memberships and "国民经济行业代码 6513 属于纳入范围 6513" in memberships
    assert "小型" in page.inner_text("[data-testid=scale]")  # software: 80 people, 1,200 万元
    page.screenshot(path="build/screenshots/enterprise.png", full_page=True)
