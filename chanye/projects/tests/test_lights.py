"""Every light names the rule and the numbers that lit it; the rules are data; a back-test shows what a rule
change would move. No database: the rules are a pure module."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chanye.projects.lights import (
    DEFAULT_RULES,
    RANK,
    BondState,
    ProjectMonth,
    RuleSet,
    back_test,
    evaluate,
    schedule_share,
)


def month(**changes) -> ProjectMonth:
    base = {
        "code": "P1",
        "name": "测试项目",
        "year": 2025,
        "month": 6,
        "stage": "continuing",
        "annual_plan": Decimal(12000),
        "plan_curve": None,
        "actual_cumulative": Decimal(6000),
        "planned_start": date(2023, 1, 1),
        "actual_start": date(2023, 1, 1),
    }
    return ProjectMonth(**(base | changes))


@pytest.mark.parametrize(
    ("cumulative", "colour"),
    [(6000, "green"), (4900, "green"), (4800, "yellow"), (2400, "yellow"), (2399, "red"), (0, "red")],
)
def test_progress_against_the_schedule(cumulative, colour):
    """June, pro rata: 时序进度 50%. 10 points behind (40%, 4,800) is yellow; beyond 30 (below 2,400) red."""
    light = evaluate(month(actual_cumulative=Decimal(cumulative)))
    assert light.colour == colour
    progress = next(r for r in light.reasons if r.rule == "progress")
    assert progress.numbers["时序进度(%)"] == "50.0"
    assert "时序进度 50.0%" in light.sentence or colour == "green"


def test_the_sentence_gives_the_numbers():
    light = evaluate(month(actual_cumulative=Decimal(3000)))
    assert light.colour == "yellow"
    assert light.sentence == (
        "累计完成投资 0.30 亿元，占年度计划 25.0%，时序进度 50.0%，落后 25.0 个百分点（黄灯：落后 10–30 个百分点）"
    )


def test_a_plan_curve_sets_the_schedule():
    curve = [Decimal(x) / 100 for x in (2, 4, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)]
    assert schedule_share(curve, 6) == Decimal("0.4")
    assert evaluate(month(plan_curve=curve, actual_cumulative=Decimal(4800))).colour == "green"  # 40% of 40%
    with pytest.raises(ValueError, match="不能逐月减少"):
        schedule_share([Decimal(1)] * 11 + [Decimal("0.5")], 3)


def test_not_started_three_months_after_the_planned_start_is_red_across_a_year_boundary():
    late = month(month=2, planned_start=date(2024, 11, 1), actual_start=None, actual_cumulative=Decimal(0))
    light = evaluate(late, RuleSet.from_dict({"progress_red_pp": 90, "progress_yellow_pp": 80}))
    assert light.colour == "red"
    assert "计划 2024年11月 开工" in light.sentence and "已 3 个月" in light.sentence
    assert (
        evaluate(
            late.__class__(**{**late.__dict__, "month": 1}),
            RuleSet.from_dict({"progress_red_pp": 90, "progress_yellow_pp": 80}),
        ).colour
        == "yellow"
    )


def test_special_bonds_behind_their_window():
    bond = BondState("2025年第一批", Decimal(6000), date(2025, 3, 15), Decimal(3000))
    # June is the 4th month since March: 4/6 = 66.7% due, 50% spent: 16.7 points behind → yellow
    light = evaluate(month(bonds=(bond,)))
    assert light.colour == "yellow" and "应支出 66.7%" in light.sentence
    starved = BondState("2025年第一批", Decimal(6000), date(2025, 3, 15), Decimal(1000))
    assert evaluate(month(bonds=(starved,))).colour == "red"


def test_late_filing_is_yellow_and_reserve_projects_are_grey():
    assert evaluate(month(filed_late=True)).colour == "yellow"
    assert evaluate(month(stage="reserve")).colour == "grey"
    assert evaluate(month(stage="completed")).colour == "green"


def test_rules_round_trip_and_bad_rules_name_the_field():
    rules = RuleSet.from_dict({"progress_yellow_pp": "5", "progress_red_pp": 20, "late_filing_colour": "red"})
    assert RuleSet.from_dict(rules.to_dict()) == rules
    with pytest.raises(ValueError, match="progress_red_pp 应大于 progress_yellow_pp"):
        RuleSet.from_dict({"progress_yellow_pp": 30, "progress_red_pp": 20})
    with pytest.raises(ValueError, match="not_started_red_months"):
        RuleSet.from_dict({"not_started_red_months": "三"})
    with pytest.raises(ValueError, match="未知的规则项"):
        RuleSet.from_dict({"colour": "red"})


def test_back_test_lists_exactly_the_lights_that_change():
    months = [month(code=f"P{c}", actual_cumulative=Decimal(c)) for c in (6000, 5400, 3000, 1000)]
    strict = RuleSet.from_dict({"progress_yellow_pp": 5, "progress_red_pp": 20})
    changes = back_test(months, DEFAULT_RULES, strict)
    assert [(c.code, c.old, c.new) for c in changes] == [
        ("P5400", "green", "yellow"),
        ("P3000", "yellow", "red"),
    ]


@given(st.integers(0, 12000), st.integers(0, 12000))
def test_the_light_never_improves_as_investment_falls(a, b):
    high, low = max(a, b), min(a, b)
    assert (
        RANK[evaluate(month(actual_cumulative=Decimal(low))).colour]
        >= RANK[evaluate(month(actual_cumulative=Decimal(high))).colour]
    )
