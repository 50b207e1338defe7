"""The catalogue as shipped and loaded, and the periods people write in sheets."""

from datetime import date

import pytest

from chanye.indicators import catalogue, periods
from chanye.indicators.models import Indicator
from chanye.indicators.services import catalogue_load


@pytest.mark.parametrize(
    ("text", "start", "frequency"),
    [
        ("2025-03", date(2025, 3, 1), "month"),
        ("2025年3月", date(2025, 3, 1), "month"),
        ("2025/12", date(2025, 12, 1), "month"),
        ("202503", date(2025, 3, 1), "month"),
        ("2025Q1", date(2025, 1, 1), "quarter"),
        ("2025 q4", date(2025, 10, 1), "quarter"),
        ("2025年一季度", date(2025, 1, 1), "quarter"),
        ("2025年第三季度", date(2025, 7, 1), "quarter"),
        ("2025", date(2025, 1, 1), "year"),
        ("2025年", date(2025, 1, 1), "year"),
        ("２０２５－０３", date(2025, 3, 1), "month"),
    ],
)
def test_periods_as_people_write_them(text, start, frequency):
    assert periods.parse_period(text) == (start, frequency)
    assert periods.parse_period(periods.label(start, frequency)) == (start, frequency)


@pytest.mark.parametrize(
    ("text", "reason"), [("", "不能为空"), ("2025-13", "月份不存在"), ("上个月", "无法识别")]
)
def test_periods_that_are_not(text, reason):
    with pytest.raises(ValueError, match=reason):
        periods.parse_period(text)


def test_the_shipped_catalogue_has_the_indicators_the_targets_need():
    entries = {entry.code: entry for entry in catalogue.read()}
    for code in (
        "gdp",
        "gdp_growth",
        "fai",
        "value_added",
        "revenue",
        "tax",
        "employees",
        "rd_spend",
        "output",
    ):
        assert code in entries
    for code in ("secondary_share", "digital_core_share", "sei_share"):
        assert entries[code].unit == "%" and entries[code].frequency == "year"
    assert all(entry.definition for entry in entries.values()), "every indicator states its 口径"
    additive = {code for code, entry in entries.items() if entry.additive}
    assert additive == {"revenue", "tax", "employees", "rd_spend", "output"}
    assert all("enterprise" in entries[code].levels for code in additive)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[[indicator]]\ncode = "x"\nname = "X"\nunit = "个"\n', "缺少 frequency"),
        ('[[indicator]]\ncode = "x"\nname = "X"\nunit = "个"\nfrequency = "week"\n', "frequency 应为"),
        (
            '[[indicator]]\ncode = "x"\nname = "X"\nunit = "个"\nfrequency = "year"\nlevels = ["street"]\n',
            "levels",
        ),
        (
            '[[indicator]]\ncode = "x"\nname = "X"\nunit = "个"\nfrequency = "year"\n'
            '[[indicator]]\ncode = "x"\nname = "Y"\nunit = "个"\nfrequency = "year"\n',
            "代码重复",
        ),
    ],
)
def test_a_wrong_catalogue_names_the_entry(text, reason):
    with pytest.raises(ValueError, match=reason):
        catalogue.read(text)


@pytest.mark.django_db
def test_loading_adds_the_catalogue_and_the_definitions_own_indicators_once(systems):
    added = catalogue_load()
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {entry.code for entry in catalogue.read()} <= codes
    # declared by the 12126 definition's targets and not in the shipped catalogue
    assert {"policy_funds", "key_projects", "special_bonds"} <= codes
    assert added == len(codes)
    assert catalogue_load() == 0
    tax = Indicator.objects.get(code="tax")
    assert tax.owner.code == "FINANCE" and tax.confidentiality == "restricted"
    assert Indicator.objects.get(code="gdp").owner.code == "STATS"
