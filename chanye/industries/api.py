"""REST API for the industrial system: systems, versions, industries, responsibility, classification codes."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from chanye.industries.definition import DefinitionError
from chanye.industries.filters import ClassificationCodeFilter, IndustryFilter
from chanye.industries.models import ClassificationCode, Industry, IndustrySystem, SystemVersion
from chanye.industries.selectors import industry_list
from chanye.industries.services import system_export, system_load
from chanye.organizations.api import ResponsibilityChangeSerializer, ResponsibilitySerializer
from chanye.organizations.selectors import responsibility_history
from chanye.organizations.services import responsibility_change


class SystemVersionSerializer(serializers.ModelSerializer):
    system = serializers.SlugRelatedField(slug_field="code", read_only=True)
    loaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SystemVersion
        fields = ["id", "system", "version", "digest", "source_name", "loaded_at", "loaded_by"]


class IndustrySystemSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    current_version = serializers.SlugRelatedField(slug_field="version", read_only=True)

    class Meta:
        model = IndustrySystem
        fields = [
            "id",
            "code",
            "name",
            "region_code",
            "region_name",
            "region_level",
            "parent",
            "current_version",
        ]


class IndustrySystemDetailSerializer(IndustrySystemSerializer):
    definition = serializers.SerializerMethodField()

    class Meta(IndustrySystemSerializer.Meta):
        fields = [*IndustrySystemSerializer.Meta.fields, "definition"]

    def get_definition(self, obj) -> dict:
        return obj.current_version.definition if obj.current_version else {}


class IndustrySerializer(serializers.ModelSerializer):
    system = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent_node = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    responsibility = serializers.SerializerMethodField()

    class Meta:
        model = Industry
        fields = [
            "id",
            "system",
            "code",
            "name",
            "category",
            "category_label",
            "description",
            "parent_node",
            "position",
            "gbt_include",
            "gbt_exclude",
            "keywords",
            "sei_codes",
            "dec_codes",
            "active",
            "responsibility",
        ]

    def get_responsibility(self, obj) -> dict | None:
        rows = getattr(obj, "current_responsibility", None)
        return ResponsibilitySerializer(rows[0]).data if rows else None


class ClassificationCodeSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ClassificationCode
        fields = ["edition", "code", "level", "parent_code", "name"]


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()
    path = serializers.CharField()


LoadRequest = inline_serializer(
    "SystemLoadRequest",
    {
        "file": serializers.FileField(required=False),
        "text": serializers.CharField(required=False),
        "filename": serializers.CharField(required=False),
    },
)


class IndustrySystemViewSet(viewsets.ReadOnlyModelViewSet):
    """Industrial systems; `load` a definition file, `versions`, `export` as YAML."""

    permission_required = "system.view"
    action_permissions = {"load": "system.manage"}
    lookup_field = "code"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return IndustrySystem.objects.visible_to(self.request.user).select_related(
            "parent", "current_version"
        )

    def get_serializer_class(self):
        return IndustrySystemDetailSerializer if self.action == "retrieve" else IndustrySystemSerializer

    @extend_schema(
        request=LoadRequest,
        responses={
            201: SystemVersionSerializer,
            200: SystemVersionSerializer,
            400: ProblemSerializer(many=True),
        },
    )
    @action(detail=False, methods=["post"])
    def load(self, request):
        upload = request.FILES.get("file")
        if upload is not None:
            filename, raw = upload.name, upload.read()
        else:
            filename, raw = (
                request.data.get("filename") or "definition.yaml",
                (request.data.get("text") or "").encode(),
            )
        if not raw:
            return Response(
                {"problems": [{"line": 0, "message": "no definition given (file or text)", "path": ""}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = system_load(text=raw.decode("utf-8-sig"), filename=filename, by=request.user)
        except UnicodeDecodeError:
            problems = [{"line": 0, "message": "the file is not UTF-8 text", "path": ""}]
            return Response({"problems": problems}, status=status.HTTP_400_BAD_REQUEST)
        except DefinitionError as error:
            problems = [{"line": p.line, "message": p.message, "path": p.path} for p in error.problems]
            return Response({"filename": filename, "problems": problems}, status=status.HTTP_400_BAD_REQUEST)
        data = SystemVersionSerializer(result.version).data
        data["created"] = result.created
        data["changes"] = [c.format() for c in result.changes]
        return Response(data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(responses=SystemVersionSerializer(many=True))
    @action(detail=True)
    def versions(self, request, code=None):
        system = self.get_object()
        return Response(
            SystemVersionSerializer(system.versions.select_related("system", "loaded_by"), many=True).data
        )

    @extend_schema(responses={(200, "application/yaml"): str})
    @action(detail=True)
    def export(self, request, code=None):
        system = self.get_object()
        version = None
        if request.query_params.get("version"):
            version = get_object_or_404(SystemVersion, system=system, version=request.query_params["version"])
        from django.http import HttpResponse

        return HttpResponse(system_export(system=system, version=version), content_type="application/yaml")


class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    """Industries in the caller's scope; `responsibility` lists the history and (POST) changes it."""

    permission_required = "system.view"
    action_permissions = {"responsibility:POST": "responsibility.change"}
    serializer_class = IndustrySerializer
    filterset_class = IndustryFilter

    def get_queryset(self):
        return industry_list(user=self.request.user)

    @extend_schema(methods=["GET"], responses=ResponsibilitySerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ResponsibilityChangeSerializer, responses={201: ResponsibilitySerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def responsibility(self, request, pk=None):
        industry = self.get_object()
        if request.method == "GET":
            rows = responsibility_history(user=request.user, industry=industry)
            return Response(ResponsibilitySerializer(rows, many=True).data)
        serializer = ResponsibilityChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = responsibility_change(industry=industry, by=request.user, **serializer.validated_data)
        if record is None:
            return Response({"detail": "unchanged"}, status=status.HTTP_200_OK)
        return Response(ResponsibilitySerializer(record).data, status=status.HTTP_201_CREATED)


class ClassificationCodeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Search GB/T 4754-2017 and the other editions by code prefix or name: ?edition=&q=."""

    permission_required = "codes.view"
    serializer_class = ClassificationCodeSerializer
    filterset_class = ClassificationCodeFilter
    queryset = ClassificationCode.objects.select_related("edition")
