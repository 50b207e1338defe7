"""Pages of the scorecards: the index of leaders (or departments) with their counts, one card per leader and per
department (charts first, every number a link), and the rows behind each number."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from chanye.cockpit import scorecard_selectors as selectors
from chanye.cockpit.scorecard_selectors import COLOURS, SECTIONS, STATUSES, Scorecard
from chanye.core.views import PermissionGate
from chanye.organizations.models import Department, Leader
from chanye.projects.services import parse_period
from chanye.targets.selectors import STATUS_CLASS

VIEW = "system.view"
COLOUR_CSS = {"red": "#dc3545", "yellow": "#ffc107", "green": "#198754", "grey": "#adb5bd"}
STATUS_CSS = STATUS_CLASS
STATUS_COLOURS = {
    "达标": "#198754",
    "正常": "#0d6efd",
    "预警": "#ffc107",
    "滞后": "#dc3545",
    "无数据": "#adb5bd",
}
KINDS = {"leader": (Leader, "区领导"), "department": (Department, "部门")}


def parse_month(text: str | None) -> date | None:
    """`YYYY-MM` → its first day; empty → None (each section's latest month). ValidationError otherwise."""
    if not text:
        return None
    try:
        return parse_period(text)
    except ValidationError:
        raise ValidationError({"month": [f"月份应为 YYYY-MM（如 2025-10），而不是「{text}」"]}) from None


def subject_for(user, kind: str, pk: int):
    """The leader or department, 404 when there is none, 403 when its scorecard is out of the user's scope."""
    model = KINDS[kind][0]
    subject = get_object_or_404(model, pk=pk)
    allowed = (
        selectors.scorecard_leaders(user=user)
        if kind == "leader"
        else selectors.scorecard_departments(user=user)
    )
    if not allowed.filter(pk=subject.pk).exists():
        raise PermissionDenied("您无权查看这张计分卡")
    return subject


def scorecard_for(user, kind: str, subject, month: date | None) -> Scorecard:
    if kind == "leader":
        return selectors.leader_scorecard(user=user, leader=subject, month=month)
    return selectors.department_scorecard(user=user, department=subject, month=month)


def rows_url(kind: str, pk: int, section: str, month: date | None = None, **filters: str) -> str:
    """The page of the rows behind a number."""
    query = {**filters, **({"month": f"{month:%Y-%m}"} if month else {})}
    url = reverse(f"cockpit:{kind}_scorecard_rows", args=[pk, section])
    return f"{url}?{urlencode(query)}" if query else url


def links(card: Scorecard, month: date | None = None) -> dict[str, str]:
    """Every number's link, by a stable key (the page, the charts and the API use the same)."""
    kind, pk = card.kind, card.subject.pk
    found = {section: rows_url(kind, pk, section, month) for section in SECTIONS}
    found["enterprises_overdue"] = rows_url(kind, pk, "enterprises", month, overdue="1")
    for colour in COLOURS:
        found[f"projects_{colour}"] = rows_url(kind, pk, "projects", month, colour=colour)
    for status in STATUSES:
        found[f"targets_{status}"] = rows_url(kind, pk, "targets", month, status=status)
    found["cases_overdue"] = rows_url(kind, pk, "cases", month, overdue="1")
    found["cases_escalated"] = rows_url(kind, pk, "cases", month, escalated="1")
    return found


def charts(card: Scorecard, urls: dict[str, str]) -> dict:
    """The data of the card's four charts: each slice or bar with its value, colour and rows link."""
    figures = card.figures()
    enterprises = figures["enterprises"]
    cases = figures["cases"]
    return {
        "projects": [
            {
                "name": label,
                "value": figures["projects"]["lights"][colour],
                "color": COLOUR_CSS[colour],
                "url": urls[f"projects_{colour}"],
            }
            for colour, label in COLOURS.items()
        ],
        "targets": [
            {
                "name": status,
                "value": figures["targets"]["statuses"][status],
                "color": STATUS_COLOURS[status],
                "url": urls[f"targets_{status}"],
            }
            for status in STATUSES
        ],
        "enterprises": [
            {
                "name": "按期走访",
                "value": enterprises["count"] - enterprises["overdue"],
                "color": "#198754",
                "url": urls["enterprises"],
            },
            {
                "name": "走访逾期",
                "value": enterprises["overdue"],
                "color": "#dc3545",
                "url": urls["enterprises_overdue"],
            },
        ],
        "cases": [
            {"name": "待办", "value": cases["open"], "color": "#0d6efd", "url": urls["cases"]},
            {"name": "逾期", "value": cases["overdue"], "color": "#dc3545", "url": urls["cases_overdue"]},
            {
                "name": "已督办",
                "value": cases["escalated"],
                "color": "#fd7e14",
                "url": urls["cases_escalated"],
            },
        ],
    }


class _ScorecardGate(PermissionGate, View):
    permission_required = VIEW
    kind = "leader"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_view_scorecards(request.user):
            raise PermissionDenied("您的角色无权查看计分卡")
        return super().dispatch(request, *args, **kwargs)

    def month(self, request) -> date | None:
        try:
            return parse_month(request.GET.get("month"))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return None


class ScorecardIndexView(_ScorecardGate):
    """Every leader (or department) whose card the user may read, with a chart of their projects' lights."""

    def get(self, request):
        if self.kind == "leader" and not selectors.scorecard_leaders(user=request.user).exists():
            raise PermissionDenied("您的角色只能查看本部门的计分卡")
        month = self.month(request)
        rows = selectors.scorecard_index(user=request.user, kind=self.kind, month=month)  # type: ignore[arg-type]
        chart = {
            "names": [str(row.subject) for row in rows],
            "series": [
                {
                    "name": label,
                    "color": COLOUR_CSS[colour],
                    "data": [row.lights.get(colour, 0) for row in rows],
                    "urls": [
                        rows_url(self.kind, row.subject.pk, "projects", month, colour=colour) for row in rows
                    ],
                }
                for colour, label in COLOURS.items()
            ],
        }
        return render(
            request,
            "cockpit/scorecard_index.html",
            {
                "kind": self.kind,
                "kind_label": KINDS[self.kind][1],
                "rows": [
                    (row, reverse(f"cockpit:{self.kind}_scorecard", args=[row.subject.pk])) for row in rows
                ],
                "chart": chart,
                "colours": COLOURS,
                "month": month,
            },
        )


class ScorecardView(_ScorecardGate):
    """One leader's or department's card: charts of lights, target statuses, liaison visits and cases, then
    the tables; every number links to its rows."""

    def get(self, request, pk):
        subject = subject_for(request.user, self.kind, pk)
        month = self.month(request)
        card = scorecard_for(request.user, self.kind, subject, month)
        urls = links(card, month)
        return render(
            request,
            "cockpit/scorecard.html",
            {
                "card": card,
                "f": card.figures(),
                "urls": urls,
                "charts": charts(card, urls),
                "kind_label": KINDS[self.kind][1],
                "index_url": reverse(f"cockpit:{self.kind}_scorecards"),
                "detail_url": reverse(f"organizations:{self.kind}_detail", args=[subject.code]),
                "light_links": [
                    (label, card.figures()["projects"]["lights"][colour], urls[f"projects_{colour}"])
                    for colour, label in COLOURS.items()
                ],
                "colours": COLOURS,
                "status_css": STATUS_CSS,
                "month": month,
            },
        )


class ScorecardRowsView(_ScorecardGate):
    """The rows behind one number of a card: a section, narrowed by its filter."""

    def get(self, request, pk, section):
        subject = subject_for(request.user, self.kind, pk)
        if section not in SECTIONS:
            raise Http404
        month = self.month(request)
        card = scorecard_for(request.user, self.kind, subject, month)
        filters = {key: request.GET.get(key, "") for key in selectors.FILTERS[section]}
        status = 200
        try:
            rows = card.rows(section, filters)
        except ValueError as error:
            messages.error(request, str(error))
            rows, status = card.rows(section), 400
        active = {key: value for key, value in filters.items() if value}
        return render(
            request,
            "cockpit/scorecard_rows.html",
            {
                "card": card,
                "section": section,
                "section_label": SECTIONS[section],
                "rows": rows,
                "filters": active,
                "filter_words": _filter_words(section, active),
                "card_url": reverse(f"cockpit:{self.kind}_scorecard", args=[subject.pk]),
                "colours": COLOURS,
                "status_css": STATUS_CSS,
            },
            status=status,
        )


def _filter_words(section: str, filters: dict[str, str]) -> str:
    words = []
    if "colour" in filters:
        words.append(COLOURS.get(filters["colour"], filters["colour"]))
    if "status" in filters:
        words.append(filters["status"])
    if filters.get("overdue"):
        words.append("走访逾期" if section == "enterprises" else "逾期")
    if filters.get("escalated"):
        words.append("已督办")
    return "、".join(words)


def scorecard_paths() -> list:
    """The scorecard paths under /cockpit/ (added to the app's urls.py)."""
    from django.urls import path

    found = []
    for kind, prefix in (("leader", "leaders"), ("department", "departments")):
        found += [
            path(f"{prefix}/", ScorecardIndexView.as_view(kind=kind), name=f"{kind}_scorecards"),
            path(f"{prefix}/<int:pk>/", ScorecardView.as_view(kind=kind), name=f"{kind}_scorecard"),
            path(
                f"{prefix}/<int:pk>/<slug:section>/",
                ScorecardRowsView.as_view(kind=kind),
                name=f"{kind}_scorecard_rows",
            ),
        ]
    return found
