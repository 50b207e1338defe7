"""REST API of the project imports: upload a library, plan or filing sheet (checked and imported in the
background), read the job's counts, and every rejected row with its row, column, value and reason."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.enterprises.api import RowErrorSerializer
from chanye.enterprises.models import ImportJob
from chanye.projects import imports


class MayImport(permissions.BasePermission):
    """Signed in (else 401) with a role that may import at least one kind (else 403); the kind itself is
    checked on upload and each row against the user's projects."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and imports.import_kinds(user))


class ProjectImportSerializer(serializers.ModelSerializer):
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "filename",
            "dry_run",
            "status",
            "phase",
            "total",
            "processed",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "message",
            "created_at",
            "finished_at",
            "errors_url",
        ]

    def get_errors_url(self, job) -> str:
        return f"/api/v1/project-imports/{job.pk}/errors/"


class ProjectImportRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(imports.KINDS), help_text="projects, plans or filings")
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ProjectImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Upload a CSV/XLSX sheet of the project library (kind=projects), annual plans (plans) or monthly
    filings (filings): 202 with the job; poll it for its counts; nothing is written unless every row passes."""

    permission_classes = [MayImport]
    serializer_class = ProjectImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return imports.import_jobs(self.request.user)

    @extend_schema(
        request={"multipart/form-data": ProjectImportRequest}, responses={202: ProjectImportSerializer}
    )
    def create(self, request):
        payload = ProjectImportRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        job = imports.import_job_create(
            by=request.user,
            kind=payload.validated_data["kind"],
            filename=payload.validated_data["file"].name,
            content=payload.validated_data["file"],
            dry_run=payload.validated_data["dry_run"],
        )
        imports.import_run.enqueue(str(job.pk))
        job.refresh_from_db()
        return Response(ProjectImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=RowErrorSerializer(many=True))
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """Every rejected row: row number, column (as the file names it), value and reason."""
        job = self.get_object()
        page = self.paginate_queryset(job.row_errors.all())
        return self.get_paginated_response(RowErrorSerializer(page, many=True).data)
