"""The required documents of a call as upload slots of the proposal editor:
upload, replace and remove on a draft, refusals beside the slot with the
typed answers kept, the completeness check, and the access-checked download."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solidaire.applications.attachments import attachment_put
from solidaire.applications.models import Attachment, Proposal
from solidaire.applications.services import proposal_completeness_errors
from solidaire.applications.tests.test_views import complete_post
from solidaire.audit.models import AuditEvent
from solidaire.testing import factories as f
from solidaire.testing import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    return f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, 12, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=30),
        min_request=Decimal("5000.00"),
        max_request=Decimal("100000.00"),
        max_share_of_expenses=Decimal("90"),
    )


@pytest.fixture
def documents(call):  # type: ignore[no-untyped-def]
    return {
        "letters": f.RequiredDocumentFactory(call=call, name="Lettres d'appui des partenaires"),
        "resolution": f.RequiredDocumentFactory(call=call, name="Résolution du conseil"),
        "photos": f.RequiredDocumentFactory(call=call, name="Photos du local", mandatory=False),
    }


@pytest.fixture
def draft(call, documents):  # type: ignore[no-untyped-def]
    return f.ProposalFactory(call=call, title="Cuisines collectives")


@pytest.fixture
def owner(draft):  # type: ignore[no-untyped-def]
    return f.OrganisationMemberFactory(organisation=draft.organisation).user


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


def edit_url(proposal: Proposal) -> str:
    return reverse("applications:edit", args=[proposal.pk])


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def slot(document: Any) -> str:
    return f"document_{document.pk}"


def typed(proposal: Proposal, **extra: Any) -> dict[str, Any]:
    """The editor's answers as a person typed them, with files or buttons."""
    proposal.refresh_from_db()
    data: dict[str, Any] = {
        "version": proposal.updated_at.isoformat(),
        "title": "Cuisines collectives du quartier Saint-Roch",
        "summary": "Des repas préparés ensemble, chaque semaine.",
        "scope": "local",
        "funding-TOTAL_FORMS": "0",
        "funding-INITIAL_FORMS": "0",
        "save": "documents",
    }
    data.update(extra)
    return data


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def attach(proposal: Proposal, document: Any, content: bytes, name: str) -> Attachment:
    file = io.BytesIO(content)
    file.name = name
    return attachment_put(proposal=proposal, document=document, file=file, actor=None)


# ----------------------------------------------------------------------------- slots


