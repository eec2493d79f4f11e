"""Eligibility decisions: overruling an automatic check needs a recorded
justification, and an ineligible proposal's organisation receives a letter
(e-mail with a PDF) giving the reasons; the proposal leaves the review flow."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from solidaire.applications.models import Proposal
from solidaire.audit.models import AuditEvent
from solidaire.calls.models import EligibilityRule
from solidaire.committee.selectors import meeting_agenda
from solidaire.reviews.services import eligibility_record
from solidaire.reviews.tasks import ineligibility_letter_pdf
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(call):  # type: ignore[no-untyped-def]
    call.min_request = Decimal("10000.00")
    call.max_request = Decimal("50000.00")
    call.save()
    f.EligibilityRuleFactory(
        call=call, code="amount", kind=EligibilityRule.Kind.AMOUNT_RANGE, description="Amount"
    )
    f.EligibilityRuleFactory(call=call, code="board", description="Board resolution")
    proposal = f.ProposalFactory(call=call, status=Proposal.Status.SUBMITTED)
    f.RequestedAmountFactory(proposal=proposal, amount=Decimal("80000.00"))  # above the maximum
    member = f.OrganisationMemberFactory(organisation=proposal.organisation, user__email="o@x.org")
    coordinator = f.ProgrammeRoleFactory(programme=call.programme).user
    return {"call": call, "proposal": proposal, "member": member.user, "coordinator": coordinator}


def test_overruling_a_failed_check_without_justification_is_refused(
    screening, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    s = screening
    with pytest.raises(ValidationError) as error:
        eligibility_record(
            proposal=s["proposal"],
            results={"amount": (True, ""), "board": (True, "")},
            actor=s["coordinator"],
        )
    assert "overrule the automatic check" in error.value.message_dict["amount"][0]
    s["proposal"].refresh_from_db()
    assert s["proposal"].status == Proposal.Status.SUBMITTED
    assert not AuditEvent.objects.filter(event_type="eligibility.overruled").exists()


def test_overruling_with_a_justification_is_recorded(screening) -> None:  # type: ignore[no-untyped-def]
    s = screening
    eligibility_record(
        proposal=s["proposal"],
        results={"amount": (True, "The board approved a larger project"), "board": (True, "")},
        actor=s["coordinator"],
    )
    event = AuditEvent.objects.get(event_type="eligibility.overruled")
    assert event.reason == "The board approved a larger project"
    assert (event.old_value, event.new_value) == ("failed", "passed")
    assert s["proposal"].status == Proposal.Status.ELIGIBLE


def test_ineligible_proposal_gets_a_letter_with_the_reasons(
    screening, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    s = screening
    with django_capture_on_commit_callbacks(execute=True):
        eligibility_record(
            proposal=s["proposal"],
            results={
                "amount": (False, "80 000 $ is above the 50 000 $ maximum"),
                "board": (True, ""),
            },
            actor=s["coordinator"],
        )
    assert s["proposal"].status == Proposal.Status.INELIGIBLE
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["o@x.org"]
    ((_name, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    html_free = ineligibility_letter_pdf(s["proposal"])
    assert html_free.startswith(b"%PDF")
    # Out of the review flow: not on the meeting's agenda even with a review.
    f.ReviewFactory(proposal=s["proposal"])
    assert all(
        item.proposal != s["proposal"]
        for stream in meeting_agenda(s["call"], viewer_id=s["coordinator"].pk)
        for item in stream.items
    )


def test_the_letter_names_the_failed_rule_and_its_reason(screening) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from pypdf import PdfReader

    s = screening
    eligibility_record(
        proposal=s["proposal"],
        results={"amount": (False, "Above the maximum"), "board": (True, "")},
        actor=s["coordinator"],
    )
    pdf = PdfReader(BytesIO(ineligibility_letter_pdf(s["proposal"])))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Above the maximum" in text and "Amount" in text
    assert "Board resolution" not in text
    assert s["proposal"].reference in text
