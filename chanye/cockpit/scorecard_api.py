"""REST API of the scorecards: `/api/v1/scorecards/leaders/<pk>/` and `/api/v1/scorecards/departments/<pk>/`
return the figures of a card (the same selector as the page), its projects with their lights and reasons, its
targets with their statuses and sentences, and the link to the rows behind each number."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from chanye.cockpit import scorecard_selectors as selectors
from chanye.cockpit import scorecard_views as pages
from chanye.cockpit.scorecard_selectors import Scorecard
from chanye.targets.api import STATUS_CODES


class ProjectLight(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField()
    colour = serializers.ChoiceField(list(selectors.COLOURS))
    reason = serializers.CharField(help_text="the rule and numbers that lit the light, in a sentence")
    total_investment = serializers.DecimalField(max_digits=20, decimal_places=4, help_text="万元")
    plan = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, help_text="万元")
    cumulative = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, help_text="万元")
    completion = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True, help_text="%")


class TargetLine(serializers.Serializer):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
    scope = serializers.CharField(help_text="district, or the industry's code")
    year = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    status = serializers.CharField(help_text="达标, 正常, 预警, 滞后 or 无数据")
    status_code = serializers.CharField()
    probability = serializers.FloatField(allow_null=True)
    sentence = serializers.CharField()


class ScorecardSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(["leader", "department"])
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    period = serializers.CharField(help_text="the month of the project lights, YYYY-MM")
    as_of = serializers.CharField(help_text="the month the targets are seen from, YYYY-MM")
    figures = serializers.DictField(help_text="industries, enterprises, projects, targets, cases: the counts")
    industries = serializers.ListField(child=serializers.DictField())
    projects = ProjectLight(many=True)
    targets = TargetLine(many=True)
    links = serializers.DictField(child=serializers.CharField(), help_text="the rows behind each number")


def scorecard_out(card: Scorecard, links: dict[str, str]) -> dict:
    """A card as the API returns it (money in 万元, as the project library keeps it)."""
    return {
        "kind": card.kind,
        "id": card.subject.pk,
        "code": card.subject.code,
        "name": card.name,
        "period": f"{card.period:%Y-%m}",
        "as_of": f"{card.as_of:%Y-%m}",
        "figures": card.figures(),
        "industries": [
            {"code": row.industry.code, "name": row.industry.name, "roles": row.roles}
            for row in card.industries
        ],
        "projects": [
            {
                "code": row.project.code,
                "name": row.project.name,
                "stage": row.project.stage,
                "colour": row.light.colour,
                "reason": row.light.sentence,
                "total_investment": row.project.total_investment,
                "plan": row.plan,
                "cumulative": row.cumulative,
                "completion": row.completion,
            }
            for row in card.projects
        ],
        "targets": [
            {
                "id": item.target.pk,
                "indicator": item.target.indicator.code,
                "scope": item.target.scope_code,
                "year": item.target.year,
                "value": item.target.value,
                "status": item.outlook.status.value,
                "status_code": STATUS_CODES[item.outlook.status.value],
                "probability": item.outlook.probability,
                "sentence": item.outlook.sentence,
            }
            for item in card.targets
        ],
        "links": links,
    }


class _ScorecardApi(APIView):
    """One leader's (or department's) scorecard. The 发改局 and district leaders read every card, a department
    officer their own department's; 403 otherwise, 404 for no such leader or department."""

    permission_required = "system.view"
    kind = "leader"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                description="YYYY-MM (default: the latest filing month for lights, the latest figures for targets)",
            )
        ],
        responses=ScorecardSerializer,
    )
    def get(self, request, pk):
        if not selectors.can_view_scorecards(request.user):
            raise PermissionDenied("您的角色无权查看计分卡")
        subject = pages.subject_for(request.user, self.kind, pk)
        month = pages.parse_month(request.query_params.get("month"))
        card = pages.scorecard_for(request.user, self.kind, subject, month)
        return Response(ScorecardSerializer(scorecard_out(card, pages.links(card, month))).data)


class LeaderScorecardApi(_ScorecardApi):
    kind = "leader"


class DepartmentScorecardApi(_ScorecardApi):
    kind = "department"


urlpatterns = [
    path("scorecards/leaders/<int:pk>/", LeaderScorecardApi.as_view(), name="leader-scorecard"),
    path("scorecards/departments/<int:pk>/", DepartmentScorecardApi.as_view(), name="department-scorecard"),
]
