"""The FAI forecast: a project on plan forecasts its plan; one behind pulls the year down and is named first
among those explaining the gap; the monthly series adds up. No database: a pure module."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chanye.projects.forecast import ProjectInput, district_forecast, project_forecast

PLAN = Decimal(12000)
CURVE = tuple(Decimal(x) / 100 for x in (2, 4, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100))


def paced(code: str, pace: str = "1", months: int = 6, plan: Decimal = PLAN, curve=None) -> ProjectInput:
    """A project that has invested `pace` × its planned monthly amount in each of the first `months`."""
    if curve is None:
        cumulative = [plan * m / 12 for m in range(13)]
    else:
        cumulative = [Decimal(0), *(plan * share for share in curve)]
    actual = {m: (cumulative[m] - cumulative[m - 1]) * Decimal(pace) for m in range(1, months + 1)}
    return ProjectInput(code, f"项目{code}", plan, curve, actual)


@pytest.mark.parametrize("curve", [None, CURVE])
@pytest.mark.parametrize("as_of", [1, 6, 11])
def test_a_project_on_plan_forecasts_its_plan(curve, as_of):
    result = project_forecast(paced("A", months=as_of, curve=curve), as_of)
    assert result.forecast_year == PLAN and result.shortfall == 0 and result.ratio == 1
    assert result.method.endswith("与年度计划持平")


def test_a_project_at_half_its_plan_pulls_the_year_down_and_comes_first():
    district = district_forecast(
        [paced("A"), paced("B", "0.5"), paced("C", "0.9")], target=Decimal(36000), as_of=6
    )
    behind = next(p for p in district.projects if p.code == "B")
    # half the plan due by June (w = ½): the ratio 0.5 shrinks to 1 + (0.5 − 1) × ½ = 0.75;
    # 3,000 done + the remaining 6,000 × 0.75
    assert behind.raw_ratio == Decimal("0.5") and behind.ratio == Decimal("0.75")
    assert behind.forecast_year == 7500 and behind.shortfall == 4500
    assert behind.method == (
        "1–6 月完成 3000 万元，为同期计划 6000 万元的 50.0%；已到期计划占全年 50.0%，以此为权重向计划收敛："
        "100% +（50.0% − 100%）× 50.0% = 75.0%；余下计划 6000 万元按 75.0% 推算，预计全年 7500 万元，"
        "比年度计划少 4500 万元"
    )
    # C at 0.9: 5,400 + 6,000 × 0.95 = 11,100
    assert district.forecast_year == 12000 + 7500 + 11100 and district.gap == 36000 - 30600
    assert [c.code for c in district.contributors] == ["B"]  # 4,500 of the 5,400 gap: past 80%
    first = district.contributors[0]
    assert first.shortfall == 4500 and first.share == first.share_of_gap
    assert first.share.quantize(Decimal("0.0001")) == Decimal("0.8333")
    assert district.total_shortfall == 5400
    assert "预计全年 3.06 亿元，距目标 3.60 亿元差 5400 万元" in district.sentence


def test_the_ratio_is_shrunk_toward_the_plan_early_in_the_year_and_clamped():
    early = project_forecast(paced("B", "0.5", months=2), 2)
    late = project_forecast(paced("B", "0.5", months=10), 10)
    assert early.weight.quantize(Decimal("0.0001")) == Decimal("0.1667")  # 2 of 12 months' plan due
    assert early.ratio > late.ratio > Decimal("0.5")
    fast = project_forecast(paced("F", "3"), 6)
    assert fast.raw_ratio == 3 and fast.ratio == 1 + Decimal("0.5") / 2  # clamped to 1.5, then shrunk
    assert "（按上限 150% 计）" in fast.method
    idle = project_forecast(paced("I", "0"), 6)
    assert idle.ratio == Decimal("0.5") and idle.forecast_year == 3000


@pytest.mark.parametrize(
    ("project", "as_of", "forecast", "words"),
    [
        (paced("A", "0.5", months=12), 12, Decimal(6000), "年度计划已全部到期"),
        (ProjectInput("N", "无计划", None, None, {1: Decimal(80)}), 3, Decimal(80), "未录入年度计划"),
        (ProjectInput("Z", "零计划", Decimal(0), None, {2: Decimal(5)}), 3, Decimal(5), "本年度无计划投资"),
        (paced("A", months=0), 0, PLAN, "年初尚无完成数据"),
    ],
)
def test_a_project_without_a_plan_for_the_rest_of_the_year_contributes_its_actuals(
    project, as_of, forecast, words
):
    result = project_forecast(project, as_of)
    assert result.forecast_year == forecast and words in result.method


def test_a_plan_fully_due_early_or_not_due_yet():
    front = (Decimal("0.5"), *(Decimal(1) for _ in range(11)))
    done = project_forecast(ProjectInput("F", "前置", PLAN, front, {1: Decimal(4000), 2: Decimal(1000)}), 3)
    assert done.forecast_year == 5000 and done.shortfall == 7000
    back = (*(Decimal(0) for _ in range(6)), *(Decimal(m) / 6 for m in range(1, 7)))
    early = project_forecast(ProjectInput("E", "后置", PLAN, back, {2: Decimal(300)}), 3)
    # nothing was due: no record to judge, the rest of the plan is taken as it stands
    assert early.raw_ratio is None and early.ratio == 1 and early.forecast_year == PLAN + 300
    assert "尚无到期的计划投资" in early.method


def test_months_after_as_of_are_ignored_and_bad_input_is_rejected():
    replay = project_forecast(paced("A", "0.5", months=12), 6)
    assert replay.actual_to_date == 3000 and replay.forecast_year == 7500
    with pytest.raises(ValueError, match="0–12"):
        project_forecast(paced("A"), 13)
    with pytest.raises(ValueError, match="实际投资月份"):
        project_forecast(ProjectInput("X", "X", PLAN, None, {13: Decimal(1)}), 6)
    with pytest.raises(ValueError, match="计划曲线"):
        project_forecast(ProjectInput("X", "X", PLAN, CURVE[:6], {}), 6)


def test_the_monthly_series_adds_up():
    projects = [paced("A", curve=CURVE), paced("B", "0.5"), paced("C", "1.2", months=6), paced("D", "0.8")]
    district = district_forecast(projects, Decimal(50000), 6)
    assert [point.month for point in district.monthly] == list(range(1, 13))
    last = district.monthly[-1]
    assert last.forecast == district.forecast_year and last.planned == district.planned_year == 4 * PLAN
    assert district.monthly[5].actual == district.actual_to_date == district.monthly[5].forecast
    assert district.monthly[5].planned == district.planned_to_date
    for point in district.monthly:
        month, planned, actual, forecast = point  # unpacks as a 4-tuple
        assert planned == sum(p.planned_cumulative[month - 1] for p in district.projects)
        assert forecast == sum(p.forecast_cumulative[month - 1] for p in district.projects)
        assert (actual == forecast) if month <= 6 else actual is None
    forecasts = [point.forecast for point in district.monthly]
    assert forecasts == sorted(forecasts)  # cumulative: never falls
    assert district.forecast_year == sum(p.forecast_year for p in district.projects)


def test_contributors_cover_80_percent_of_the_gap_or_the_top_ten():
    # twelve projects 5%, 10%, … 60% behind their plan; target = the plans: the gap is the total shortfall
    projects = [paced(f"P{i:02d}", str(Decimal(100 - 5 * i) / 100)) for i in range(1, 13)]
    district = district_forecast(projects, Decimal(12) * PLAN, 6)
    codes = [c.code for c in district.contributors]
    shortfalls = [c.shortfall for c in district.contributors]
    assert codes[0] == "P12" and shortfalls == sorted(shortfalls, reverse=True)
    assert district.gap == district.total_shortfall
    covered = [c.cumulative_share for c in district.contributors]
    assert covered[-1] >= Decimal("0.8") and (len(covered) == 1 or covered[-2] < Decimal("0.8"))
    capped = district_forecast(projects, Decimal(12) * PLAN * 2, 6)
    assert len(capped.contributors) == 10  # 80% of a gap this large is never reached
    met = district_forecast(projects, Decimal(0), 6)
    assert met.gap < 0 and met.contributors  # no gap: the laggards still explain 80% of the shortfall
    assert met.contributors[0].share_of_gap is None and "可完成目标" in met.sentence
    assert district_forecast([paced("A")], PLAN, 6).contributors == []


def test_ties_and_the_callers_decimal_context_do_not_change_the_answer():
    projects = [paced("B", "0.5"), paced("A", "0.5")]
    expected = district_forecast(projects, PLAN * 2, 7)
    assert [c.code for c in expected.contributors] == ["A", "B"]
    with localcontext() as context:
        context.prec = 6
        again = district_forecast(projects, PLAN * 2, 7)
    assert again == expected


@given(
    as_of=st.integers(1, 12),
    months=st.lists(st.integers(0, 3000), min_size=12, max_size=12),
    bump_month=st.integers(1, 12),
    bump=st.integers(0, 5000),
)
def test_the_forecast_is_monotone_in_what_was_done(as_of, months, bump_month, bump):
    actual = {m: Decimal(v) for m, v in enumerate(months, start=1)}
    more = actual | {bump_month: actual[bump_month] + bump}
    low = project_forecast(ProjectInput("A", "A", PLAN, CURVE, actual), as_of)
    high = project_forecast(ProjectInput("A", "A", PLAN, CURVE, more), as_of)
    assert low.forecast_year <= high.forecast_year
    # and it stays between what was done and what was done + 1.5 × the rest of the plan
    rest = PLAN - low.planned_to_date
    assert low.actual_to_date <= low.forecast_year <= low.actual_to_date + Decimal("1.5") * rest