def test_the_editor_shows_one_slot_per_required_document(draft, owner, documents, client_for):  # type: ignore[no-untyped-def]
    page = client_for(owner).get(edit_url(draft)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    for document in documents.values():
        assert f'id="id_{slot(document)}"' in page
        assert f'for="id_{slot(document)}"' in page
    assert page.count("(obligatoire)") == 2
    assert page.count("(facultatif)") == 1
    assert "Aucun fichier envoyé" in page


def test_uploading_a_file_attaches_it_and_saves_the_typed_answers(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media
):
    content = files.pdf()
    response = client_for(owner).post(
        edit_url(draft),
        typed(draft, **{slot(documents["letters"]): upload(content, "lettres.pdf")}),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#documents")
    attachment = Attachment.objects.get(proposal=draft)
    assert attachment.document == documents["letters"]
    assert attachment.name == "lettres.pdf"
    assert attachment.size == len(content)
    assert attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64
    assert attachment.uploaded_by == owner
    assert attachment.uploaded_at is not None
    assert (private_media / attachment.stored_name).read_bytes() == content
    assert "lettres" not in attachment.stored_name
    draft.refresh_from_db()
    assert draft.title == "Cuisines collectives du quartier Saint-Roch"
    assert AuditEvent.objects.filter(event_type="proposal.document_attached").count() == 1
    page = client_for(owner).get(edit_url(draft)).content.decode()
    assert reverse("applications:document", args=[draft.pk, attachment.pk]) in page


def test_a_new_file_replaces_the_one_in_its_slot(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media, django_capture_on_commit_callbacks
):
    first = attach(draft, documents["letters"], files.pdf(), "ancien.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            edit_url(draft),
            typed(draft, **{slot(documents["letters"]): upload(files.docx(), "nouveau.docx")}),
        )
    assert response.status_code == 302
    attachment = Attachment.objects.get(proposal=draft)
    assert attachment.name == "nouveau.docx"
    assert attachment.pk != first.pk
    assert stored_files(private_media) == [private_media / attachment.stored_name]


def test_removing_a_file_deletes_it_and_keeps_the_typed_answers(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media, django_capture_on_commit_callbacks
):
    attachment = attach(draft, documents["letters"], files.pdf(), "lettres.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            edit_url(draft), typed(draft, save="", remove_document=str(attachment.pk))
        )
    assert response.status_code == 302
    assert not Attachment.objects.filter(proposal=draft).exists()
    assert stored_files(private_media) == []
    draft.refresh_from_db()
    assert draft.title == "Cuisines collectives du quartier Saint-Roch"


def test_another_proposals_file_cannot_be_removed(draft, owner, documents, client_for):  # type: ignore[no-untyped-def]
    other = f.ProposalFactory(call=draft.call)
    theirs = attach(other, documents["letters"], files.pdf(), "lettres.pdf")
    response = client_for(owner).post(
        edit_url(draft), typed(draft, save="", remove_document=str(theirs.pk))
    )
    assert response.status_code == 200
    assert Attachment.objects.filter(pk=theirs.pk).exists()


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("make", "name", "reason"),
    [
        (files.pdf_with_javascript, "budget.pdf", "contient du JavaScript"),
        (files.pdf_with_embedded_file, "budget.pdf", "contient des fichiers intégrés"),
        (files.encrypted_pdf, "budget.pdf", "chiffré"),
        (files.elf_executable, "budget.pdf", "n’est pas d’un type accepté"),
        (files.windows_executable, "lettre.pdf", "n’est pas d’un type accepté"),
        (files.svg, "logo.svg", "n’est pas d’un type accepté"),
        (files.zip_bomb_docx, "lettres.docx", "bombe"),
        (lambda: b"", "vide.pdf", "est vide"),
    ],
)
def test_a_refused_file_is_reported_beside_its_slot_and_nothing_else_is_lost(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media, make, name, reason
):
    document = documents["letters"]
    response = client_for(owner).post(
        edit_url(draft), typed(draft, **{slot(document): upload(make(), name)})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"«\u00a0{name}\u00a0» est refusé" in page
    assert reason in page
    # In the error summary, linked to the slot's input, and beside it.
    assert f'href="#id_{slot(document)}"' in page
    assert f'id="id_{slot(document)}_error"' in page
    # What was typed is still in the form, and saved.
    assert 'value="Cuisines collectives du quartier Saint-Roch"' in page
    assert "Des repas préparés ensemble, chaque semaine." in page
    draft.refresh_from_db()
    assert draft.title == "Cuisines collectives du quartier Saint-Roch"
    # Nothing of the file was written.
    assert not Attachment.objects.exists()
    assert stored_files(private_media) == []
    assert not AuditEvent.objects.filter(event_type="proposal.document_attached").exists()


def test_a_file_over_the_limit_is_refused(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    response = client_for(owner).post(
        edit_url(draft),
        typed(
            draft, **{slot(documents["letters"]): upload(files.pdf() + b" " * 200_000, "gros.pdf")}
        ),
    )
    page = response.content.decode()
    # The upload handler dropped the file while it arrived; the typed text came through.
    draft.refresh_from_db()
    assert draft.title == "Cuisines collectives du quartier Saint-Roch"
    assert "«\u00a0gros.pdf\u00a0» est refusé" in page
    assert "dépasse la limite de 1,0" in page
    assert not Attachment.objects.exists()
    assert stored_files(private_media) == []


def test_the_documents_of_a_proposal_have_a_total_limit(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media, settings
):
    size = len(files.pdf())
    settings.PROPOSAL_UPLOADS_MAX_BYTES = size + size // 2
    attach(draft, documents["letters"], files.pdf(), "lettres.pdf")
    response = client_for(owner).post(
        edit_url(draft),
        typed(draft, **{slot(documents["resolution"]): upload(files.pdf(), "resolution.pdf")}),
    )
    page = response.content.decode()
    assert "«\u00a0resolution.pdf\u00a0» est refusé" in page
    assert "ensemble dépasseraient" in page
    assert Attachment.objects.count() == 1
    assert len(stored_files(private_media)) == 1
    # Replacing the one file stays within the total.
    attach(draft, documents["letters"], files.pdf(), "lettres-signees.pdf")
    assert Attachment.objects.get().name == "lettres-signees.pdf"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("lettre\x00\x07\x1b.pdf", "lettre.pdf"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_dangerous_names_are_made_safe(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media, sent, kept
):
    response = client_for(owner).post(
        edit_url(draft), typed(draft, **{slot(documents["letters"]): upload(files.pdf(), sent)})
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == kept
    assert Path(private_media / attachment.stored_name).resolve().is_relative_to(private_media)


def test_markup_in_a_file_name_is_shown_as_text(draft, owner, documents, client_for):  # type: ignore[no-untyped-def]
    attach(draft, documents["letters"], files.pdf(), "<img src=x onerror=alert(1)>.pdf")
    page = client_for(owner).get(edit_url(draft)).content.decode()
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page


def test_a_submitted_proposals_documents_cannot_change(draft, documents, private_media):  # type: ignore[no-untyped-def]
    Proposal.objects.filter(pk=draft.pk).update(
        status=Proposal.Status.SUBMITTED, submitted_at=timezone.now()
    )
    draft.refresh_from_db()
    with pytest.raises(ValidationError):
        attach(draft, documents["letters"], files.pdf(), "lettres.pdf")
    assert not Attachment.objects.exists()
    assert stored_files(private_media) == []


# ----------------------------------------------------------------------------- completeness


def test_each_missing_mandatory_document_is_a_completeness_error(draft, documents):  # type: ignore[no-untyped-def]
    errors = proposal_completeness_errors(draft)
    assert slot(documents["letters"]) in errors
    assert slot(documents["resolution"]) in errors
    assert slot(documents["photos"]) not in errors
    attach(draft, documents["letters"], files.pdf(), "lettres.pdf")
    # An attachment outside any slot does not hide the missing ones.
    Attachment.objects.create(proposal=draft, stored_name="x/extra.pdf", name="extra.pdf")
    errors = proposal_completeness_errors(draft)
    assert slot(documents["letters"]) not in errors
    assert slot(documents["resolution"]) in errors


def test_submitting_without_a_mandatory_document_links_the_error_to_its_slot(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for
):
    attach(draft, documents["letters"], files.pdf(), "lettres.pdf")
    client = client_for(owner)
    client.post(edit_url(draft), complete_post(draft, review="1"))
    review = reverse("applications:review", args=[draft.pk])
    page = client.get(review).content.decode()
    assert (
        f'<a href="{edit_url(draft)}#id_{slot(documents["resolution"])}">'
        "Joignez le document «\u00a0Résolution du conseil\u00a0».</a>"
    ) in page
    assert f'#id_{slot(documents["letters"])}"' not in page
    assert client.post(review, {"attested": "on"}).status_code == 400
    draft.refresh_from_db()
    assert draft.status == Proposal.Status.DRAFT

    attach(draft, documents["resolution"], files.odt(), "resolution.odt")
    response = client.post(review, {"attested": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Proposal.Status.SUBMITTED


# ----------------------------------------------------------------------------- download


@pytest.fixture
def attachment(draft, documents):  # type: ignore[no-untyped-def]
    return attach(draft, documents["letters"], files.pdf(), "Lettres d'appui.pdf")


def download_url(attachment: Attachment) -> str:
    return reverse("applications:document", args=[attachment.proposal_id, attachment.pk])


def test_members_and_the_coordination_download_with_safe_headers(  # type: ignore[no-untyped-def]
    draft, attachment, owner, client_for
):
    member = f.OrganisationMemberFactory(organisation=draft.organisation).user
    coordinator = f.ProgrammeRoleFactory(programme=draft.call.programme).user
    for user in (owner, member, coordinator):
        response = client_for(user).get(download_url(attachment))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == files.pdf()


def test_the_proposal_page_lists_its_documents_for_the_coordination(  # type: ignore[no-untyped-def]
    draft, attachment, client_for
):
    coordinator = f.ProgrammeRoleFactory(programme=draft.call.programme).user
    page = client_for(coordinator).get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert f'href="{download_url(attachment)}"' in page
    assert "Lettres d’appui.pdf" in page or "Lettres d&#x27;appui.pdf" in page


def test_the_download_checks_ownership(draft, attachment, client_for, client):  # type: ignore[no-untyped-def]
    stranger = f.OrganisationMemberFactory().user
    assert client_for(stranger).get(download_url(attachment)).status_code == 404
    other_coordinator = f.ProgrammeRoleFactory().user
    assert client_for(other_coordinator).get(download_url(attachment)).status_code == 404


def test_an_evaluator_who_declared_a_conflict_gets_404(draft, attachment, client_for):  # type: ignore[no-untyped-def]
    evaluator = f.UserFactory()
    f.ProgrammeRoleFactory(programme=draft.call.programme, user=evaluator, role="evaluator")
    f.ReviewFactory(proposal=draft, evaluator=evaluator)
    f.ConflictDeclarationFactory(proposal=draft, user=evaluator)
    assert client_for(evaluator).get(download_url(attachment)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(attachment, client):  # type: ignore[no-untyped-def]
    response = client.get(download_url(attachment))
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]


def test_a_file_is_reached_only_through_its_own_proposal(draft, attachment, owner, client_for):  # type: ignore[no-untyped-def]
    other = f.ProposalFactory(organisation=draft.organisation, call=draft.call)
    url = reverse("applications:document", args=[other.pk, attachment.pk])
    assert client_for(owner).get(url).status_code == 404
