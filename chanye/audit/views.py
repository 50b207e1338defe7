"""The audit trail for the audit administrator: filter, read, export. No edit exists."""

import csv
import json

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from chanye.audit.filters import AuditEventFilter
from chanye.audit.models import AuditEvent
from chanye.audit.services import audit_record
from chanye.core.views import PermissionGate

EXPORT_COLUMNS = (
    "时间",
    "操作人",
    "角色",
    "IP",
    "请求编号",
    "操作",
    "对象类型",
    "对象编号",
    "对象",
    "变更前",
    "变更后",
    "说明",
)


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in exported cells."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class AuditListView(PermissionGate, View):
    permission_required = "audit.view"

    def get(self, request):
        filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.visible_to(request.user))
        page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        return render(request, "audit/list.html", {"filter": filterset, "page": page})


class _Echo:
    def write(self, value):
        return value


class AuditExportView(PermissionGate, View):
    permission_required = "audit.view"

    def get(self, request):
        filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.visible_to(request.user))
        audit_record(
            actor=request.user, action="audit.export", message=json.dumps(request.GET, ensure_ascii=False)
        )
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
            for event in filterset.qs.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        _safe(str(v))
                        for v in (
                            timezone.localtime(event.at).isoformat(),
                            event.actor_name,
                            event.actor_role,
                            event.ip or "",
                            event.request_id,
                            event.action,
                            event.object_type,
                            event.object_id,
                            event.object_repr,
                            json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
                            json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
                            event.message,
                        )
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
        return response
