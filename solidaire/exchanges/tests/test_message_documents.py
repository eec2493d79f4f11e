"""Documents sent with a message, and e-mail by the person's preferences."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.documents.storage import private_storage
from solidaire.exchanges.models import Message, MessageAttachment, MessageReceipt
from solidaire.exchanges.services import message_post
from solidaire.testing import factories as f
from solidaire.testing import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(call: Any) -> Proposal:
    return f.ProposalFactory(call=call, status=Proposal.Status.SUBMITTED)


@pytest.fixture
def people(proposal: Proposal) -> dict[str, Any]:
    programme = proposal.call.programme
    return {
        "coordinator": f.ProgrammeRoleFactory(programme=programme).user,
        "member": f.OrganisationMemberFactory(organisation=proposal.organisation).user,
        "stranger": f.OrganisationMemberFactory().user,
        "evaluator": f.ProgrammeRoleFactory(programme=programme, role="evaluator").user,
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def detail_url(proposal: Proposal) -> str:
    return reverse("proposal_detail", args=[proposal.pk])


def test_the_applicant_answers_with_documents_that_the_coordination_downloads(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    response = client_for(people["member"]).post(
        detail_url(proposal),
        {
            "body": "Voici le budget détaillé.",
            "documents": [
                SimpleUploadedFile("budget.pdf", files.pdf()),
                SimpleUploadedFile("photo.png", files.png()),
            ],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    names = sorted(a.name for a in message.attachments.all())
    assert names == ["budget.pdf", "photo.png"]
    attachment = message.attachments.get(name="budget.pdf")
    assert private_storage().exists(attachment.stored_name)
    assert "budget" not in attachment.stored_name  # stored under a random name

    coordination = client_for(people["coordinator"])
    page = coordination.get(detail_url(proposal)).content.decode()
    link = reverse("exchanges:document", args=[attachment.pk])
    assert link in page
    download = coordination.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["stranger", "evaluator"])
def test_a_message_document_is_404_to_anyone_outside_the_thread(
    proposal: Proposal, people: dict[str, Any], who: str
) -> None:
    message = message_post(
        proposal=proposal,
        author=people["member"],
        body="Voici.",
        files=[SimpleUploadedFile("budget.pdf", files.pdf())],
    )
    attachment = message.attachments.get()
    response = client_for(people[who]).get(reverse("exchanges:document", args=[attachment.pk]))
    assert response.status_code == 404


def test_a_refused_document_keeps_the_text_and_records_nothing(
    proposal: Proposal, people: dict[str, Any], private_media: Any
) -> None:
    response = client_for(people["member"]).post(
        detail_url(proposal),
        {
            "body": "Voici le programme.",
            "documents": [SimpleUploadedFile("programme.pdf", files.windows_executable())],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "programme.pdf" in page and "refused" in page
    assert "Voici le programme." in page  # what was typed is kept
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not any(p.is_file() for p in private_media.rglob("*"))


def test_a_document_the_full_disk_cannot_take_keeps_the_text_and_records_nothing(
    proposal: Proposal, people: dict[str, Any], private_media: Any
) -> None:
    from solidaire.testing.faults import DISK_ROOM_BYTES, disk_full, large_png

    client = client_for(people["member"])
    with disk_full():
        response = client.post(
            detail_url(proposal),
            {
                "body": "Voici les photos.",
                "documents": [
                    SimpleUploadedFile("petite.pdf", files.pdf()),
                    SimpleUploadedFile("photo.png", large_png(2 * DISK_ROOM_BYTES)),
                ],
            },
        )
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split('id="id_documents_error">', 1)[1].split("</p>")[0]
    assert "the server&#x27;s storage space is full. Your draft is intact" in error
    assert "Voici les photos." in page
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    # The small file stored first is removed with the rest.
    assert not any(p.is_file() for p in private_media.rglob("*"))


def test_too_many_documents_are_refused(proposal: Proposal, people: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        message_post(
            proposal=proposal,
            author=people["member"],
            body="Voici.",
            files=[SimpleUploadedFile(f"{i}.pdf", files.pdf()) for i in range(6)],
        )
    assert "documents" in refused.value.message_dict
    assert not Message.objects.exists()


def test_a_person_who_turned_message_emails_off_gets_none_but_sees_the_message(
    proposal: Proposal, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    quiet = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    quiet.notify_messages = False
    quiet.save()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(proposal=proposal, author=people["coordinator"], body="Une question ?")
    assert [m.to for m in mail.outbox] == [[people["member"].email]]
    # The in-app list still holds it, unread.
    assert MessageReceipt.objects.filter(user=quiet, read_at__isnull=True).exists()
