"""REST API of the key projects: the library, and monthly filings with their workflow. Every write goes
through the same services as the pages; a stale `version` gets 409 with the current one."""

import functools
from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.enterprises.models import Enterprise
from chanye.organizations.models import Department, Leader, Street
from chanye.projects import selectors, services
from chanye.projects.models import Bond, Category, Filing, MilestoneKind, Project, Stage


class ByCode(CursorPagination):
    ordering = "code"
    page_size = 50


class ByPeriod(CursorPagination):
    ordering = ("-period", "id")
    page_size = 50


class ProjectSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="uscc", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    leader = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "owner",
            "industry",
            "street",
            "category",
            "stage",
            "total_investment",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "leader",
            "department",
            "funding",
            "location",
            "content",
            "synthetic",
            "version",
        ]


class Stale(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


@extend_schema_field(OpenApiTypes.STR)
class CurrentIndustry(serializers.SlugRelatedField):
    """An industry of the current system, by its code."""

    def get_queryset(self):
        from chanye.enterprises.services import current_system
        from chanye.industries.models import Industry

        system = current_system()
        return system.industries.filter(active=True) if system else Industry.objects.none()


class ProjectWrite(serializers.Serializer):
    """A project's profile as the API takes it; related rows by their codes (owner by USCC)."""

    code = serializers.CharField(max_length=30, required=False, help_text="create only; the key")
    name = serializers.CharField(max_length=200, required=False)
    owner = serializers.SlugRelatedField(
        slug_field="uscc", queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    industry = CurrentIndustry(slug_field="code", required=False, allow_null=True)
    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Street.objects.all(), required=False, allow_null=True
    )
    category = serializers.ChoiceField(Category.choices, required=False)
    stage = serializers.ChoiceField(
        Stage.choices, required=False, help_text="create only; later it moves in the year-end batch"
    )
    total_investment = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=0, required=False)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    leader = serializers.SlugRelatedField(
        slug_field="code", queryset=Leader.objects.all(), required=False, allow_null=True
    )
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True
    )
    funding = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="the version you read; a stale one gets 409")


class PlanOut(serializers.Serializer):
    year = serializers.IntegerField()
    planned_investment = serializers.DecimalField(max_digits=18, decimal_places=4)
    completed_before = serializers.DecimalField(max_digits=18, decimal_places=4)
    curve = serializers.ListField(
        child=serializers.CharField(), help_text="12 cumulative shares of the year's plan; [] = pro rata"
    )
    monthly_amounts = serializers.ListField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4), help_text="each month's plan, 万元"
    )


class PlanWrite(serializers.Serializer):
    """A year's plan. Give at most one of monthly_amounts (12 × 万元, summing to the plan), monthly_shares
    (12 × percent, summing to 100) or curve (12 cumulative shares ending at 1); none means pro rata."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    planned_investment = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=0)
    completed_before = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=0, required=False)
    monthly_amounts = serializers.ListField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4),
        required=False,
        min_length=12,
        max_length=12,
    )
    monthly_shares = serializers.ListField(
        child=serializers.DecimalField(max_digits=9, decimal_places=4),
        required=False,
        min_length=12,
        max_length=12,
    )
    curve = serializers.ListField(
        child=serializers.DecimalField(max_digits=9, decimal_places=6),
        required=False,
        min_length=12,
        max_length=12,
    )
    version = serializers.IntegerField(required=False, help_text="the project's version you read")


class MilestoneOut(serializers.Serializer):
    kind = serializers.ChoiceField(MilestoneKind.choices)
    label = serializers.CharField()
    planned_on = serializers.DateField(allow_null=True)
    actual_on = serializers.DateField(allow_null=True)


class MilestoneWrite(serializers.Serializer):
    """One milestone's dates; a date left out stays as it is, null clears it. The actual date is taken
    only from the project's reviewers (its responsible department, the DRC)."""

    kind = serializers.ChoiceField(MilestoneKind.choices)
    planned_on = serializers.DateField(required=False, allow_null=True)
    actual_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, help_text="the project's version you read")


class SpendOut(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    amount = serializers.DecimalField(max_digits=18, decimal_places=4)


class BondOut(serializers.Serializer):
    id = serializers.IntegerField()
    batch = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=4)
    issued_on = serializers.DateField()
    window_months = serializers.IntegerField()
    spent = serializers.DecimalField(max_digits=18, decimal_places=4)
    spends = SpendOut(many=True)


