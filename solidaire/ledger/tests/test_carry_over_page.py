"""The carry-over page (``/registre/<programme>/reports/``), and the ended
years, lapsed and carried amounts on the ledger and programme pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.models import CarryOver
from solidaire.ledger.services import carry_over_record, commitment_create, ledger_commit
from solidaire.programmes.models import ProgrammeRole
from solidaire.testing import factories as f

R = ProgrammeRole.Role
D = Decimal
A_YEAR_LATER = date(2021, 10, 15)


@pytest.fixture
def people(programme):  # type: ignore[no-untyped-def]
    roles = {
        name: f.ProgrammeRoleFactory(programme=programme, role=role).user
        for name, role in (
            ("coordinator", R.COORDINATOR),
            ("trustee", R.TRUSTEE_FINANCE),
            ("committee", R.COMMITTEE),
            ("evaluator", R.EVALUATOR),
        )
    }
    roles["ministry"] = f.UserFactory(username="ministere-test", is_ministry_observer=True)
    roles["other_coordinator"] = f.ProgrammeRoleFactory(role=R.COORDINATOR).user
    roles["stranger"] = f.UserFactory(username="inconnu-test")
    return roles


@pytest.fixture
def years(programme):  # type: ignore[no-untyped-def]
    """200 000 $ committed in 2020-2021; a year later it has ended."""
    years = list(programme.fiscal_years.order_by("starts_on"))
    c = commitment_create(programme=programme, reference="c", label="Initiative")
    ledger_commit(commitment=c, amounts={years[0]: D("200000")}, actor=None)
    with fiscal_today(A_YEAR_LATER):
        yield years


def _as(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(programme) -> str:  # type: ignore[no-untyped-def]
    return reverse("ledger:carry_overs", args=[programme.slug])


def _payload(years, **changes):  # type: ignore[no-untyped-def]
    return {
        "source": years[0].pk,
        "target": years[1].pk,
        "amount": "150 000,00",
        "reason": "Initiatives retardées par la pandémie",
        "authorisation": "MTESS-2021-044",
        **changes,
    }


def _written() -> tuple[int, int]:
    return CarryOver.objects.count(), AuditEvent.objects.count()


@pytest.mark.django_db
def test_the_coordinator_records_a_carry_over(client, programme, years, people):
    _as(client, people["coordinator"])
    page = client.get(_url(programme))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Record a carry-over" in html
    assert "2020-2021 — ended, $640,000.00 lapsed" in html

    response = client.post(_url(programme), _payload(years), follow=True)

    assert response.redirect_chain == [(_url(programme), 302)]
    carry = CarryOver.objects.get()
    assert (carry.source, carry.target, carry.amount) == (years[0], years[1], D("150000.00"))
    assert carry.actor == people["coordinator"]
    assert carry.authorisation == "MTESS-2021-044"
    html = response.content.decode()
    assert "Carry-over recorded" in html
    assert "MTESS-2021-044" in html and "Initiatives retardées par la pandémie" in html
    assert AuditEvent.objects.filter(event_type="ledger.carry_over").count() == 1


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("from_open_year", "source", "2021-2022 has not ended"),
        ("above_lapsed", "amount", "$640,000.00 uncommitted"),
        ("negative", "amount", "greater than zero"),
        ("zero", "amount", "greater than zero"),
        ("not_a_number", "amount", "Enter an amount in dollars"),
        ("other_programme", "target", "Choose a fiscal year of this programme."),
        ("no_reason", "reason", "Give the reason for the carry-over."),
        ("no_authorisation", "authorisation", "Give the reference of the funder"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_beside_its_field_and_the_rest_kept(
    client, programme, years, people, case, field, message
):
    changes: dict[str, object] = {
        "from_open_year": {"source": years[1].pk, "target": years[2].pk},
        "above_lapsed": {"amount": "640000.01"},
        "negative": {"amount": "-5 000,00"},
        "zero": {"amount": "0"},
        "not_a_number": {"amount": "beaucoup"},
        "other_programme": {
            "target": f.ProgrammeFactory(years=[D("1"), D("1")]).fiscal_years.last().pk  # type: ignore[union-attr]
        },
        "no_reason": {"reason": ""},
        "no_authorisation": {"authorisation": "  "},
    }[case]
    _as(client, people["coordinator"])
    before = _written()

    response = client.post(_url(programme), _payload(years, **changes))

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    error = html.split(f'id="id_{field}_error">', 1)[1].split("</p>", 1)[0]
    assert message.replace("'", "&#x27;") in error
    assert "Some answers need your attention" in html
    if field != "reason":
        assert "Initiatives retardées par la pandémie" in html  # the rest is kept
    assert _written() == before


@pytest.mark.django_db
def test_a_carry_over_into_an_ended_year_is_refused_on_the_page(client, programme, years, people):
    _as(client, people["coordinator"])
    with fiscal_today(date(2022, 10, 15)):
        response = client.post(_url(programme), _payload(years))
    assert response.status_code == 400
    assert "2021-2022 has ended: it cannot receive a carry-over." in response.content.decode()
    assert not CarryOver.objects.exists()


@pytest.mark.parametrize("who", ["trustee", "ministry"])
@pytest.mark.django_db
def test_the_trustee_and_the_ministry_see_carry_overs_read_only(
    client, programme, years, people, who
):
    carry_over_record(
        programme=programme,
        source=years[0],
        target=years[1],
        amount=D("100000"),
        reason="Reportée",
        authorisation="AUT-1",
        actor=people["coordinator"],
    )
    _as(client, people[who])

    page = client.get(_url(programme))
    assert page.status_code == 200
    html = page.content.decode()
    assert "AUT-1" in html and "Record a carry-over" not in html
    assert client.post(_url(programme), _payload(years)).status_code == 403
    assert CarryOver.objects.count() == 1


@pytest.mark.parametrize("who", ["stranger", "other_coordinator", "evaluator"])
@pytest.mark.django_db
def test_the_carry_over_page_checks_ownership(client, programme, years, people, who):
    _as(client, people[who])
    assert client.get(_url(programme)).status_code == 404
    assert client.post(_url(programme), _payload(years)).status_code == 404
    assert not CarryOver.objects.exists()


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client, programme, years):
    response = client.get(_url(programme))
    assert response.status_code == 302 and "?next=" in response["Location"]


@pytest.mark.django_db
def test_ledger_and_programme_pages_mark_ended_years_with_lapsed_and_carried_amounts(
    client, programme, years, people
):
    carry_over_record(
        programme=programme,
        source=years[0],
        target=years[1],
        amount=D("100000"),
        reason="Reportée",
        authorisation="AUT-1",
        actor=None,
    )
    _as(client, people["coordinator"])
    for url in (
        reverse("agreements:ledger", args=[programme.slug]),
        reverse("programme_detail", args=[programme.slug]),
        reverse("home"),
    ):
        html = client.get(url).content.decode()
        row = html.split('data-year="2020-2021"', 1)[1].split("</tr>", 1)[0]
        assert "Ended" in row
        assert '"carried_over">-$100,000.00' in row
        assert '"lapsed">$540,000.00' in row
        assert '"available">$0.00' in row
        current = html.split('data-year="2021-2022"', 1)[1].split("</tr>", 1)[0]
        assert "Ended" not in current
        assert '"carried_over">$100,000.00' in current
        assert '"available">$940,000.00' in current
