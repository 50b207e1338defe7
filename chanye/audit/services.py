"""Writing the audit trail. Every service that changes data calls `audit_record` in its transaction."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from chanye.audit.context import current
from chanye.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates, decimals, UUIDs as strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
    message: str = "",
) -> AuditEvent:
    """Append one audit event naming the actor (a user, or a label such as a username tried; None for the
    command line and set-up), the request it came from and the change."""
    context = current.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_name=(actor.get_username() if is_user else str(actor or "system"))[:150],
        actor_role=getattr(actor, "role", "") if is_user else "",
        ip=context.ip,
        request_id=context.request_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        before=_plain(before),
        after=_plain(after),
        message=message[:300],
    )
