# ruff: noqa: S608 - SQL here is built from table names and constants only; values are parameters.
"""Industry and district figures kept added up (`Rollup`), so that a page reads a few rows where the live
figure adds up every enterprise figure of the period (a million per month at district scale).

The rows follow the selectors' counting rule (an enterprise in two industries counts in both, once in the
district) over every enterprise, and are kept current in the transaction of every write:

- enterprise figures written (`services.observations_write`): a few figures (a correction, one firm's
  month) move the stored sums they belong to by their change — the district's and each of the firm's
  industries', a handful of rows; many (an import of a month) have their (indicator, frequency, period)
  slices recomputed at once, one INSERT … SELECT … GROUP BY per indicator and frequency;
- memberships changed (classification, a hand decision, an enterprise's codes edited, an import): the
  industries are marked (`RollupMark`) and recomputed after the commit by the worker (`rollups_refresh`) or
  `chanye indicators rollup`; meanwhile the selectors add a marked industry's figures up live.

Rollups answer only for a user who sees every enterprise they add up: the district figure for a user who
sees every enterprise, an industry's for one who sees all its members (`coverage`). Others get live figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef
from django.utils import timezone

from chanye.indicators.models import Indicator, Level, Observation, Rollup, RollupMark

CHUNK = 5000
CENT = Decimal("0.01")


@dataclass
class Figure:
    period: date
    total: Decimal
    firms: int
    industry_id: int | None = None


# Keeping them current.


DELTA_LIMIT = 500  # written figures up to which the stored sums are moved rather than added up again


@dataclass(frozen=True)
class Change:
    """One enterprise figure written: by how much its value moved, and whether it is a new figure."""

    enterprise_id: int
    indicator_id: int
    frequency: str
    period: date
    value: Decimal
    new: bool


def observations_changed(*, changes: list[Change]) -> None:
    """Bring the district and industry figures up to date with these enterprise figures, in the caller's
    transaction: moved by the changes when they are few, their slices added up again when they are many
    (recomputing a month of a million firms takes seconds, moving a few sums milliseconds)."""
    if not changes:
        return
    with transaction.atomic():
        _lock(sorted({change.indicator_id for change in changes}))
        if len(changes) <= DELTA_LIMIT:
            _move(changes)
            return
        slices_recompute(
            slices={(change.indicator_id, change.frequency, change.period) for change in changes}
        )


def slices_recompute(*, slices: Iterable[tuple[int, str, date]]) -> None:
    """Add up again the district and industry figures of these (indicator id, frequency, period) slices."""
    grouped: dict[tuple[int, str], set[date]] = defaultdict(set)
    for indicator_id, frequency, period in slices:
        grouped[(indicator_id, frequency)].add(period)
    if not grouped:
        return
    with transaction.atomic():
        _lock(sorted({indicator_id for indicator_id, _frequency in grouped}))
        for (indicator_id, frequency), periods in sorted(grouped.items()):
            _recompute(indicator_id=indicator_id, frequency=frequency, periods=sorted(periods))


def _move(changes: list[Change]) -> None:
    """Add each change to the district's row and to each of its firm's industries' rows (created when the
    figure is the first of its slice)."""
    from chanye.enterprises.models import Membership

    industries: dict[int, list[int]] = defaultdict(list)
    for firm, industry in Membership.objects.filter(
        enterprise_id__in={change.enterprise_id for change in changes}
    ).values_list("enterprise_id", "industry_id"):
        industries[firm].append(industry)
    moves: dict[tuple[int, str, int | None, str, date], list] = defaultdict(lambda: [Decimal(0), 0])
    for change in changes:
        subjects: list[tuple[str, int | None]] = [(Level.DISTRICT, None)]
        subjects += [(Level.INDUSTRY, industry_id) for industry_id in industries[change.enterprise_id]]
        for level, subject in subjects:
            move = moves[(change.indicator_id, level, subject, change.frequency, change.period)]
            move[0] += change.value
            move[1] += int(change.new)
    for (indicator_id, level, industry_id, frequency, period), (value, firms) in sorted(
        moves.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or 0, item[0][3], item[0][4])
    ):
        same = {"industry_id": industry_id} if industry_id is not None else {"industry__isnull": True}
        moved = Rollup.objects.filter(
            indicator_id=indicator_id,
            level=level,
            **same,
            frequency=frequency,
            period=period,
        ).update(total=F("total") + value, firms=F("firms") + firms)
        if not moved:
            Rollup.objects.create(
                indicator_id=indicator_id,
                level=level,
                industry_id=industry_id,
                frequency=frequency,
                period=period,
                total=value,
                firms=firms,
            )


def memberships_changed(*, pairs: Iterable[tuple[int, int]], reason: str) -> int:
    """Mark the industries of these (enterprise id, industry id) memberships, added or removed, whose
    enterprise has figures; the marks are recomputed after the commit. Returns how many were marked."""
    by_enterprise: dict[int, set[int]] = defaultdict(set)
    for enterprise_id, industry_id in pairs:
        by_enterprise[enterprise_id].add(industry_id)
    with_figures = _with_figures(list(by_enterprise))
    industries = {i for e in with_figures for i in by_enterprise[e]}
    _mark(industries, reason)
    return len(industries)


@contextmanager
def memberships_tracked(*, enterprise_ids: list[int], reason: str) -> Iterator[None]:
    """Around a rewrite of these enterprises' memberships: mark the industries they joined or left."""
    from chanye.enterprises.models import Membership

    with_figures = _with_figures(enterprise_ids)
    if not with_figures:
        yield
        return

    def current() -> set[tuple[int, int]]:
        rows = Membership.objects.filter(enterprise_id__in=with_figures)
        return set(rows.values_list("enterprise_id", "industry_id"))

    before = current()
    yield
    memberships_changed(pairs=before ^ current(), reason=reason)


