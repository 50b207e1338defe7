"""Value added estimated from enterprise revenue, scaled to the district's GDP, and the GDP shares: pure, no
Django import.

1. An enterprise's value added (万元) = its revenue for the year × its division's value-added rate; wholesale
   and retail (51, 52) on the gross margin: revenue × margin rate × the margin's value-added rate. An
   enterprise whose division has no rate (or no GB/T code) is left out and counted as such.
2. The district estimate is the sum over enterprises, each once; an industry's is the sum over its member
   enterprises, so an enterprise in two industries counts in both.
3. When the district's official GDP is known, every estimate is multiplied by one scale factor,
   GDP ÷ the district estimate, so the estimates add up to GDP (the factor is reported with the figures).
4. A share (secondary industry, digital-economy core, strategic emerging industries) is the value added of
   the enterprises whose GB/T code is in the set (a code the catalogue marks partial counts with a weight)
   ÷ the district total, numerator and denominator on the same basis: the scaled estimate over the official
   GDP, or the unscaled estimate over the unscaled total when GDP is unknown — the same ratio either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

WAN_PER_YI = Decimal(10000)  # revenue is in 万元, value added and GDP in 亿元
ZERO, ONE = Decimal(0), Decimal(1)
PARTIAL_WEIGHT = Decimal("0.5")
YI = Decimal("0.0001")
PERCENT = Decimal("0.01")

Weigh = Callable[[str], Decimal]  # a GB/T code → the weight its value added counts with in a set (0 … 1)


@dataclass(frozen=True)
class Rate:
    rate: Decimal
    margin_rate: Decimal | None = None

    def value_added(self, revenue: Decimal) -> Decimal:
        if self.margin_rate is not None:
            return revenue * self.margin_rate * self.rate
        return revenue * self.rate


@dataclass(frozen=True)
class Firm:
    id: int
    gbt_code: str
    revenue: Decimal  # 万元, the year's
    industries: tuple[int, ...] = ()

    @property
    def division(self) -> str:
        code = self.gbt_code.strip().lstrip("ABCDEFGHIJKLMNOPQRST")
        return code[:2] if len(code) >= 2 and code[:2].isdigit() else ""


@dataclass
class Contribution:
    """One division's part of a share's numerator."""

    division: str
    value: Decimal  # 亿元, weighted, on the share's basis
    firms: int
    partial_firms: int = 0


@dataclass
class Share:
    code: str
    numerator: Decimal  # 亿元
    denominator: Decimal  # 亿元
    value: Decimal | None  # percent
    scaled: bool  # numerator scaled to GDP, denominator the official GDP
    divisions: list[Contribution] = field(default_factory=list)
    partial_weight: Decimal = PARTIAL_WEIGHT


@dataclass
class IndustryFigure:
    estimate: Decimal  # 亿元, scaled when the district is
    firms: int


@dataclass
class Result:
    year: int
    firms: int  # enterprises with revenue and a rate
    revenue: Decimal  # 万元, of those
    unrated_firms: int
    unrated_revenue: Decimal  # 万元
    unrated_divisions: list[str]
    estimate: Decimal  # 亿元, the unscaled district estimate
    gdp: Decimal | None  # 亿元, official
    scale: Decimal | None  # GDP ÷ estimate
    district: Decimal  # 亿元, the district estimate on the result's basis (= GDP when scaled)
    industries: dict[int, IndustryFigure]
    shares: dict[str, Share]
    divisions: dict[str, Decimal]  # 亿元 per division, on the result's basis

    @property
    def scaled(self) -> bool:
        return self.scale is not None


def annual_revenue(periods: Mapping[str, tuple[Decimal, int]]) -> tuple[Decimal, int]:
    """One enterprise's revenue for a year and the months it covers, from {frequency: (sum, count)}: the
    year's own figure when there is one, otherwise the frequency that covers more months."""
    if "year" in periods:
        return periods["year"][0], 12
    months = periods.get("month", (ZERO, 0))
    quarters = periods.get("quarter", (ZERO, 0))
    if quarters[1] * 3 > months[1]:
        return quarters[0], quarters[1] * 3
    return months[0], months[1]


def code_weights(codes: Mapping[str, bool], partial_weight: Decimal = PARTIAL_WEIGHT) -> Weigh:
    """A set given as {GB/T code: partial}: a code in it (or under a listed shorter code) weighs 1, or
    `partial_weight` when the catalogue marks it partial (only part of the class belongs to the set)."""

    def weigh(code: str) -> Decimal:
        code = code.strip().lstrip("ABCDEFGHIJKLMNOPQRST")
        for length in (4, 3, 2):
            key = code[:length]
            if len(key) == length and key in codes:
                return partial_weight if codes[key] else ONE
        return ZERO

    return weigh


def estimate(
    *,
    year: int,
    firms: Iterable[Firm],
    rates: Mapping[str, Rate],
    gdp: Decimal | None = None,
    sets: Mapping[str, Weigh] | None = None,
    partial_weight: Decimal = PARTIAL_WEIGHT,
) -> Result:
    """The year's estimate (see the module's rules)."""
    values: list[tuple[Firm, Decimal]] = []
    unrated, unrated_revenue, unrated_divisions = 0, ZERO, set()
    for firm in firms:
        rate = rates.get(firm.division)
        if rate is None:
            unrated += 1
            unrated_revenue += firm.revenue
            unrated_divisions.add(firm.division or "—")
            continue
        values.append((firm, rate.value_added(firm.revenue) / WAN_PER_YI))
    total = sum((value for _firm, value in values), ZERO)
    scale = gdp / total if gdp is not None and gdp > 0 and total > 0 else None
    factor = scale if scale is not None else ONE

    industries: dict[int, IndustryFigure] = {}
    by_division: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for firm, value in values:
        by_division[firm.division] += value * factor
        for industry in set(firm.industries):
            figure = industries.setdefault(industry, IndustryFigure(ZERO, 0))
            figure.estimate += value * factor
            figure.firms += 1

    denominator = gdp if scale is not None and gdp is not None else total
    shares: dict[str, Share] = {}
    for code, weigh in (sets or {}).items():
        parts: dict[str, Contribution] = {}
        for firm, value in values:
            weight = weigh(firm.gbt_code)
            if weight <= 0:
                continue
            part = parts.setdefault(firm.division, Contribution(firm.division, ZERO, 0))
            part.value += value * factor * weight
            part.firms += 1
            part.partial_firms += weight < ONE
        numerator = sum((p.value for p in parts.values()), ZERO)
        shares[code] = Share(
            code=code,
            numerator=numerator,
            denominator=denominator,
            value=numerator / denominator * 100 if denominator > 0 else None,
            scaled=scale is not None,
            divisions=sorted(parts.values(), key=lambda p: (-p.value, p.division)),
            partial_weight=partial_weight,
        )
    return Result(
        year=year,
        firms=len(values),
        revenue=sum((firm.revenue for firm, _value in values), ZERO),
        unrated_firms=unrated,
        unrated_revenue=unrated_revenue,
        unrated_divisions=sorted(unrated_divisions),
        estimate=total,
        gdp=gdp,
        scale=scale,
        district=total * factor,
        industries=industries,
        shares=shares,
        divisions=dict(sorted(by_division.items())),
    )
