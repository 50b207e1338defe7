"""Reads of the register: search, lists, counts and the 360 view, always through the user's scope."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Max, Q, QuerySet
from django.utils import timezone

from chanye.enterprises.models import Enterprise, FormerName, Liaison, Membership, MembershipOverride, Tag
from chanye.enterprises.panels import panels_for
from chanye.enterprises.rows import COLUMNS, mask
from chanye.enterprises.uscc import normalise
from chanye.industries.models import Industry
from chanye.organizations.models import Street

_USCC_LIKE = re.compile(r"^[0-9A-Z]{6,18}$")
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _after_prefix(prefix: str) -> str:
    """The least string above every code that starts with `prefix` (digits and capitals, not all Z).

    The last character that is not Z goes up by one (91440106MA → 91440106MB, 9144010699 → 914401069A,
    440Z → 441): byte order and the collations of the usual locales agree on digits and capital letters,
    so the range is right whatever the database's collation, which a bound like prefix + U+FFFF is not.
    """
    stem = prefix.rstrip("Z")
    return stem[:-1] + _ALPHANUMERIC[_ALPHANUMERIC.index(stem[-1]) + 1]


def enterprise_list(*, user) -> QuerySet[Enterprise]:
    return Enterprise.objects.visible_to(user)


def enterprise_search(queryset: QuerySet[Enterprise], text: str) -> QuerySet[Enterprise]:
    """By name (any part of it, or a former name) or by 统一社会信用代码 (a prefix of it)."""
    text = " ".join(text.replace("\x00", "").split())  # no text column can hold NUL (PostgreSQL refuses it)
    if not text:
        return queryset
    code = normalise(text)
    if _USCC_LIKE.match(code) and any(char.isdigit() for char in code):
        if len(code) == 18:
            return queryset.filter(uscc=code)
        # A range on the unique index rather than LIKE 'p%': SQLite's LIKE cannot use it, and PostgreSQL
        # sometimes misjudges a prefix as common and walks the register newest-first instead.
        return queryset.filter(uscc__gte=code, uscc__lt=_after_prefix(code))
    if len(text) < 3 and connection.vendor == "postgresql":
        return _gram(queryset, text)
    former = FormerName.objects.filter(name__icontains=text).values("enterprise_id")
    if len(text) < 3:
        return _short_fragment(queryset, text, former)
    if connection.vendor == "sqlite":
        # The FTS5 trigram index answers substring search without scanning the register; former names
        # join it in the same subquery (an OR of two subqueries would make SQLite scan every row).
        phrase = '"' + text.replace('"', '""') + '"'
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return queryset.extra(  # noqa: S610 - parameterised, over our own tables
            where=[
                "enterprises_enterprise.id IN (SELECT rowid FROM enterprises_name_fts WHERE name MATCH %s "
                "UNION ALL SELECT enterprise_id FROM enterprises_formername WHERE name LIKE %s ESCAPE '\\')"
            ],
            params=[phrase, like],
        )
    # PostgreSQL: trigram indexes on UPPER(name) serve icontains (migration 0004). The matches are found
    # first, in one subquery over names and former names; a condition on the listed rows would let the
    # planner walk the register newest-first hoping to meet 50 matches soon.
    names = Enterprise.objects.filter(name__icontains=text).values("id")
    return queryset.filter(id__in=names.union(former, all=True))


# Former names matched by a short fragment are looked up first and their enterprises named by id, so that
# the register's condition is an OR of two indexes; more than this many means the fragment is frequent.
_FORMER_GRAM_IDS = 500


class _Contains(Func):
    """PostgreSQL: UPPER(name) contains a fragment of one or two characters, by the index of names'
    characters and pairs (migration 0006), `strpos` first for rows read in a walk (the cheaper test).

    The fragment is written into the statement as `chr()` codes, not bound: a statement run five times is
    prepared, and a plan made for an unknown fragment would be one plan for every fragment, where a rare
    pair must be read from the index and a frequent one by walking the register newest first (the
    planner tells them apart by the pairs' frequencies from ANALYZE). Only code points reach the SQL."""

    output_field = BooleanField()

    def __init__(self, field: str, fragment: str) -> None:
        super().__init__(F(field))
        self.fragment = fragment

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        name = f"UPPER(({column})::text)"
        fragment = "UPPER(" + " || ".join(f"chr({ord(char)})" for char in self.fragment) + ")"
        grams = f"chanye_name_grams({name}) @> chanye_fragment_grams({fragment})"
        return f"(strpos({name}, {fragment}) > 0 AND {grams})", params


def _gram(queryset: QuerySet[Enterprise], text: str) -> QuerySet[Enterprise]:
    """PostgreSQL, one or two characters: the index of names' characters and pairs (migration 0006)."""
    former = FormerName.objects.filter(_Contains("name", text)).values_list("enterprise_id", flat=True)
    former_ids = list(former[: _FORMER_GRAM_IDS + 1])
    if len(former_ids) > _FORMER_GRAM_IDS:
        return _short_fragment(queryset, text, former.values("enterprise_id"))
    return queryset.filter(Q(_Contains("name", text)) | Q(id__in=former_ids))


def _short_fragment(queryset: QuerySet[Enterprise], text: str, former: QuerySet) -> QuerySet[Enterprise]:
    """Under three characters there is no trigram to look up: the rows are read newest first until a page
    of matches is found. Such fragments usually match densely, so that stops soon; a rare one reads every
    row in scope."""
    matches = Q(name__icontains=text) | Q(id__in=former)
    if connection.vendor != "postgresql":
        # SQLite walks the rows in scope newest first (for a street, its (street, id, name) index) and
        # stops at a page; a subquery would be computed whole first.
        return queryset.filter(matches)
    # PostgreSQL misjudges how many rows match this OR and walks the whole register newest first even for
    # a street's 3 % of it. The matches within the scope in a subquery of their own read a street's rows
    # from its (street, id, name) index alone (migration 0005), newest first, and stop at a page; an
    # unscoped subquery walks the primary key as before.
    return queryset.filter(id__in=queryset.filter(matches).order_by().values("id"))


def masked(enterprise: Enterprise, user) -> dict[str, str]:
    """Contact fields as this user may see them."""
    show = user.can("enterprises.contacts")
    return {
        column.field: (
            getattr(enterprise, column.field)
            if show
            else mask(column.field, getattr(enterprise, column.field))
        )
        for column in COLUMNS
        if column.personal
    }


@dataclass
class VisitStatus:
    liaison: Liaison
    last_visit: date | None
    due: date
    overdue: bool


def visit_status(liaison: Liaison, last_visit: date | None, today: date | None = None) -> VisitStatus:
    today = today or timezone.localdate()
    due = (last_visit or liaison.since) + timedelta(days=liaison.cadence_days)
    return VisitStatus(liaison, last_visit, due, due < today)


def enterprise_profile(*, user, enterprise: Enterprise) -> dict[str, Any]:
    """Everything the 360 page shows: memberships with their reasons, hand decisions, liaison, visits, history."""
    memberships = (
        Membership.objects.filter(enterprise=enterprise)
        .select_related("industry", "version")
        .order_by("industry__position")
    )
    overrides = MembershipOverride.objects.filter(enterprise=enterprise).select_related("industry", "by")
    liaison = Liaison.objects.filter(enterprise=enterprise).select_related("leader", "department").first()
    visits = list(enterprise.visits.select_related("department", "leader")[:50])
    status = visit_status(liaison, visits[0].visited_on if visits else None) if liaison else None
    return {
        "memberships": memberships,
        "overrides": overrides,
        "liaison": liaison,
        "visit_status": status,
        "visits": visits,
        "visit_departments": sorted({visit.department.name for visit in visits}),
        "history": enterprise.changes.select_related("by")[:50],
        "former_names": enterprise.former_names.all(),
        "tags": enterprise.tags.all(),
        "contacts": masked(enterprise, user),
        "sizing": enterprise.sizing,
        "panels": panels_for(user, enterprise),
    }


def counts_by_industry(*, user, queryset: QuerySet[Enterprise] | None = None) -> list[dict[str, Any]]:
    """Enterprises per industry of the current system, within the user's scope."""
    from chanye.enterprises.services import current_system

    industries = Industry.objects.visible_to(user).filter(active=True, system=current_system())
    rows = Membership.objects.filter(industry__in=industries)
    if queryset is not None:
        rows = rows.filter(enterprise__in=queryset.values("id"))
    counts = dict(rows.values("industry_id").annotate(n=Count("id")).values_list("industry_id", "n"))
    return [
        {"industry": industry, "count": counts.get(industry.id, 0)}
        for industry in industries.order_by("position")
    ]


def counts_by_street(*, queryset: QuerySet[Enterprise]) -> list[dict[str, Any]]:
    counts = dict(
        queryset.order_by().values("street_id").annotate(n=Count("id")).values_list("street_id", "n")
    )
    return [
        {"street": street, "count": counts.get(street.id, 0)}
        for street in Street.objects.order_by("position")
    ]


def counts_by_tag(*, queryset: QuerySet[Enterprise]) -> list[dict[str, Any]]:
    tags = Tag.objects.annotate(n=Count("links", filter=Q(links__enterprise__in=queryset.values("id"))))
    return [{"tag": tag, "count": tag.n} for tag in tags]


def liaison_board(*, user, today: date | None = None) -> list[VisitStatus]:
    """Every liaison in scope with its last visit and due date, overdue first."""
    visible = Enterprise.objects.visible_to(user).values("id")
    liaisons = (
        Liaison.objects.filter(enterprise_id__in=visible)
        .select_related("enterprise", "leader", "department")
        .annotate(last=Max("enterprise__visits__visited_on"))
    )
    board = [visit_status(liaison, liaison.last, today) for liaison in liaisons]
    return sorted(board, key=lambda status: (not status.overdue, status.due))