def memberships_changed_sql(cursor, *, enterprises: str, reason: str) -> None:
    """`memberships_changed` for a bulk write in SQL: mark the industries that the enterprises selected by
    `enterprises` (a SELECT of ids) belong to, among those with figures. Call before and after the write."""
    from chanye.enterprises.models import Membership

    marks, members, figures = (
        RollupMark._meta.db_table,
        Membership._meta.db_table,
        Observation._meta.db_table,
    )
    cursor.execute(
        f"INSERT INTO {marks} (industry_id, reason, marked_at) SELECT DISTINCT m.industry_id, %s, %s "
        f"FROM {members} m WHERE m.enterprise_id IN ({enterprises}) AND EXISTS (SELECT 1 FROM {figures} o "
        f"WHERE o.enterprise_id = m.enterprise_id AND o.level = 'enterprise')",
        [reason[:100], timezone.now()],
    )
    if cursor.rowcount:
        _queue()


@transaction.atomic
def marked_refresh() -> int:
    """Recompute the marked industries (everything after a mark for all) and clear those marks."""
    _lock(None)
    marks = list(RollupMark.objects.values_list("pk", "industry_id"))
    if not marks:
        return 0
    industries = {industry_id for _pk, industry_id in marks}
    if None in industries:
        _recompute()
    else:
        _recompute(industry_ids=sorted(i for i in industries if i is not None), district=False)
    RollupMark.objects.filter(pk__in=[pk for pk, _industry in marks]).delete()
    return len(industries)


@transaction.atomic
def rebuild() -> int:
    """Every rollup from the enterprise figures and memberships; returns how many rows it holds."""
    _lock(None)
    marks = list(RollupMark.objects.values_list("pk", flat=True))
    _recompute()
    RollupMark.objects.filter(pk__in=marks).delete()
    return Rollup.objects.count()


def _lock(indicator_ids: list[int] | None) -> None:
    """Writers of the same indicator's rollups one after another (the indicator rows, in key order)."""
    rows = Indicator.objects.select_for_update().order_by("pk")
    if indicator_ids is not None:
        rows = rows.filter(pk__in=indicator_ids)
    list(rows.values_list("pk", flat=True))


def _recompute(
    *,
    indicator_id: int | None = None,
    frequency: str | None = None,
    periods: list[date] | None = None,
    industry_ids: list[int] | None = None,
    district: bool = True,
) -> None:
    """Delete the rollups of the slice, then add it up again in one INSERT … SELECT … GROUP BY."""
    from chanye.enterprises.models import Membership

    rollup, figures, members = (
        Rollup._meta.db_table,
        Observation._meta.db_table,
        Membership._meta.db_table,
    )
    where: list[str] = []
    params: list[Any] = []
    if indicator_id is not None:
        where.append("{0}.indicator_id = %s")
        params.append(indicator_id)
    if frequency is not None:
        where.append("{0}.frequency = %s")
        params.append(frequency)
    if periods is not None:
        where.append(f"{{0}}.period IN ({', '.join(['%s'] * len(periods))})")
        params.extend(periods)
    industry_in, industry_params = "", list[Any]()
    if industry_ids is not None:
        industry_in = f"{{0}}.industry_id IN ({', '.join(['%s'] * len(industry_ids))})"
        industry_params = list(industry_ids)
    delete_where = [w.format(rollup) for w in where]
    if not district:
        delete_where.append(f"{rollup}.level = 'industry'")
    if industry_in:
        delete_where.append(industry_in.format(rollup))
    industry_where = f" AND {industry_in.format('m')}" if industry_in else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {rollup}" + (f" WHERE {' AND '.join(delete_where)}" if delete_where else ""),
            [*params, *industry_params],
        )
        figure_where = " AND ".join(["o.level = 'enterprise'", *(w.format("o") for w in where)])
        industry_rows = (
            f"SELECT o.indicator_id, 'industry', m.industry_id, o.frequency, o.period, SUM(o.value), COUNT(*) "
            f"FROM {figures} o JOIN {members} m ON m.enterprise_id = o.enterprise_id "
            f"WHERE {figure_where}{industry_where} "
            f"GROUP BY o.indicator_id, m.industry_id, o.frequency, o.period"
        )
        district_rows = (
            f"SELECT o.indicator_id, 'district', NULL, o.frequency, o.period, SUM(o.value), COUNT(*) "
            f"FROM {figures} o WHERE {figure_where} GROUP BY o.indicator_id, o.frequency, o.period"
        )
        select, select_params = industry_rows, [*params, *industry_params]
        if district:
            select = f"{district_rows} UNION ALL {industry_rows}"
            select_params = [*params, *params, *industry_params]
        cursor.execute(
            f"INSERT INTO {rollup} (indicator_id, level, industry_id, frequency, period, total, firms) {select}",
            select_params,
        )


