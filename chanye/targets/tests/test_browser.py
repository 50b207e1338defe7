"""In Debian's chromium: a leader opens the targets page, every target's fan chart is drawn with its figures,
the target line and the forecast bands, and a click on a chart opens the indicator behind it."""

import pytest

from chanye.core.tests.test_browser import browser, page, sign_in  # noqa: F401 - fixtures
from chanye.targets.tests.conftest import target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIES = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const option = chart.getOption();
  const filled = (name) => option.series.find((s) => s.name === name).data.filter((v) => v !== "-").length;
  return {
    actual: filled("实际"),
    forecast: filled("预测"),
    band80: filled("80% 区间"),
    band95: filled("95% 区间"),
    target: option.series.find((s) => s.name === "实际").markLine.data[0].yAxis,
  };
}"""


def test_the_fan_charts_are_drawn_and_a_chart_opens_its_indicator(page, demo, personas):  # noqa: F811
    sign_in(page, personas["leader"].username)
    page.goto("/targets/?as_of=2025-10")
    charts = page.locator("[data-testid=fan-chart]")
    page.wait_for_selector("[data-testid=fan-chart][data-rendered=true] canvas", timeout=30000)
    with_figures = page.locator("tr[data-target]").count() - page.locator("[data-testid=no-chart]").count()
    assert charts.count() == with_figures >= 7  # GDP, growth, FAI, FAI growth and the three shares
    assert page.locator("[data-testid=fan-chart][data-rendered=true]").count() == charts.count()

    gdp = target("gdp")
    drawn = page.evaluate(SERIES, f"target-chart-{gdp.pk}")
    assert drawn["actual"] == 5 and drawn["target"] == 6900  # 2020–2024, the 6,900 亿元 line
    assert drawn["forecast"] == drawn["band80"] == drawn["band95"] == 2  # from 2024's figure to 2025
    shares = page.evaluate(SERIES, f"target-chart-{target('digital_core_share').pk}")
    assert shares["forecast"] == 12 and shares["target"] == 30  # 2024 → 2035, year by year

    row = page.locator(f"tr[data-target='{gdp.pk}']")
    assert row.locator("[data-testid=status]").inner_text() in ("达标", "正常")
    page.locator(f"#target-chart-{gdp.pk}").scroll_into_view_if_needed()
    page.screenshot(path="build/screenshots/targets.png", full_page=True)
    page.locator(f"#target-chart-{gdp.pk}").click()
    page.wait_for_url("**/indicators/gdp/?level=district", timeout=30000)
    page.wait_for_selector("#indicator-chart canvas", timeout=30000)
    assert "地区生产总值" in page.locator("h1").inner_text()
