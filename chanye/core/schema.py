"""OpenAPI description of our session authentication (a session counts once the second factor passed)."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "chanye.core.authentication.VerifiedSessionAuthentication"
    name = "verifiedSession"
