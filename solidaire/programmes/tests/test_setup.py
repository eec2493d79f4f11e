"""Programme set-up pages: creating a programme, its fiscal years and
envelope, its work plan, and who may do it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.programmes.models import FiscalYear, Priority, Programme, Region, WorkPlan
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_programme_data(**overrides: str) -> dict[str, str]:
    """A valid new programme: five fiscal years of 840 000 $ from 2020."""
    data = {
        "programme-region": str(Region.objects.get(code="01").pk),
        "programme-name": "Alliance pour la solidarité — Bas-Saint-Laurent",
        "programme-slug": "bas-saint-laurent",
        "programme-trustee": "MRC de Rimouski-Neigette",
        "programme-funder": "Fonds québécois d'initiatives sociales",
        "programme-starts_on": "2020-04-01",
        "programme-ends_on": "2025-03-31",
        "programme-envelope_total": "4 200 000",
        "years-TOTAL_FORMS": "5",
        "years-INITIAL_FORMS": "0",
        "plan-title": "Plan de travail 2020-2025",
        "plan-starts_on": "",
        "plan-ends_on": "",
        "plan-summary": "",
        "priorities-TOTAL_FORMS": "3",
        "priorities-INITIAL_FORMS": "0",
        "priorities-0-name": "Conditions de vie",
        "priorities-1-name": "Inclusion sociale",
        "invite-coordinator_email": "Coord@Example.org",
    }
    for k in range(5):
        data[f"years-{k}-label"] = f"{2020 + k}-{2021 + k}"
        data[f"years-{k}-envelope"] = "840 000,00"
    data.update(overrides)
    return data


@pytest.fixture
def admin_user() -> Any:
    return f.UserFactory(username="admin", is_superuser=True, is_staff=True)


def test_ministry_creates_a_programme_with_its_years_plan_and_coordinator(mailoutbox):
    ministry = f.UserFactory(username="ministere", is_ministry_observer=True)
    response = signed_in(ministry).post(reverse("programmes:create"), new_programme_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(slug="bas-saint-laurent")
    years = list(programme.fiscal_years.order_by("starts_on"))
    assert [y.label for y in years] == [f"{2020 + k}-{2021 + k}" for k in range(5)]
    assert sum(y.envelope for y in years) == Decimal("4200000.00")
    assert str(years[0].starts_on) == "2020-04-01" and str(years[0].ends_on) == "2021-03-31"
    plan = WorkPlan.objects.get(programme=programme)
    assert (plan.starts_on, plan.ends_on) == (programme.starts_on, programme.ends_on)
    assert list(plan.priorities.values_list("code", "order")) == [
        ("conditions-de-vie", 0),
        ("inclusion-sociale", 1),
    ]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["coord@example.org"]
    assert "/programmes/invitation/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(event_type="programme.created").count() == 1


def test_creation_page_renders_for_the_administrator(admin_user):
    response = signed_in(admin_user).get(reverse("programmes:create"))
    assert response.status_code == 200
    assert 'name="years-4-label"' in response.content.decode()
