"""The light rules page (versions, the rules in force in Chinese, the form that saves a new version) and the
back-test page (a month's lights under two rule sets, a draft included)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from chanye.core.errors import StaleEdit
from chanye.core.views import PermissionGate
from chanye.projects import light_rules, lights, selectors, services

COLOUR_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "未亮灯"}


def _form_fields(values: dict, errors: dict) -> list[dict]:
    """The form's fields: name, label, meaning, value, choices for colours, the error."""
    fields = []
    for key, (label, meaning) in light_rules.FIELDS.items():
        choices = [(c, lights.LABELS[c]) for c in light_rules.COLOUR_CHOICES.get(key, ())]
        fields.append(
            {
                "key": key,
                "label": label,
                "meaning": meaning,
                "value": str(values.get(key, "")),
                "choices": choices,
                "error": errors.get(key, ""),
            }
        )
    return fields


class LightRulesView(PermissionGate, View):
    """The rules in force with their meaning, every saved version, and a form for the next one."""

    permission_required = "projects.rules"

    def _render(self, request, *, values=None, errors=None, note="", status=200):
        versions = list(light_rules.rules_versions())
        current = versions[0] if versions else None
        rules = light_rules.stored_rules(current) if current else lights.DEFAULT_RULES
        start = request.GET.get("from", "")
        if values is None:
            values = rules.to_dict()
            if start:
                try:
                    values = light_rules.choose_rules(start, what="from").rules.to_dict()
                    note = "恢复默认规则" if start == "default" else f"恢复规则 v{start.removeprefix('v')}"
                except ValidationError as error:
                    messages.error(request, "；".join(error.messages))
        rows = []
        for index, version in enumerate(versions):
            older = versions[index + 1] if index + 1 < len(versions) else None
            before = light_rules.stored_rules(older) if older else lights.DEFAULT_RULES
            rows.append(
                {
                    "v": version,
                    "diff": light_rules.rules_diff(before, light_rules.stored_rules(version)),
                    "previous": older.pk if older else "default",
                }
            )
        errors = errors or {}
        return render(
            request,
            "projects/rules.html",
            {
                "current": current,
                "table": light_rules.rules_table(rules),
                "sentences": rules.describe(),
                "versions": rows,
                "fields": _form_fields(values, errors),
                "general_errors": errors.get("__all__", ""),
                "note": note,
                "note_error": errors.get("note", ""),
                "period": selectors.latest_period(user=request.user),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request)

    def post(self, request):
        values = {key: request.POST.get(key, "") for key in light_rules.FIELDS}
        note = request.POST.get("note", "")
        if "preview" in request.POST:  # check the draft here, then show its back-test (a GET, shareable)
            try:
                light_rules.choose_rules("draft", draft=values)
            except ValidationError as error:
                errors = {key: "；".join(problems) for key, problems in error.message_dict.items()}
                return self._render(request, values=values, errors=errors, note=note, status=400)
            query = urlencode({"period": request.POST["preview"], "old": "current", "new": "draft", **values})
            return redirect(f"{reverse('projects:backtest')}?{query}")
        version = request.POST.get("version", "")
        try:
            saved = light_rules.light_rules_save(
                values=values,
                note=note,
                by=request.user,
                expected_version=int(version) if version.isdigit() else None,
            )
        except StaleEdit as stale:
            return self._render(request, values=values, errors={"__all__": str(stale)}, note=note, status=409)
        except ValidationError as error:
            errors = {key: "；".join(problems) for key, problems in error.message_dict.items()}
            return self._render(request, values=values, errors=errors, note=note, status=400)
        messages.success(request, f"已保存红黄绿灯规则 v{saved.pk}，即日起按新规则亮灯")
        return redirect("projects:rules")


class BackTestView(PermissionGate, View):
    """A month's lights recomputed under two rule sets (saved versions, the defaults or a draft): per project
    the colour before and after with the reasons, and the counts per colour."""

    permission_required = "projects.rules"

    def get(self, request):
        params = request.GET
        errors: dict[str, str] = {}
        try:
            period = (
                services.parse_period(params["period"])
                if params.get("period")
                else selectors.latest_period(user=request.user)
            )
        except ValidationError as error:
            errors["period"] = "；".join(error.messages)
            period = selectors.latest_period(user=request.user)
        draft = {key: params[key] for key in light_rules.FIELDS if key in params}
        new_key = params.get("new") or ("draft" if draft else "current")
        old_key = params.get("old") or ("current" if new_key == "draft" else "previous")
        chosen = {}
        picked = (("old", old_key), ("new", new_key))
        for what, key in picked:
            try:
                chosen[what] = light_rules.choose_rules(key, draft=draft, what=what)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    errors[field] = "；".join(problems)
        result = None
        if "old" in chosen and "new" in chosen:
            result = light_rules.back_test(
                user=request.user, period=period, old=chosen["old"], new=chosen["new"]
            )
        show_all = params.get("all") == "1"
        versions = list(light_rules.rules_versions())
        return render(
            request,
            "projects/backtest.html",
            {
                "period": period,
                "choices": [(what, chosen[what].key if what in chosen else key) for what, key in picked],
                "draft": draft,
                "errors": errors,
                "field_labels": {key: label for key, (label, _m) in light_rules.FIELDS.items()},
                "result": result,
                "rows": (result.rows if show_all else result.changes) if result else [],
                "show_all": show_all,
                "labels": COLOUR_LABELS,
                "versions": versions,
                "current": versions[0] if versions else None,
                "query": params.urlencode(),
            },
            status=400 if errors else 200,
        )
