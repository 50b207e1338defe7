import uuid

from chanye.audit.context import RequestContext, current


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and records its client IP for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())
        # REMOTE_ADDR only: X-Forwarded-For is trusted only behind a configured proxy, which we do not assume.
        token = current.set(RequestContext(ip=request.META.get("REMOTE_ADDR"), request_id=request_id))
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id
        return response
