"""Authentication for the API (kept apart from views to avoid an import cycle in DRF settings)."""

from rest_framework.authentication import SessionAuthentication


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session auth that only counts a session once an administrator has passed the second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        django_request = request._request
        if getattr(user, "needs_second_factor", False) and not django_request.user.is_verified():
            return None
        return result
