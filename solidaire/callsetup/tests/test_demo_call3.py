"""The coordinator's path on the demo: call 3 copied from call 2, its grid
and dates changed, previewed, refused publication while an allocation
exceeds the ledger, fixed, published."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from solidaire.audit.models import AuditEvent
from solidaire.calls.models import Call
from solidaire.callsetup.selectors import ledger_funds
from solidaire.callsetup.tests.formdata import form_data
from solidaire.programmes.models import Programme, Territory

pytestmark = pytest.mark.django_db

BASE = "/appels/capitale-nationale"


def _fr(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def test_coordinator_creates_call_3_by_copying_call_2_and_publishes_it() -> None:
    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get(slug="capitale-nationale")
    call2 = Call.objects.get(programme=programme, number=2)
    client = Client()
    assert client.login(username="coordination", password="solidaire-demo")

    # The programme page links to the set-up pages.
    page = client.get("/programmes/capitale-nationale/").content.decode()
    assert f'href="{BASE}/nouveau/"' in page
    assert f'href="{BASE}/2/modifier/"' in page

    # Copy call 2 into a new draft: call 3.
    assert client.get(f"{BASE}/nouveau/").status_code == 200
    response = client.post(
        f"{BASE}/nouveau/", {"action": "copy", "copy-source": str(call2.pk)}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/3/modifier/"
    call3 = Call.objects.get(programme=programme, number=3)
    assert not call3.published
    assert call3.criteria.count() == call2.criteria.count()

    # Change the grid and the dates; allocate one open year beyond the ledger.
    page = client.get(f"{BASE}/3/modifier/").content.decode()
    data = form_data(page)
    today = timezone.localdate()
    data["call-title"] = "Troisième appel d'initiatives"
    data["call-opens_at"] = f"{today + timedelta(days=7)}T09:00"
    data["call-closes_at"] = f"{today + timedelta(days=70)}T16:00"
    weights = [k for k in data if k.startswith("criteria-") and k.endswith("-weight") and data[k]]
    assert len(weights) >= 2
    first, second = sorted(weights)[:2]
    data[first] = _fr(Decimal(data[first].replace(",", ".")) + 5)
    data[second] = _fr(Decimal(data[second].replace(",", ".")) - 5)
    data["criteria-0-name"] = "Participation des personnes en situation de pauvreté"

    funds = ledger_funds(programme)
    open_years = [(pk, f) for pk, f in funds.items() if f.ends_on >= today]
    year_id, year = open_years[0]
    streams = {s.code: s for s in call3.streams.all()}
    territory = Territory.objects.get(region=programme.region, code="2423")
    rows = [
        (streams["local"], territory, year.available + Decimal("1000.00")),
        (streams["developpement-communautes"], None, Decimal("50000.00")),
        (streams["regional"], None, Decimal("40000.00")),
    ]
    for k, (stream, where, amount) in enumerate(rows):
        data[f"allocations-{k}-stream"] = str(stream.pk)
        data[f"allocations-{k}-fiscal_year"] = str(year_id)
        data[f"allocations-{k}-territory"] = str(where.pk) if where else ""
        data[f"allocations-{k}-amount"] = _fr(amount)
    response = client.post(f"{BASE}/3/modifier/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call3.refresh_from_db()
    assert call3.title == "Troisième appel d'initiatives"
    assert timezone.localtime(call3.closes_at).date() == today + timedelta(days=70)
    weights_now = list(call3.criteria.order_by("order").values_list("weight", flat=True))
    assert sum(weights_now) == 100
    assert weights_now != list(call2.criteria.order_by("order").values_list("weight", flat=True))

    # The preview shows the call as applicants will read it, with the checklist.
    preview = unescape(client.get(f"{BASE}/3/apercu/").content.decode())
    assert "Troisième appel d'initiatives" in preview
    assert "Participation des personnes en situation de pauvreté" in preview
    assert "Publier l'appel" in preview

    # Publication is refused while the local stream's allocation exceeds the ledger.
    response = client.post(f"{BASE}/3/publier/")
    assert response.status_code == 400
    refused = unescape(response.content.decode()).replace("\xa0", " ")
    assert f"Les enveloppes de {year.label} totalisent" in refused
    assert "L'appel ne peut pas encore être publié" in refused
    call3.refresh_from_db()
    assert not call3.published

    # Fix the allocation, then publish.
    data = form_data(client.get(f"{BASE}/3/modifier/").content.decode())
    local_row = next(
        k.removesuffix("-stream")
        for k, v in data.items()
        if k.startswith("allocations-") and k.endswith("-stream") and v == str(streams["local"].pk)
    )
    data[f"{local_row}-amount"] = _fr(Decimal("60000.00"))
    assert client.post(f"{BASE}/3/modifier/", data).status_code == 302
    response = client.post(f"{BASE}/3/publier/")
    assert response.status_code == 302
    call3.refresh_from_db()
    assert call3.published
    assert AuditEvent.objects.filter(
        event_type="call.published", object_type="calls.call", object_id=str(call3.pk)
    ).exists()

    # The published call appears on the public pages, to anyone.
    visitor = Client()
    listing = visitor.get("/appels/").content.decode()
    assert f'href="{BASE}/3/"' in listing
    page = visitor.get(f"{BASE}/3/")
    assert page.status_code == 200 and escape(call3.title) in page.content.decode()
