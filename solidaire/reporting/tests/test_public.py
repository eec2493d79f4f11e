"""The public list of funded initiatives of a decided call."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.ledger.services import ledger_release
from solidaire.reporting.selectors import decided_call, funded_initiatives, programme_overviews
from solidaire.testing import factories as f

# Users are created with a fast password hasher (autouse fixture).
from solidaire.tests.conftest import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


@pytest.fixture
def decided(programme):  # type: ignore[no-untyped-def]
    return f.decided_call(programme, title="Premier appel")


def test_results_show_organisation_title_territory_amount_and_total(client, decided):
    regional = f.funded_proposal(
        call=decided,
        amount=Decimal("750000.00"),
        title="Formation régionale",
        organisation=f.OrganisationFactory(legal_name="Regroupement régional"),
    )
    regional.territories.add(f.territory("2423"), f.territory("2434"))
    f.funded_proposal(
        call=decided,
        amount=Decimal("50000.00"),
        title="Repas partagés",
        organisation=f.OrganisationFactory(legal_name="Cuisine collective"),
    )
    f.ProposalFactory(call=decided, status=Proposal.Status.DECLINED, title="Refusée")
    response = client.get(
        reverse("reporting:call_results", args=[decided.programme.slug, decided.number])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Formation régionale" in page and "Repas partagés" in page
    assert "Refusée" not in page
    assert f"750{NBSP}000,00{NBSP}$" in page
    assert f"800{NBSP}000,00{NBSP}$" in page  # the total
    results = response.context["results"]
    assert [r.organisation for r in results.initiatives] == [
        "Cuisine collective",
        "Regroupement régional",
    ]
    assert results.initiatives[1].territory.count(",") == 1


def test_amount_is_what_the_ledger_holds_after_a_release(decided):
    proposal = f.funded_proposal(call=decided, amount=Decimal("40000.00"))
    fiscal_year = decided.programme.fiscal_years.order_by("starts_on").first()
    ledger_release(
        commitment=proposal.commitment,
        fiscal_year=fiscal_year,
        amount=Decimal("5000.00"),
        actor=None,
    )
    results = funded_initiatives(decided)
    assert results.total == Decimal("35000.00")
    (overview,) = programme_overviews([decided.programme])
    assert overview.calls[0].awarded == Decimal("35000.00")


def test_territory_falls_back_to_the_organisations(decided):
    f.funded_proposal(call=decided)
    (row,) = funded_initiatives(decided).initiatives
    assert row.territory == f.territory().name


def test_undecided_or_unpublished_calls_are_not_public(programme):
    open_call = f.CallFactory(programme=programme)
    hidden = f.decided_call(programme, published=False)
    for call in (open_call, hidden):
        with pytest.raises(Http404):
            decided_call(programme.slug, call.number)
    with pytest.raises(Http404):
        decided_call("nowhere", 1)


def test_results_in_english(client, decided):
    f.funded_proposal(call=decided, amount=Decimal("800000.00"))
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("reporting:call_results", args=[decided.programme.slug, decided.number])
    ).content.decode()
    assert '<html lang="en">' in page
    assert "$800,000.00" in page
    assert "Funded initiatives" in page
