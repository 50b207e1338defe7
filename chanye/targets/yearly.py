"""A target's yearly figures from the stored periods of an indicator: pure, no Django import.

The indicator module stores each figure under the first day of its month, quarter or year, and a figure of a
month or quarter is that period's own value for amounts (当月/当季, not cumulative) and the cumulative value
for rates and shares (累计同比). So a year is taken, in this order, from:

1. the year's own figure (frequency year), when there is one;
2. otherwise a complete year of quarters, then of months: for ``sum`` (amounts) the sum of all 4 or 12
   periods, for ``last`` (rates, shares, stocks) the value of the last period (Q4 or December), which is the
   whole year's cumulative value;
3. otherwise the year is left out — an incomplete year is never taken as a whole one.

The year after the last whole year may be in progress: its year-to-date (`YearToDate`) is what the forecast of
that year leans on (see `chanye.targets.outlook`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Rule = Literal["sum", "last"]
MONTHS = {"month": 1, "quarter": 3, "year": 12}
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
RULE_TEXT = {
    "sum": "有年度数的取年度数；没有的，取季度或月度数据齐全的年份，以各期（当季、当月）之和为全年数；不完整的年份不计。",
    "last": "有年度数的取年度数；没有的，取第四季度或12月的累计值为全年数；缺年末一期的年份不计。",
}


@dataclass(frozen=True)
class Row:
    period: date  # the first day of the period
    frequency: str  # month / quarter / year
    value: float


@dataclass(frozen=True)
class YearToDate:
    """The figures of a year in progress: the months it covers, its value and (for sums) the same months of
    the year before, and `weight`, the share of the whole year those months made the year before."""

    year: int
    months: int
    value: float
    prior: float | None = None
    weight: float | None = None

    @property
    def label(self) -> str:
        return f"{self.year} 年 1–{self.months} 月" if self.months > 1 else f"{self.year} 年 1 月"

    @property
    def fraction(self) -> float:
        return self.weight if self.weight is not None else self.months / 12

    @property
    def growth(self) -> float | None:
        if self.prior is None or self.prior <= 0:
            return None
        return self.value / self.prior - 1


@dataclass
class Yearly:
    points: list[tuple[int, float]] = field(default_factory=list)
    how: dict[int, str] = field(default_factory=dict)  # year → 年度数 / 4 个季度之和 / 12 月累计值
    year_to_date: YearToDate | None = None
    latest_end: date | None = None  # the last day of the latest period seen


def period_end(start: date, frequency: str) -> date:
    index = start.year * 12 + start.month - 1 + MONTHS[frequency]
    following = date(index // 12, index % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def yearly(rows: Iterable[Row], rule: Rule, *, as_of: date) -> Yearly:
    """The yearly figures of `rows` known at `as_of` (periods that ended by then), by `rule`."""
    seen = [row for row in rows if period_end(row.period, row.frequency) <= as_of]
    result = Yearly(latest_end=max((period_end(r.period, r.frequency) for r in seen), default=None))
    table: dict[int, dict[str, dict[date, float]]] = defaultdict(lambda: defaultdict(dict))
    for row in seen:
        table[row.period.year][row.frequency][row.period] = row.value
    for year in sorted(table):
        found = _whole_year(table[year], rule)
        if found is not None:
            value, how = found
            result.points.append((year, value))
            result.how[year] = how
    last_whole = result.points[-1][0] if result.points else None
    later = [year for year in table if last_whole is None or year > last_whole]
    if later:
        year = max(later)
        result.year_to_date = _year_to_date(year, table[year], table.get(year - 1), rule)
    return result


def _whole_year(periods: dict[str, dict[date, float]], rule: Rule) -> tuple[float, str] | None:
    if periods.get("year"):
        return next(iter(periods["year"].values())), "年度数"
    for frequency, name in (("quarter", "季度"), ("month", "月")):
        values = periods.get(frequency, {})
        if rule == "sum" and len(values) == PER_YEAR[frequency]:
            return sum(values.values()), f"{PER_YEAR[frequency]} 个{name}之和"
        if rule == "last" and values:
            last = max(values)
            if period_end(last, frequency).month == 12:
                return values[last], ("第四季度累计值" if frequency == "quarter" else "12 月累计值")
    return None


def _year_to_date(
    year: int,
    periods: dict[str, dict[date, float]],
    before: dict[str, dict[date, float]] | None,
    rule: Rule,
) -> YearToDate | None:
    """The months from January the year's periods cover without a gap (the finest frequency covering most)."""
    best: YearToDate | None = None
    for frequency in ("quarter", "month"):
        values = periods.get(frequency, {})
        run: list[date] = []
        for index in range(PER_YEAR[frequency]):
            start = date(year, index * MONTHS[frequency] + 1, 1)
            if start not in values:
                break
            run.append(start)
        if not run:
            continue
        months = len(run) * MONTHS[frequency]
        if best is not None and months <= best.months:
            continue
        if rule == "last":
            best = YearToDate(year, months, values[run[-1]])
            continue
        earlier = (before or {}).get(frequency, {})
        same = [start.replace(year=year - 1) for start in run]
        prior = sum(earlier[s] for s in same) if all(s in earlier for s in same) else None
        whole = sum(earlier.values()) if prior is not None and len(earlier) == PER_YEAR[frequency] else None
        weight = prior / whole if prior is not None and whole else None
        best = YearToDate(year, months, sum(values[s] for s in run), prior, weight)
    return best
