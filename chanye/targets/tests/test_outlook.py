"""The outlook of a dated target: required and trailing growth, the fitted forecast and its intervals, the
probability and the status a leader reads, each checked against what it claims to be."""

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chanye.targets.outlook import Status, Target, assess, cagr, is_stale, meets

GDP = [(2020, 5312.79), (2021, 6012.2), (2022, 6215.7), (2023, 6551.3), (2024, 6614.7)]  # 亿元, published

growths = st.lists(st.floats(min_value=-0.05, max_value=0.15), min_size=3, max_size=9)


def series_from(start: float, rates: list[float], first_year: int = 2015) -> list[tuple[int, float]]:
    points, value = [(first_year, start)], start
    for offset, rate in enumerate(rates, start=1):
        value *= 1 + rate
        points.append((first_year + offset, value))
    return points


@given(
    start=st.floats(min_value=10, max_value=1e5),
    end=st.floats(min_value=10, max_value=1e5),
    years=st.integers(1, 15),
)
def test_required_growth_compounds_to_the_target(start, end, years):
    rate = cagr(start, end, years)
    assert rate is not None
    assert math.isclose(start * (1 + rate) ** years, end, rel_tol=1e-9)


def test_the_latest_figure_meeting_the_target_is_met_and_a_past_year_missed_is_lagging():
    assert assess(GDP, Target(6500, 2025, ">"), as_of_year=2025).status == Status.MET
    missed = assess(GDP, Target(7000, 2024, ">="), as_of_year=2025)
    assert missed.status == Status.LAGGING and "未实现" in missed.sentence


def test_gdp_outlook_explains_itself_with_its_figures():
    outlook = assess(GDP, Target(6900, 2025, ">", unit="亿元"), as_of_year=2025)
    assert outlook.latest_year == 2024 and outlook.latest == 6614.7
    assert math.isclose(outlook.required_growth, 6900 / 6614.7 - 1)
    assert math.isclose(outlook.trailing_growth, (6614.7 / 6012.2) ** (1 / 3) - 1)
    for words in ("2024 年 6,614.7 亿元", "需年均增长 4.3%", "近 3 年年均增长 3.2%", "80% 区间", "达成概率"):
        assert words in outlook.sentence
    assert outlook.status.value in outlook.sentence


@settings(max_examples=15, deadline=None)
@given(rates=growths, start=st.floats(min_value=100, max_value=10_000), ahead=st.integers(1, 11))
def test_amount_forecast_is_the_drift_of_log_growth_with_nested_intervals(rates, start, ahead):
    points = series_from(start, rates)
    latest_year, latest = points[-1]
    outlook = assess(points, Target(latest * 2, latest_year + ahead, ">="), as_of_year=latest_year + 1)
    drift = sum(math.log(b / a) for (_, a), (_, b) in zip(points, points[1:], strict=False)) / len(rates)
    assert math.isclose(outlook.forecast, latest * math.exp(ahead * drift), rel_tol=1e-3)
    (low80, high80), (low95, high95) = outlook.intervals[80], outlook.intervals[95]
    assert low95 <= low80 <= outlook.forecast <= high80 <= high95
    assert len(outlook.path) == ahead and outlook.path[-1][0] == latest_year + ahead


@settings(max_examples=15, deadline=None)
@given(rates=growths)
def test_probability_falls_as_the_target_rises_and_matches_the_intervals(rates):
    points = series_from(1000, rates)
    year = points[-1][0] + 5
    base = assess(points, Target(1, year, ">="), as_of_year=year - 4)
    low80, high80 = base.intervals[80]
    at = {
        name: assess(points, Target(value, year, ">="), as_of_year=year - 4).probability
        for name, value in (("low", low80), ("mid", base.forecast), ("high", high80))
    }
    assert at["low"] >= at["mid"] >= at["high"]
    assert math.isclose(at["mid"], 0.5, abs_tol=1e-6)
    if high80 > low80:  # a series of one constant growth has no spread
        assert math.isclose(at["low"], 0.9, abs_tol=1e-3) and math.isclose(at["high"], 0.1, abs_tol=1e-3)


def test_status_follows_the_probability_bands():
    steady = series_from(1000, [0.08, 0.07, 0.09, 0.08, 0.08])
    year, latest = steady[-1]
    easy = assess(steady, Target(latest * 1.2, year + 3, ">="), as_of_year=year + 1)
    hard = assess(steady, Target(latest * 2.5, year + 3, ">="), as_of_year=year + 1)
    assert easy.status == Status.ON_TRACK and easy.probability >= 0.5
    assert hard.status == Status.LAGGING and hard.probability < 0.2


