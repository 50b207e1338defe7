"""Every light names the rule and the numbers that lit it; the rules are data; a back-test lists exactly the
lights a rule change would move. No database: `chanye.projects.lights` is a pure module."""

import json
from dataclasses import replace
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
    RulesError,
    RuleSet,
    add_months,
    back_test,
    evaluate,
    format_money,
    schedule_share,
    validate_curve,
)

PLAN = Decimal(12000)
CURVE = tuple(Decimal(x) / 100 for x in (2, 4, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100))


def month(**changes) -> ProjectMonth:
    """A 续建 project in June 2025 with a plan of 12,000 万元, pro rata, exactly on schedule."""
    base = {
        "code": "P1",
        "name": "测试项目",
        "year": 2025,
        "month": 6,
        "stage": "continuing",
        "annual_plan": PLAN,
        "plan_curve": None,
        "actual_cumulative": PLAN / 2,
        "planned_start": date(2023, 1, 1),
        "actual_start": date(2023, 1, 1),
    }
    return ProjectMonth(**(base | changes))


# ------------------------------------------------------------------------------------------- progress


@pytest.mark.parametrize(
    ("month_no", "cumulative", "colour"),
    [
        (6, "6000", "green"),  # on schedule
        (6, "9000", "green"),  # ahead
        (6, "4801", "green"),  # 9.99 points behind
        (6, "4800", "yellow"),  # exactly 10 behind
        (6, "2400", "yellow"),  # exactly 30 behind
        (6, "2399.99", "red"),  # just beyond 30
        (6, "0", "red"),
        # July, pro rata: 7/12 is not a finite decimal, the comparison is still exact
        (7, "5800", "yellow"),  # 58.33… − 48.33… = exactly 10
        (7, "5800.01", "green"),
        (7, "3400", "yellow"),  # exactly 30
        (7, "3399.99", "red"),
    ],
)
def test_progress_against_the_schedule_with_exact_boundaries(month_no, cumulative, colour):
    light = evaluate(month(month=month_no, actual_cumulative=Decimal(cumulative)))
    assert light.colour == colour, light.sentence
    assert light.reasons[0].rule == ("progress" if colour != "green" else "ok")


def test_a_yellow_light_says_why_with_the_numbers():
    light = evaluate(month(actual_cumulative=Decimal(3000)))
    assert light.colour == "yellow" and light.label == "黄灯"
    assert light.sentence == (
        "累计完成投资 3000 万元，占年度计划 25.0%，时序进度 50.0%，落后 25.0 个百分点（黄灯：落后 10–30 个百分点）"
    )
    assert light.reasons[0].numbers == {
        "年度计划(万元)": "12000",
        "本年累计完成(万元)": "3000",
        "完成率(%)": "25.0",
        "时序进度(%)": "50.0",
        "落后(百分点)": "25.0",
        "黄灯线(百分点)": "10",
        "红灯线(百分点)": "30",
    }


def test_red_and_green_sentences_in_亿元_and_ahead():
    big = month(month=7, annual_plan=Decimal(76000), actual_cumulative=Decimal(32000))
    red = evaluate(big, RuleSet(progress_yellow_pp=Decimal(5), progress_red_pp=Decimal(15)))
    assert red.colour == "red"
    assert red.sentence == (
        "累计完成投资 3.20 亿元，占年度计划 42.1%，时序进度 58.3%，落后 16.2 个百分点（红灯：落后超过 15 个百分点）"
    )
    green = evaluate(month(actual_cumulative=Decimal(6600)))
    assert green.colour == "green"
    assert green.sentence.endswith("时序进度 50.0%，超前 5.0 个百分点（绿灯：落后不足 10 个百分点）")
    assert "与时序进度持平" in evaluate(month()).sentence


def test_a_plan_curve_sets_the_schedule_and_is_validated():
    assert schedule_share(CURVE, 6) == Decimal("0.4")
    assert schedule_share(None, 7) == Decimal(7) / 12 and schedule_share(None, 0) == 0
    # June on this curve: 40% due; 30% done is exactly 10 points behind
    assert evaluate(month(plan_curve=CURVE, actual_cumulative=Decimal(3601))).colour == "green"
    assert evaluate(month(plan_curve=CURVE, actual_cumulative=Decimal(3600))).colour == "yellow"
    with pytest.raises(ValueError, match="12 个月"):
        validate_curve(CURVE[:11])
    with pytest.raises(ValueError, match="第 3 个月.*不能逐月减少"):
        validate_curve((Decimal("0.2"), Decimal("0.3"), Decimal("0.1"), *CURVE[3:]))
    with pytest.raises(ValueError, match="第 12 个月的累计占比应为 1"):
        validate_curve((*CURVE[:11], Decimal("0.99")))
    with pytest.raises(ValueError, match="0–1"):
        validate_curve((Decimal(-1), *CURVE[1:]))
    with pytest.raises(ValueError, match="月份"):
        schedule_share(None, 13)
    with pytest.raises(ValueError, match="计划曲线"):
        month(plan_curve=CURVE[:11])


