"""Deterministic demo series, calibrated to Tianhe's published figures; no Django import.

District figures: the published ones (GDP 2020–2024, growth, 2024 fixed-asset investment and its growth,
the 2021 three-industry split, the 2023 digital-economy core and modern-services shares, domestic tax) are
used as they are and marked official; every other figure is synthetic (marked 模拟), shaped so the quarters
and months add up to the published years, and so the demo shows targets both on track (2025 GDP growth
about 5.6% against 5.5%) and at risk (2025 fixed-asset investment about +6% against +8%). Enterprise series
run from each sample firm's registered annual revenue and head count. Industry figures: the ten clusters'
scale (产业集群规模) with 2035 targets, synthetic (演示数据). Money is in 亿元 at district level and
in 万元 at enterprise level, as the catalogue's units say.

The GDP shares `chanye.economy` computes from enterprise revenue (value added = revenue × the division's rate,
shares by the sets of `chanye.economy.sets`) are calibrated to SHARE_FIGURES: secondary industry 7.45% in 2021
(二产 447.81 of GDP 6,012.20 亿, the 2021 三次产业比 0.03:7.45:92.52) easing to 7.0% by 2025 ("about 7.2%"
recently); digital-economy core 22.2% in 2023 (2024 government work report) on a rise of about a point a year;
strategic emerging industries, which Tianhe does not publish, about 22–24% rising slowly (synthetic). So the
2035 targets (10%, 30%, 35%) read one behind, one about on track, one at risk. The register's revenue is
calibrated on revenue over all its firms; the sample with series is its largest firms, whose value added splits
otherwise (trade counts on its margin, one large firm weighs much), so each sample firm's revenue in a year is
multiplied by its group's factor (`calibration`): groups secondary / digital core / strategic emerging / other
(a firm in two sets goes to the first), factors solved per year so the three computed shares equal the year's
figures, then scaled together so the sample's total revenue stays as generated. The calibration is solved for
whatever sample `demo_indicators` passes (the largest synthetic firms), so any register size is calibrated. On
the default register (3,000 firms, the 100 largest with series) the factors come out about 1.2–1.3 (secondary), 0.4–0.5 (digital core), 0.3 (strategic
emerging, led by one large accounting firm) and 1.8 (other), drifting a little from year to year.
The published points stay as published; the other yearly share points are SHARE_FIGURES too, so the series
read the same with or without the estimate.
"""

import random
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
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

# The GDP shares (%) the enterprise sample's value added is calibrated to (see the module docstring):
# published where Tianhe publishes one (secondary 2021, digital core 2023), synthetic around them otherwise.
SHARE_FIGURES = {
    "secondary_share": {
        2021: Decimal("7.45"),  # 447.81 ÷ 6,012.20
        2022: Decimal("7.3"),
        2023: Decimal("7.2"),  # "about 7.2%"
        2024: Decimal("7.1"),
        2025: Decimal("7.0"),
    },
    "digital_core_share": {
        2021: Decimal("20.3"),
        2022: Decimal("21.2"),
        2023: Decimal("22.2"),  # published
        2024: Decimal("23.1"),
        2025: Decimal("24.0"),
    },
    "sei_share": {
        2021: Decimal("22.0"),
        2022: Decimal("22.6"),
        2023: Decimal("23.2"),
        2024: Decimal("23.8"),
        2025: Decimal("24.4"),
    },
}
# The yearly share points before 2025 that are not published: the calibration figures, marked synthetic.
SECONDARY_SHARE_SYNTHETIC = {y: v for y, v in SHARE_FIGURES["secondary_share"].items() if 2021 < y < 2025}
DIGITAL_CORE_SYNTHETIC = {y: v for y, v in SHARE_FIGURES["digital_core_share"].items() if y < 2025}
MODERN_SERVICES_SYNTHETIC = {2021: Decimal("70.2"), 2022: Decimal("70.8"), 2024: Decimal("71.6")}
SEI_SHARE_SYNTHETIC = {y: v for y, v in SHARE_FIGURES["sei_share"].items() if y < 2025}
QUARTER_WEIGHTS = (Decimal("0.232"), Decimal("0.245"), Decimal("0.247"), Decimal("0.276"))
FAI_MONTH_WEIGHTS = (5, 5, 8, 8, 8, 9, 8, 8, 9, 9, 10, 13)  # January–February slow, December heavy
GDP_GROWTH_2025 = Decimal("5.6")  # on track for "about 5.5%"
FAI_GROWTH_2025 = Decimal("6.0")  # behind "8% or more"
CENT = Decimal("0.01")
DEMO_NOTE = "演示数据"