def test_a_short_series_compares_growth_and_says_no_forecast_was_made():
    outlook = assess([(2023, 100.0), (2024, 104.0)], Target(150, 2030, ">="), as_of_year=2025)
    assert outlook.forecast is None and outlook.probability is None
    assert outlook.status == Status.LAGGING  # 4% a year against 6.3% needed
    assert "未作预测" in outlook.sentence
    assert assess([], Target(1, 2030), as_of_year=2025).status == Status.UNKNOWN


def test_shares_move_by_points_and_missing_years_are_bridged():
    outlook = assess(
        [(2019, 18.0), (2021, 20.0), (2022, 21.0), (2024, 23.0)],
        Target(30, 2035, ">=", "share", "%"),
        as_of_year=2025,
    )
    assert math.isclose(outlook.required_growth, 7 / 11)
    assert "个百分点" in outlook.sentence
    # the yearly change of the share's logit continued: (logit 23% − logit 18%) ÷ 5 years, 11 years on
    logit = lambda p: math.log(p / (100 - p))  # noqa: E731
    drift = (logit(23) - logit(18)) / 5
    assert math.isclose(outlook.forecast, 100 / (1 + math.exp(-(logit(23) + 11 * drift))), rel_tol=1e-3)


def test_a_falling_share_is_forecast_towards_zero_never_below():
    outlook = assess(
        [(2020, 8.0), (2021, 6.0), (2022, 4.0), (2023, 2.5), (2024, 1.5)],
        Target(10, 2035, ">=", "share", "%"),
        as_of_year=2025,
    )
    low95, high95 = outlook.intervals[95]
    assert 0 < low95 < outlook.forecast < high95 < 1.5  # still falling, towards 0 but never below
    assert outlook.status == Status.LAGGING and outlook.probability < 0.05
    assert all(0 < point[1] < 100 and point[2] > 0 for point in outlook.path)


def test_about_a_growth_rate_is_met_from_just_below_and_above():
    target = Target(5.5, 2025, "~", "rate", "%", tolerance=0.5)
    assert meets(5.0, target) and meets(7.0, target) and not meets(4.9, target)
    growth = [(2021, 8.2), (2022, 2.4), (2023, 5.1), (2024, 2.1)]
    outlook = assess(growth, target, as_of_year=2025)
    assert outlook.required_growth is None and 0 < outlook.probability < 1
    assert math.isclose(outlook.forecast, sum(v for _, v in growth) / 4, rel_tol=1e-3)


@pytest.mark.parametrize(("as_of", "stale"), [(date(2026, 3, 31), False), (date(2026, 4, 1), True)])
def test_a_yearly_figure_is_stale_a_year_and_a_quarter_after_its_year(as_of, stale):
    assert is_stale(date(2024, 12, 31), 12, as_of) is stale


def test_a_year_in_progress_carries_its_share_of_the_year_and_narrows_the_interval():
    from chanye.targets.yearly import YearToDate

    target = Target(6900, 2025, ">", unit="亿元")
    plain = assess(GDP, target, as_of_year=2025)
    ytd = YearToDate(2025, 9, value=4950.0, prior=4700.0, weight=0.75)  # +5.3% over three quarters
    known = assess(GDP, target, as_of_year=2025, year_to_date=ytd)
    drift = math.log(plain.forecast / 6614.7)
    expected = 6614.7 * math.exp(0.75 * math.log(4950 / 4700) + 0.25 * drift)
    assert math.isclose(known.forecast, expected, rel_tol=1e-6)
    (low, high), (plain_low, plain_high) = known.intervals[80], plain.intervals[80]
    assert high - low < (plain_high - plain_low) / 3  # only the last quarter is still uncertain
    assert "2025 年 1–9 月同比增长 5.3%" in known.sentence and known.year_to_date
    assert len(known.path) == 1 and known.path[0][0] == 2025


def test_a_growth_rate_to_date_weighs_in_by_its_months_and_a_later_target_ignores_it():
    from chanye.targets.yearly import YearToDate

    growth = [(2021, 8.2), (2022, 2.4), (2023, 5.1), (2024, 2.1)]
    ytd = YearToDate(2025, 9, value=5.6)
    this_year = assess(growth, Target(5.5, 2025, "~", "rate", "%"), as_of_year=2025, year_to_date=ytd)
    mean = sum(v for _, v in growth) / 4
    assert math.isclose(this_year.forecast, 0.75 * 5.6 + 0.25 * mean, rel_tol=1e-6)
    later = assess(growth, Target(5.5, 2026, "~", "rate", "%"), as_of_year=2025, year_to_date=ytd)
    assert later.year_to_date == "" and math.isclose(later.forecast, mean, rel_tol=1e-3)
