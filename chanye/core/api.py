"""API plumbing shared by every app: authentication, permissions, and one exception handler."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions


class HasPermission(permissions.BasePermission):
    """Role permissions for API views: `permission_required` for reads, `write_permission` for writes
    (none: read-only), `action_permissions` for named actions ("name" or "name:METHOD"). Rows are scoped by the queryset (404)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        named = getattr(view, "action_permissions", {})
        act = getattr(view, "action", None)
        needed = named.get(f"{act}:{request.method}", named.get(act))
        if needed is None:
            if request.method in permissions.SAFE_METHODS:
                needed = getattr(view, "permission_required", None)
            else:
                needed = getattr(view, "write_permission", None)
                if needed is None:
                    return False
        return needed is None or user.can(needed)


def exception_handler(exc, context):
    """Django's ValidationError / PermissionDenied from services become 400 / 403 with field detail."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            detail = {field: list(messages) for field, messages in exc.message_dict.items()}
        else:
            detail = {"non_field_errors": list(exc.messages)}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(
        exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed
    ):
        response.status_code = 401
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response
