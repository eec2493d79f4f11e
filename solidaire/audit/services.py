from __future__ import annotations

from typing import Any

from django.db import models

from solidaire.accounts.models import User
from solidaire.audit.models import AuditEvent


def audit_record(
    *,
    actor: User | None,
    event_type: str,
    target: models.Model,
    old_value: str = "",
    new_value: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event for ``target``."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        event_type=event_type,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        data=data or {},
    )
