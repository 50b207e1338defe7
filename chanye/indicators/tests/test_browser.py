"""In Debian's chromium: a leader opens an industry's revenue, sees the series drawn, clicks a point and
reads the enterprises behind it."""

from datetime import date
from decimal import Decimal

import pytest

from chanye.core.tests.test_browser import browser, page, sign_in  # noqa: F401 - fixtures
from chanye.indicators.services import Item, observations_write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_click_a_point_to_read_the_rows_behind_it(page, catalogue, firms, personas):  # noqa: F811
    observations_write(
        items=[
            Item(
                catalogue["revenue"],
                "enterprise",
                date(2025, month, 1),
                "month",
                Decimal(value * month),
                enterprise_id=firm.pk,
                basis="reported",
            )
            for firm, value in ((firms.both, 100), (firms.software, 50))
            for month in (1, 2, 3)
        ],
        by=None,
        source_type="manual",
    )
    sign_in(page, personas["leader"].username)
    page.goto("/indicators/revenue/?level=industry&industry=SW")
    page.wait_for_selector("#indicator-chart canvas")
    page.locator("#indicator-chart").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # the chart's opening animation: points take clicks once drawn
    box = page.locator("#indicator-chart").bounding_box()
    x, y = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('indicator-chart'))"
        ".convertToPixel({seriesIndex: 0}, [1, 300])"
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("[data-testid=behind-rows]")
    assert "period=2025-02" in page.url
    rows = page.locator("[data-testid=behind-rows] tbody tr")
    assert rows.count() == 2 and "天河智算软件有限公司" in rows.first.inner_text()
    page.screenshot(path="build/screenshots/indicator-rows-behind.png", full_page=True)
