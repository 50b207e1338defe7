"""The request's IP and id, carried to services that write audit events without passing them."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


NO_REQUEST = RequestContext()
current: ContextVar[RequestContext] = ContextVar("chanye_request_context", default=NO_REQUEST)  # noqa: B039 (frozen)
