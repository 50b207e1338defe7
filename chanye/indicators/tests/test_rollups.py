"""The kept industry and district figures (rollups) equal the ones added up live, through every write that
changes them: figures recorded and revised, memberships decided by hand, by the rules and by an import —
for every user, whether the kept figures or the live ones answer them."""

import csv
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from chanye.core.tabular import open_table
from chanye.enterprises import loader
from chanye.enterprises import services as enterprise_services
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise
from chanye.indicators import rollups, selectors
from chanye.indicators.models import Observation, Rollup, RollupMark
from chanye.indicators.services import Item, observation_record, observations_write
from chanye.organizations.models import Department

pytestmark = pytest.mark.django_db
MARCH, FEBRUARY = date(2025, 3, 1), date(2025, 2, 1)
PERSONAS = ("drc", "leader", "other_leader", "dept", "street")


@pytest.fixture
def revenue(catalogue, firms):
    figures = {firms.both: "100.1260", firms.software: "50.0049", firms.bank: "30.3333", firms.loose: "7"}
    items = [
        Item(
            catalogue["revenue"],
            "enterprise",
            period,
            "month",
            Decimal(value) * factor,
            enterprise_id=firm.pk,
            basis="reported",
        )
        for firm, value in figures.items()
        for period, factor in ((MARCH, 1), (FEBRUARY, Decimal("0.5")))
    ]
    assert not observations_write(items=items, by=None, source_type="manual").refused
    return catalogue["revenue"]


def industry(systems, code):
    return systems.industries.get(code=code)


def kept(indicator, systems) -> dict:
    """Every kept figure of the indicator, as (industry code or 全区, period) → (total, firms)."""
    codes = dict(systems.industries.values_list("pk", "code"))
    found = {
        ("全区", f.period): (f.total, f.firms)
        for f in rollups.district_figures(indicator=indicator, frequency="month")
    }
    for f in rollups.industry_figures(indicator=indicator, frequency="month", industry_ids=codes):
        found[(codes[f.industry_id], f.period)] = (f.total, f.firms)
    return found


def live(indicator, systems, user) -> dict:
    """The same figures added up now from the enterprise figures, as the 发改局 sees them."""
    codes = dict(systems.industries.values_list("pk", "code"))
    found = {
        ("全区", a.period): (a.total, a.firms)
        for a in selectors._live_district(
            user=user, indicator=indicator, frequency="month", start=None, end=None
        )
    }
    for a in selectors._live_by_industry(
        user=user, indicator=indicator, frequency="month", start=None, end=None, industries=list(codes)
    ):
        found[(codes[a.industry_id], a.period)] = (a.total, a.firms)
    return found