class BondWrite(serializers.Serializer):
    batch = serializers.CharField(max_length=60, required=False)
    amount = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    issued_on = serializers.DateField(required=False)
    window_months = serializers.IntegerField(required=False, help_text="use window in months; 6 by default")
    version = serializers.IntegerField(required=False, help_text="the project's version you read")


class SpendWrite(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=4, help_text="the month's spend; 0 clears"
    )
    version = serializers.IntegerField(required=False, help_text="the project's version you read")


@functools.cache
def _listing(item):
    """`{"version": …, "results": [item]}`: a project's rows with the project version to write back."""
    return inline_serializer(
        name=f"{item.__name__}List",
        fields={"version": serializers.IntegerField(), "results": item(many=True)},
    )


@functools.cache
def _saved(item):
    return inline_serializer(
        name=f"{item.__name__}Saved", fields={"version": serializers.IntegerField(), "result": item()}
    )


def _project_stale(project: Project, error: services.StaleEdit) -> Response:
    current = Project.objects.filter(pk=project.pk).values_list("version", flat=True).first()
    return Response({"detail": str(error), "current_version": current}, status=status.HTTP_409_CONFLICT)


def _plan_out(plan) -> dict:
    return {
        "year": plan.year,
        "planned_investment": plan.planned_investment,
        "completed_before": plan.completed_before,
        "curve": [str(value) for value in plan.curve or []],
        "monthly_amounts": services.monthly_amounts(plan),
    }


def _bond_out(bond) -> dict:
    spends = list(bond.spends.order_by("period"))
    return {
        "id": bond.pk,
        "batch": bond.batch,
        "amount": bond.amount,
        "issued_on": bond.issued_on,
        "window_months": bond.window_months,
        "spent": sum((s.amount for s in spends), Decimal(0)),
        "spends": [{"period": f"{s.period:%Y-%m}", "amount": s.amount} for s in spends],
    }


def _milestones_out(project: Project) -> list[dict]:
    return [
        {"kind": m.kind, "label": m.get_kind_display(), "planned_on": m.planned_on, "actual_on": m.actual_on}
        for m in project.milestones.order_by("planned_on", "kind")
    ]


BOND_ID = OpenApiParameter("bond_id", int, OpenApiParameter.PATH, description="the bond batch's id")


class ProjectViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    """The key-project library in the caller's scope. POST creates a project and PATCH changes one (with the
    `version` you read; a stale one gets 409), for users with projects.change in their scope. The year's
    plans, milestones, special bonds and their monthly spend hang under each project; every write there
    takes and moves the same project version."""

    permission_required = "projects.view"
    write_permission = "projects.change"
    action_permissions = {
        "plans:GET": "projects.view",
        "plans:POST": "projects.change",
        "milestones:GET": "projects.view",
        "milestones:POST": "projects.view",  # reviewers set actual dates; the service decides
        "bonds:GET": "projects.view",
        "bonds:POST": "projects.change",
        "bond": "projects.change",
        "bond_spends": "projects.change",
    }
    lookup_field = "code"
    serializer_class = ProjectSerializer
    pagination_class = ByCode
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = selectors.project_list(user=self.request.user)
        stage = self.request.query_params.get("stage")
        return queryset.filter(stage=stage) if stage else queryset

    @staticmethod
    def _values(data) -> dict:
        return {name: data[name] for name in services.PROJECT_FIELDS if name in data}

    @extend_schema(request=ProjectWrite, responses={201: ProjectSerializer})
    def create(self, request, *args, **kwargs):
        payload = ProjectWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        project = services.project_create(
            values={"code": data.get("code", ""), **self._values(data)},
            stage=data.get("stage", Stage.RESERVE),
            by=request.user,
        )
        return Response(ProjectSerializer(project).data, status=201)

    @extend_schema(request=ProjectWrite, responses={200: ProjectSerializer, 409: OpenApiResponse(Stale)})
    def partial_update(self, request, code=None):
        project = self.get_object()
        payload = ProjectWrite(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        values = self._values(data) | {name: data[name] for name in ("code", "stage") if name in data}
        try:
            project = services.project_update(
                project=project, values=values, by=request.user, expected_version=data.get("version")
            )
        except services.StaleEdit as stale:
            return _project_stale(project, stale)
        return Response(ProjectSerializer(project).data)

    @extend_schema(methods=["GET"], responses=_listing(PlanOut))
    @extend_schema(
        methods=["POST"], request=PlanWrite, responses={200: _saved(PlanOut), 409: OpenApiResponse(Stale)}
    )
    @action(detail=True, methods=["get", "post"])
    def plans(self, request, code=None):
        """The project's annual plans; POST saves one year's (created or replaced)."""
        project = self.get_object()
        if request.method == "GET":
            plans = project.plans.order_by("year")
            return Response(
                {
                    "version": project.version,
                    "results": PlanOut([_plan_out(p) for p in plans], many=True).data,
                }
            )
        payload = PlanWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        given = [name for name in ("monthly_amounts", "monthly_shares", "curve") if name in data]
        if len(given) > 1:
            raise serializers.ValidationError(
                {given[1]: ["请只给出 monthly_amounts、monthly_shares、curve 中的一种"]}
            )
        monthly = data.get("monthly_amounts", data.get("monthly_shares"))
        try:
            plan = services.plan_save(
                project=project,
                year=data["year"],
                planned_investment=data["planned_investment"],
                completed_before=data.get("completed_before"),
                monthly=list(monthly) if monthly is not None else None,
                unit="share" if "monthly_shares" in data else "amount",
                curve=list(data["curve"]) if "curve" in data else None,
                by=request.user,
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return _project_stale(project, stale)
        project.refresh_from_db(fields=["version"])
        return Response({"version": project.version, "result": PlanOut(_plan_out(plan)).data})

    @extend_schema(methods=["GET"], responses=_listing(MilestoneOut))
    @extend_schema(
        methods=["POST"],
        request=MilestoneWrite,
        responses={200: _listing(MilestoneOut), 409: OpenApiResponse(Stale)},
    )
    @action(detail=True, methods=["get", "post"])
    def milestones(self, request, code=None):
        """The project's milestones; POST sets one milestone's planned and/or actual date."""
        project = self.get_object()
        if request.method == "POST":
            payload = MilestoneWrite(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            current = project.milestones.filter(kind=data["kind"]).first()
            dates = (
                data.get("planned_on", current.planned_on if current else None),
                data.get("actual_on", current.actual_on if current else None),
            )
            try:
                services.milestones_save(
                    project=project,
                    dates={data["kind"]: dates},
                    by=request.user,
                    expected_version=data.get("version"),
                )
            except services.StaleEdit as stale:
                return _project_stale(project, stale)
            project.refresh_from_db(fields=["version"])
        return Response(
            {"version": project.version, "results": MilestoneOut(_milestones_out(project), many=True).data}
        )

    @extend_schema(methods=["GET"], responses=_listing(BondOut))
    @extend_schema(
        methods=["POST"], request=BondWrite, responses={201: _saved(BondOut), 409: OpenApiResponse(Stale)}
    )
    @action(detail=True, methods=["get", "post"])
    def bonds(self, request, code=None):
        """The project's special bonds with their monthly spend; POST adds a batch."""
        project = self.get_object()
        if request.method == "GET":
            bonds = project.bonds.order_by("issued_on", "id")
            return Response(
                {
                    "version": project.version,
                    "results": BondOut([_bond_out(b) for b in bonds], many=True).data,
                }
            )
        payload = BondWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            bond = services.bond_save(
                project=project,
                values={name: value for name, value in data.items() if name != "version"},
                by=request.user,
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return _project_stale(project, stale)
        project.refresh_from_db(fields=["version"])
        return Response({"version": project.version, "result": BondOut(_bond_out(bond)).data}, status=201)

    @extend_schema(
        parameters=[BOND_ID],
        request=BondWrite,
        responses={200: _saved(BondOut), 409: OpenApiResponse(Stale)},
    )
    @action(detail=True, methods=["patch"], url_path=r"bonds/(?P<bond_id>\d+)", url_name="bond")
    def bond(self, request, code=None, bond_id=None):
        """Change a special-bond batch (batch, amount, issue date, use window)."""
        project = self.get_object()
        bond = get_object_or_404(Bond, pk=bond_id, project=project)
        payload = BondWrite(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            bond = services.bond_save(
                project=project,
                bond=bond,
                values={name: value for name, value in data.items() if name != "version"},
                by=request.user,
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return _project_stale(project, stale)
        project.refresh_from_db(fields=["version"])
        return Response({"version": project.version, "result": BondOut(_bond_out(bond)).data})

    @extend_schema(
        parameters=[BOND_ID],
        request=SpendWrite,
        responses={200: _saved(BondOut), 409: OpenApiResponse(Stale)},
    )
    @action(detail=True, methods=["post"], url_path=r"bonds/(?P<bond_id>\d+)/spends", url_name="bond-spends")
    def bond_spends(self, request, code=None, bond_id=None):
        """Record a bond's spend for a month (replacing that month's; 0 clears it). The bond's total spend
        cannot exceed its amount."""
        project = self.get_object()
        bond = get_object_or_404(Bond, pk=bond_id, project=project)
        payload = SpendWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.bond_spend_save(
                bond=bond,
                period=services.parse_period(data["period"]),
                amount=data["amount"],
                by=request.user,
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return _project_stale(project, stale)
        project.refresh_from_db(fields=["version"])
        bond.refresh_from_db()
        return Response({"version": project.version, "result": BondOut(_bond_out(bond)).data})


class FilingSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.DateField(format="%Y-%m", read_only=True)
    milestones = serializers.ListField(child=serializers.ChoiceField(MilestoneKind.choices), required=False)
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Filing
        fields = [
            "id",
            "project",
            "period",
            "investment",
            "cumulative",
            "milestones",
            "narrative",
            "blockers",
            "status",
            "return_reason",
            "due_on",
            "submitted_at",
            "reviewed_at",
            "late",
            "version",
        ]
        read_only_fields = ["status", "return_reason", "due_on", "submitted_at", "reviewed_at"]


class FilingWrite(serializers.Serializer):
    project = serializers.CharField(help_text="project code (create only)", required=False)
    period = serializers.CharField(help_text="YYYY-MM (create only)", required=False)
    investment = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    cumulative = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    milestones = serializers.ListField(child=serializers.ChoiceField(MilestoneKind.choices), required=False)
    narrative = serializers.CharField(required=False, allow_blank=True)
    blockers = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="the version you read; a stale one gets 409")
    submit = serializers.BooleanField(default=False)


class ReviewWrite(serializers.Serializer):
    version = serializers.IntegerField()
    return_reason = serializers.CharField(required=False, allow_blank=True)


def _stale(filing_pk: int, error: services.StaleEdit) -> Response:
    current = Filing.objects.filter(pk=filing_pk).values_list("version", flat=True).first()
    return Response({"detail": str(error), "current_version": current}, status=status.HTTP_409_CONFLICT)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Monthly filings in the caller's scope. POST creates or saves a month's filing (`submit: true`
    submits it); PATCH edits a draft or returned one; `accept` and `return` are the department's."""

    permission_required = "projects.view"
    write_permission = "projects.file"
    action_permissions = {"accept": "projects.review", "send_back": "projects.review"}
    serializer_class = FilingSerializer
    pagination_class = ByPeriod
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Filing.objects.visible_to(self.request.user).select_related("project")
        params = self.request.query_params
        if params.get("project"):
            queryset = queryset.filter(project__code=params["project"])
        if params.get("period"):
            queryset = queryset.filter(period=services.parse_period(params["period"]))
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        return queryset

    @staticmethod
    def _values(data) -> dict:
        return {name: data[name] for name in services.FILED_FIELDS if name in data}

    @extend_schema(request=FilingWrite, responses={201: FilingSerializer, 409: OpenApiResponse(Stale)})
    def create(self, request):
        payload = FilingWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if not data.get("project") or not data.get("period"):
            raise serializers.ValidationError({"project": ["请给出项目编号和月份（YYYY-MM）"]})
        project = get_object_or_404(selectors.project_list(user=request.user), code=data["project"])
        period = services.parse_period(data["period"])
        try:
            filing = services.filing_save(
                project=project,
                period=period,
                values=self._values(data),
                by=request.user,
                expected_version=data.get("version"),
                submit=data["submit"],
            )
        except services.StaleEdit as stale:  # the month's filing may have been created a moment ago
            current = Filing.objects.filter(project=project, period=period).values_list("pk", flat=True)
            return _stale(current.first() or 0, stale)
        return Response(FilingSerializer(filing).data, status=201)

    @extend_schema(request=FilingWrite, responses={200: FilingSerializer, 409: OpenApiResponse(Stale)})
    def partial_update(self, request, pk=None):
        filing = self.get_object()
        payload = FilingWrite(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            filing = services.filing_save(
                project=filing.project,
                period=filing.period,
                values=self._values(data),
                by=request.user,
                expected_version=data.get("version"),
                submit=data.get("submit", False),
            )
        except services.StaleEdit as stale:
            return _stale(filing.pk, stale)
        return Response(FilingSerializer(filing).data)

    @extend_schema(request=ReviewWrite, responses={200: FilingSerializer, 409: OpenApiResponse(Stale)})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        filing = self.get_object()
        payload = ReviewWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            filing = services.filing_accept(
                filing=filing, by=request.user, expected_version=payload.validated_data["version"]
            )
        except services.StaleEdit as stale:
            return _stale(filing.pk, stale)
        return Response(FilingSerializer(filing).data)

    @extend_schema(request=ReviewWrite, responses={200: FilingSerializer, 409: OpenApiResponse(Stale)})
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        filing = self.get_object()
        payload = ReviewWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            filing = services.filing_return(
                filing=filing,
                reason=payload.validated_data.get("return_reason", ""),
                by=request.user,
                expected_version=payload.validated_data["version"],
            )
        except services.StaleEdit as stale:
            return _stale(filing.pk, stale)
        return Response(FilingSerializer(filing).data)


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    colour = serializers.CharField()
    sentence = serializers.CharField()
    numbers = serializers.DictField(child=serializers.CharField())


class LightSerializer(serializers.Serializer):
    project = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField()
    colour = serializers.CharField(help_text="red, yellow, green or grey (no light)")
    sentence = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class LightsResponse(serializers.Serializer):
    as_of = serializers.CharField()
    results = LightSerializer(many=True)


class LightsApi(APIView):
    """Each visible project's light as of a month (`?as_of=YYYY-MM`, default the latest month filed), with
    the rule and the numbers behind every reason."""

    permission_required = "projects.view"

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="YYYY-MM")],
        responses=LightsResponse,
    )
    def get(self, request):
        text = request.query_params.get("as_of")
        period = services.parse_period(text) if text else selectors.latest_period(user=request.user)
        rows = [
            {
                "project": project.code,
                "name": project.name,
                "stage": project.stage,
                "colour": light.colour,
                "sentence": light.sentence,
                "reasons": [reason.__dict__ for reason in light.reasons],
            }
            for project, light in selectors.project_lights(user=request.user, period=period)
        ]
        return Response({"as_of": f"{period:%Y-%m}", "results": LightSerializer(rows, many=True).data})


class ForecastMonth(serializers.Serializer):
    month = serializers.IntegerField()
    planned = serializers.CharField(help_text="planned cumulative, 万元")
    actual = serializers.CharField(allow_null=True, help_text="actual cumulative, 万元; null after as_of")
    forecast = serializers.CharField(help_text="forecast cumulative, 万元")


class ForecastContributor(serializers.Serializer):
    project = serializers.CharField()
    name = serializers.CharField()
    shortfall = serializers.CharField(help_text="plan − forecast, 万元")
    share = serializers.CharField(help_text="of the total shortfall, 0–1")


class ForecastSerializer(serializers.Serializer):
    as_of = serializers.CharField()
    target = serializers.CharField(allow_null=True, help_text="the system's FAI target, 万元")
    planned_year = serializers.CharField()
    actual_to_date = serializers.CharField()
    forecast_year = serializers.CharField()
    gap = serializers.CharField(allow_null=True, help_text="target − forecast, 万元; positive = short")
    monthly = ForecastMonth(many=True)
    contributors = ForecastContributor(many=True)


class ForecastApi(APIView):
    """The year's FAI forecast over the visible projects as of a month, with the target, the monthly series
    and the projects that explain most of the gap (amounts in 万元)."""

    permission_required = "projects.view"

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="YYYY-MM")], responses=ForecastSerializer
    )
    def get(self, request):
        text = request.query_params.get("as_of")
        period = services.parse_period(text) if text else selectors.latest_period(user=request.user)
        result, target = selectors.fai_forecast(user=request.user, year=period.year, as_of=period.month)
        return Response(
            {
                "as_of": f"{period:%Y-%m}",
                "target": str(target) if target is not None else None,
                "planned_year": str(result.planned_year),
                "actual_to_date": str(result.actual_to_date),
                "forecast_year": str(result.forecast_year.quantize(Decimal("0.01"))),
                "gap": str(result.gap.quantize(Decimal("0.01"))) if target is not None else None,
                "monthly": [
                    {
                        "month": month,
                        "planned": str(planned.quantize(Decimal("0.01"))),
                        "actual": str(actual) if actual is not None else None,
                        "forecast": str(forecast.quantize(Decimal("0.01"))),
                    }
                    for month, planned, actual, forecast in result.monthly
                ],
                "contributors": [
                    {
                        "project": c.code,
                        "name": c.name,
                        "shortfall": str(c.shortfall.quantize(Decimal("0.01"))),
                        "share": str(c.share.quantize(Decimal("0.001"))),
                    }
                    for c in result.contributors
                ],
            }
        )