# Synthetic (亿元 a year): policy funds around the published "over 1 billion yuan a year" (2023 near the
# reported 14.4 亿 of policy funds paid out); 2025 preliminary.
POLICY_FUNDS = {
    2021: Decimal("10.8"),
    2022: Decimal("12.1"),
    2023: Decimal("14.4"),
    2024: Decimal("12.6"),
    2025: Decimal("11.9"),
}
# Synthetic history of the key-project lists before the library's year (the library itself gives its own
# year through chanye.projects.indicator_figures): counts, total investment (亿元), special bonds (亿元).
KEY_PROJECTS_HISTORY = {2021: 172, 2022: 183, 2023: 191, 2024: 200}
KEY_PROJECT_INVESTMENT_HISTORY = {
    2021: Decimal("5230"),
    2022: Decimal("5610"),
    2023: Decimal("6020"),
    2024: Decimal("6390"),
}
SPECIAL_BONDS_HISTORY = {
    2021: Decimal("14.2"),
    2022: Decimal("19.8"),
    2023: Decimal("22.5"),
    2024: Decimal("26.1"),
}
# The clusters with 2035 targets (亿元): their 2021 scale and yearly growth. The register's sample cannot
# add up to a cluster's real scale, so these industry figures stand in for it: 现代金融 from Tianhe's 2021
# financial value added (1,189.79 亿, tianhe_stats.csv), the rest plausible against Guangzhou's published
# sector sizes, with growth set so the 2035 targets show every status.
CLUSTERS = {
    "FINANCE": (Decimal("1189.79"), Decimal("0.055")),
    "SW": (Decimal("560"), Decimal("0.085")),
    "PROSVC": (Decimal("470"), Decimal("0.068")),
    "COMMERCE": (Decimal("590"), Decimal("0.033")),
    "CULTURE": (Decimal("330"), Decimal("0.05")),
    "AI": (Decimal("105"), Decimal("0.16")),
    "EQUIP": (Decimal("98"), Decimal("0.05")),
    "BIO": (Decimal("160"), Decimal("0.088")),
    "ICV": (Decimal("48"), Decimal("0.17")),
    "TECHSVC": (Decimal("215"), Decimal("0.085")),
}
CLUSTER_YEARS = range(2020, 2026)


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
    industry: str = ""  # an industry's code for industry-level figures; empty for the district


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
    for code, series in (
        ("policy_funds", POLICY_FUNDS),
        ("key_projects", {year: Decimal(count) for year, count in KEY_PROJECTS_HISTORY.items()}),
        ("key_project_investment", KEY_PROJECT_INVESTMENT_HISTORY),
        ("special_bonds", SPECIAL_BONDS_HISTORY),
    ):
        for year, value in series.items():
            status = "preliminary" if year == 2025 else "final"
            points.append(_made_up(code, date(year, 1, 1), "year", value, status=status, note=DEMO_NOTE))
    return sorted(points, key=lambda p: (p.indicator, p.frequency, p.period))


def cluster_points() -> list[Point]:
    """产业集群规模 of the ten clusters with 2035 targets, 2020–2025 (2025 preliminary): each cluster's 2021
    scale grown by its own rate, with a little deterministic noise around the other years."""
    points: list[Point] = []
    for number, (code, (base, growth)) in enumerate(CLUSTERS.items()):
        rng = random.Random(2035 + number)
        for year in CLUSTER_YEARS:
            noise = Decimal(1) if year == 2021 else 1 + Decimal(str(rng.uniform(-0.015, 0.015)))
            value = _r(base * (1 + growth) ** (year - 2021) * noise)
            status = "preliminary" if year == 2025 else "final"
            point = _made_up("cluster_scale", date(year, 1, 1), "year", value, status=status, note=DEMO_NOTE)
            points.append(replace(point, industry=code))
    return points


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

SEED = 12126
SHARES = tuple(SHARE_FIGURES)  # a firm in two sets is calibrated with the first
OTHER = "other"
ZERO, ONE = Decimal(0), Decimal(1)


@dataclass(frozen=True)
class Firm:
    id: int
    revenue: Decimal  # 万元 a year, from the register
    employees: int
    gbt_code: str

    @property
    def key(self) -> tuple[str, Decimal]:
        """What identifies the firm in the register whatever its database id: GB/T code and revenue."""
        return self.gbt_code, self.revenue.quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class Calibration:
    """The revenue factor of each group by year, and the group of each firm calibrated (by firm id)."""

    groups: Mapping[int, str] = field(default_factory=dict)
    factors: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)

    def factor(self, firm: Firm, year: int) -> Decimal:
        group = self.groups.get(firm.id)
        return self.factors[group].get(year, ONE) if group is not None else ONE


MANUFACTURING = range(13, 44)
# Monthly revenue a little back-loaded (the FAI curve, flattened); the twelve factors average 1.
SEASON = tuple(Decimal(w + 40) * 12 / (sum(FAI_MONTH_WEIGHTS) + 480) for w in FAI_MONTH_WEIGHTS)
CONSTRUCTION = range(47, 51)


def months(first: date = date(FIRST_YEAR, 1, 1), last: date = END) -> Iterator[date]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = year + month // 12, month % 12 + 1


