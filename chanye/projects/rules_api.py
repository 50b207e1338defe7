"""REST API of the light rules: the versions (list, and a new one from the 发改局) and the back-test of a month
under two rule sets. Same services as the pages (`chanye.projects.light_rules`)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chanye.core.errors import StaleEdit
from chanye.projects import light_rules, selectors, services
from chanye.projects.models import LightRules


class RuleChange(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class RuleVersion(serializers.Serializer):
    version = serializers.IntegerField()
    rules = serializers.DictField(
        help_text="every rule field: percentage points as strings, months as integers"
    )
    note = serializers.CharField()
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    changes = RuleChange(many=True, help_text="against the version before (or the published defaults)")


class RuleVersions(serializers.Serializer):
    current = serializers.IntegerField(allow_null=True, help_text="the version in force; null: the defaults")
    rules = serializers.DictField()
    describe = serializers.ListField(
        child=serializers.CharField(), help_text="the rules in force, in Chinese"
    )
    results = RuleVersion(many=True)


class RuleWrite(serializers.Serializer):
    """Rule fields to change (any of progress_yellow_pp, progress_red_pp, not_started_red_months,
    bond_window_months, bond_yellow_pp, bond_red_pp, late_filing_colour, completed_colour); the others keep
    the values in force."""

    note = serializers.CharField(help_text="why the rules change")
    version = serializers.IntegerField(
        required=False, help_text="the version you read (0: none); stale → 409"
    )


def _version(version: LightRules, older: LightRules | None) -> dict:
    before = light_rules.stored_rules(older) if older else light_rules.lights.DEFAULT_RULES
    rules = light_rules.stored_rules(version)
    return {
        "version": version.pk,
        "rules": rules.to_dict(),
        "note": version.note,
        "created_by": version.created_by.get_username() if version.created_by else None,
        "created_at": timezone.localtime(version.created_at),
        "changes": [
            {"field": d["key"], "label": d["label"], "old": d["old"], "new": d["new"]}
            for d in light_rules.rules_diff(before, rules)
        ],
    }


class LightRulesApi(APIView):
    """The light rules' versions, newest first (the first is in force). POST saves a new version: the fields
    given over the rules in force, with a note; every bad field comes back named (400)."""

    permission_required = "projects.rules"
    write_permission = "projects.rules"

    @extend_schema(responses=RuleVersions)
    def get(self, request):
        versions = list(light_rules.rules_versions())
        current = versions[0] if versions else None
        rules = light_rules.stored_rules(current) if current else light_rules.lights.DEFAULT_RULES
        return Response(
            {
                "current": current.pk if current else None,
                "rules": rules.to_dict(),
                "describe": list(rules.describe()),
                "results": RuleVersion(
                    [
                        _version(v, versions[i + 1] if i + 1 < len(versions) else None)
                        for i, v in enumerate(versions)
                    ],
                    many=True,
                ).data,
            }
        )

    @extend_schema(
        request=RuleWrite, responses={201: RuleVersion, 400: OpenApiResponse(), 409: OpenApiResponse()}
    )
    def post(self, request):
        data = dict(request.data.items()) if hasattr(request.data, "items") else {}
        note = str(data.pop("note", "") or "")
        version = data.pop("version", None)
        if version is not None and (isinstance(version, bool) or not str(version).isdigit()):
            raise serializers.ValidationError(
                {"version": ["版本应为整数（你读取时的现行版本号，0 表示尚无版本）"]}
            )
        try:
            saved = light_rules.light_rules_save(
                values=data,
                note=note,
                by=request.user,
                expected_version=None if version is None else int(version),
            )
        except StaleEdit as stale:
            current = LightRules.objects.order_by("-id").values_list("id", flat=True).first()
            return Response(
                {"detail": str(stale), "current_version": current}, status=status.HTTP_409_CONFLICT
            )
        older = LightRules.objects.filter(pk__lt=saved.pk).order_by("-id").first()
        return Response(RuleVersion(_version(saved, older)).data, status=status.HTTP_201_CREATED)


class BackTestLight(serializers.Serializer):
    colour = serializers.CharField()
    sentence = serializers.CharField()
    reasons = serializers.ListField(child=serializers.DictField())


class BackTestRow(serializers.Serializer):
    project = serializers.CharField()
    name = serializers.CharField()
    changed = serializers.BooleanField()
    before = BackTestLight()
    after = BackTestLight()


class BackTestSide(serializers.Serializer):
    version = serializers.CharField(help_text="a version number, default or draft")
    label = serializers.CharField()
    rules = serializers.DictField()


class BackTestResponse(serializers.Serializer):
    period = serializers.CharField()
    old = BackTestSide()
    new = BackTestSide()
    differences = RuleChange(many=True)
    counts = serializers.DictField(help_text="{before: {red: n, …}, after: {…}}")
    changes = BackTestRow(many=True, help_text="the projects whose colour changes (all with ?all=1)")


def _light(light) -> dict:
    return {
        "colour": light.colour,
        "sentence": light.sentence,
        "reasons": [reason.__dict__ for reason in light.reasons],
    }


class BackTestApi(APIView):
    """A month's lights (`period=YYYY-MM`, default the latest filed) under two rule sets: `old` and `new` are
    a version number, `current`, `previous`, `default` or `draft` (draft: the rule fields given as parameters
    over the rules in force, e.g. `&progress_yellow_pp=5`); the projects whose colour changes, with both
    lights' reasons, and the counts per colour before and after."""

    permission_required = "projects.rules"

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="YYYY-MM"),
            OpenApiParameter("old", str, description="version, current, previous, default or draft"),
            OpenApiParameter("new", str, description="version, current, previous, default or draft"),
            OpenApiParameter("all", bool, description="every project, not only those that change"),
        ],
        responses=BackTestResponse,
    )
    def get(self, request):
        params = request.query_params
        text = params.get("period")
        period = services.parse_period(text) if text else selectors.latest_period(user=request.user)
        draft = {key: params[key] for key in light_rules.FIELDS if key in params}
        new_key = params.get("new") or ("draft" if draft else "current")
        old_key = params.get("old") or ("current" if new_key == "draft" else "previous")
        errors: dict[str, list[str]] = {}
        chosen = {}
        for what, key in (("old", old_key), ("new", new_key)):
            try:
                chosen[what] = light_rules.choose_rules(key, draft=draft, what=what)
            except ValidationError as error:  # both sides' problems in one answer
                for field, problems in error.message_dict.items():
                    errors.setdefault(field, []).extend(problems)
        if errors:
            raise serializers.ValidationError(errors)
        result = light_rules.back_test(user=request.user, period=period, old=chosen["old"], new=chosen["new"])
        rows = result.rows if params.get("all") in ("1", "true") else result.changes
        return Response(
            {
                "period": f"{period:%Y-%m}",
                "old": {
                    "version": result.old.key,
                    "label": result.old.label,
                    "rules": result.old.rules.to_dict(),
                },
                "new": {
                    "version": result.new.key,
                    "label": result.new.label,
                    "rules": result.new.rules.to_dict(),
                },
                "differences": [
                    {"field": d["key"], "label": d["label"], "old": d["old"], "new": d["new"]}
                    for d in result.diff
                ],
                "counts": {"before": result.before, "after": result.after},
                "changes": [
                    {
                        "project": row.project.code,
                        "name": row.project.name,
                        "changed": row.changed,
                        "before": _light(row.before),
                        "after": _light(row.after),
                    }
                    for row in rows
                ],
            }
        )
