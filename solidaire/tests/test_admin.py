"""Every model has its page in the Django admin, and the money trail is
read-only there."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db

SOLIDAIRE_MODELS = [m for m in apps.get_models() if m.__module__.startswith("solidaire.")]


def test_every_model_is_registered():
    missing = [m._meta.label for m in SOLIDAIRE_MODELS if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", SOLIDAIRE_MODELS, ids=lambda m: m._meta.label)
def test_changelist_opens(admin_client, programme, model):
    call = f.decided_call(programme)
    f.funded_proposal(call=call)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "a"}).status_code == 200


@pytest.mark.parametrize(
    "label", ["ledger.LedgerEntry", "audit.AuditEvent", "ledger.Commitment", "ledger.CarryOver"]
)
def test_money_trail_is_read_only(admin_user, rf, label):
    model_admin = admin.site.get_model_admin(apps.get_model(label))
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
