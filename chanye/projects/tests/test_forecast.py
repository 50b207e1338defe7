"""The FAI forecast: a project on plan forecasts its plan, one behind pulls the year down and is named first
among those explaining the gap; the month-by-month series ends at the year's forecast."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chanye.projects.forecast import ProjectInput, district_forecast, project_forecast

PLAN = Decimal(12000)


def on_plan(code: str, pace: Decimal = Decimal(1), months: int = 6) -> ProjectInput:
    return ProjectInput(code, f"项目{code}", PLAN, None, {m: PLAN / 12 * pace for m in range(1, months + 1)})


def test_a_project_on_plan_forecasts_its_plan():
    result = project_forecast(on_plan("A"), 6)
    assert result.forecast_year == PLAN and result.ratio == 1
    assert "1–6 月完成 0.60 亿元，为同期计划 0.60 亿元的 100.0%" in result.method


def test_a_project_behind_pulls_the_year_down_and_explains_the_gap():
    district = district_forecast([on_plan("A"), on_plan("B", Decimal("0.5"))], Decimal(24000), 6)
    behind = district.projects[1]
    # ratio 0.5 shrunk toward 1 by the half of the year due: 0.75; 3,000 done + 6,000 × 0.75
    assert behind.ratio == Decimal("0.75") and behind.forecast_year == Decimal(7500)
    assert district.forecast_year == Decimal(19500) and district.gap == Decimal(4500)
    assert [c.code for c in district.contributors] == ["B"] and district.contributors[0].share == 1
    assert district.monthly[-1][3] == district.forecast_year
    assert district.monthly[5][2] == Decimal(9000)  # actual cumulative to June
    assert district.monthly[6][2] is None  # no actuals after the month forecast from


@given(st.integers(0, 2000), st.integers(0, 2000))
def test_the_forecast_grows_with_what_was_done(a, b):
    low, high = sorted((a, b))
    forecast = [
        project_forecast(ProjectInput("A", "A", PLAN, None, {1: Decimal(x), 2: Decimal(x)}), 2).forecast_year
        for x in (low, high)
    ]
    assert forecast[0] <= forecast[1]
