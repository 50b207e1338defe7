"""Deterministic demo series, calibrated to Tianhe's published figures; no Django import.

District figures: the published ones (GDP 2020–2024, growth, 2024 fixed-asset investment and its growth,
the 2021 three-industry split, the 2023 digital-economy core and modern-services shares, domestic tax) are
used as they are and marked official; every other figure is synthetic (marked 模拟), shaped so the quarters
and months add up to the published years, and so the demo shows targets both on track (2025 GDP growth
about 5.6% against 5.5%) and at risk (2025 fixed-asset investment about +6% against +8%). Enterprise series
run from each sample firm's registered annual revenue and head count. Money is in 亿元 at district level and
in 万元 at enterprise level, as the catalogue's units say.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

FIRST_YEAR = 2021
END = date(2025, 10, 1)  # the last month with figures, as the key-project demo's filings
END_QUARTER = date(2025, 7, 1)
SOURCE = "天河区政府工作报告与统计公报（见 ../shared/reference/tianhe_stats.csv）"

# Published (亿元, %): year → value.
GDP = {
    2020: Decimal("5312.79"),
    2021: Decimal("6012.20"),
    2022: Decimal("6215.7"),
    2023: Decimal("6551.3"),
    2024: Decimal("6614.7"),
}
GDP_GROWTH = {
    2020: Decimal("2.7"),
    2021: Decimal("8.2"),
    2022: Decimal("2.4"),
    2023: Decimal("5.1"),
    2024: Decimal("2.1"),
}
SECONDARY_VALUE = {2020: Decimal("394.1"), 2021: Decimal("447.81")}  # 二产增加值, 亿元
DIGITAL_CORE_SHARE = {2023: Decimal("22.2")}
MODERN_SERVICES_SHARE = {2023: Decimal("71.3")}
FAI = {2024: Decimal("785.6")}
FAI_GROWTH = {2024: Decimal("11.7")}
TAX = {2020: Decimal("850.99"), 2023: Decimal("862.3"), 2024: Decimal("913.6")}  # 国内税收, 亿元

# Synthetic, around the published level ("secondary industry about 7.2% of GDP").
SECONDARY_SHARE_SYNTHETIC = {2022: Decimal("7.3"), 2023: Decimal("7.2"), 2024: Decimal("7.1")}
DIGITAL_CORE_SYNTHETIC = {2021: Decimal("20.9"), 2022: Decimal("21.5"), 2024: Decimal("22.9")}
MODERN_SERVICES_SYNTHETIC = {2021: Decimal("70.2"), 2022: Decimal("70.8"), 2024: Decimal("71.6")}
SEI_SHARE_SYNTHETIC = {
    2021: Decimal("24.8"),
    2022: Decimal("25.6"),
    2023: Decimal("26.3"),
    2024: Decimal("27.0"),
}
QUARTER_WEIGHTS = (Decimal("0.232"), Decimal("0.245"), Decimal("0.247"), Decimal("0.276"))
FAI_MONTH_WEIGHTS = (5, 5, 8, 8, 8, 9, 8, 8, 9, 9, 10, 13)  # January–February slow, December heavy
GDP_GROWTH_2025 = Decimal("5.6")  # on track for "about 5.5%"
FAI_GROWTH_2025 = Decimal("6.0")  # behind "8% or more"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Point:
    indicator: str
    period: date
    frequency: str  # month / quarter / year
    value: Decimal
    status: str = "final"  # preliminary / final
    basis: str = "official"  # official / reported / estimated
    synthetic: bool = False
    note: str = ""


def _r(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _split(total: Decimal, weights) -> list[Decimal]:
    """Shares of `total` by weight, rounded to cents, the last absorbing the rounding so they add up."""
    weight_sum = sum(Decimal(w) for w in weights)
    parts = [_r(total * Decimal(w) / weight_sum) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _official(indicator: str, period: date, frequency: str, value: Decimal, status: str = "final") -> Point:
    return Point(indicator, period, frequency, value, status=status, basis="official", note=SOURCE)


def _made_up(
    indicator: str,
    period: date,
    frequency: str,
    value: Decimal,
    status: str = "final",
    note: str = "模拟数据",
) -> Point:
    return Point(
        indicator, period, frequency, value, status=status, basis="estimated", synthetic=True, note=note
    )


def district_points() -> list[Point]:
    """The district series: GDP by year and quarter with growth, FAI by year and month with growth, the
    GDP shares and domestic tax by year."""
    points: list[Point] = []
    for year, value in GDP.items():
        status = "preliminary" if year == max(GDP) else "final"
        points.append(_official("gdp", date(year, 1, 1), "year", value, status=status))
        points.append(_official("gdp_growth", date(year, 1, 1), "year", GDP_GROWTH[year], status=status))
    quarters: dict[int, list[Decimal]] = {}
    for year in range(FIRST_YEAR, 2025):
        quarters[year] = _split(GDP[year], QUARTER_WEIGHTS)
    quarters[2025] = [_r(q * (1 + GDP_GROWTH_2025 / 100)) for q in quarters[2024][:3]]
    rng = random.Random(5)
    for year, values in quarters.items():
        for index, value in enumerate(values):
            start = date(year, index * 3 + 1, 1)
            status = "preliminary" if year == 2025 else "final"
            points.append(_made_up("gdp", start, "quarter", value, status=status))
            growth = (
                GDP_GROWTH_2025 + Decimal(rng.choice((-2, -1, 0, 0, 1))) / 10
                if year == 2025
                else GDP_GROWTH[year] + (Decimal(rng.randint(-6, 6)) / 10 if index < 3 else 0)
            )
            points.append(_made_up("gdp_growth", start, "quarter", growth, status=status))
    points += _fai()
    for year, value in SECONDARY_VALUE.items():
        share = _r(value * 100 / GDP[year])
        points.append(
            Point(
                "secondary_share",
                date(year, 1, 1),
                "year",
                share,
                note=f"{SOURCE}：二产增加值 {value} 亿元 ÷ GDP",
            )
        )
    for code, published, made_up in (
        ("secondary_share", {}, SECONDARY_SHARE_SYNTHETIC),
        ("digital_core_share", DIGITAL_CORE_SHARE, DIGITAL_CORE_SYNTHETIC),
        ("modern_services_share", MODERN_SERVICES_SHARE, MODERN_SERVICES_SYNTHETIC),
        ("sei_share", {}, SEI_SHARE_SYNTHETIC),
    ):
        for year, value in published.items():
            points.append(_official(code, date(year, 1, 1), "year", value))
        for year, value in made_up.items():
            if year not in published:
                points.append(_made_up(code, date(year, 1, 1), "year", value))
    for year, value in TAX.items():
        points.append(_official("tax", date(year, 1, 1), "year", value * 10000))  # 亿元 → 万元
    return sorted(points, key=lambda p: (p.indicator, p.frequency, p.period))


def _fai() -> list[Point]:
    """Fixed-asset investment: 2024 published, 2023 from the published 2024 growth, 2021–2022 synthetic;
    months split by a back-loaded curve; 2025 January–October about 6% above the same months of 2024."""
    years = {2024: FAI[2024]}
    years[2023] = _r(FAI[2024] / (1 + FAI_GROWTH[2024] / 100))
    years[2022] = _r(years[2023] / Decimal("1.05"))
    years[2021] = _r(years[2022] / Decimal("1.04"))
    points = [_official("fai", date(2024, 1, 1), "year", FAI[2024])]
    points.append(_official("fai_growth", date(2024, 1, 1), "year", FAI_GROWTH[2024]))
    for year in (2021, 2022, 2023):
        note = "由2024年投资额及其增速推算" if year == 2023 else "模拟数据"
        points.append(_made_up("fai", date(year, 1, 1), "year", years[year], note=note))
    months: dict[int, list[Decimal]] = {year: _split(years[year], FAI_MONTH_WEIGHTS) for year in years}
    months[2025] = [_r(v * (1 + FAI_GROWTH_2025 / 100)) for v in months[2024][: END.month]]
    for year, values in months.items():
        for index, value in enumerate(values):
            start = date(year, index + 1, 1)
            status = "preliminary" if year == 2025 else "final"
            points.append(_made_up("fai", start, "month", value, status=status))
            if year - 1 in months:
                before = sum(months[year - 1][: index + 1], Decimal(0))
                growth = _r((sum(values[: index + 1], Decimal(0)) / before - 1) * 100)
                points.append(_made_up("fai_growth", start, "month", growth, status=status))
    return points


# Enterprise series.


@dataclass(frozen=True)
class Firm:
    id: int
    revenue: Decimal  # 万元 a year, from the register
    employees: int
    gbt_code: str


MANUFACTURING = range(13, 44)
# Monthly revenue a little back-loaded (the FAI curve, flattened); the twelve factors average 1.
SEASON = tuple(Decimal(w + 40) * 12 / (sum(FAI_MONTH_WEIGHTS) + 480) for w in FAI_MONTH_WEIGHTS)
CONSTRUCTION = range(47, 51)


def months(first: date = date(FIRST_YEAR, 1, 1), last: date = END) -> Iterator[date]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = year + month // 12, month % 12 + 1


def firm_points(firm: Firm, seed: int = 12126) -> Iterator[tuple[str, date, str, Decimal, str]]:
    """(indicator, period, frequency, value, status) of one firm: monthly revenue, tax and (for
    manufacturers and builders) output; quarterly employees and R&D spend. 2024's revenue is the firm's
    registered annual revenue; earlier and later years move by the firm's own growth."""
    rng = random.Random(seed * 7919 + firm.id)
    growth = Decimal(rng.randint(-40, 160)) / 1000  # −4% … +16% a year
    tax_rate = Decimal(rng.randint(25, 80)) / 1000
    rd_rate = Decimal(rng.randint(5, 90)) / 1000
    division = int(firm.gbt_code[:2]) if firm.gbt_code[:2].isdigit() else 0
    makes = division in MANUFACTURING or division in CONSTRUCTION
    base = firm.revenue / 12
    quarter_revenue = Decimal(0)
    for month in months():
        years_from_2024 = Decimal(month.year - 2024) + (Decimal(month.month) - Decimal("6.5")) / 12
        trend = (1 + growth) ** years_from_2024.quantize(Decimal("0.0001"))
        noise = Decimal(rng.randint(950, 1050)) / 1000
        revenue = _r(base * trend * SEASON[month.month - 1] * noise)
        status = "preliminary" if month.year == END.year and month.month > END.month - 3 else "final"
        yield "revenue", month, "month", revenue, status
        yield "tax", month, "month", _r(revenue * tax_rate), status
        if makes:
            yield "output", month, "month", _r(revenue * Decimal("1.08")), status
        quarter_revenue += revenue
        if month.month % 3 == 0:
            start = date(month.year, month.month - 2, 1)
            yield "rd_spend", start, "quarter", _r(quarter_revenue * rd_rate), status
            heads = max(1, round(firm.employees * float(trend) * rng.uniform(0.97, 1.03)))
            yield "employees", start, "quarter", Decimal(heads), status
            quarter_revenue = Decimal(0)
