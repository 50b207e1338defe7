import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
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


TOUCHED = "_touched"


class SessionIdleMiddleware:
    """The idle timeout without a database write on every page.

    A session lives SESSION_COOKIE_AGE (the idle timeout) after it was last saved. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) would cost a write, and on SQLite the database's write lock, for
    each page read; instead a signed-in session is saved when something changed it or when its latest save
    is SESSION_REFRESH_SECONDS old, so it ends between timeout − refresh and timeout after the last request.
    Sits inside SessionMiddleware, which saves what this marks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:  # anonymous, or signed out by this request
            return response
        now = int(time.time())
        if session.modified or now - session.get(TOUCHED, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[TOUCHED] = now
        return response
