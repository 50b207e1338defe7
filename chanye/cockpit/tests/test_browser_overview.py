"""In Debian's chromium: a leader opens the cockpit and every widget draws its chart with its numbers; a click on
a chart opens the rows behind it; the wall refreshes each widget without reloading the page and rolls its date
at midnight; a widget that hangs or fails shows the retry message in its own box while the others render."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chanye.cockpit.tests import test_overview as overview
from chanye.cockpit.widgets import FAILED, WIDGETS
from chanye.core.tests import test_browser as core
from chanye.core.tests.test_browser import SCREENSHOTS, sign_in

browser, page, cockpit_demo = core.browser, core.page, overview.cockpit_demo  # fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_LOADED = (
    "() => [...document.querySelectorAll('[data-widget]')].every((b) => b.dataset.state !== 'loading')"
)
# Fire an ECharts click on the chart instance, as a user's click on that element would.
CLICK = """([selector, pick]) => {
  const chart = echarts.getInstanceByDom(document.querySelector(selector));
  const option = chart.getOption();
  const data = new Function("option", `return ${pick}`)(option);
  chart.trigger("click", { data, name: data.name, componentType: "series" });
}"""


def open_cockpit(page, url="/cockpit/?as_of=2025-10"):
    if url:
        page.goto(url, timeout=60000)
    page.wait_for_function(ALL_LOADED, timeout=60000)


def test_the_cockpit_draws_every_widget_with_its_numbers(page, personas, cockpit_demo):
    sign_in(page, personas["leader"].username)
    page.click("nav >> text=驾驶舱")
    page.wait_for_url("**/cockpit/")
    open_cockpit(page, None)
    assert page.inner_text("[data-testid=as-of]") == "2025-10"  # the latest month with figures
    for name in WIDGETS:
        assert page.get_attribute(f"[data-widget={name}]", "data-state") == "ok", name
    for kind in ("gdp", "fai", "structure", "lights"):
        assert page.locator(f"[data-chart={kind}][data-rendered=true] canvas").count() == 1, kind
    assert page.locator("[data-chart=gauge][data-rendered=true] canvas").count() == 3
    assert page.locator("[data-chart=path][data-rendered=true] canvas").count() >= 1
    assert "6,614.7" in page.inner_text("[data-testid=gdp-latest]")
    assert re.search(r"\d", page.inner_text("[data-testid=fai-to-date]"))
    assert page.locator("[data-testid=gauge-value]").first.inner_text() == "7.1%"
    assert re.search(r"红灯 \d+", page.inner_text("[data-testid=light-counts]"))
    # numbers on hover: the GDP chart's tooltip for 2024
    page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.querySelector('[data-chart=gdp]'));
          const years = chart.getOption().xAxis[0].data;
          chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: years.indexOf("2024") });
        }"""
    )
    page.wait_for_function("() => document.querySelector('[data-chart=gdp]').innerText.includes('6,614.7')")
    assert "增长 2.1%" in page.inner_text("[data-chart=gdp]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "cockpit.png"), full_page=True)


def test_a_click_on_a_chart_opens_the_rows_behind_it(page, personas, cockpit_demo):
    from chanye.enterprises.models import Membership

    sign_in(page, personas["leader"].username)
    open_cockpit(page)
    # an industry of the structure → its enterprises
    code = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-chart=structure]')).getOption()"
        ".series[0].data.flatMap((g) => g.children).find((c) => c.value > 0).code"
    )
    page.evaluate(
        CLICK,
        [
            "[data-chart=structure]",
            f"option.series[0].data.flatMap((g) => g.children).find((c) => c.code === '{code}')",
        ],
    )
    page.wait_for_url(f"**/enterprises/?industry={code}")
    newest = Membership.objects.filter(industry__code=code).latest("enterprise_id").enterprise
    assert newest.uscc in page.content()

    # a light colour → the projects with that light
    open_cockpit(page)
    page.evaluate(CLICK, ["[data-chart=lights]", "option.series[0].data.find((d) => d.colour === 'red')"])
    page.wait_for_url("**/projects/lights/?colour=red&month=2025-10")
    assert page.locator("h1").count() == 1

    # a gauge, clicked with the mouse → its target on the targets page
    open_cockpit(page)
    page.locator("[data-chart=gauge]").first.click()
    page.wait_for_url(re.compile(r"/targets/\?as_of=2025-10#target-chart-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"#{anchor}").count() == 1


def test_wall_mode_refreshes_each_widget_without_reloading(page, personas, cockpit_demo):
    sign_in(page, personas["leader"].username)
    requests: dict[str, int] = {}

    def count(request):
        match = re.search(r"/cockpit/widgets/([a-z]+)/", request.url)
        if match:
            requests[match.group(1)] = requests.get(match.group(1), 0) + 1

    page.on("request", count)
    open_cockpit(page, "/cockpit/wall/?refresh=2")
    page.evaluate("() => { window.stayed = true; }")
    assert page.inner_text("[data-testid=wall-as-of]") == "2025-10"
    page.wait_for_timeout(5000)
    page.wait_for_function(ALL_LOADED, timeout=30000)
    assert page.evaluate("() => window.stayed") is True  # no reload: full screen would survive
    assert set(requests) == set(WIDGETS)
    assert all(n >= 3 for n in requests.values()), requests
    assert all(int(page.get_attribute(f"[data-widget={n}]", "data-loads")) >= 3 for n in WIDGETS)
    assert page.locator("[data-chart=gdp][data-rendered=true] canvas").count() == 1  # redrawn, not duplicated


def test_a_hanging_or_failing_widget_does_not_block_the_others(page, personas, cockpit_demo):
    sign_in(page, personas["leader"].username)
    page.route("**/cockpit/widgets/alerts/**", lambda route: None)  # never answers
    page.route("**/cockpit/widgets/lights/**", lambda route: route.fulfill(status=500, body="boom"))
    page.goto("/cockpit/wall/?timeout=3&refresh=600")
    page.wait_for_function(ALL_LOADED, timeout=30000)
    for name in WIDGETS:
        state = page.get_attribute(f"[data-widget={name}]", "data-state")
        assert state == ("failed" if name in ("alerts", "lights") else "ok"), (name, state)
    assert page.inner_text("[data-widget=alerts] [data-testid=widget-failed]") == FAILED
    assert page.inner_text("[data-widget=lights] [data-testid=widget-failed]") == FAILED
    assert page.locator("[data-chart=gdp][data-rendered=true] canvas").count() == 1


def test_the_wall_rolls_its_date_at_midnight_and_reloads_its_widgets(
    browser, live_server, personas, cockpit_demo
):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1600, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, personas["leader"].username)
        page.clock.install(time=datetime(2026, 3, 31, 23, 59, 50, tzinfo=ZoneInfo("Asia/Shanghai")))
        open_cockpit(page, "/cockpit/wall/")
        assert page.inner_text("[data-testid=wall-date]").startswith("2026-03-31")
        loads = int(page.get_attribute("[data-widget=gdp]", "data-loads"))
        page.clock.run_for(12000)
        page.wait_for_function(
            f"() => Number(document.querySelector('[data-widget=gdp]').dataset.loads) > {loads}"
        )
        assert page.inner_text("[data-testid=wall-date]") == "2026-04-01 星期三"
        page.wait_for_function(ALL_LOADED, timeout=30000)
        assert all(page.get_attribute(f"[data-widget={n}]", "data-state") == "ok" for n in WIDGETS)
    finally:
        context.close()
