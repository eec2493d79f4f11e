"""Call set-up pages: bad input, permissions, the publication checklist and
what may change once a call is published or has received proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from solidaire.accounts.models import User
from solidaire.applications.models import Proposal
from solidaire.audit.models import AuditEvent
from solidaire.calls.models import Call, CallNotice, Criterion, ScaleLevel, Stream
from solidaire.calls.services import (
    AllocationLine,
    CallPlan,
    StreamPlan,
    YearFunds,
    call_copy,
    change_decision,
    publication_checklist,
)
from solidaire.callsetup.tests.formdata import form_data
from solidaire.common.fiscal import fiscal_year_start
from solidaire.programmes.models import FiscalYear, Programme, ProgrammeRole
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db

R = ProgrammeRole.Role


@dataclass
class Setup:
    programme: Programme
    call: Call
    current_year: FiscalYear
    coordinator: User
    client: Client

    def url(self, page: str, number: int | None = None) -> str:
        return f"/appels/{self.programme.slug}/{number or self.call.number}/{page}/"


def _programme() -> Programme:
    """A programme whose first fiscal year has ended and three are open."""
    first = fiscal_year_start(timezone.localdate()) - 1
    return f.ProgrammeFactory(
        starts_on=date(first, 4, 1),
        ends_on=date(first + 4, 3, 31),
        years=[Decimal("840000.00")] * 4,
    )


def _ready_call(programme: Programme, *, published: bool = False) -> Call:
    """A call with every piece publication asks for."""
    now = timezone.now()
    call = f.CallFactory(
        programme=programme,
        number=1,
        published=published,
        description="Initiatives de lutte contre la pauvreté.",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=40),
    )
    stream = f.StreamFactory(call=call, code="local", name="Volet local")
    year = programme.fiscal_years.order_by("starts_on")[1]
    f.AllocationFactory(stream=stream, fiscal_year=year, amount=Decimal("100000.00"))
    f.CriterionFactory(call=call, code="inclusion", weight=Decimal("60"), order=1)
    f.CriterionFactory(call=call, code="enracinement", weight=Decimal("40"), order=2)
    f.ScaleLevelFactory(call=call, value=0, label="Absent", descriptor="Non traité.")
    f.ScaleLevelFactory(call=call, value=5, label="Excellent", descriptor="Exemplaire.")
    f.EligibilityRuleFactory(call=call, code="type")
    call.required_documents.create(code="budget", name="Budget")
    return call


@pytest.fixture
def setup(db: None) -> Setup:
    programme = _programme()
    coordinator = f.ProgrammeRoleFactory(programme=programme, role=R.COORDINATOR).user
    client = Client()
    client.force_login(coordinator)
    return Setup(
        programme=programme,
        call=_ready_call(programme),
        current_year=programme.fiscal_years.order_by("starts_on")[1],
        coordinator=coordinator,
        client=client,
    )


def _page(response: object) -> str:
    return unescape(response.content.decode()).replace("\xa0", " ")  # type: ignore[attr-defined]


def _edit_data(s: Setup) -> dict[str, str]:
    return form_data(s.client.get(s.url("modifier")).content.decode())


def _row(data: dict[str, str], prefix: str, field: str, value: str) -> str:
    """The key of ``field`` in the row of ``prefix`` whose field holds ``value``."""
    for key, held in data.items():
        if key.startswith(f"{prefix}-") and key.endswith(f"-{field}") and held == value:
            return key.removesuffix(f"-{field}")
    raise AssertionError(f"no {prefix} row with {field}={value}")


# ----------------------------------------------------------------------------- bad input


def test_closing_before_opening_is_refused_and_the_rest_kept(setup: Setup) -> None:
    data = _edit_data(setup)
    data["call-title"] = "Titre retapé"
    data["call-closes_at"] = data["call-opens_at"].replace("T", "T").split("T")[0] + "T08:00"
    data["call-opens_at"] = data["call-opens_at"].split("T")[0] + "T09:00"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    page = _page(response)
    assert "L'appel doit se fermer après son ouverture." in page
    assert 'value="Titre retapé"' in page
    setup.call.refresh_from_db()
    assert setup.call.title != "Titre retapé"


@pytest.mark.parametrize("weight", ["59", "61"])
def test_weights_not_adding_up_to_100_are_refused(setup: Setup, weight: str) -> None:
    data = _edit_data(setup)
    row = _row(data, "criteria", "code", "inclusion")
    data[f"{row}-weight"] = weight
    data[f"{row}-name"] = "Nom retapé"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    total = "99" if weight == "59" else "101"
    assert f"Les pondérations des critères totalisent {total}; elles doivent totaliser 100." in (
        _page(response)
    )
    assert 'value="Nom retapé"' in _page(response)
    assert Criterion.objects.get(call=setup.call, code="inclusion").weight == Decimal("60")


def test_a_scale_with_one_level_is_refused(setup: Setup) -> None:
    data = _edit_data(setup)
    row = _row(data, "scale", "value", "5")
    data[f"{row}-DELETE"] = "on"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert "Une échelle doit compter au moins deux niveaux" in _page(response)
    assert ScaleLevel.objects.filter(call=setup.call).count() == 2


def test_duplicate_codes_are_refused(setup: Setup) -> None:
    data = _edit_data(setup)
    data["streams-1-code"] = "local"
    data["streams-1-name"] = "Deuxième volet"
    data["streams-1-scope"] = "any"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert "Le code « local » est utilisé deux fois" in _page(response)
    assert 'value="Deuxième volet"' in _page(response)
    assert Stream.objects.filter(call=setup.call).count() == 1


def test_allocation_above_the_ledger_is_refused_when_saving_a_published_call(
    setup: Setup,
) -> None:
    Call.objects.filter(pk=setup.call.pk).update(published=True)
    data = _edit_data(setup)
    row = _row(data, "allocations", "fiscal_year", str(setup.current_year.pk))
    data[f"{row}-amount"] = "840000,01"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert (
        f"Les enveloppes de {setup.current_year.label} totalisent 840 000,01 $; le registre "
        "n'a que 840 000,00 $ de disponible" in _page(response)
    )
    assert setup.call.streams.get().allocations.get().amount == Decimal("100000.00")


def test_publication_is_refused_while_an_allocation_exceeds_the_ledger(setup: Setup) -> None:
    allocation = setup.call.streams.get().allocations.get()
    allocation.amount = Decimal("900000.00")
    allocation.save()
    response = setup.client.post(setup.url("publier"))
    assert response.status_code == 400
    assert f"Les enveloppes de {setup.current_year.label} totalisent 900 000,00 $" in _page(
        response
    )
    setup.call.refresh_from_db()
    assert not setup.call.published


def test_publishing_with_no_stream_is_refused_and_names_it(setup: Setup) -> None:
    setup.call.streams.all().delete()
    response = setup.client.post(setup.url("publier"))
    assert response.status_code == 400
    assert "L'appel n'a aucun volet : ajoutez-en au moins un." in _page(response)
    setup.call.refresh_from_db()
    assert not setup.call.published


def test_a_ready_call_is_published_and_audited(setup: Setup) -> None:
    response = setup.client.post(setup.url("publier"))
    assert response.status_code == 302
    setup.call.refresh_from_db()
    assert setup.call.published
    assert AuditEvent.objects.filter(event_type="call.published", actor=setup.coordinator).exists()


def test_new_blank_call_with_closing_before_opening_keeps_the_input(setup: Setup) -> None:
    url = f"/appels/{setup.programme.slug}/nouveau/"
    data = {
        "action": "create",
        "call-title": "Appel vierge",
        "call-opens_at": "2030-05-01T09:00",
        "call-closes_at": "2030-04-01T16:00",
        "call-min_request": "0",
        "call-max_share_of_expenses": "90",
    }
    response = setup.client.post(url, data)
    assert response.status_code == 400
    assert "L'appel doit se fermer après son ouverture." in _page(response)
    assert 'value="Appel vierge"' in _page(response)
    assert not Call.objects.filter(title="Appel vierge").exists()
    data["call-closes_at"] = "2030-06-01T16:00"
    response = setup.client.post(url, data)
    assert response.status_code == 302
    created = Call.objects.get(title="Appel vierge")
    assert (created.number, created.published) == (2, False)
    assert timezone.localtime(created.opens_at).hour == 9  # typed in Québec time


# ----------------------------------------------------------------------------- permissions


def test_a_coordinator_of_another_programme_gets_404_on_every_url(setup: Setup) -> None:
    other = f.ProgrammeRoleFactory(programme=_programme(), role=R.COORDINATOR).user
    client = Client()
    client.force_login(other)
    urls = [
        f"/appels/{setup.programme.slug}/nouveau/",
        setup.url("modifier"),
        setup.url("apercu"),
        setup.url("publier"),
    ]
    for url in urls:
        if not url.endswith("publier/"):
            assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "copy"}).status_code == 404, url
    setup.call.refresh_from_db()
    assert not setup.call.published
    assert Call.objects.filter(programme=setup.programme).count() == 1


def test_committee_members_and_observers_cannot_set_up_calls(setup: Setup) -> None:
    committee = f.ProgrammeRoleFactory(programme=setup.programme, role=R.COMMITTEE).user
    observer = f.UserFactory(is_ministry_observer=True)
    for person in (committee, observer):
        client = Client()
        client.force_login(person)
        assert client.get(setup.url("modifier")).status_code == 404
        assert client.post(setup.url("publier")).status_code == 404
        page = client.get(f"/programmes/{setup.programme.slug}/").content.decode()
        assert "/modifier/" not in page and "/nouveau/" not in page
    anonymous = Client().get(setup.url("modifier"))
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]


def test_the_programme_page_links_the_set_up_pages(setup: Setup) -> None:
    page = setup.client.get(f"/programmes/{setup.programme.slug}/").content.decode()
    assert f'href="/appels/{setup.programme.slug}/nouveau/"' in page
    assert f'href="{setup.url("modifier")}"' in page
    assert f'href="{setup.url("apercu")}"' in page


# ----------------------------------------------------------------------------- after publication


def _published_with_submission(setup: Setup) -> Proposal:
    Call.objects.filter(pk=setup.call.pk).update(
        published=True, opens_at=timezone.now() - timedelta(days=2)
    )
    member = f.OrganisationMemberFactory(user__email="membre@example.org")
    return f.ProposalFactory(
        call=setup.call, organisation=member.organisation, status=Proposal.Status.SUBMITTED
    )


def test_after_a_submission_eligibility_rules_can_no_longer_change(setup: Setup) -> None:
    _published_with_submission(setup)
    data = _edit_data(setup)
    row = _row(data, "rules", "code", "type")
    data[f"{row}-description"] = "Nouvelle règle"
    data["change-reason"] = "Précision"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert "Des demandes ont déjà été déposées selon les règles d'admissibilité" in _page(response)
    assert setup.call.eligibility_rules.get().description != "Nouvelle règle"


def test_after_a_submission_a_grid_change_needs_a_reason_and_is_recorded(setup: Setup) -> None:
    _published_with_submission(setup)
    data = _edit_data(setup)
    row = _row(data, "scale", "value", "5")
    data[f"{row}-descriptor"] = "Démontré de façon exemplaire et structurante."
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert "Indiquez le motif de cette modification" in _page(response)
    assert not AuditEvent.objects.filter(event_type="call.changed").exists()

    data["change-reason"] = "Descripteur précisé à la demande du comité"
    assert setup.client.post(setup.url("modifier"), data).status_code == 302
    event = AuditEvent.objects.get(event_type="call.changed")
    assert event.reason == "Descripteur précisé à la demande du comité"
    assert event.data == {"parts": ["grid"]}
    notice = CallNotice.objects.get(call=setup.call)
    assert notice.kind == CallNotice.Kind.CHANGE
    assert "Descripteur précisé" in _page(setup.client.get(setup.url("apercu")))


def test_an_extension_is_recorded_shown_and_mailed_to_applicants(setup: Setup) -> None:
    _published_with_submission(setup)
    data = _edit_data(setup)
    old = timezone.localtime(Call.objects.get(pk=setup.call.pk).closes_at)
    later = old + timedelta(days=7)
    data["call-closes_at"] = later.strftime("%Y-%m-%dT%H:%M")
    data["change-reason"] = "Période des Fêtes"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 302
    setup.call.refresh_from_db()
    assert timezone.localtime(setup.call.closes_at).date() == later.date()
    event = AuditEvent.objects.get(event_type="call.extended")
    assert event.reason == "Période des Fêtes"
    notice = CallNotice.objects.get(call=setup.call, kind=CallNotice.Kind.EXTENSION)
    assert notice.new_closes_at == setup.call.closes_at
    assert "Fermeture reportée du" in _page(setup.client.get(setup.url("apercu")))
    assert [m.to for m in mail.outbox] == [["membre@example.org"]]
    assert "Période des Fêtes" in mail.outbox[0].body


def test_a_published_closing_never_moves_earlier(setup: Setup) -> None:
    Call.objects.filter(pk=setup.call.pk).update(published=True)
    data = _edit_data(setup)
    earlier = timezone.localtime(setup.call.closes_at) - timedelta(days=1)
    data["call-closes_at"] = earlier.strftime("%Y-%m-%dT%H:%M")
    data["change-reason"] = "Erreur"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert "La fermeture d'un appel publié peut être reportée, jamais avancée." in _page(response)
    setup.call.refresh_from_db()
    assert setup.call.closes_at > earlier


# ----------------------------------------------------------------------------- services and rules


def test_copy_takes_every_part_of_the_source(setup: Setup) -> None:
    copy = call_copy(source=setup.call, actor=setup.coordinator)
    assert (copy.number, copy.published) == (2, False)
    assert list(copy.streams.values_list("code", flat=True)) == ["local"]
    assert copy.streams.get().allocations.get().amount == Decimal("100000.00")
    assert sorted(copy.criteria.values_list("code", "weight")) == sorted(
        setup.call.criteria.values_list("code", "weight")
    )
    assert copy.scale.count() == 2
    assert copy.eligibility_rules.count() == 1
    assert copy.required_documents.count() == 1


def _plan(**changes: object) -> CallPlan:
    now = timezone.now()
    fields: dict[str, object] = {
        "title": "Appel",
        "description": "Texte",
        "opens_at": now + timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "streams": [StreamPlan(key=1, name="Volet local", territorial=False)],
        "allocations": [AllocationLine(1, None, 10, Decimal("500"))],
        "weights": [Decimal("100")],
        "scale": [],
        "rules": 1,
        "documents": 1,
    }
    fields.update(changes)
    return CallPlan(**fields)  # type: ignore[arg-type]


def test_checklist_names_every_missing_piece() -> None:
    now = timezone.now()
    empty = _plan(
        description=" ", streams=[], allocations=[], weights=[], scale=[], rules=0, documents=0
    )
    missing = publication_checklist(empty, fiscal_years={}, now=now)
    assert len(missing) == 6  # description, stream, criterion, scale, rule, document


def test_checklist_refuses_ended_years_and_amounts_beyond_the_ledger() -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    years = {
        10: YearFunds("open", today + timedelta(days=100), Decimal("400")),
        11: YearFunds("ended", today - timedelta(days=1), Decimal("9000")),
    }
    from solidaire.calls.services import ScalePlan

    scale = [ScalePlan(0, "a", "x"), ScalePlan(1, "b", "y")]
    over = _plan(scale=scale)
    assert publication_checklist(over, fiscal_years=years, now=now) == [
        "Les enveloppes de open totalisent 500,00\xa0$; le registre n'a que 400,00\xa0$ "
        "de disponible dans cet exercice."
    ]
    ended = _plan(scale=scale, allocations=[AllocationLine(1, None, 11, Decimal("5"))])
    assert publication_checklist(ended, fiscal_years=years, now=now) == [
        "L'exercice ended est terminé : il ne reçoit plus de nouvelle enveloppe."
    ]
    fits = _plan(scale=scale, allocations=[AllocationLine(1, None, 10, Decimal("400"))])
    assert publication_checklist(fits, fiscal_years=years, now=now) == []


def test_territorial_sub_envelopes_count_once_per_stream_and_year() -> None:
    from solidaire.calls.services import allocation_pools

    lines = [
        AllocationLine(1, 7, 10, Decimal("100")),
        AllocationLine(1, 8, 10, Decimal("50")),
        AllocationLine(2, None, 10, Decimal("25")),
        AllocationLine(3, None, 10, Decimal("40")),
        AllocationLine(3, 7, 10, Decimal("30")),  # inside stream 3's own amount
    ]
    assert allocation_pools(lines) == {10: Decimal("215")}


def test_change_rules_by_moment_of_the_call() -> None:
    at = datetime(2030, 1, 10, 16, tzinfo=timezone.get_current_timezone())
    kw = {"old_closes_at": at, "new_closes_at": at}
    assert change_decision(
        {"rules"}, published=False, decided=False, submissions_received=False, **kw
    ).allowed
    assert not change_decision(
        {"text"}, published=True, decided=True, submissions_received=False, **kw
    ).allowed
    before_submissions = change_decision(
        {"rules"}, published=True, decided=False, submissions_received=False, **kw
    )
    assert before_submissions.allowed and not before_submissions.needs_reason
    decision = change_decision(
        {"grid"}, published=True, decided=False, submissions_received=True, **kw
    )
    assert decision.allowed and decision.needs_reason
    assert not change_decision(
        {"opening"}, published=True, decided=False, submissions_received=True, **kw
    ).allowed
    later = change_decision(
        {"closing"},
        published=True,
        decided=False,
        submissions_received=False,
        old_closes_at=at,
        new_closes_at=at + timedelta(days=1),
    )
    assert later.allowed and later.extension and later.needs_reason
    assert not change_decision(
        {"closing"},
        published=True,
        decided=False,
        submissions_received=False,
        old_closes_at=at,
        new_closes_at=at - timedelta(minutes=1),
    ).allowed


def test_a_decided_call_can_no_longer_change(setup: Setup) -> None:
    Call.objects.filter(pk=setup.call.pk).update(published=True, decided_at=timezone.now())
    data = _edit_data(setup)
    data["call-title"] = "Autre titre"
    data["change-reason"] = "Essai"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    assert "Cet appel est décidé; il ne peut plus être modifié." in _page(response)
    setup.call.refresh_from_db()
    assert setup.call.title != "Autre titre"


def test_saving_a_page_left_as_shown_changes_nothing(setup: Setup) -> None:
    Call.objects.filter(pk=setup.call.pk).update(published=True)
    before = Call.objects.get(pk=setup.call.pk)
    response = setup.client.post(setup.url("modifier"), _edit_data(setup))
    assert response.status_code == 302
    after = Call.objects.get(pk=setup.call.pk)
    assert (after.opens_at, after.closes_at) == (before.opens_at, before.closes_at)
    assert not AuditEvent.objects.filter(event_type__startswith="call.").exists()
    assert not CallNotice.objects.exists()
