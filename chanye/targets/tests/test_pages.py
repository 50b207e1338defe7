"""The targets page: every visible target as a row with its status, sentence and chart data linking to its
indicator; the edit form for the 发改局, refusing a stale save with the user's input kept (409)."""

import re

import pytest

from chanye.targets.models import Target
from chanye.targets.tests.conftest import target

pytestmark = pytest.mark.django_db


def test_every_target_is_a_row_with_status_sentence_and_chart(demo, personas, login):
    response = login(personas["leader"]).get("/targets/?as_of=2025-10")
    assert response.status_code == 200
    html = response.content.decode()
    visible = Target.objects.visible_to(personas["leader"]).filter(active=True)
    shown = {int(pk) for pk in re.findall(r'<tr data-target="(\d+)"', html)}
    assert shown == set(visible.values_list("pk", flat=True))
    drawn = {item.target.pk for item, _css in response.context["rows"] if item.series.yearly.points}
    assert html.count('data-testid="fan-chart"') == len(drawn) and len(drawn) >= 7
    gdp = target("gdp")
    item = next(item for item, _css in response.context["rows"] if item.target.pk == gdp.pk)
    row = html[html.index(f'<tr data-target="{gdp.pk}"') :]
    row = row[: row.index("</tr>", row.index("</tr>") + 5)]
    assert f'data-testid="status">{item.outlook.status.value}<' in row
    assert 'href="/indicators/gdp/?level=district" data-testid="indicator-link"' in row
    assert item.outlook.sentence in row and "达成概率" in item.outlook.sentence
    chart = response.context["charts"][gdp.pk]
    assert chart["url"] == "/indicators/gdp/?level=district" and chart["target"] == 6900
    assert chart["actual"][chart["years"].index("2024")] == pytest.approx(6614.7)
    at = chart["years"].index("2025")
    assert (
        chart["low95"][at]
        <= chart["low80"][at]
        <= chart["forecast"][at]
        <= chart["high80"][at]
        <= chart["high95"][at]
    )
    assert 'id="target-chart-data"' in html
    assert 'data-testid="edit"' not in html  # leaders read, the 发改局 edits
    assert "年度数的取法" in html


def test_a_bad_month_is_explained_and_the_latest_is_shown(demo, personas, login):
    response = login(personas["drc"]).get("/targets/?as_of=2025-13", follow=True)
    assert response.status_code == 200 and "截至 2025-10" in response.content.decode()


def test_the_drc_edits_a_target_and_a_stale_form_is_refused_with_its_input_kept(demo, personas, login):
    client = login(personas["drc"])
    gdp = target("gdp")
    form = client.get(f"/targets/{gdp.pk}/edit/")
    assert form.status_code == 200
    data = {
        "scope": "district",
        "indicator": "gdp",
        "year": 2025,
        "comparator": ">",
        "value": "6950",
        "unit": "亿元",
        "tolerance": "0.5",
        "kind": "amount",
        "yearly_rule": "sum",
        "band_on_track": "0.6",
        "band_warning": "0.25",
        "note": "",
        "active": "on",
        "version": gdp.version,
    }
    saved = client.post(f"/targets/{gdp.pk}/edit/", data)
    assert saved.status_code == 302
    gdp.refresh_from_db()
    assert (gdp.value, str(gdp.band_on_track), gdp.source, gdp.version) == (6950, "0.600", "edited", 2)
    stale = client.post(f"/targets/{gdp.pk}/edit/", data | {"value": "7100", "version": 1})
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "该目标已被他人修改" in text and 'value="7100"' in text
    assert Target.objects.get(pk=gdp.pk).value == 6950
    history = client.get(f"/targets/{gdp.pk}/edit/").content.decode()
    assert "<code>value</code>：6900 → 6950" in history[history.index('data-testid="history"') :]


def test_a_bad_band_is_named_on_the_form_and_nothing_is_saved(demo, personas, login):
    client = login(personas["drc"])
    gdp = target("gdp")
    data = {
        "scope": "FINANCE",
        "indicator": "gdp",
        "year": 2025,
        "comparator": ">",
        "value": "6950",
        "tolerance": "0.5",
        "band_on_track": "0.2",
        "band_warning": "0.5",
        "version": gdp.version,
    }
    response = client.post(f"/targets/{gdp.pk}/edit/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'data-testid="error-band_warning">[^<]*概率下限', html)
    assert re.search(r'data-testid="error-indicator">[^<]*不在产业层级统计', html)
    assert Target.objects.get(pk=gdp.pk).version == gdp.version


def test_the_drc_adds_a_target(demo, personas, login):
    client = login(personas["drc"])
    assert client.get("/targets/new/").status_code == 200
    response = client.post(
        "/targets/new/",
        {
            "scope": "AI",
            "indicator": "cluster_scale",
            "year": 2030,
            "comparator": ">=",
            "value": "300",
            "tolerance": "0.5",
            "band_on_track": "0.5",
            "band_warning": "0.2",
            "active": "on",
        },
    )
    assert response.status_code == 302
    made = Target.objects.get(indicator__code="cluster_scale", industry__code="AI", year=2030)
    assert (made.unit, made.kind, made.yearly_rule, made.source) == ("亿元", "amount", "sum", "created")


def test_other_roles_may_not_open_the_form(demo, personas, login):
    gdp = target("gdp")
    assert login(personas["dept"]).get(f"/targets/{gdp.pk}/edit/").status_code == 403