def served_equals_live(indicator, personas) -> None:
    """What every user is served (kept or live, as the selectors choose) equals what live adding up gives."""
    for name in PERSONAS:
        user = personas[name]
        wanted = list(selectors.industries_in_scope(user=user).values_list("pk", flat=True))
        assert selectors.aggregate_by_industry(
            user=user, indicator=indicator, frequency="month"
        ) == selectors._live_by_industry(
            user=user, indicator=indicator, frequency="month", start=None, end=None, industries=wanted
        ), name
        assert selectors.aggregate_district(
            user=user, indicator=indicator, frequency="month"
        ) == selectors._live_district(
            user=user, indicator=indicator, frequency="month", start=None, end=None
        ), name
        latest = (
            Observation.objects.visible_to(user)
            .filter(indicator=indicator, level="enterprise", frequency="month")
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        assert selectors.latest_enterprise_period(user=user, indicator=indicator, frequency="month") == latest


def test_figures_written_are_kept_added_up_at_once(revenue, systems, personas):
    drc = personas["drc"]
    assert kept(revenue, systems) == live(revenue, systems, drc)
    # An enterprise in two industries counts in both, once in the district.
    assert kept(revenue, systems)[("SW", MARCH)] == (Decimal("150.13"), 2)
    assert kept(revenue, systems)[("AI", MARCH)] == (Decimal("100.13"), 1)
    assert kept(revenue, systems)[("全区", MARCH)] == (Decimal("187.46"), 4)
    assert not RollupMark.objects.exists()
    served_equals_live(revenue, personas)


def test_a_revised_figure_is_added_up_again(revenue, systems, personas, firms):
    drc = personas["drc"]
    observation_record(
        indicator=revenue,
        level="enterprise",
        enterprise=firms.both,
        period=MARCH,
        value=Decimal("120.5"),
        by=drc,
        reason="企业更正",
    )
    assert kept(revenue, systems)[("SW", MARCH)] == (Decimal("170.50"), 2)
    assert kept(revenue, systems)[("全区", FEBRUARY)] == (Decimal("93.73"), 4)  # the other month as it was
    assert kept(revenue, systems) == live(revenue, systems, drc)
    served_equals_live(revenue, personas)


def test_a_membership_removed_by_hand_is_added_up_live_until_refreshed(revenue, systems, personas, firms):
    drc, ai = personas["drc"], industry(systems, "AI")
    enterprise_services.membership_override(
        by=drc, enterprise=firms.both, industry=ai, action="exclude", reason="主营不是人工智能"
    )
    assert set(RollupMark.objects.values_list("industry_id", flat=True)) == {ai.pk}
    assert rollups.industries_ready(user=drc, industry_ids=[ai.pk]) == set()  # marked: live for AI
    assert kept(revenue, systems)[("AI", MARCH)] == (Decimal("100.13"), 1)  # not yet added up again
    served_equals_live(revenue, personas)
    assert not [
        a
        for a in selectors.aggregate_by_industry(user=drc, indicator=revenue, frequency="month")
        if a.industry_id == ai.pk
    ]

    call_command("indicators", "rollup", stdout=StringIO())
    assert not RollupMark.objects.exists()
    assert ("AI", MARCH) not in kept(revenue, systems)
    assert kept(revenue, systems) == live(revenue, systems, drc)
    assert rollups.industries_ready(user=drc, industry_ids=[ai.pk]) == {ai.pk}
    served_equals_live(revenue, personas)


def test_who_is_served_the_kept_figures(revenue, systems, personas):
    software = industry(systems, "SW")
    everything = list(systems.industries.values_list("pk", flat=True))
    # The 发改局 sees every enterprise: every figure is kept.
    assert rollups.district_ready(user=personas["drc"])
    assert rollups.industries_ready(user=personas["drc"], industry_ids=everything) == set(everything)
    # The leader of 软件与互联网 sees all its members, and liaison firms beyond: its industry kept, the district live.
    leader = personas["leader"]
    assert software.pk in rollups.industries_ready(user=leader, industry_ids=everything)
    assert not rollups.district_ready(user=leader)
    # A street sees its own firms only: everything live.
    assert rollups.industries_ready(user=personas["street"], industry_ids=everything) == set()
    assert not rollups.district_ready(user=personas["street"])
    for name in ("enterprise", "sysadmin", "auditor"):
        assert rollups.coverage(personas[name]) == (False, set())


def test_a_liaison_firm_counts_in_the_leaders_district_figure_only(revenue, systems, personas, firms):
    leader = personas["leader"]
    enterprise_services.liaison_set(
        by=personas["drc"],
        enterprise=firms.bank,
        leader=leader.leader,
        department=Department.objects.get(code="DRC"),
        cadence_days=30,
        since=MARCH,
    )
    district = selectors.aggregate_district(user=leader, indicator=revenue, frequency="month", start=MARCH)
    assert [(a.total, a.firms) for a in district] == [(Decimal("180.46"), 3)]  # SW members + the bank
    served_equals_live(revenue, personas)


def test_an_edit_that_moves_an_enterprise_marks_the_industry_it_joins(revenue, systems, personas, firms):
    ai = industry(systems, "AI")
    enterprise_services.enterprise_save(
        by=personas["drc"], values={"gbt_code": "6511"}, enterprise=firms.software
    )
    assert ai.pk in set(RollupMark.objects.values_list("industry_id", flat=True))
    served_equals_live(revenue, personas)
    rollups.marked_refresh()
    assert kept(revenue, systems)[("AI", MARCH)] == (Decimal("150.13"), 2)
    assert kept(revenue, systems) == live(revenue, systems, personas["drc"])


def test_an_edit_of_a_firm_without_figures_marks_nothing(revenue, personas, systems):
    idle = Enterprise.objects.create(uscc=uscc_for(601), name="天河新设软件有限公司", gbt_code="")
    enterprise_services.enterprise_save(by=personas["drc"], values={"gbt_code": "6511"}, enterprise=idle)
    assert idle.memberships.exists() and not RollupMark.objects.exists()


def test_a_classification_run_marks_the_industries_that_moved(revenue, systems, personas, firms):
    Enterprise.objects.filter(pk=firms.loose.pk).update(
        gbt_code="6513"
    )  # now 人工智能 (and 软件) by the rules
    plan = enterprise_services.classification_apply(by=personas["drc"])
    moved = {
        industry_id for industry_id, rows in plan.added.items() if any(e == firms.loose.pk for e, _ in rows)
    }
    assert moved and moved <= set(RollupMark.objects.values_list("industry_id", flat=True))
    served_equals_live(revenue, personas)
    rollups.marked_refresh()
    assert kept(revenue, systems)[("AI", MARCH)] == (Decimal("107.13"), 2)
    assert kept(revenue, systems) == live(revenue, systems, personas["drc"])


def test_an_enterprise_import_that_moves_a_firm_marks_its_industries(
    revenue, systems, personas, firms, tmp_path
):
    path = tmp_path / "名单.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["统一社会信用代码", "企业名称", "所属街道", "行业代码"])
        writer.writerow([firms.bank.uscc, firms.bank.name, "TH02", "6513"])
    with open_table(str(path), path.name) as table:
        outcome = loader.import_table(
            table,
            lookups=enterprise_services.lookups(),
            version_id=systems.current_version_id,
            source="test",
        )
    assert outcome.written, outcome.errors
    assert industry(systems, "AI").pk in set(RollupMark.objects.values_list("industry_id", flat=True))
    served_equals_live(revenue, personas)
    rollups.marked_refresh()
    assert kept(revenue, systems)[("AI", MARCH)] == (Decimal("130.46"), 2)
    assert kept(revenue, systems) == live(revenue, systems, personas["drc"])


def test_a_rebuild_gives_the_same_rows_and_a_mark_for_all_reads_live(revenue, systems, personas):
    before = kept(revenue, systems)
    out = StringIO()
    call_command("indicators", "rollup", "--rebuild", stdout=out)
    assert f"{Rollup.objects.count()} rows" in out.getvalue()
    assert kept(revenue, systems) == before
    # Figures recorded before the rollups existed are marked for all (the migration does it): read live.
    Rollup.objects.all().delete()
    RollupMark.objects.create(industry=None, reason="首次汇总")
    assert not rollups.district_ready(user=personas["drc"])
    served_equals_live(revenue, personas)
    assert selectors.aggregate_district(user=personas["drc"], indicator=revenue, frequency="month")
    rollups.marked_refresh()
    assert kept(revenue, systems) == before and not RollupMark.objects.exists()


@pytest.mark.parametrize("limit", [0, 500], ids=["slices-added-up-again", "sums-moved"])
def test_few_and_many_figures_written_keep_the_same_sums(
    catalogue, firms, systems, personas, monkeypatch, limit
):
    """A correction moves the sums it belongs to; an import adds its months up again: both equal live."""
    monkeypatch.setattr(rollups, "DELTA_LIMIT", limit)
    indicator, drc = catalogue["revenue"], personas["drc"]

    def write(values: dict, period: date) -> None:
        items = [
            Item(indicator, "enterprise", period, "month", Decimal(v), enterprise_id=f.pk, basis="reported")
            for f, v in values.items()
        ]
        assert not observations_write(items=items, by=drc, source_type="manual").refused

    write({firms.both: "100.126", firms.software: "50.0049", firms.bank: "30.3333"}, MARCH)
    write({firms.both: "90", firms.loose: "7"}, MARCH)  # one revised, one new in the same month
    write({firms.software: "12.5"}, FEBRUARY)  # the first figure of a month
    assert kept(indicator, systems)[("SW", MARCH)] == (Decimal("140.00"), 2)
    assert kept(indicator, systems)[("全区", MARCH)] == (Decimal("177.34"), 4)
    assert kept(indicator, systems)[("SW", FEBRUARY)] == (Decimal("12.50"), 1)
    assert kept(indicator, systems) == live(indicator, systems, drc)
    served_equals_live(indicator, personas)
