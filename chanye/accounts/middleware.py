from django.shortcuts import redirect
from django.urls import reverse

from chanye.accounts.services import password_expired

OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/otp/",
    "/accounts/password/",
    "/i18n/",
    "/static/",
    "/api/",
    "/healthz",
)


class AccountPolicyMiddleware:
    """Pages need an administrator's second factor and a password that has not expired."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if user.needs_second_factor and not user.is_verified():
                return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
            if password_expired(user):
                return redirect(f"{reverse('accounts:password_change')}?expired=1")
        return self.get_response(request)
