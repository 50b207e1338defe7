"""The value-added page: who may open it, who may edit a rate and run the estimate, and what it shows."""

from decimal import Decimal

import pytest

from chanye.economy.models import EstimateRun, ValueAddedRate
from chanye.economy.services import estimate_run

pytestmark = pytest.mark.django_db
PAGE = "/economy/"


def test_the_page_opens_for_government_roles_only(client, login, personas, economy):
    assert client.get(PAGE).status_code == 302  # anonymous: to the login page
    login(personas["enterprise"])
    assert client.get(PAGE).status_code == 403
    login(personas["street"])
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-division="97"' in body and "全国2007年投入产出表" in body
    assert 'data-testid="rate-edit"' not in body and 'data-testid="estimate"' not in body


def test_the_page_shows_official_and_estimated_figures_shares_and_their_divisions(
    client, login, personas, economy, firms
):
    estimate_run(year=2024, by=None)
    login(personas["drc"])
    body = client.get(PAGE, {"year": 2024}).content.decode()
    assert 'data-share="secondary_share"' in body and "推算增加值合计（未校准）" in body
    assert '/enterprises/?gbt=39"' in body  # the contributing division, to its enterprises
    assert 'data-industry="SW"' in body and 'data-testid="estimate"' in body
    assert "缺行业代码或增加值率" in body


def test_a_rate_edit_saves_and_a_bad_one_is_explained(client, login, personas, economy):
    login(personas["drc"])
    url = "/economy/rates/52/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"rate": "0.5", "margin_rate": "2", "source": "x", "version": 1})
    assert bad.status_code == 400 and "毛利率应大于 0 且不大于 1" in bad.content.decode()
    saved = client.post(
        url, {"rate": "0.55", "margin_rate": "18%", "source": "核定", "reason": "r", "version": 1}
    )
    assert saved.status_code == 302
    row = ValueAddedRate.objects.get(division="52")
    assert (row.rate, row.margin_rate, row.version) == (Decimal("0.55"), Decimal("0.18"), 2)
    history = client.get(url).content.decode()
    assert "v1" in history and "r" in history
    stale = client.post(url, {"rate": "0.4", "margin_rate": "0.1", "source": "核定", "version": 1})
    assert stale.status_code == 409


def test_rate_edits_and_reruns_are_refused_to_other_roles(client, login, personas, economy, firms):
    login(personas["dept"])  # an IIT officer: the role may, the department may not
    assert client.get("/economy/rates/65/").status_code == 403
    assert client.post("/economy/estimate/", {"year": 2024}).status_code == 403
    login(personas["leader"])
    assert client.get("/economy/rates/65/").status_code == 403


def test_the_rerun_button_runs_the_estimate(client, login, personas, stats_officer, economy, firms):
    login(stats_officer)
    response = client.post("/economy/estimate/", {"year": 2024, "partial_weight": "0.4"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2024")
    run = EstimateRun.objects.get()
    assert run.recorded and run.partial_weight == Decimal("0.4") and run.run_by == stats_officer
    response = client.post("/economy/estimate/", {"year": 2019}, follow=True)
    assert "2019 年没有企业营业收入数据" in response.content.decode()


def test_the_page_reads_a_bounded_number_of_queries_and_warns_of_thin_coverage(
    client, login, personas, economy, firms, django_assert_max_num_queries
):
    from datetime import date

    from chanye.indicators.services import observation_record

    observation_record(
        indicator=economy["gdp"],
        level="district",
        period=date(2024, 1, 1),
        frequency="year",
        value=Decimal("100"),
        by=None,
        basis="official",
    )
    run = estimate_run(year=2024, by=None)
    login(personas["leader"])
    with django_assert_max_num_queries(20):
        body = client.get(PAGE).content.decode()
    assert run.thin and f"参与推算的企业只相当于GDP的 {run.coverage:.1f}%" in body
