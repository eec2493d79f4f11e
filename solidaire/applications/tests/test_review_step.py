"""The review step, the receipt and its PDF, reopening, and the versions
the coordination reads: each page tried by the owner, a stranger and the
programme's coordinator."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from solidaire.applications.models import Proposal, ProposalVersion
from solidaire.applications.services import proposal_submit
from solidaire.applications.tests.test_versions import complete_draft
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
S = Proposal.Status


@pytest.fixture
def draft(call: Any) -> Proposal:
    return complete_draft(call)


@pytest.fixture
def people(draft: Proposal) -> dict[str, Any]:
    return {
        "owner": f.OrganisationMemberFactory(organisation=draft.organisation).user,
        "stranger": f.OrganisationMemberFactory().user,
        "coordinator": f.ProgrammeRoleFactory(programme=draft.call.programme).user,
        "evaluator": f.ProgrammeRoleFactory(programme=draft.call.programme, role="evaluator").user,
    }


def as_(client: Client, user: Any, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def url(name: str, proposal: Proposal, *args: Any) -> str:
    return reverse(f"applications:{name}", args=[proposal.pk, *args])


def submitted(draft: Proposal, owner: Any) -> ProposalVersion:
    proposal_submit(proposal=draft, actor=owner, attested=True)
    return ProposalVersion.objects.get(proposal=draft)


# ----------------------------------------------------------------------------- review page


def test_the_review_page_shows_the_recap_checklist_and_attestation(client, draft, people):
    page = as_(client, people["owner"]).get(url("review", draft)).content.decode()
    assert "Review and submit" in page
    assert "Cuisines collectives" in page and "$1,200,000.00" in page
    assert "Nothing is missing" in page
    assert 'name="attested"' in page and "I attest that the information" in page


def test_submitting_without_the_attestation_says_so_and_submits_nothing(client, draft, people):
    response = as_(client, people["owner"]).post(url("review", draft), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick the attestation" in page
    assert 'aria-invalid="true"' in page
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT


def test_a_double_click_gives_one_submission_and_one_receipt(
    client, draft, people, django_capture_on_commit_callbacks
):
    as_(client, people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("review", draft), {"attested": "on"})
        second = client.post(url("review", draft), {"attested": "on"})
    receipt = url("receipt", draft)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == receipt
    assert ProposalVersion.objects.filter(proposal=draft).count() == 1
    assert len(mail.outbox) == 1  # one member, one receipt
    page = client.get(receipt).content.decode()
    assert "already submitted; here is its receipt" in page


def test_submission_one_second_after_the_deadline_is_refused_on_the_page(client, draft, people):
    call = draft.call
    call.closes_at = call.opens_at + timedelta(days=1)
    call.save()
    response = as_(client, people["owner"]).post(url("review", draft), {"attested": "on"})
    assert response.status_code == 400
    assert "proposals can no longer be submitted" in response.content.decode()
    assert not ProposalVersion.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "coordinator", "evaluator"])
def test_only_the_organisation_reaches_the_review_step(client, draft, people, who):
    client.force_login(people[who])
    assert client.get(url("review", draft)).status_code == 404
    assert client.post(url("review", draft), {"attested": "on"}).status_code == 404
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT


def test_the_edit_page_offers_review_and_submit(client, draft, people):
    page = as_(client, people["owner"]).get(url("edit", draft)).content.decode()
    assert 'name="review"' in page and "Review and submit" in page
    assert 'name="submit"' not in page


# ----------------------------------------------------------------------------- receipt, PDF


def test_the_receipt_page_links_its_pdf_and_no_longer_asks_to_print(client, draft, people):
    version = submitted(draft, people["owner"])
    page = as_(client, people["owner"]).get(url("receipt", draft)).content.decode()
    assert url("receipt_pdf", draft) in page
    assert version.sha256 in page
    assert "Print" not in page


@pytest.mark.parametrize(("language", "words"), [("fr", "Accusé de réception"), ("en", "Receipt")])
def test_the_pdf_receipt_is_in_the_readers_language(client, draft, people, language, words):
    version = submitted(draft, people["owner"])
    response = as_(client, people["owner"], language).get(url("receipt_pdf", draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert words in text and draft.reference in text
    assert version.sha256 in "".join(text.split())


def test_the_proposal_page_links_the_pdf_receipt(client, draft, people):
    submitted(draft, people["owner"])
    page = as_(client, people["owner"]).get(reverse("proposal_detail", args=[draft.pk]))
    assert url("receipt_pdf", draft) in page.content.decode()


@pytest.mark.parametrize("name", ["receipt", "receipt_pdf", "reopen"])
def test_a_stranger_gets_404_on_the_receipt_and_reopening(client, draft, people, name):
    submitted(draft, people["owner"])
    client.force_login(people["stranger"])
    assert client.get(url(name, draft)).status_code == 404


def test_a_draft_has_no_pdf_receipt(client, draft, people):
    assert as_(client, people["owner"]).get(url("receipt_pdf", draft)).status_code == 404


# ----------------------------------------------------------------------------- reopen


def test_reopening_before_the_deadline_makes_a_draft_again(client, draft, people):
    submitted(draft, people["owner"])
    as_(client, people["owner"])
    detail = client.get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert url("reopen", draft) in detail
    assert "only once you submit it again" in client.get(url("reopen", draft)).content.decode()
    response = client.post(url("reopen", draft))
    assert response["Location"] == url("edit", draft)
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT
    assert ProposalVersion.objects.filter(proposal=draft).count() == 1


def test_reopening_after_the_deadline_is_refused_on_the_page(client, draft, people):
    submitted(draft, people["owner"])
    call = draft.call
    call.closes_at = call.opens_at + timedelta(days=1)
    call.save()
    as_(client, people["owner"])
    detail = client.get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert url("reopen", draft) not in detail
    response = client.post(url("reopen", draft), follow=True)
    assert "can no longer be reopened" in response.content.decode()
    assert Proposal.objects.get(pk=draft.pk).status == S.SUBMITTED


# ----------------------------------------------------------------------------- versions


def test_the_coordination_sees_every_version_and_its_content(client, draft, people):
    from solidaire.applications.services import proposal_reopen, proposal_update_draft

    owner = people["owner"]
    submitted(draft, owner)
    proposal_reopen(proposal=draft, actor=owner)
    proposal_update_draft(proposal=draft, actor=owner, fields={"title": "Cuisines du quartier"})
    proposal_submit(proposal=draft, actor=owner, attested=True)
    as_(client, people["coordinator"])
    detail = client.get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert "Versions submitted" in detail
    assert url("version", draft, 1) in detail and url("version", draft, 2) in detail
    first = client.get(url("version", draft, 1)).content.decode()
    assert "Cuisines collectives" in first and "Cuisines du quartier" not in first
    pdf = client.get(url("version_pdf", draft, 1))
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("who", ["stranger", "evaluator"])
def test_versions_are_hidden_from_anyone_else(client, draft, people, who):
    submitted(draft, people["owner"])
    client.force_login(people[who])
    assert client.get(url("version", draft, 1)).status_code == 404
    assert client.get(url("version_pdf", draft, 1)).status_code == 404


def test_an_unknown_version_is_404(client, draft, people):
    submitted(draft, people["owner"])
    client.force_login(people["coordinator"])
    assert client.get(url("version", draft, 2)).status_code == 404


def test_the_review_page_is_in_french_by_default(client, draft, people):
    client.force_login(people["owner"])
    with translation.override("fr"):
        page = client.get(url("review", draft)).content.decode()
    assert "Vérifier et déposer" in page


def test_review_with_a_wrong_answer_stays_on_the_form_with_the_rest_saved(client, draft, people):
    from solidaire.applications.tests.test_views import complete_post

    as_(client, people["owner"])
    data = complete_post(draft, review="1", total_cost="abc", summary="Des repas partagés.")
    response = client.post(url("edit", draft), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your draft is saved but not submitted" in page
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.summary == "Des repas partagés." and saved.status == S.DRAFT
