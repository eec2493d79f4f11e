from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from solidaire.applications.models import Proposal
from solidaire.applications.services import (
    SubmissionClosed,
    proposal_create_draft,
    proposal_submit,
    proposal_update_draft,
)
from solidaire.audit.models import AuditEvent
from solidaire.testing import factories as f


@pytest.fixture(autouse=True)
def english():
    # These tests read the services' messages in English; French is the
    # default, checked by the catalogue tests.
    with translation.override("en"):
        yield


S = Proposal.Status


@pytest.fixture
def draft(call):
    fy = call.programme.fiscal_years.order_by("starts_on").first()
    stream = f.StreamFactory(call=call)
    return proposal_create_draft(
        call=call,
        organisation=f.OrganisationFactory(),
        actor=None,
        fields={
            "title": "Cuisines collectives",
            "summary": "Des repas préparés ensemble.",
            "poverty_participation": "Un comité de participantes anime les ateliers.",
            "stream": stream,
            "starts_on": fy.starts_on,
            "ends_on": fy.ends_on,
            "total_cost": Decimal("40000.00"),
        },
        requested={fy: Decimal("25000.00")},
        territories=[f.territory("2434")],
    )


@pytest.mark.django_db
def test_submission_sets_instant_and_receipt_in_one_write(draft):
    now = timezone.now()
    proposal_submit(attested=True, proposal=draft, actor=None, now=now)
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.SUBMITTED
    assert saved.submitted_at == now
    assert saved.receipt_number.startswith(saved.reference)
    assert AuditEvent.objects.filter(
        event_type="proposal.status", object_id=str(saved.pk), new_value=S.SUBMITTED
    ).exists()


@pytest.mark.django_db
def test_submission_after_deadline_is_refused_and_draft_kept(draft):
    late = draft.call.closes_at + timedelta(seconds=1)
    with pytest.raises(SubmissionClosed, match="closed"):
        proposal_submit(attested=True, proposal=draft, actor=None, now=late)
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.DRAFT
    assert saved.submitted_at is None
    assert saved.title == "Cuisines collectives"


@pytest.mark.django_db
def test_submission_at_the_closing_instant_is_refused(draft):
    with pytest.raises(SubmissionClosed):
        proposal_submit(attested=True, proposal=draft, actor=None, now=draft.call.closes_at)


@pytest.mark.django_db
def test_incomplete_draft_gets_one_message_per_missing_field(call):
    draft = proposal_create_draft(
        call=call, organisation=f.OrganisationFactory(), actor=None, fields={"title": "Idée"}
    )
    with pytest.raises(ValidationError) as exc:
        proposal_submit(attested=True, proposal=draft, actor=None, now=timezone.now())
    fields = set(exc.value.message_dict)
    assert {"summary", "poverty_participation", "territories", "requested", "total_cost"} <= fields
    assert "title" not in fields
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT


@pytest.mark.django_db
def test_request_above_the_share_of_expenses_is_incomplete(draft):
    draft.call.max_share_of_expenses = Decimal("50")
    draft.call.save()
    with pytest.raises(ValidationError) as exc:
        proposal_submit(attested=True, proposal=draft, actor=None, now=timezone.now())
    assert "requested" in exc.value.message_dict


@pytest.mark.django_db
def test_drafts_are_saved_partially_and_only_while_drafts(draft):
    proposal_update_draft(proposal=draft, actor=None, fields={"summary": ""}, territories=[])
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.summary == ""
    assert saved.title == "Cuisines collectives"
    assert saved.requested_amounts.count() == 1
    with pytest.raises(ValidationError):
        proposal_update_draft(proposal=draft, actor=None, fields={"status": S.FUNDED})
    proposal_update_draft(
        proposal=draft,
        actor=None,
        fields={"summary": "Des repas."},
        territories=[f.territory("2434")],
    )
    proposal_submit(attested=True, proposal=draft, actor=None, now=timezone.now())
    with pytest.raises(ValidationError):
        proposal_update_draft(proposal=draft, actor=None, fields={"title": "Autre"})