def test_a_project_starting_mid_year_is_judged_against_its_curve():
    """Planned to start in July: the curve is 0 until June, so nothing is behind before then."""
    curve = tuple(Decimal(0) for _ in range(6)) + tuple(Decimal(x) / 6 for x in range(1, 7))
    before = month(stage="new", month=5, plan_curve=curve, actual_cumulative=Decimal(0), actual_start=None)
    assert evaluate(replace(before, planned_start=date(2025, 7, 1))).colour == "green"
    # a late start is not forgiven: in August 2/6 of the plan is due
    late = replace(before, month=8, planned_start=date(2025, 7, 1), actual_start=date(2025, 8, 1))
    assert evaluate(late).colour == "red" and "时序进度 33.3%" in evaluate(late).sentence


# ------------------------------------------------------------------------------------------- not started


@pytest.mark.parametrize(
    ("planned", "month_no", "red"),
    [
        (date(2024, 11, 15), 1, False),  # 31 Jan is before 15 Feb
        (date(2024, 11, 15), 2, True),
        (date(2024, 11, 30), 2, True),  # 30 Nov + 3 months = 28 Feb
        (date(2024, 12, 1), 2, False),  # 1 Mar
        (date(2024, 12, 1), 3, True),
        (date(2025, 6, 1), 3, False),  # not due yet
    ],
)
def test_not_started_three_months_after_the_planned_start_across_a_year_boundary(planned, month_no, red):
    pm = month(
        stage="new",
        month=month_no,
        annual_plan=Decimal(0),
        planned_start=planned,
        actual_start=None,
    )
    light = evaluate(pm)
    assert light.colour == ("red" if red else "green")
    if red:
        assert light.reasons[0].rule == "not_started"
        assert f"计划 {planned.isoformat()} 开工" in light.sentence
        assert "（红灯：计划开工后满 3 个月未开工）" in light.sentence
        assert light.reasons[0].numbers["计划开工后(月)"] == "3"


def test_only_new_projects_without_a_start_are_flagged_not_started():
    kwargs = {"annual_plan": Decimal(0), "planned_start": date(2024, 1, 1), "month": 6}
    assert evaluate(month(stage="new", actual_start=date(2024, 5, 1), **kwargs)).colour == "green"
    assert evaluate(month(stage="continuing", actual_start=None, **kwargs)).colour == "green"
    assert evaluate(month(stage="new", actual_start=None, **kwargs)).colour == "red"
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29) and add_months(
        date(2024, 11, 30), 3
    ) == date(2025, 2, 28)


# ------------------------------------------------------------------------------------------- bonds


def bond(spent: str, **changes) -> BondState:
    """6,000 万元 issued on 15 March 2025, `spent` by the month's end."""
    base = {"batch": "2025年第一批", "amount": Decimal(6000), "issued_on": date(2025, 3, 15)}
    return BondState(**(base | changes), spent=Decimal(spent))


@pytest.mark.parametrize(
    ("month_no", "spent", "colour"),
    [
        # 30 June: 107 of the window's 184 days (15 Mar – 15 Sep) → 58.2% due
        (6, "3500", "green"),  # 58.3% spent
        (6, "3000", "yellow"),  # 8.2 behind
        (6, "1000", "red"),  # 41.5 behind
        (3, "0", "yellow"),  # 16 days in: 8.7% due, nothing spent: behind at all is yellow
        (3, "522", "green"),  # 8.7% spent
        (10, "4200", "yellow"),  # window over: 100% due, 70% spent: exactly 30 behind
        (10, "4199", "red"),
        (10, "6000", "green"),
    ],
)
def test_special_bonds_behind_their_use_window(month_no, spent, colour):
    light = evaluate(month(month=month_no, actual_cumulative=PLAN * month_no / 12, bonds=(bond(spent),)))
    assert light.colour == colour, light.sentence


def test_a_bond_sentence_gives_the_window_and_the_numbers():
    light = evaluate(month(bonds=(bond("1000"),)))
    assert light.colour == "red"
    assert light.sentence == (
        "专项债「2025年第一批」6000 万元，于 2025-03-15 发行，使用期 6 个月（至 2025-09-15），至 2025-06-30 应支出 "
        "58.2%，已支出 1000 万元（16.7%），落后 41.5 个百分点（红灯：落后超过 30 个百分点）"
    )
    assert (
        light.reasons[0].numbers["应支出(%)"] == "58.2" and light.reasons[0].numbers["批次"] == "2025年第一批"
    )
    green = evaluate(month(bonds=(bond("3500"),)))
    assert green.sentence.endswith("；专项债支出符合使用进度")


