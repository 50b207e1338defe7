"""The shipped default rates: one per GB/T 4754-2017 division, within range, wholesale and retail on the
gross margin, and equal to the published input-output tables they cite (checked against the reference file)."""

import csv
from decimal import Decimal

import pytest

from chanye.economy import rates
from chanye.industries.codes import edition_codes
from conftest import SHARED

REFERENCE = SHARED / "reference" / "va_rate_reference.csv"


def test_every_division_has_one_default_with_a_source():
    defaults = rates.read()
    divisions = [c.code for c in edition_codes("gbt4754-2017") if c.level == "大类"]
    assert [d.division for d in defaults] == divisions and len(divisions) == 97
    names = {c.code: c.name for c in edition_codes("gbt4754-2017") if c.level == "大类"}
    for default in defaults:
        assert default.name == names[default.division]
        assert default.table.name in default.source and default.sector in default.source
        assert "http" in default.table.citation
        assert rates.problems_of(default.division, default.rate, default.margin_rate) == []
    assert {d.division for d in defaults if d.margin_rate is not None} == {"51", "52"}


@pytest.mark.skipif(
    not REFERENCE.exists(), reason="the reference tables are not checked out beside the project"
)
def test_defaults_agree_with_the_published_tables_they_cite():
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        published = {
            (int(row["year"]), row["region"], row["sector"]): Decimal(row["value_added_rate_pct"])
            for row in csv.DictReader(handle)
        }
    checked = 0
    for default in rates.read():
        key = (default.table.year, default.table.region, default.sector)
        assert key in published, f"{default.division}: {key} is not a sector of the table it cites"
        assert abs(default.rate * 100 - published[key]) <= Decimal("0.06"), default.division
        checked += 1
    assert checked == 97


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.25", Decimal("0.25")),
        ("25%", Decimal("0.25")),
        ("25 ％", Decimal("0.25")),
        ("", None),
        (None, None),
    ],
)
def test_parse_reads_fractions_and_percents(text, value):
    assert rates.parse(text) == value


@pytest.mark.parametrize("text", ["abc", "NaN", "1,5"])
def test_parse_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="不是数字"):
        rates.parse(text)


@pytest.mark.parametrize(
    ("division", "rate", "margin", "fields"),
    [
        ("65", Decimal("0.5"), None, []),
        ("65", Decimal("0"), None, ["rate"]),
        ("65", Decimal("1.2"), None, ["rate"]),
        ("65", Decimal("0.12345"), None, ["rate"]),
        ("65", Decimal("0.5"), Decimal("0.1"), ["margin_rate"]),
        ("51", Decimal("0.6"), None, ["margin_rate"]),
        ("52", Decimal("0.6"), Decimal("1.5"), ["margin_rate"]),
        ("52", None, Decimal("0.2"), ["rate"]),
    ],
)
def test_problems_name_the_field(division, rate, margin, fields):
    assert [name for name, _reason in rates.problems_of(division, rate, margin)] == fields
