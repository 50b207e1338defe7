"""Shared view helpers: the permission gate for pages, and the home page that routes by role."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class PermissionGate(AccessMixin):
    """Anonymous → login redirect; signed in without the role permission → 403. Rows are scoped by the view."""

    permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission_required and not request.user.can(self.permission_required):
            raise PermissionDenied("您的角色无权访问此页面")
        return super().dispatch(request, *args, **kwargs)


HOME_BY_PERMISSION = (
    ("cockpit.view", "cockpit:overview"),  # district leaders and the 发改局 start at the cockpit
    ("system.view", "industries:system_home"),
    ("audit.view", "audit:list"),
    ("accounts.view", "accounts:user_list"),
    ("codes.view", "industries:code_search"),
)


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.enterprise_id:
        return redirect("enterprises:detail", uscc=request.user.enterprise.uscc)
    for permission, name in HOME_BY_PERMISSION:
        if request.user.can(permission):
            return redirect(reverse(name))
    return redirect("accounts:profile")


def healthz(request):
    """Liveness for load balancers and the set-up script: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
