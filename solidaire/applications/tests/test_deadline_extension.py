"""More time for one organisation: the coordination grants it with a reason,
the server honours it at submission, and the applicant's pages show it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from solidaire.applications.cycle import CycleRefused
from solidaire.applications.deadlines import call_status_for, deadline_extension_grant
from solidaire.applications.models import DeadlineExtension, Proposal
from solidaire.applications.services import (
    SubmissionClosed,
    proposal_create_draft,
    proposal_submit,
)
from solidaire.audit.models import AuditEvent
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
S = Proposal.Status
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def complete_draft(call: Any, organisation: Any = None) -> Proposal:
    fy = call.programme.fiscal_years.order_by("starts_on").first()
    return proposal_create_draft(
        call=call,
        organisation=organisation or f.OrganisationFactory(),
        actor=None,
        fields={
            "title": "Cuisines collectives",
            "summary": "Des repas préparés ensemble.",
            "poverty_participation": "Un comité de participantes anime les ateliers.",
            "starts_on": fy.starts_on,
            "ends_on": fy.ends_on,
            "total_cost": Decimal("40000.00"),
        },
        requested={fy: Decimal("25000.00")},
        territories=[f.territory("2434")],
    )


@pytest.fixture
def draft(call: Any) -> Proposal:
    return complete_draft(call)


@pytest.fixture
def coordinator(call: Any) -> Any:
    return f.ProgrammeRoleFactory(programme=call.programme).user


def grant(proposal: Proposal, coordinator: Any, hours: int = 48) -> DeadlineExtension:
    return deadline_extension_grant(
        proposal=proposal,
        closes_at=proposal.call.closes_at + timedelta(hours=hours),
        reason="Inondation du local la veille de la date limite.",
        actor=coordinator,
    )


def english_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# ----------------------------------------------------------------------------- the server


def test_one_second_after_the_deadline_is_refused_without_an_extension(draft: Proposal) -> None:
    with pytest.raises(SubmissionClosed):
        proposal_submit(
            attested=True, proposal=draft, actor=None, now=draft.call.closes_at + SECOND
        )
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_one_second_after_the_deadline_is_accepted_with_an_extension(
    draft: Proposal, coordinator: Any
) -> None:
    grant(draft, coordinator)
    proposal_submit(attested=True, proposal=draft, actor=None, now=draft.call.closes_at + SECOND)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED


def test_one_second_after_the_extension_is_refused(draft: Proposal, coordinator: Any) -> None:
    extension = grant(draft, coordinator)
    with pytest.raises(SubmissionClosed) as refused:
        proposal_submit(attested=True, proposal=draft, actor=None, now=extension.closes_at + SECOND)
    assert "closed" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.submitted_at is None


def test_an_extension_helps_only_its_organisation(
    call: Any, draft: Proposal, coordinator: Any
) -> None:
    other = complete_draft(call)
    grant(draft, coordinator)
    late = call.closes_at + SECOND
    assert call_status_for(draft, late) == "open"
    assert call_status_for(other, late) == "closed"
    with pytest.raises(SubmissionClosed):
        proposal_submit(attested=True, proposal=other, actor=None, now=late)


def test_the_grant_is_audited_with_its_reason(draft: Proposal, coordinator: Any) -> None:
    extension = grant(draft, coordinator)
    event = AuditEvent.objects.get(event_type="deadline.extended", object_id=str(extension.pk))
    assert event.actor == coordinator
    assert event.reason.startswith("Inondation")
    assert event.new_value == extension.closes_at.isoformat()


def test_the_organisations_members_are_emailed_in_their_language(
    draft: Proposal, coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    french = f.OrganisationMemberFactory(organisation=draft.organisation).user
    english = f.OrganisationMemberFactory(
        organisation=draft.organisation, user=f.UserFactory(preferred_language="en")
    ).user
    f.OrganisationMemberFactory()  # another organisation hears nothing
    with django_capture_on_commit_callbacks(execute=True):
        grant(draft, coordinator)
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {french.email, english.email}
    assert sent[french.email].subject.startswith("Plus de temps")
    assert sent[english.email].subject.startswith("More time")
    assert "Inondation du local" in sent[english.email].body
    assert draft.reference in sent[french.email].body


# ----------------------------------------------------------------------------- bad input


def test_an_extension_before_the_calls_closing_is_refused(
    draft: Proposal, coordinator: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        deadline_extension_grant(
            proposal=draft,
            closes_at=draft.call.closes_at - timedelta(hours=1),
            reason="Panne",
            actor=coordinator,
        )
    assert "closes_at" in refused.value.message_dict
    assert not DeadlineExtension.objects.exists()


def test_an_extension_without_reason_is_refused(draft: Proposal, coordinator: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        deadline_extension_grant(
            proposal=draft,
            closes_at=draft.call.closes_at + timedelta(days=1),
            reason="   ",
            actor=coordinator,
        )
    assert "reason" in refused.value.message_dict
    assert not DeadlineExtension.objects.exists()


def test_an_extension_cannot_be_shortened(draft: Proposal, coordinator: Any) -> None:
    grant(draft, coordinator, hours=48)
    with pytest.raises(ValidationError) as refused:
        grant(draft, coordinator, hours=24)
    assert "already granted" in refused.value.message_dict["closes_at"][0]
    assert DeadlineExtension.objects.count() == 1


def test_a_submitted_proposal_gets_no_extension(draft: Proposal, coordinator: Any) -> None:
    proposal_submit(attested=True, proposal=draft, actor=None)
    draft.refresh_from_db()
    with pytest.raises(CycleRefused):
        grant(draft, coordinator)
    assert not DeadlineExtension.objects.exists()


# ----------------------------------------------------------------------------- pages


def extend_url(proposal: Proposal) -> str:
    return reverse("applications:extend_deadline", args=[proposal.pk])


def test_the_coordinator_grants_it_from_the_proposals_page(
    draft: Proposal, coordinator: Any
) -> None:
    client = english_client(coordinator)
    detail = client.get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert extend_url(draft) in detail
    new = timezone.localtime(draft.call.closes_at + timedelta(days=2))
    response = client.post(
        extend_url(draft),
        {"closes_at": new.strftime("%Y-%m-%dT%H:%M"), "reason": "Incendie au local."},
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert extension.organisation_id == draft.organisation_id
    assert extension.granted_by == coordinator
    assert extension.reason == "Incendie au local."


def test_the_page_shows_bad_input_beside_the_field_and_keeps_the_reason(
    draft: Proposal, coordinator: Any
) -> None:
    client = english_client(coordinator)
    before = timezone.localtime(draft.call.closes_at - timedelta(days=1))
    response = client.post(
        extend_url(draft),
        {"closes_at": before.strftime("%Y-%m-%dT%H:%M"), "reason": "Incendie au local."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The new closing must come after the call" in page
    assert "Incendie au local." in page
    response = client.post(extend_url(draft), {"closes_at": "demain", "reason": ""})
    page = response.content.decode()
    assert "Say why this organisation gets more time." in page
    assert "Give a date and time" in page
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize("who", ["other_coordinator", "member", "stranger", "evaluator"])
def test_only_the_programmes_coordination_reaches_the_page(draft: Proposal, who: str) -> None:
    people = {
        "other_coordinator": lambda: f.ProgrammeRoleFactory().user,
        "member": lambda: f.OrganisationMemberFactory(organisation=draft.organisation).user,
        "stranger": lambda: f.OrganisationMemberFactory().user,
        "evaluator": lambda: (
            f.ProgrammeRoleFactory(programme=draft.call.programme, role="evaluator").user
        ),
    }
    client = english_client(people[who]())
    assert client.get(extend_url(draft)).status_code == 404
    new = timezone.localtime(draft.call.closes_at + timedelta(days=2))
    response = client.post(
        extend_url(draft), {"closes_at": new.strftime("%Y-%m-%dT%H:%M"), "reason": "Pourquoi pas"}
    )
    assert response.status_code == 404
    assert not DeadlineExtension.objects.exists()


def test_the_applicant_sees_the_extended_deadline_and_its_reason(
    draft: Proposal, coordinator: Any
) -> None:
    extension = grant(draft, coordinator)
    member = f.OrganisationMemberFactory(organisation=draft.organisation).user
    client = english_client(member)
    edit = client.get(reverse("applications:edit", args=[draft.pk])).content.decode()
    assert "the coordination extended its deadline" in edit
    detail = client.get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert "Inondation du local" in detail
    assert extend_url(draft) not in detail
    day = timezone.localtime(extension.closes_at)
    assert str(day.year) in detail
