"""Audit events: who did what to which object, when and why."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from solidaire.audit.models import AuditEvent
from solidaire.audit.services import audit_record
from solidaire.testing import factories as f


@pytest.mark.django_db
def test_audit_record_keeps_actor_target_values_and_reason():
    user = f.UserFactory(username="coordination")
    programme = f.ProgrammeFactory()

    event = audit_record(
        actor=user,
        event_type="programme.renamed",
        target=programme,
        old_value="Ancien nom",
        new_value="Nouveau nom",
        reason="Décision du comité",
        data={"source": "admin"},
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == user
    assert stored.event_type == "programme.renamed"
    assert (stored.object_type, stored.object_id) == ("programmes.programme", str(programme.pk))
    assert (stored.old_value, stored.new_value) == ("Ancien nom", "Nouveau nom")
    assert stored.reason == "Décision du comité"
    assert stored.data == {"source": "admin"}
    assert stored.at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["system", "anonymous"])
def test_events_without_a_signed_in_actor_have_none(actor):
    event = audit_record(actor=actor, event_type="x", target=f.ProgrammeFactory())

    assert AuditEvent.objects.get(pk=event.pk).actor is None
    assert event.data == {}


@pytest.mark.django_db
def test_latest_events_come_first():
    programme = f.ProgrammeFactory()
    first = audit_record(actor=None, event_type="a", target=programme)
    second = audit_record(actor=None, event_type="b", target=programme)

    assert list(AuditEvent.objects.all()) == [second, first]
