"""The estimate's arithmetic on small fixtures: rate × revenue, wholesale and retail on the gross margin,
scaling to GDP, an enterprise in two industries, share numerators and denominators, partial classes."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chanye.economy.estimate import (
    Firm,
    Rate,
    annual_revenue,
    code_weights,
    estimate,
)

D = Decimal
RATES = {
    "65": Rate(D("0.5")),  # software
    "39": Rate(D("0.2")),  # electronics
    "51": Rate(D("0.6"), D("0.1")),  # wholesale: margin 10%, 60% of the margin is value added
    "52": Rate(D("0.5"), D("0.2")),
}


@pytest.mark.parametrize(
    ("code", "revenue", "expected"),
    [
        ("6513", D("10000"), D("0.5")),  # 1 亿元 × 0.5
        ("3911", D("50000"), D("1")),  # 5 亿元 × 0.2
        ("5131", D("100000"), D("0.6")),  # 10 亿元 × 10% margin × 0.6
        ("5211", D("10000"), D("0.1")),  # 1 亿元 × 20% × 0.5
    ],
)
def test_value_added_is_revenue_times_the_division_rate_or_the_margin_for_trade(code, revenue, expected):
    result = estimate(year=2024, firms=[Firm(1, code, revenue)], rates=RATES)
    assert result.estimate == expected
    assert result.scale is None and result.district == expected


def test_firms_without_a_rate_are_left_out_and_counted():
    firms = [Firm(1, "6513", D("10000")), Firm(2, "", D("500")), Firm(3, "8810", D("700"))]
    result = estimate(year=2024, firms=firms, rates=RATES)
    assert (result.firms, result.unrated_firms, result.unrated_revenue) == (1, 2, D("1200"))
    assert result.unrated_divisions == ["88", "—"]


def test_estimates_are_scaled_to_official_gdp_and_industries_count_shared_firms_twice():
    software, ai = 1, 2
    firms = [
        Firm(1, "6513", D("20000"), (software, ai)),  # 1 亿元 VA, in two industries
        Firm(2, "6511", D("20000"), (software,)),  # 1 亿元
        Firm(3, "3911", D("100000"), ()),  # 2 亿元, in no key industry
    ]
    result = estimate(year=2024, firms=firms, rates=RATES, gdp=D("40"))
    assert result.estimate == D("4")
    assert result.scale == D("10")
    assert result.district == D("40")  # the district: each firm once, equal to GDP
    assert result.industries[software].estimate == D("20")
    assert result.industries[ai].estimate == D("10")
    assert result.industries[software].firms == 2
    assert sum(f.estimate for f in result.industries.values()) == D("30")  # the shared firm in both
    assert result.divisions == {"39": D("20"), "65": D("20")}


def test_a_share_has_the_same_value_scaled_or_not_and_a_consistent_numerator_and_denominator():
    firms = [Firm(1, "3911", D("100000")), Firm(2, "6513", D("20000")), Firm(3, "5131", D("100000"))]
    sets = {"secondary_share": lambda code: D(1) if code.startswith("39") else D(0)}
    unscaled = estimate(year=2024, firms=firms, rates=RATES, sets=sets)
    scaled = estimate(year=2024, firms=firms, rates=RATES, sets=sets, gdp=D("360"))
    a, b = unscaled.shares["secondary_share"], scaled.shares["secondary_share"]
    assert (a.numerator, a.denominator, a.scaled) == (D("2"), D("3.6"), False)
    assert (b.numerator, b.denominator, b.scaled) == (D("200"), D("360"), True)
    assert a.value == b.value == D("2") / D("3.6") * 100
    assert [(p.division, p.firms) for p in b.divisions] == [("39", 1)]


def test_partial_classes_count_with_their_weight():
    weigh = code_weights({"6513": False, "6511": True}, partial_weight=D("0.5"))
    firms = [Firm(1, "6513", D("10000")), Firm(2, "6511", D("10000")), Firm(3, "3911", D("25000"))]
    result = estimate(year=2024, firms=firms, rates=RATES, sets={"digital_core_share": weigh})
    share = result.shares["digital_core_share"]
    assert share.numerator == D("0.5") + D("0.25")
    assert share.divisions[0].partial_firms == 1 and share.divisions[0].firms == 2
    assert share.value == D("0.75") / D("1.5") * 100


@pytest.mark.parametrize(
    ("code", "weight"),
    [
        ("6513", D(1)),
        ("I6513", D(1)),
        ("6511", D("0.3")),
        ("3911", D(1)),
        ("3912", D(1)),
        ("7210", D(0)),
        ("", D(0)),
    ],
)
def test_code_weights_match_classes_and_listed_shorter_codes(code, weight):
    weigh = code_weights({"6513": False, "6511": True, "391": False}, partial_weight=D("0.3"))
    assert weigh(code) == weight


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ({"month": (D("120"), 12)}, (D("120"), 12)),
        ({"month": (D("100"), 10)}, (D("100"), 10)),
        ({"year": (D("130"), 1), "month": (D("120"), 12)}, (D("130"), 12)),
        ({"quarter": (D("90"), 4), "month": (D("50"), 5)}, (D("90"), 12)),
        ({"quarter": (D("30"), 1), "month": (D("50"), 5)}, (D("50"), 5)),
    ],
)
def test_annual_revenue_takes_the_year_figure_or_the_frequency_covering_more_months(periods, expected):
    assert annual_revenue(periods) == expected


revenues = st.decimals(min_value=1, max_value=10**7, places=2)
codes = st.sampled_from(["6513", "3911", "5131", "5211", "6511"])


@given(
    st.lists(st.tuples(codes, revenues, st.sets(st.integers(1, 4))), min_size=1, max_size=20),
    st.decimals(min_value=1, max_value=10**5, places=1),
)
def test_scaled_estimates_add_up_to_gdp_and_shares_do_not_depend_on_scaling(rows, gdp):
    firms = [Firm(i, code, revenue, tuple(inds)) for i, (code, revenue, inds) in enumerate(rows)]
    sets = {"s": code_weights({"3911": False, "6511": True})}
    scaled = estimate(year=2024, firms=firms, rates=RATES, gdp=gdp, sets=sets)
    plain = estimate(year=2024, firms=firms, rates=RATES, sets=sets)
    assert abs(scaled.district - gdp) < D("1e-12")
    assert abs(sum(scaled.divisions.values()) - gdp) < D("1e-12")
    assert abs(scaled.shares["s"].value - plain.shares["s"].value) < D("1e-12")
    assert scaled.shares["s"].numerator <= scaled.shares["s"].denominator + D("1e-12")
    for industry, figure in scaled.industries.items():
        members = [f for f in firms if industry in f.industries]
        assert figure.firms == len(members)
