"""Pages of the targets module: every target with its status, sentence and fan chart; the edit form for the
发改局 (a stale save answers 409 with the user's input kept)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from chanye.core.errors import StaleEdit
from chanye.core.views import PermissionGate
from chanye.targets import selectors, services
from chanye.targets.api import parse_month
from chanye.targets.forms import TargetForm
from chanye.targets.selectors import TargetStatus

VIEW = "system.view"
STATUS_CLASS = selectors.STATUS_CLASS


def chart_of(item: TargetStatus) -> dict:
    """The fan chart's data: actual yearly figures, the forecast path from the latest figure with its 80% and
    95% bands, the target line; years on the axis from the first figure to the target year."""
    target, o = item.target, item.outlook
    points = dict(item.series.yearly.points)
    path = {year: rest for year, *rest in o.path}
    first = min([*points, target.year])
    last = max([*points, target.year, *path])
    years = list(range(first, last + 1))

    def at(year: int, index: int):
        if year in path:
            return path[year][index]
        if year == o.latest_year and path:
            return o.latest  # the fan opens at the latest figure
        return None

    return {
        "id": target.pk,
        "url": item.indicator_url,
        "title": f"{target.scope_label} · {target.indicator.name}",
        "unit": target.unit,
        "target": float(target.value),
        "target_year": target.year,
        "years": [str(y) for y in years],
        "actual": [points.get(y) for y in years],
        "forecast": [at(y, 0) for y in years],
        "low95": [at(y, 1) for y in years],
        "high95": [at(y, 2) for y in years],
        "low80": [at(y, 3) for y in years],
        "high80": [at(y, 4) for y in years],
    }


class TargetListView(PermissionGate, View):
    permission_required = VIEW

    def get(self, request):
        try:
            as_of = parse_month(request.GET.get("as_of"), user=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            as_of = selectors.latest_month(user=request.user)
        items = selectors.target_outlooks(user=request.user, as_of=as_of)
        rows = [(item, STATUS_CLASS[item.outlook.status.value]) for item in items]
        counts: dict[str, int] = {}
        for item in items:
            counts[item.outlook.status.value] = counts.get(item.outlook.status.value, 0) + 1
        return render(
            request,
            "targets/list.html",
            {
                "rows": rows,
                "as_of": as_of,
                "charts": {item.target.pk: chart_of(item) for item in items},
                "counts": [(name, counts.get(name, 0), css) for name, css in STATUS_CLASS.items()],
                "can_change": services.can_change(request.user),
                "rules": sorted({item.series.rule_text for item in items}),
            },
        )


def _industries():
    from chanye.enterprises.services import current_system

    system = current_system()
    return list(system.industries.filter(active=True).order_by("position")) if system else []


def _history(target) -> list:
    from chanye.audit.models import AuditEvent

    rows = []
    for event in AuditEvent.objects.filter(object_type="targets.target", object_id=str(target.pk)).order_by(
        "-id"
    )[:50]:
        before, after = event.before or {}, event.after or {}
        changes = [
            (key, before.get(key), after.get(key)) for key in after if before.get(key) != after.get(key)
        ]
        rows.append((event, changes))
    return rows


class TargetCreateView(PermissionGate, View):
    permission_required = services.CHANGE

    def get(self, request):
        form = TargetForm(industries=_industries(), initial={"year": date.today().year + 1, "active": True})
        return render(request, "targets/edit.html", {"form": form, "target": None})

    def post(self, request):
        form = TargetForm(request.POST, industries=_industries())
        if form.is_valid():
            try:
                services.target_create(values=form.values(), by=request.user)
            except ValidationError as error:
                _to_form(form, error)
            else:
                messages.success(request, "目标已新增")
                return redirect("targets:list")
        return render(request, "targets/edit.html", {"form": form, "target": None}, status=400)


class TargetEditView(PermissionGate, View):
    permission_required = services.CHANGE

    def _target(self, request, pk):
        target = selectors.target_get(user=request.user, pk=pk)
        if target is None:
            raise Http404
        return target

    def get(self, request, pk):
        target = self._target(request, pk)
        form = TargetForm(industries=_industries(), initial=TargetForm.initial_for(target))
        return render(
            request, "targets/edit.html", {"form": form, "target": target, "history": _history(target)}
        )

    def post(self, request, pk):
        target = self._target(request, pk)
        form = TargetForm(request.POST, industries=_industries())
        status = 400
        if form.is_valid():
            try:
                services.target_update(
                    target=target,
                    values=form.values(),
                    by=request.user,
                    expected_version=form.cleaned_data.get("version"),
                )
            except StaleEdit as stale:
                current = selectors.target_get(user=request.user, pk=pk) or target
                data = request.POST.copy()
                data["version"] = str(current.version)  # saving again, after reading, overwrites knowingly
                form = TargetForm(data, industries=_industries())
                form.is_valid()
                form.add_error(None, str(stale))
                target, status = current, 409
            except ValidationError as error:
                _to_form(form, error)
            except PermissionDenied:
                raise
            else:
                messages.success(request, "目标已保存")
                return redirect("targets:list")
        return render(
            request,
            "targets/edit.html",
            {"form": form, "target": target, "history": _history(target)},
            status=status,
        )


def _to_form(form: TargetForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            name = "scope" if name == "industry" else name
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)