def _with_figures(enterprise_ids: list[int]) -> set[int]:
    """Those of these enterprises that have enterprise figures (one index probe each)."""
    from chanye.enterprises.models import Enterprise

    found: set[int] = set()
    has = Exists(Observation.objects.filter(enterprise_id=OuterRef("pk"), level=Level.ENTERPRISE))
    ordered = sorted(set(enterprise_ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found.update(Enterprise.objects.filter(pk__in=chunk).filter(has).values_list("pk", flat=True))
    return found


def _mark(industries: set[int], reason: str) -> None:
    if not industries:
        return
    RollupMark.objects.bulk_create(
        [RollupMark(industry_id=i, reason=reason[:100]) for i in sorted(industries)]
    )
    _queue()


def _queue() -> None:
    from chanye.indicators.tasks import rollups_refresh

    transaction.on_commit(rollups_refresh.enqueue)


# Reading them.


ALL = None  # coverage: every industry


def coverage(user) -> tuple[bool, set[int] | None]:
    """(the district, the industries) whose figures this user sees whole: every enterprise added up is in
    the user's scope. Mirrors `chanye.accounts.scopes`: the 发改局 sees every enterprise; a district leader
    and a department see every member of the industries in their scope (and a few liaison firms besides,
    hence not the district); a street sees only its own firms."""
    from chanye.accounts.roles import Role
    from chanye.accounts.scopes import industry_ids
    from chanye.indicators.scoping import enterprise_condition, indicator_condition

    if indicator_condition(user) is None:
        return False, set()
    enterprises = enterprise_condition(user)
    if enterprises is True:
        return True, ALL
    if enterprises is None:
        return False, set()
    if user.role in (Role.DISTRICT_LEADER, Role.DEPARTMENT_OFFICER):
        return False, industry_ids(user) or set()
    return False, set()


def _marked() -> set[int | None]:
    return set(RollupMark.objects.values_list("industry_id", flat=True).distinct())


def district_ready(*, user) -> bool:
    """Whether the rollups answer for this user's district figures."""
    whole, _industries = coverage(user)
    return whole and not RollupMark.objects.filter(industry=None).exists()


def industries_ready(*, user, industry_ids: list[int]) -> set[int]:
    """Those of these industries whose figures the rollups answer for this user (in scope whole, not marked)."""
    if not industry_ids:
        return set()
    _whole, covered = coverage(user)
    wanted = set(industry_ids) if covered is ALL else set(industry_ids) & covered
    if not wanted:
        return set()
    marked = _marked()
    return set() if None in marked else wanted - marked


def _rows(indicator: Indicator, frequency: str, start: date | None, end: date | None):
    rows = Rollup.objects.filter(indicator=indicator, frequency=frequency)
    if start is not None:
        rows = rows.filter(period__gte=start)
    if end is not None:
        rows = rows.filter(period__lte=end)
    # Read as an expression, not a column: SQLite then converts the stored sum exactly as it converts a
    # live SUM(), so both paths round alike.
    return rows.annotate(sum=ExpressionWrapper(F("total"), output_field=DecimalField()))


def district_figures(
    *, indicator: Indicator, frequency: str, start: date | None = None, end: date | None = None
) -> list[Figure]:
    rows = _rows(indicator, frequency, start, end).filter(level=Level.DISTRICT).order_by("period")
    return [
        Figure(period, Decimal(total).quantize(CENT), firms)
        for period, total, firms in rows.values_list("period", "sum", "firms")
    ]


def industry_figures(
    *,
    indicator: Indicator,
    frequency: str,
    industry_ids: Iterable[int],
    start: date | None = None,
    end: date | None = None,
) -> list[Figure]:
    rows = (
        _rows(indicator, frequency, start, end)
        .filter(level=Level.INDUSTRY, industry_id__in=sorted(industry_ids))
        .order_by("industry_id", "period")
    )
    return [
        Figure(period, Decimal(total).quantize(CENT), firms, industry_id)
        for industry_id, period, total, firms in rows.values_list("industry_id", "period", "sum", "firms")
    ]


def latest_period(*, indicator: Indicator, frequency: str) -> date | None:
    return (
        Rollup.objects.filter(indicator=indicator, frequency=frequency, level=Level.DISTRICT)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