def firm_points(
    firm: Firm, seed: int = SEED, calibrated: Calibration | None = None
) -> Iterator[tuple[str, date, str, Decimal, str]]:
    """(indicator, period, frequency, value, status) of one firm: monthly revenue, tax and (for
    manufacturers and builders) output; quarterly employees and R&D spend. 2024's revenue is the firm's
    registered annual revenue — times its group's 2024 factor when it is `calibrated`; earlier and later
    years move by the firm's own growth (and the factors of those years)."""
    return _points(firm, seed, calibrated or Calibration())


def _points(firm: Firm, seed: int, calibrated: Calibration) -> Iterator[tuple[str, date, str, Decimal, str]]:
    # Seeded by the firm's register entry, not its database id, so every database gets the same series.
    code, revenue = firm.key
    rng = random.Random(f"{seed}/{code}/{revenue}/{firm.employees}")
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
        revenue = _r(base * trend * SEASON[month.month - 1] * noise * calibrated.factor(firm, month.year))
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


def calibration(firms: Sequence[Firm], seed: int = SEED) -> Calibration:
    """The factors for the firms that get series (`demo_indicators`' sample). Each firm's yearly revenue as
    generated, × its division's shipped value-added rate, gives each group's value added and its part in
    each share (partial classes at the default weight 0.5); the factors make the three shares the year's
    SHARE_FIGURES. No calibration (every factor 1) when the sample lacks a group or the figures admit no
    positive factors."""
    from chanye.economy import rates
    from chanye.economy.estimate import PARTIAL_WEIGHT, Rate
    from chanye.economy.sets import share_sets

    rated = {d.division: Rate(d.rate, d.margin_rate) for d in rates.read()}
    sets = share_sets(PARTIAL_WEIGHT)
    groups: dict[int, str] = {}
    years = list(SHARE_FIGURES["secondary_share"])
    # year → group → revenue; value added; and (group, share) → the group's weighted value added in the share
    revenue: dict[int, dict[str, Decimal]] = {year: defaultdict(Decimal) for year in years}
    value: dict[int, dict[str, Decimal]] = {year: defaultdict(Decimal) for year in years}
    part: dict[int, dict[tuple[str, str], Decimal]] = {year: defaultdict(Decimal) for year in years}
    for firm in firms:
        code = firm.gbt_code
        rate = rated.get(code[:2])
        if rate is None:  # left out of the estimate, so of the calibration
            continue
        weights = {share: sets[share](code) for share in SHARES}
        group = next((share for share in SHARES if weights[share] > 0), OTHER)
        groups[firm.id] = group
        yearly: dict[int, Decimal] = defaultdict(Decimal)
        for indicator, period, _frequency, amount, _status in _points(firm, seed, Calibration()):
            if indicator == "revenue":
                yearly[period.year] += amount
        for year in years:
            added = rate.value_added(yearly[year])
            revenue[year][group] += yearly[year]
            value[year][group] += added
            for share in SHARES:
                part[year][group, share] += added * weights[share]
    factors: dict[str, dict[int, Decimal]] = {group: {} for group in (*SHARES, OTHER)}
    for year in years:
        figures = {share: SHARE_FIGURES[share][year] / 100 for share in SHARES}
        solved = _solve(value[year], part[year], revenue[year], figures)
        if solved is None:
            return Calibration()
        for group, factor in solved.items():
            factors[group][year] = factor
    return Calibration(groups, factors)


def _solve(
    value: Mapping[str, Decimal],
    part: Mapping[tuple[str, str], Decimal],
    revenue: Mapping[str, Decimal],
    figures: Mapping[str, Decimal],
) -> dict[str, Decimal] | None:
    """Factors k (one a group) with Σ_g k_g·V(g, s) = figure_s·Σ_g k_g·V(g) for each share s — V(g) the
    group's value added, V(g, s) its weighted part in s — by Cramer's rule with the other group's k at 1,
    then all scaled so Σ_g k_g·revenue(g) is unchanged. None when there is no positive solution."""
    groups = (*SHARES, OTHER)
    if any(value.get(group, ZERO) <= 0 for group in groups):
        return None

    def row(share: str, group: str) -> Decimal:
        return part[group, share] - figures[share] * value[group]

    matrix = [[row(share, group) for group in SHARES] for share in SHARES]
    rhs = [-row(share, OTHER) for share in SHARES]
    determinant = _det(matrix)
    if determinant == 0:
        return None
    k: dict[str, Decimal] = {OTHER: ONE}
    for column, group in enumerate(SHARES):
        swapped = [[rhs[i] if j == column else matrix[i][j] for j in range(3)] for i in range(3)]
        k[group] = _det(swapped) / determinant
    if any(factor <= 0 for factor in k.values()):
        return None
    scale = sum((revenue[g] for g in groups), ZERO) / sum((k[g] * revenue[g] for g in groups), ZERO)
    return {group: k[group] * scale for group in groups}


def _det(m: list[list[Decimal]]) -> Decimal:
    return (
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    )
