"""The yearly series behind a target: the year's own figure first, then a complete year of quarters or months
(summed for amounts, the last period for cumulative rates), never an incomplete year; the year in progress
as a year-to-date."""

from datetime import date

import pytest

from chanye.targets.yearly import Row, period_end, yearly

AS_OF = date(2025, 10, 31)


def quarters(year, values):
    return [Row(date(year, 3 * i + 1, 1), "quarter", v) for i, v in enumerate(values)]


def months(year, values):
    return [Row(date(year, i + 1, 1), "month", v) for i, v in enumerate(values)]


def test_the_years_own_figure_wins_over_its_quarters():
    rows = [Row(date(2024, 1, 1), "year", 6614.7), *quarters(2024, [1500, 1600, 1700, 1800])]
    result = yearly(rows, "sum", as_of=AS_OF)
    assert result.points == [(2024, 6614.7)] and result.how[2024] == "年度数"


def test_amounts_add_up_a_complete_year_and_leave_out_an_incomplete_one():
    rows = [*quarters(2023, [10, 20, 30, 40]), *quarters(2024, [11, 22, 33])]
    result = yearly(rows, "sum", as_of=date(2025, 6, 30))
    assert result.points == [(2023, 100)]
    assert result.how[2023] == "4 个季度之和"
    ytd = result.year_to_date
    assert (ytd.year, ytd.months) == (2024, 9)
    assert ytd.growth == pytest.approx(0.1) and ytd.fraction == pytest.approx(0.6)


def test_months_add_up_when_there_are_no_quarters():
    result = yearly(months(2023, [1] * 12), "sum", as_of=AS_OF)
    assert result.points == [(2023, 12)] and result.how[2023] == "12 个月之和"


def test_rates_take_the_cumulative_value_of_the_years_last_period():
    rows = [
        *months(2023, [3.0, 4.0, 4.5, 5.0, 5.1, 5.2, 5.0, 4.9, 5.0, 5.1, 5.2, 5.3]),
        *months(2024, [6.0, 6.1]),
    ]
    result = yearly(rows, "last", as_of=AS_OF)
    assert result.points == [(2023, 5.3)] and result.how[2023] == "12 月累计值"
    assert (result.year_to_date.year, result.year_to_date.months, result.year_to_date.value) == (2024, 2, 6.1)


def test_the_year_in_progress_grows_against_the_same_months_weighted_by_last_years_shape():
    rows = [*months(2024, [5, 5, 8, 8, 8, 9, 8, 8, 9, 9, 10, 13]), *months(2025, [5.3, 5.3, 8.48])]
    ytd = yearly(rows, "sum", as_of=AS_OF).year_to_date
    assert ytd.months == 3 and ytd.value == pytest.approx(19.08)
    assert ytd.growth == pytest.approx(0.06)
    assert ytd.fraction == pytest.approx(18 / 100)  # January–March made 18% of 2024
    assert ytd.label == "2025 年 1–3 月"


def test_periods_not_ended_at_the_as_of_month_are_not_known_yet():
    rows = quarters(2025, [10, 11, 12])
    result = yearly(rows, "sum", as_of=date(2025, 8, 31))
    assert result.year_to_date.months == 6  # Q3 ends in September
    assert result.latest_end == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("start", "frequency", "end"),
    [
        (date(2024, 1, 1), "year", date(2024, 12, 31)),
        (date(2024, 10, 1), "quarter", date(2024, 12, 31)),
        (date(2024, 2, 1), "month", date(2024, 2, 29)),
    ],
)
def test_a_period_ends_on_its_last_day(start, frequency, end):
    assert period_end(start, frequency) == end
