"""Submission as a person lives it: the attestation, the deadline to the
second, the double click, the frozen version and its fingerprint, reopening
and resubmitting, and the receipt e-mailed once to every member."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone, translation
from pypdf import PdfReader

from solidaire.applications.cycle import CycleRefused
from solidaire.applications.models import (
    Attachment,
    BudgetLine,
    DeadlineExtension,
    OtherFunding,
    Proposal,
    ProposalVersion,
    ReceiptEmail,
)
from solidaire.applications.services import (
    SubmissionClosed,
    proposal_create_draft,
    proposal_reopen,
    proposal_submit,
    proposal_update_draft,
)
from solidaire.applications.tasks import receipt_send
from solidaire.applications.versions import canonical_json, content_sha256
from solidaire.testing import factories as f

S = Proposal.Status
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def complete_draft(call: Any, organisation: Any = None) -> Proposal:
    fy = call.programme.fiscal_years.order_by("starts_on").first()
    draft = proposal_create_draft(
        call=call,
        organisation=organisation or f.OrganisationFactory(),
        actor=None,
        fields={
            "title": "Cuisines collectives",
            "summary": "Des repas préparés ensemble.",
            "poverty_participation": "Un comité de participantes anime les ateliers.",
            "starts_on": fy.starts_on,
            "ends_on": fy.ends_on,
            "total_cost": Decimal("1400000.00"),
        },
        requested={fy: Decimal("1200000.00")},
        territories=[f.territory("2434")],
    )
    call.max_request = None
    call.save(update_fields=["max_request"])
    return draft


@pytest.fixture
def draft(call: Any) -> Proposal:
    return complete_draft(call)


@pytest.fixture
def member(draft: Proposal) -> Any:
    return f.OrganisationMemberFactory(organisation=draft.organisation).user


# ----------------------------------------------------------------------------- attestation


@pytest.mark.django_db
def test_submission_without_the_attestation_is_refused_and_nothing_recorded(draft, member):
    with pytest.raises(ValidationError) as refused:
        proposal_submit(proposal=draft, actor=member, attested=False)
    assert "attestation" in refused.value.message_dict
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.DRAFT and not saved.receipt_number
    assert not ProposalVersion.objects.filter(proposal=draft).exists()


# ----------------------------------------------------------------------------- deadline


@pytest.mark.django_db
def test_submission_one_second_after_the_deadline_is_refused(draft, member):
    late = draft.call.closes_at + SECOND
    with pytest.raises(SubmissionClosed, match="proposals can no longer be submitted"):
        proposal_submit(proposal=draft, actor=member, attested=True, now=late)
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT
    assert not ProposalVersion.objects.exists()


@pytest.mark.django_db
def test_submission_one_second_before_the_deadline_is_received(draft, member):
    just = draft.call.closes_at - SECOND
    proposal_submit(proposal=draft, actor=member, attested=True, now=just)
    assert ProposalVersion.objects.get(proposal=draft).submitted_at == just


@pytest.mark.django_db
def test_the_organisations_extension_is_honoured_to_the_second(draft, member):
    call = draft.call
    DeadlineExtension.objects.create(
        call=call,
        organisation=draft.organisation,
        closes_at=call.closes_at + timedelta(days=2),
        reason="Incendie au local",
        granted_by=f.UserFactory(),
    )
    extended = call.closes_at + timedelta(days=2)
    with pytest.raises(SubmissionClosed):
        proposal_submit(proposal=draft, actor=member, attested=True, now=extended + SECOND)
    proposal_submit(proposal=draft, actor=member, attested=True, now=extended - SECOND)
    assert Proposal.objects.get(pk=draft.pk).status == S.SUBMITTED


# ----------------------------------------------------------------------------- versions


@pytest.mark.django_db
def test_submission_freezes_every_answer_in_a_version_with_its_fingerprint(draft, member):
    Attachment.objects.create(
        proposal=draft, stored_name="a/lettre.pdf", name="lettre.pdf", size=3, sha256="ab" * 32
    )
    fy = draft.call.programme.fiscal_years.order_by("starts_on").first()
    BudgetLine.objects.create(
        proposal=draft, fiscal_year=fy, category="Salaires", amount=Decimal("1400000.00")
    )
    OtherFunding.objects.create(
        proposal=draft, source="Centraide", amount=Decimal("50000.00"), confirmed=True
    )
    proposal_submit(proposal=draft, actor=member, attested=True)
    version = ProposalVersion.objects.get(proposal=draft)
    assert version.number == 1 and version.submitted_by == member
    content = version.content
    assert content["title"] == "Cuisines collectives"
    assert content["requested"][0]["amount"] == "1200000.00"
    assert content["territories"] == [{"code": "2434", "name": f.territory("2434").name}]
    assert content["budget_lines"] == [
        {
            "fiscal_year": fy.label,
            "category": "Salaires",
            "description": "",
            "amount": "1400000.00",
        }
    ]
    assert content["other_funding"] == [
        {"source": "Centraide", "amount": "50000.00", "confirmed": True}
    ]
    assert content["documents"] == [
        {"document": None, "name": "lettre.pdf", "size": 3, "sha256": "ab" * 32}
    ]
    assert version.sha256 == content_sha256(content)
    assert len(version.sha256) == 64
    # The canonical form: sorted keys, no spaces, so anyone can recompute it.
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    assert version.attestation.startswith("I attest")
    assert Proposal.objects.get(pk=draft.pk).receipt_number == version.receipt_number


@pytest.mark.django_db
def test_a_submitted_version_cannot_be_edited(draft, member):
    proposal_submit(proposal=draft, actor=member, attested=True)
    with pytest.raises(ValidationError):
        proposal_update_draft(proposal=draft, actor=member, fields={"title": "Autre"})
    assert ProposalVersion.objects.get(proposal=draft).content["title"] == "Cuisines collectives"


@pytest.mark.django_db
def test_two_sequential_submissions_give_one_version_and_one_receipt(draft, member):
    proposal_submit(proposal=draft, actor=member, attested=True)
    receipt = Proposal.objects.get(pk=draft.pk).receipt_number
    stale = Proposal.objects.get(pk=draft.pk)
    stale.status = S.DRAFT  # the page of the second tab still shows a draft
    with pytest.raises(CycleRefused):
        proposal_submit(proposal=stale, actor=member, attested=True)
    assert ProposalVersion.objects.filter(proposal=draft).count() == 1
    assert Proposal.objects.get(pk=draft.pk).receipt_number == receipt


@pytest.mark.django_db
def test_reopen_then_resubmit_records_a_new_version_and_keeps_the_first(draft, member):
    proposal_submit(proposal=draft, actor=member, attested=True)
    proposal_reopen(proposal=draft, actor=member)
    reopened = Proposal.objects.get(pk=draft.pk)
    assert reopened.status == S.DRAFT
    assert reopened.submitted_at is None and reopened.receipt_number == ""
    proposal_update_draft(proposal=reopened, actor=member, fields={"title": "Cuisines du quartier"})
    proposal_submit(proposal=reopened, actor=member, attested=True)
    first, second = ProposalVersion.objects.filter(proposal=draft).order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.content["title"] == "Cuisines collectives"
    assert second.content["title"] == "Cuisines du quartier"
    assert first.sha256 != second.sha256
    assert first.receipt_number != second.receipt_number
    assert Proposal.objects.get(pk=draft.pk).receipt_number == second.receipt_number


@pytest.mark.django_db
def test_reopen_after_the_deadline_is_refused(draft, member):
    proposal_submit(proposal=draft, actor=member, attested=True)
    with pytest.raises(CycleRefused, match="can no longer be reopened"):
        proposal_reopen(proposal=draft, actor=member, now=draft.call.closes_at + SECOND)
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.SUBMITTED and saved.receipt_number


@pytest.mark.django_db
def test_reopen_after_screening_started_is_refused(draft, member):
    proposal_submit(proposal=draft, actor=member, attested=True)
    Proposal.objects.filter(pk=draft.pk).update(status=S.ELIGIBLE)
    with pytest.raises(CycleRefused):
        proposal_reopen(proposal=Proposal.objects.get(pk=draft.pk), actor=member)


# ----------------------------------------------------------------------------- receipt e-mail


@pytest.mark.django_db
def test_the_receipt_is_emailed_once_to_every_member_in_their_language(
    draft, member, django_capture_on_commit_callbacks
):
    member.preferred_language = "en"
    member.save()
    french = f.OrganisationMemberFactory(organisation=draft.organisation).user
    french.preferred_language = "fr"
    french.notify_messages = False  # optional e-mails turned off; the receipt still goes
    french.save()
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=draft, actor=member, attested=True)
    version = ProposalVersion.objects.get(proposal=draft)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {member.email, french.email}
    assert by_address[member.email].subject.startswith("Receipt of your proposal")
    assert by_address[french.email].subject.startswith("Accusé de réception")
    for message in mail.outbox:
        name, data, mimetype = message.attachments[0]
        assert data.startswith(b"%PDF")
        assert mimetype == "application/pdf" and name == f"{version.receipt_number}.pdf"
        assert version.sha256 in message.body
    # The task run again (a retry, a second worker) sends nothing more.
    assert receipt_send.call(version.pk) == 0
    assert len(mail.outbox) == 2
    assert ReceiptEmail.objects.filter(version=version).count() == 2


@pytest.mark.django_db
def test_a_refused_submission_emails_nothing(draft, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        proposal_submit(proposal=draft, actor=member, attested=False)
    assert mail.outbox == []


# ----------------------------------------------------------------------------- the PDF


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


@pytest.mark.django_db
def test_the_pdf_receipt_states_reference_version_hash_instant_and_amounts_in_french(draft, member):
    from solidaire.applications.receipts import receipt_pdf

    submitted_at = draft.call.closes_at.replace(month=4, day=1, hour=14, minute=34)
    draft.call.opens_at = submitted_at - timedelta(days=1)
    draft.call.closes_at = submitted_at + timedelta(days=1)
    draft.call.save()
    proposal_submit(proposal=draft, actor=member, attested=True, now=submitted_at)
    version = ProposalVersion.objects.get(proposal=draft)
    with translation.override("fr"):
        text = pdf_text(receipt_pdf(draft, version)).replace("\xa0", " ").replace("\u202f", " ")
    assert draft.reference in text
    assert version.sha256 in text.replace(" ", "")
    assert "Version 1" in text
    local = timezone.localtime(submitted_at)
    assert f"1er avril {local.year}" in text and f"{local:%H} h {local:%M}" in text
    assert "1 200 000,00 $" in text


# ----------------------------------------------------------------------------- two at once


@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_give_one_version(call) -> None:
    draft = complete_draft(call)
    member = f.OrganisationMemberFactory(organisation=draft.organisation).user
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            proposal_submit(proposal=Proposal.objects.get(pk=draft.pk), actor=member, attested=True)
            outcomes.append("submitted")
        except CycleRefused:
            outcomes.append("refused")
        except Exception as exc:  # reported below: a thread's error must fail the test
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "submitted"]
    assert ProposalVersion.objects.filter(proposal=draft).count() == 1
