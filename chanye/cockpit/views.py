"""The district overview (领导驾驶舱) for district leaders and the 发改局: a page of widgets, each loaded from its
own endpoint with a time limit, and the wall mode for a screen left on all day."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from chanye.cockpit import selectors
from chanye.cockpit.widgets import FAILED, WIDGETS, BudgetExceeded, budget_seconds, time_budget, warm
from chanye.core.views import PermissionGate
from chanye.targets.api import parse_month

VIEW = "cockpit.view"
REFRESH = (300, 2, 86400)  # wall mode: default, lowest and highest seconds between refreshes
TIMEOUT = (15, 1, 120)  # the browser's time limit per widget request, seconds
logger = logging.getLogger(__name__)


def _seconds(request, name: str, bounds: tuple[int, int, int]) -> tuple[int, str | None]:
    default, low, high = bounds
    raw = request.GET.get(name)
    if not raw:
        return default, None
    try:
        value = int(raw)
    except ValueError:
        return default, f"{name} 应为整数秒，已按 {default} 秒"
    if not low <= value <= high:
        return default, f"{name} 应在 {low}–{high} 秒之间，已按 {default} 秒"
    return value, None


def _widgets() -> list[dict]:
    return [
        {"name": w.name, "title": w.title, "width": w.width, "url": reverse("cockpit:widget", args=[w.name])}
        for w in WIDGETS.values()
    ]


class OverviewView(PermissionGate, View):
    """The overview: every widget's box, each filled by its own request for the chosen as-of month."""

    permission_required = VIEW

    def get(self, request):
        try:
            as_of = parse_month(request.GET.get("as_of"), user=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            as_of = selectors.default_month(user=request.user)
        timeout, problem = _seconds(request, "timeout", TIMEOUT)
        return render(
            request,
            "cockpit/overview.html",
            {
                "as_of": as_of,
                "latest": selectors.default_month(user=request.user),
                "widgets": _widgets(),
                "timeout": timeout,
                "problem": problem,
            },
        )


class WallView(PermissionGate, View):
    """Wall mode: full screen, each widget refreshed on its own every `refresh` seconds, the date (and the
    latest month the server reports) following the clock past midnight, without reloading the page."""

    permission_required = VIEW

    def get(self, request):
        refresh, problem = _seconds(request, "refresh", REFRESH)
        timeout, other = _seconds(request, "timeout", TIMEOUT)
        return render(
            request,
            "cockpit/wall.html",
            {
                "widgets": _widgets(),
                "refresh": refresh,
                "timeout": timeout,
                "problems": [p for p in (problem, other) if p],
            },
        )


class WidgetView(PermissionGate, View):
    """One widget's data for the as-of month: an HTML fragment, or JSON with `?format=json`. Works within
    its time budget; past it (or on a database error) it answers 503 with the retry message."""

    permission_required = VIEW

    def get(self, request, name):
        widget = WIDGETS.get(name)
        if widget is None:
            raise Http404
        wants_json = request.GET.get("format") == "json"
        try:
            as_of = parse_month(request.GET.get("as_of"), user=request.user)
        except ValidationError as error:
            if wants_json:
                return JsonResponse({"errors": error.message_dict}, status=400)
            return render(
                request, "cockpit/_widget_failed.html", {"message": "；".join(error.messages)}, status=400
            )
        warm()
        try:
            with time_budget(budget_seconds()):
                data = widget.read(user=request.user, as_of=as_of)
        except (BudgetExceeded, DatabaseError) as error:
            logger.warning("cockpit widget %s failed: %s", name, error.__class__.__name__)
            if wants_json:
                return JsonResponse({"error": FAILED}, status=503)
            return render(request, "cockpit/_widget_failed.html", {"message": FAILED}, status=503)
        if wants_json:
            return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        return render(request, widget.template, {"data": data, "widget": widget, "dom_id": f"cockpit-{name}"})