def test_bond_windows_come_from_the_rules_or_the_batch():
    # 30 September, a third spent: the 6-month window is over (100% due) → red; over 12 months 199 of
    # 365 days have passed (54.5% due) → yellow; over 24 months 199 of 731 (27.2%) → on track
    starved = month(month=9, actual_cumulative=Decimal(9000), bonds=(bond("2000"),))
    assert evaluate(starved).colour == "red"
    assert evaluate(starved, RuleSet(bond_window_months=12)).colour == "yellow"
    assert evaluate(replace(starved, bonds=(bond("2000", window_months=24),))).colour == "green"
    assert evaluate(month(bonds=(bond("0", issued_on=date(2025, 7, 1)),))).colour == "green"  # not yet issued
    assert evaluate(month(bonds=(bond("0", amount=Decimal(0)),))).colour == "green"


# ------------------------------------------------------------------------------------------- late, stages, data


def test_late_filing():
    late = evaluate(month(filed_late=True))
    assert late.colour == "yellow" and late.sentence == "2025 年 6 月月报逾期报送（黄灯：月报逾期）"
    missing = evaluate(month(filed_late=True, actual_cumulative=None))
    assert missing.colour == "yellow" and "逾期未报送" in missing.sentence
    assert evaluate(month(filed_late=True), RuleSet(late_filing_colour="red")).colour == "red"
    noted = evaluate(month(filed_late=True), RuleSet(late_filing_colour="green"))
    assert noted.colour == "green" and [r.rule for r in noted.reasons] == ["ok", "late"]


@pytest.mark.parametrize(
    ("changes", "colour", "rule"),
    [
        ({"stage": "reserve"}, "grey", "reserve"),
        ({"stage": "completed", "actual_cumulative": Decimal(0)}, "green", "done"),
        ({"stage": "operating", "filed_late": True}, "green", "done"),
        ({"annual_plan": None}, "grey", "no_plan"),
        ({"annual_plan": Decimal(0), "actual_cumulative": None}, "green", "ok"),
        ({"actual_cumulative": None}, "grey", "no_filing"),
    ],
)
def test_stages_and_missing_data(changes, colour, rule):
    light = evaluate(month(**changes))
    assert (light.colour, light.reasons[0].rule) == (colour, rule)
    assert light.sentence


def test_completed_projects_can_be_neutral_and_bad_inputs_are_rejected():
    assert evaluate(month(stage="completed"), RuleSet(completed_colour="grey")).colour == "grey"
    assert "项目已竣工" in evaluate(month(stage="completed")).sentence
    with pytest.raises(ValueError, match="阶段"):
        month(stage="started")
    with pytest.raises(ValueError, match="月份"):
        month(month=13)
    with pytest.raises(ValueError, match="负数"):
        month(annual_plan=Decimal(-1))


def test_the_worst_reason_sets_the_colour_and_comes_first():
    pm = month(actual_cumulative=Decimal(3000), bonds=(bond("1000"),), filed_late=True)
    light = evaluate(pm)
    assert light.colour == "red"
    assert [(r.rule, r.colour) for r in light.reasons] == [
        ("bond", "red"),
        ("progress", "yellow"),
        ("late", "yellow"),
    ]
    assert light.sentence == light.reasons[0].sentence  # the sentence says why it is red


def test_money_for_reading():
    assert format_money(Decimal("850")) == "850 万元"
    assert format_money(Decimal("12.345")) == "12.35 万元"
    assert format_money(Decimal(32000)) == "3.20 亿元"


# ------------------------------------------------------------------------------------------- rules as data


