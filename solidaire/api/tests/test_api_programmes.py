"""``GET /api/v1/programmes/`` and ``/api/v1/programmes/{id}/``: shape, figures
from the ledger, proposal counts, published calls only, constant query count."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solidaire.applications.models import Proposal
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.selectors import calls_figures
from solidaire.ledger.services import (
    carry_over_record,
    commitment_create,
    ledger_commit,
    ledger_pay,
    ledger_release,
)
from solidaire.testing import factories as f

S = Proposal.Status
URL = "/api/v1/programmes/"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def _fund(call, stream, fy, reference: str, amount: str, status: str = S.FUNDED, org=None):  # type: ignore[no-untyped-def]
    proposal = f.ProposalFactory(
        call=call, stream=stream, status=status, **({"organisation": org} if org else {})
    )
    commitment = commitment_create(
        programme=call.programme, reference=reference, label=proposal.title, stream=stream
    )
    ledger_commit(commitment=commitment, amounts={fy: Decimal(amount)}, actor=None)
    return proposal, commitment


@pytest.fixture
def decided_call(programme):  # type: ignore[no-untyped-def]
    """Call 1: a 300 000 $ stream in the first year, three funded proposals of
    two organisations, one paid in part, one partly released."""
    fy1 = programme.fiscal_years.order_by("starts_on").first()
    call = f.CallFactory(
        programme=programme,
        number=1,
        title="Premier appel",
        opens_at=datetime(2020, 1, 15, 17, 0, tzinfo=UTC),
        closes_at=datetime(2020, 3, 1, 5, 0, tzinfo=UTC),
        decided_at=datetime(2020, 6, 1, 16, 0, tzinfo=UTC),
    )
    stream = f.StreamFactory(call=call)
    f.AllocationFactory(stream=stream, fiscal_year=fy1, amount=Decimal("300000.00"))
    org = f.OrganisationFactory()
    _, c1 = _fund(call, stream, fy1, "c1", "100000.00", org=org)
    _fund(call, stream, fy1, "c2", "50000.00", status=S.ACTIVE, org=org)
    _, c3 = _fund(call, stream, fy1, "c3", "30000.00", status=S.CLOSED)
    ledger_pay(commitment=c1, fiscal_year=fy1, amount=Decimal("40000"), actor=None)
    ledger_release(commitment=c3, fiscal_year=fy1, amount=Decimal("5000"), actor=None)
    # Received but not funded, withdrawn after submission, and never submitted.
    f.ProposalFactory(call=call, status=S.DECLINED)
    f.ProposalFactory(call=call, status=S.NOT_RECOMMENDED)
    f.ProposalFactory(call=call, status=S.WITHDRAWN)
    f.ProposalFactory(call=call, status=S.DRAFT)
    f.ProposalFactory(call=call, status=S.WITHDRAWN, submitted_at=None)
    return call


@pytest.mark.django_db
def test_list_gives_programme_envelope_per_fiscal_year(client, programme, decided_call):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["results"]
    [item] = body["results"]
    assert set(item) == {"id", "name", "region", "trustee", "envelope", "calls"}
    assert item["id"] == programme.pk
    assert item["name"] == programme.name
    assert item["region"] == {"code": "03", "name": "Capitale-Nationale"}
    assert item["trustee"] == "Communauté métropolitaine de Québec"
    envelope = item["envelope"]
    assert envelope["total"] == "4200000.00"
    assert envelope["currency"] == "CAD"
    assert [fy["label"] for fy in envelope["fiscal_years"]] == [
        "2020-2021",
        "2021-2022",
        "2022-2023",
        "2023-2024",
        "2024-2025",
    ]
    first = envelope["fiscal_years"][0]
    # committed 180 000 − released 5 000 = 175 000 net; 40 000 paid.
    assert first == {
        "label": "2020-2021",
        "start": "2020-04-01",
        "end": "2021-03-31",
        "amount": "840000.00",
        "committed": "175000.00",
        "paid": "40000.00",
        "carried_over": "0.00",
        "lapsed": "0.00",
        "available": "665000.00",
    }
    assert envelope["fiscal_years"][1]["committed"] == "0.00"
    assert envelope["fiscal_years"][1]["available"] == "840000.00"


@pytest.mark.django_db
def test_an_ended_year_shows_its_carry_over_and_lapsed_balance(client, programme, decided_call):
    """A year later 2020-2021 has ended: 100 000 $ carried over to 2021-2022,
    the rest of its uncommitted balance lapsed, and the call drawing only on
    that year has nothing left."""
    fy1, fy2 = programme.fiscal_years.order_by("starts_on")[:2]
    with fiscal_today(date(2021, 10, 15)):
        carry_over_record(
            programme=programme,
            source=fy1,
            target=fy2,
            amount=Decimal("100000.00"),
            reason="Initiatives retardées",
            authorisation="MESS-2021-044",
            actor=None,
        )
        [item] = client.get(URL).json()["results"]
    first, second = item["envelope"]["fiscal_years"][:2]
    assert item["envelope"]["total"] == "4200000.00"  # the envelope as voted
    assert (first["amount"], first["carried_over"], first["lapsed"], first["available"]) == (
        "840000.00",
        "-100000.00",
        "565000.00",
        "0.00",
    )
    assert (second["amount"], second["carried_over"], second["lapsed"], second["available"]) == (
        "840000.00",
        "100000.00",
        "0.00",
        "940000.00",
    )
    for year in item["envelope"]["fiscal_years"]:
        assert Decimal(year["available"]) == (
            Decimal(year["amount"])
            + Decimal(year["carried_over"])
            - Decimal(year["committed"])
            - Decimal(year["lapsed"])
        )
        assert Decimal(year["lapsed"]) >= 0
    [call] = item["calls"]
    assert call["available"] == "0.00"


@pytest.mark.django_db
def test_list_gives_call_counts_and_awarded_amount(client, programme, decided_call):
    [item] = client.get(URL).json()["results"]
    [call] = item["calls"]

    assert set(call) == {
        "id",
        "number",
        "title",
        "status",
        "opens_at",
        "closes_at",
        "available",
        "proposals_received",
        "proposals_funded",
        "organisations_funded",
        "amount_awarded",
    }
    assert call["id"] == decided_call.pk
    assert call["number"] == 1
    assert call["title"] == "Premier appel"
    assert call["status"] == "decided"
    # 3 funded/active/closed + declined + not recommended + withdrawn after
    # submission; the draft and the withdrawn draft were never received.
    assert call["proposals_received"] == 6
    assert call["proposals_funded"] == 3
    assert call["organisations_funded"] == 2
    assert call["amount_awarded"] == "175000.00"
    # The stream's 300 000 $ less the 175 000 $ net committed.
    assert call["available"] == "125000.00"
    assert call["available"] == f"{calls_figures([decided_call])[decided_call.pk].available:.2f}"


@pytest.mark.django_db
def test_instants_are_quebec_local_time_with_offset(client, programme, decided_call):
    [call] = client.get(URL).json()["results"][0]["calls"]

    assert ISO_WITH_OFFSET.match(call["opens_at"])
    # 17:00 UTC on 15 January is noon in Québec (EST, UTC−5).
    assert call["opens_at"] == "2020-01-15T12:00:00-05:00"
    assert call["closes_at"] == "2020-03-01T00:00:00-05:00"
    assert datetime.fromisoformat(call["opens_at"]) == decided_call.opens_at


@pytest.mark.django_db
def test_second_call_without_pools_is_offered_what_the_envelope_has_left(
    client, programme, decided_call
):
    f.CallFactory(programme=programme, number=2, title="Deuxième appel")

    [item] = client.get(URL).json()["results"]
    second = item["calls"][1]

    assert second["number"] == 2
    assert second["status"] == "open"
    assert second["proposals_received"] == 0
    assert second["amount_awarded"] == "0.00"
    # Five years of 840 000 $ less the 175 000 $ call 1 committed.
    assert second["available"] == "4025000.00"


@pytest.mark.django_db
def test_unpublished_calls_are_not_shown(client, programme):
    f.CallFactory(programme=programme, number=1, published=False, title="Brouillon")
    shown = f.CallFactory(programme=programme, number=2)

    [item] = client.get(URL).json()["results"]

    assert [c["id"] for c in item["calls"]] == [shown.pk]


@pytest.mark.django_db
def test_call_status_follows_the_calendar(client, programme):
    now = datetime.now(UTC)
    upcoming = f.CallFactory(
        programme=programme,
        opens_at=now.replace(year=now.year + 1),
        closes_at=now.replace(year=now.year + 2),
    )
    closed = f.CallFactory(
        programme=programme,
        opens_at=now.replace(year=now.year - 2),
        closes_at=now.replace(year=now.year - 1),
    )

    calls = {c["id"]: c["status"] for c in client.get(URL).json()["results"][0]["calls"]}

    assert calls == {upcoming.pk: "upcoming", closed.pk: "closed"}


@pytest.mark.django_db
def test_detail_gives_one_programme(client, programme, decided_call):
    f.ProgrammeFactory(years=[Decimal("1000.00")])

    response = client.get(f"{URL}{programme.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == programme.pk
    assert body["envelope"]["total"] == "4200000.00"
    assert [c["id"] for c in body["calls"]] == [decided_call.pk]


@pytest.mark.django_db
def test_programme_without_fiscal_years_has_an_empty_envelope(client):
    programme = f.ProgrammeFactory()

    body = client.get(f"{URL}{programme.pk}/").json()

    assert body["envelope"] == {"total": "0.00", "currency": "CAD", "fiscal_years": []}
    assert body["calls"] == []


def _programmes_with_calls(count_programmes: int, calls_each: int) -> None:
    for _ in range(count_programmes):
        programme = f.ProgrammeFactory(years=[Decimal("500000.00")] * 3)
        fy = programme.fiscal_years.first()
        for n in range(calls_each):
            call = f.CallFactory(programme=programme, number=n + 1)
            stream = f.StreamFactory(call=call)
            f.AllocationFactory(stream=stream, fiscal_year=fy, amount=Decimal("1000.00"))
            _fund(call, stream, fy, f"p{programme.pk}-c{n}", "100.00")
            f.ProposalFactory(call=call, status=S.SUBMITTED)


def _count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_query_count_is_constant_with_1_or_20_calls(client, django_assert_num_queries):
    _programmes_with_calls(1, 1)
    with django_assert_num_queries(10):
        body = client.get(URL).json()
    assert len(body["results"][0]["calls"]) == 1

    _programmes_with_calls(1, 20)
    _programmes_with_calls(3, 2)
    with django_assert_num_queries(10):
        body = client.get(URL).json()
    assert sorted(len(p["calls"]) for p in body["results"]) == [1, 2, 2, 2, 20]
    assert all(c["proposals_received"] == 2 for p in body["results"] for c in p["calls"])
    assert all(c["amount_awarded"] == "100.00" for p in body["results"] for c in p["calls"])


@pytest.mark.django_db
def test_detail_query_count_does_not_grow_with_calls(client):
    _programmes_with_calls(1, 1)
    from solidaire.programmes.models import Programme

    first = Programme.objects.get()
    one = _count_queries(client, f"{URL}{first.pk}/")
    _programmes_with_calls(1, 20)
    second = Programme.objects.exclude(pk=first.pk).get()

    assert _count_queries(client, f"{URL}{second.pk}/") == one


@pytest.mark.django_db
def test_api_is_read_only(client, programme):
    response = client.post(URL, data={}, content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"