def test_rules_round_trip_through_json():
    rules = RuleSet.from_dict(
        {"progress_yellow_pp": "5", "progress_red_pp": 20.5, "late_filing_colour": "red"}
    )
    assert rules.progress_red_pp == Decimal("20.5") and rules.bond_window_months == 6  # defaults fill in
    assert RuleSet.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules
    assert RuleSet.from_dict(DEFAULT_RULES.to_dict()) == DEFAULT_RULES == RuleSet.from_dict({})
    assert DEFAULT_RULES.to_dict()["progress_yellow_pp"] == "10"
    assert DEFAULT_RULES.describe()[0] == (
        "累计完成投资占年度计划的比例落后时序进度 10–30 个百分点亮黄灯，超过 30 个百分点亮红灯"
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"progress_yellow_pp": 30, "progress_red_pp": 20},
            "progress_red_pp",
            "progress_red_pp 应大于 progress_yellow_pp",
        ),
        ({"progress_red_pp": 10}, "progress_red_pp", "progress_red_pp 应大于 progress_yellow_pp"),
        ({"bond_yellow_pp": 40}, "bond_red_pp", "bond_red_pp 应大于 bond_yellow_pp"),
        ({"progress_red_pp": 120}, "progress_red_pp", "progress_red_pp 应为 0–100 之间的百分点数"),
        ({"progress_yellow_pp": "十"}, "progress_yellow_pp", "progress_yellow_pp 应为数字，而不是「十」"),
        ({"progress_yellow_pp": True}, "progress_yellow_pp", "progress_yellow_pp 应为数字"),
        ({"not_started_red_months": "三"}, "not_started_red_months", "not_started_red_months 应为数字"),
        ({"not_started_red_months": 2.5}, "not_started_red_months", "not_started_red_months 应为整数"),
        ({"bond_window_months": 0}, "bond_window_months", "bond_window_months 应为 1–60 之间的整数"),
        (
            {"late_filing_colour": "orange"},
            "late_filing_colour",
            "late_filing_colour 应为 green、yellow 或 red",
        ),
        ({"completed_colour": "red"}, "completed_colour", "completed_colour 应为 green 或 grey"),
        ({"colour": "red"}, "colour", "colour 不是已知的规则字段"),
    ],
)
def test_bad_rule_data_is_rejected_naming_the_field(data, field, message):
    with pytest.raises(ValueError) as raised:
        RuleSet.from_dict(data)
    assert isinstance(raised.value, RulesError) and field in raised.value.errors
    assert message in str(raised.value)


def test_every_bad_field_is_named_at_once():
    with pytest.raises(RulesError) as raised:
        RuleSet.from_dict({"progress_red_pp": "x", "bond_window_months": 99, "extra": 1})
    assert set(raised.value.errors) == {"progress_red_pp", "bond_window_months", "extra"}
    with pytest.raises(RulesError, match="progress_red_pp 应大于"):
        RuleSet(progress_yellow_pp=Decimal(30), progress_red_pp=Decimal(30))


# ------------------------------------------------------------------------------------------- back-test


def test_back_test_lists_exactly_the_lights_that_change():
    months = [month(code=f"P{c}", actual_cumulative=Decimal(c)) for c in (6000, 5400, 4000, 3000, 1000)]
    months.append(month(code="R", stage="reserve"))
    strict = RuleSet(progress_yellow_pp=Decimal(5), progress_red_pp=Decimal(20))
    changes = back_test(months, DEFAULT_RULES, strict)
    assert [(c.code, c.month, c.old_colour, c.new_colour) for c in changes] == [
        ("P5400", 6, "green", "yellow"),
        ("P3000", 6, "yellow", "red"),
    ]
    assert changes[1].sentence.endswith("（红灯：落后超过 20 个百分点）")
    assert changes[1].old_sentence.endswith("（黄灯：落后 10–30 个百分点）")
    assert back_test(months, DEFAULT_RULES, DEFAULT_RULES) == []


# ------------------------------------------------------------------------------------------- properties


rules_strategy = st.builds(
    lambda yellow, width: RuleSet(
        progress_yellow_pp=Decimal(yellow), progress_red_pp=Decimal(yellow + width)
    ),
    st.integers(0, 60),
    st.integers(1, 40),
)


@given(
    plan=st.integers(1, 10**7),
    month_no=st.integers(1, 12),
    a=st.integers(0, 10**7),
    b=st.integers(0, 10**7),
    rules=rules_strategy,
)
def test_the_light_never_gets_better_as_the_lag_grows(plan, month_no, a, b, rules):
    low, high = sorted((a, b))
    base = month(month=month_no, annual_plan=Decimal(plan))
    worse = evaluate(replace(base, actual_cumulative=Decimal(low)), rules)
    better = evaluate(replace(base, actual_cumulative=Decimal(high)), rules)
    assert RANK[worse.colour] >= RANK[better.colour]


@given(spent_a=st.integers(0, 6000), spent_b=st.integers(0, 6000), month_no=st.integers(3, 12))
def test_a_bond_light_never_gets_better_as_less_is_spent(spent_a, spent_b, month_no):
    low, high = sorted((spent_a, spent_b))
    on_plan = {"month": month_no, "actual_cumulative": PLAN * month_no / 12}
    worse = evaluate(month(bonds=(bond(str(low)),), **on_plan))
    better = evaluate(month(bonds=(bond(str(high)),), **on_plan))
    assert RANK[worse.colour] >= RANK[better.colour]
