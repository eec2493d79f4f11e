"""The agreement as a document: the coordination's template, PDFs kept as
issued, the organisation's signature and the trustee's countersignature,
amendments — and the abuse each one must refuse."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from solidaire.agreements.amendments import amendment_approve, amendment_propose
from solidaire.agreements.documents import (
    SigningRefused,
    agreement_countersign,
    agreement_document_get,
    agreement_sign_organisation,
    agreement_template_save,
    agreement_version_current,
    document_content,
    placeholder_problems,
)
from solidaire.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementSignature,
    Amendment,
    Payment,
)
from solidaire.agreements.services import (
    agreement_issue,
    commitment_amounts,
    payment_condition_unmet,
    payment_record,
)
from solidaire.applications.models import OrganisationMember, Proposal
from solidaire.common.fiscal import fiscal_today
from solidaire.common.pdf import sha256_hex
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import ProgrammeRole
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
R = ProgrammeRole.Role
AMOUNTS = [Decimal("30000.00"), Decimal("25000.00")]


def _funded(call, n: int = 1, amounts=AMOUNTS):  # type: ignore[no-untyped-def]
    years = list(call.programme.fiscal_years.order_by("starts_on"))[: len(amounts)]
    commitment = commitment_create(
        programme=call.programme, reference=f"p:{call.pk}:{n}", label=f"Initiative {n}"
    )
    ledger_commit(commitment=commitment, amounts=dict(zip(years, amounts, strict=True)), actor=None)
    return f.ProposalFactory(
        call=call,
        status=Proposal.Status.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
        organisation=f.OrganisationFactory(legal_name=f"Cuisine collective {n}"),
    )


@pytest.fixture
def people(programme):  # type: ignore[no-untyped-def]
    trustee = f.UserFactory(username="fiduciaire-doc", first_name="Sophie", last_name="Noël")
    coordinator = f.UserFactory(username="coordination-doc")
    f.ProgrammeRoleFactory(programme=programme, user=trustee, role=R.TRUSTEE_FINANCE)
    f.ProgrammeRoleFactory(programme=programme, user=coordinator, role=R.COORDINATOR)
    return {
        "trustee": trustee,
        "coordinator": coordinator,
        "stranger": f.UserFactory(username="inconnu-doc"),
    }


@pytest.fixture
def proposal(call):  # type: ignore[no-untyped-def]
    return _funded(call)


@pytest.fixture
def manager(proposal):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="directrice", first_name="Marie", last_name="Roy")
    f.OrganisationMemberFactory(
        organisation=proposal.organisation,
        user=user,
        role=OrganisationMember.Role.MANAGER,
        title="Directrice",
    )
    return user


@pytest.fixture
def agreement(proposal, manager):  # type: ignore[no-untyped-def]
    return agreement_issue(
        proposal=proposal, actor=None, issued_on=date(2020, 5, 1), number="CAF-DOC-1"
    )


def _client(client, user, language: str = "en"):  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _document(agreement, language: str = "fr") -> AgreementDocument:  # type: ignore[no-untyped-def]
    return agreement_document_get(
        version=agreement_version_current(agreement), language=language, actor=None
    )


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _both_sign(agreement, manager, trustee):  # type: ignore[no-untyped-def]
    agreement_sign_organisation(
        agreement=agreement,
        document=_document(agreement),
        actor=manager,
        name="Marie Roy",
        title="Directrice",
    )
    return agreement_countersign(
        agreement=agreement, actor=trustee, name="Sophie Noël", title="Trésorière"
    )


# ----------------------------------------------------------------------------- documents


def test_the_pdf_names_the_parties_and_the_amounts_in_the_organisations_language(agreement):
    document = _document(agreement, "fr")
    text = " ".join(_text(document_content(document)).split())
    assert "Cuisine collective 1" in text
    assert agreement.proposal.call.programme.trustee in text
    assert "30 000,00 $" in text and "25 000,00 $" in text and "55 000,00 $" in text
    assert "Convention d'aide financière CAF-DOC-1" in text
    english = " ".join(_text(document_content(_document(agreement, "en"))).split())
    assert "Financial-assistance agreement CAF-DOC-1" in english
    assert "$30,000.00" in english


def test_a_document_is_kept_as_issued_and_never_rendered_again(agreement, people):
    first = _document(agreement)
    content = document_content(first)
    assert sha256_hex(content) == first.sha256
    agreement_template_save(
        programme=agreement.proposal.call.programme,
        texts={"purpose": "Nouvel objet {organisation}", **_defaults_but("purpose")},
        actor=people["coordinator"],
    )
    again = _document(agreement)
    assert again.pk == first.pk and document_content(again) == content
    assert AgreementDocument.objects.count() == 1
    first.size = 1
    with pytest.raises(ValueError):
        first.save()


def test_a_document_altered_in_the_store_is_not_served(agreement, private_media):
    document = _document(agreement)
    (private_media / document.stored_name).write_bytes(b"%PDF-1.7 altered")
    with pytest.raises(ValidationError, match="SHA-256"):
        document_content(document)


def test_the_page_of_an_altered_document_says_why_it_is_not_served(  # type: ignore[no-untyped-def]
    client, agreement, people, private_media
):
    document = _document(agreement)
    (private_media / document.stored_name).write_bytes(b"%PDF-1.7 altered")
    url = reverse("agreements:pdf", args=[agreement.number, document.version.number, "fr"])
    refused = _client(client, people["trustee"]).get(url)
    assert refused.status_code == 409
    assert "SHA-256" in refused.content.decode()


def test_a_document_the_full_disk_cannot_take_is_refused_in_words_and_issued_later(  # type: ignore[no-untyped-def]
    client, agreement, people, private_media
):
    from solidaire.testing.faults import disk_full

    version = agreement_version_current(agreement)
    url = reverse("agreements:pdf", args=[agreement.number, version.number, "fr"])
    trustee = _client(client, people["trustee"])
    with disk_full(room=2048):  # far less than any agreement's PDF
        refused = trustee.get(url)
    assert refused.status_code == 503
    assert "the server&#x27;s storage space is full or cannot be written" in (
        refused.content.decode()
    )
    assert not AgreementDocument.objects.exists()
    assert not [p for p in private_media.rglob("*") if p.is_file()]
    served = trustee.get(url)
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    assert AgreementDocument.objects.count() == 1


def _defaults_but(section: str) -> dict[str, str]:
    from solidaire.agreements.documents import DEFAULT_TEXTS

    texts = {}
    for name, (french, english) in DEFAULT_TEXTS.items():
        if name != section:
            texts[name] = french
        texts[f"{name}_en"] = english
    return texts


def test_a_clause_uses_only_the_documented_placeholders():
    assert placeholder_problems("Versé à {organisation} : {total}.") == []
    with translation.override("en"):
        assert "Unknown placeholder: {secret}" in placeholder_problems("{secret}")[0]
    assert placeholder_problems("{% load static %}{{ settings.SECRET_KEY }}")


def test_the_coordination_edits_the_template_and_new_documents_use_it(client, people, call):
    programme = call.programme
    url = reverse("agreements:template", args=[programme.slug])
    texts = {**_defaults_but("visibility"), "visibility": "Logo de {funder} sur l'affiche."}
    refused = _client(client, people["coordinator"]).post(
        url, {**texts, "conditions": "Voir {{ request.user }}"}
    )
    assert refused.status_code == 400
    assert "Template code is not allowed" in refused.content.decode()
    assert "Logo de {funder} sur l&#x27;affiche." in refused.content.decode()  # input kept
    assert client.post(url, texts).status_code == 302
    proposal = _funded(call, n=2)
    f.OrganisationMemberFactory(
        organisation=proposal.organisation, role=OrganisationMember.Role.MANAGER
    )
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
    text = " ".join(_text(document_content(_document(agreement))).split())
    assert f"Logo de {programme.funder or programme.trustee} sur l'affiche." in text


def test_only_the_coordination_reaches_the_template(client, people, call):
    url = reverse("agreements:template", args=[call.programme.slug])
    assert _client(client, people["trustee"]).get(url).status_code == 404
    assert _client(client, people["stranger"]).get(url).status_code == 404
    assert _client(client, people["coordinator"]).get(url).status_code == 200


# ----------------------------------------------------------------------------- signatures


def test_organisation_signs_then_trustee_countersigns_and_the_first_payment_is_released(
    client, agreement, manager, people
):
    first = agreement.payments.get(sequence=1)
    page = _client(client, manager).get(
        reverse("agreements:organisation", args=[agreement.proposal_id])
    )
    assert page.status_code == 200
    document = AgreementDocument.objects.get()
    response = client.post(
        reverse("agreements:organisation_sign", args=[agreement.proposal_id]),
        {
            "sign-document": document.pk,
            "sign-name": "Marie Roy",
            "sign-title": "Directrice",
            "sign-confirm": "on",
        },
    )
    assert response.status_code == 302
    signature = AgreementSignature.objects.get(party="organisation")
    assert (signature.signer_name, signature.signer_title) == ("Marie Roy", "Directrice")
    assert signature.document_sha256 == document.sha256 and signature.signed_at is not None
    agreement.refresh_from_db()
    first.agreement = agreement
    assert payment_condition_unmet(first, date(2020, 10, 15)) == (
        "The agreement is not signed by both parties yet."
    )
    with pytest.raises(ValidationError):
        payment_record(payment=first, actor=people["trustee"], paid_on=date(2020, 10, 15))

    response = _client(client, people["trustee"]).post(
        reverse("agreements:sign", args=[agreement.number]),
        {"sign-name": "Sophie Noël", "sign-title": "Trésorière", "sign-confirm": "on"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    assert AgreementSignature.objects.get(party="trustee").document_sha256 == document.sha256
    first.agreement = agreement
    assert payment_condition_unmet(first, date(2020, 10, 15)) is None


def test_a_member_who_is_not_a_manager_cannot_sign(client, agreement):
    member = f.OrganisationMemberFactory(organisation=agreement.proposal.organisation).user
    document = _document(agreement)
    response = _client(client, member).post(
        reverse("agreements:organisation_sign", args=[agreement.proposal_id]),
        {"sign-document": document.pk, "sign-name": "X", "sign-title": "Y", "sign-confirm": "on"},
    )
    assert response.status_code == 403
    assert not AgreementSignature.objects.exists()


def test_a_signed_copy_the_full_disk_cannot_take_is_refused_beside_its_field(  # type: ignore[no-untyped-def]
    client, agreement, manager, private_media
):
    from solidaire.testing.faults import DISK_ROOM_BYTES, disk_full, large_png

    document = _document(agreement)
    before = {p for p in private_media.rglob("*") if p.is_file()}
    member = _client(client, manager)
    with disk_full():
        refused = member.post(
            reverse("agreements:organisation_sign", args=[agreement.proposal_id]),
            {
                "sign-document": document.pk,
                "sign-name": "Marie Roy",
                "sign-title": "Directrice",
                "sign-confirm": "on",
                "sign-signed_copy": SimpleUploadedFile("copie.png", large_png(2 * DISK_ROOM_BYTES)),
            },
        )
    assert refused.status_code == 400
    page = refused.content.decode()
    error = page.split('id="id_sign-signed_copy_error">', 1)[1].split("</p>")[0]
    assert "the server&#x27;s storage space is full. Your draft is intact" in error
    assert 'value="Marie Roy"' in page
    assert not AgreementSignature.objects.exists()
    assert {p for p in private_media.rglob("*") if p.is_file()} == before


def test_signing_another_organisations_initiative_is_404(client, agreement, call):
    other = _funded(call, n=3)
    outsider = f.UserFactory()
    f.OrganisationMemberFactory(
        organisation=other.organisation, user=outsider, role=OrganisationMember.Role.MANAGER
    )
    document = _document(agreement)
    response = _client(client, outsider).post(
        reverse("agreements:organisation_sign", args=[agreement.proposal_id]),
        {"sign-document": document.pk, "sign-name": "X", "sign-title": "Y", "sign-confirm": "on"},
    )
    assert response.status_code == 404
    assert not AgreementSignature.objects.exists()


def test_the_trustee_of_another_programme_cannot_countersign(client, agreement, manager):
    agreement_sign_organisation(
        agreement=agreement, document=_document(agreement), actor=manager, name="M", title="D"
    )
    other = f.UserFactory()
    f.ProgrammeRoleFactory(user=other, role=R.TRUSTEE_FINANCE)
    response = _client(client, other).post(
        reverse("agreements:sign", args=[agreement.number]),
        {"sign-name": "X", "sign-title": "Y", "sign-confirm": "on"},
    )
    assert response.status_code == 404
    assert not AgreementSignature.objects.filter(party="trustee").exists()


def test_a_signed_copy_goes_through_the_upload_validation(client, agreement, manager):
    document = _document(agreement)
    url = reverse("agreements:organisation_sign", args=[agreement.proposal_id])
    data = {"sign-document": document.pk, "sign-name": "Marie Roy", "sign-title": "Directrice"}
    refused = _client(client, manager).post(
        url,
        {
            **data,
            "sign-confirm": "on",
            "sign-signed_copy": SimpleUploadedFile("copie.pdf", b"MZ not a pdf"),
        },
    )
    assert refused.status_code == 400
    assert "copie.pdf" in refused.content.decode()
    assert 'value="Marie Roy"' in refused.content.decode()
    assert not AgreementSignature.objects.exists()
    accepted = client.post(
        url,
        {
            **data,
            "sign-confirm": "on",
            "sign-signed_copy": SimpleUploadedFile("copie.pdf", _blank_pdf()),
        },
    )
    assert accepted.status_code == 302
    signature = AgreementSignature.objects.get()
    assert signature.method == AgreementSignature.Method.COPY
    assert signature.copy_sha256 == sha256_hex(_blank_pdf())
    download = client.get(
        reverse("agreements:organisation_signed_copy", args=[agreement.proposal_id, signature.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_signing_an_old_version_is_refused(agreement, manager, people, call):
    old = _document(agreement)
    amendment = amendment_propose(
        agreement=agreement,
        actor=people["coordinator"],
        reason="Plus de participants",
        amounts={_year(call, 0): Decimal("32000.00")},
    )
    amendment_approve(amendment=amendment, actor=people["trustee"])
    with pytest.raises(SigningRefused, match="not the current version"):
        agreement_sign_organisation(
            agreement=agreement, document=old, actor=manager, name="M", title="D"
        )
    assert not AgreementSignature.objects.exists()


def test_the_trustee_signs_after_the_organisation_only(agreement, people):
    with pytest.raises(SigningRefused, match="organisation signs first"):
        agreement_countersign(agreement=agreement, actor=people["trustee"], name="S", title="T")


# ----------------------------------------------------------------------------- amendments


def _year(call, k: int):  # type: ignore[no-untyped-def]
    return list(call.programme.fiscal_years.order_by("starts_on"))[k]


def test_an_approved_increase_commits_new_money_and_asks_both_signatures_again(
    agreement, manager, people, call
):
    _both_sign(agreement, manager, people["trustee"])
    entries_before = list(LedgerEntry.objects.values_list("pk", "kind", "amount"))
    fy = _year(call, 1)
    amendment = amendment_propose(
        agreement=agreement,
        actor=people["coordinator"],
        reason="Un atelier de plus",
        amounts={fy: Decimal("28000.00")},
    )
    version = amendment_approve(amendment=amendment, actor=people["trustee"])
    assert version.number == 2
    # Old entries untouched; one new commitment of the difference.
    assert (
        list(
            LedgerEntry.objects.filter(pk__in=[e[0] for e in entries_before]).values_list(
                "pk", "kind", "amount"
            )
        )
        == entries_before
    )
    new = LedgerEntry.objects.exclude(pk__in=[e[0] for e in entries_before]).get()
    assert (new.kind, new.amount, new.fiscal_year_id) == ("commit", Decimal("3000.00"), fy.pk)
    assert commitment_amounts(agreement.proposal)[fy] == Decimal("28000.00")
    scheduled = Payment.objects.filter(agreement=agreement, fiscal_year=fy).exclude(
        status="cancelled"
    )
    assert sum(p.amount for p in scheduled) == Decimal("28000.00")
    agreement.refresh_from_db()
    assert agreement.amendment_unsigned
    first = agreement.payments.get(sequence=1)
    first.agreement = agreement
    assert "amended agreement" in (payment_condition_unmet(first, date(2020, 10, 15)) or "")
    _both_sign(agreement, manager, people["trustee"])
    agreement.refresh_from_db()
    assert not agreement.amendment_unsigned
    assert AgreementSignature.objects.filter(version=version).count() == 2


def test_an_approved_decrease_releases_the_difference(agreement, people, call):
    fy = _year(call, 0)
    amendment = amendment_propose(
        agreement=agreement,
        actor=people["coordinator"],
        reason="Moins d'ateliers",
        amounts={fy: Decimal("20000.00")},
    )
    amendment_approve(amendment=amendment, actor=people["trustee"])
    release = LedgerEntry.objects.get(kind="release")
    assert (release.amount, release.fiscal_year_id) == (Decimal("10000.00"), fy.pk)


def test_an_amendment_beyond_the_envelope_is_refused_and_nothing_written(agreement, people, call):
    fy = _year(call, 0)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        amendment_propose(
            agreement=agreement,
            actor=people["coordinator"],
            reason="Beaucoup plus",
            amounts={fy: Decimal("900000.00")},
        )
    assert "left" in str(refused.value)
    assert not Amendment.objects.exists()


def test_the_envelope_is_checked_again_at_approval_under_the_lock(agreement, people, call):
    fy = _year(call, 0)
    amendment = amendment_propose(
        agreement=agreement,
        actor=people["coordinator"],
        reason="Plus",
        amounts={fy: Decimal("100000.00")},
    )
    # Meanwhile another decision takes what was left in that year.
    other = commitment_create(programme=call.programme, reference="other", label="Autre")
    room = fy.envelope - Decimal("30000.00") - Decimal("10000.00")
    ledger_commit(commitment=other, amounts={fy: room}, actor=None)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError):
        amendment_approve(amendment=amendment, actor=people["trustee"])
    assert LedgerEntry.objects.count() == entries
    assert Amendment.objects.get().status == Amendment.Status.PROPOSED


def test_an_amendment_on_an_ended_fiscal_year_is_refused(agreement, people, call):
    fy = _year(call, 0)
    with (
        fiscal_today(date(2021, 6, 1)),
        pytest.raises(ValidationError, match="ended"),
        translation.override("en"),
    ):
        amendment_propose(
            agreement=agreement,
            actor=people["coordinator"],
            reason="Trop tard",
            amounts={fy: Decimal("31000.00")},
            today=date(2021, 6, 1),
        )


def test_an_end_date_beyond_the_programme_is_refused(agreement, people):
    programme = agreement.proposal.call.programme
    with pytest.raises(ValidationError, match="programme ends"), translation.override("en"):
        amendment_propose(
            agreement=agreement,
            actor=people["coordinator"],
            reason="Plus long",
            amounts={},
            ends_on=date(programme.ends_on.year + 1, 1, 1),
        )


def test_the_trustee_approves_and_the_coordination_proposes_through_the_pages(
    client, agreement, people, call
):
    fy, later = _year(call, 0), _year(call, 1)
    keep = {f"amend-amount_{later.pk}": "25 000,00"} | {
        f"amend-due_{p.pk}": p.due_on.isoformat() for p in agreement.payments.all()
    }
    url = reverse("agreements:amendments", args=[agreement.number])
    # The trustee does not propose; the coordination does not approve.
    assert (
        _client(client, people["trustee"])
        .post(url, {"amend-reason": "x", f"amend-amount_{fy.pk}": "31000"})
        .status_code
        == 403
    )
    refused = _client(client, people["coordinator"]).post(
        url, {"amend-reason": "", f"amend-amount_{fy.pk}": "31 000,00", **keep}
    )
    assert refused.status_code == 400
    assert "Say why the agreement is amended." in refused.content.decode()
    assert (
        client.post(
            url, {"amend-reason": "Un atelier", f"amend-amount_{fy.pk}": "31 000,00", **keep}
        ).status_code
        == 302
    )
    amendment = Amendment.objects.get()
    decide = reverse("agreements:amendment_decide", args=[agreement.number, amendment.pk])
    assert client.post(decide, {f"decide{amendment.pk}-decision": "approve"}).status_code == 403
    response = _client(client, people["trustee"]).post(
        decide, {f"decide{amendment.pk}-decision": "approve"}
    )
    assert response.status_code == 302
    assert Amendment.objects.get().status == Amendment.Status.APPROVED


# ----------------------------------------------------------------------------- strangers


def test_a_stranger_gets_404_on_every_new_page(client, agreement, manager, people):
    agreement_sign_organisation(
        agreement=agreement,
        document=_document(agreement),
        actor=manager,
        name="M",
        title="D",
        signed_copy=SimpleUploadedFile("copie.pdf", _blank_pdf()),
    )
    signature = AgreementSignature.objects.get()
    amendment = Amendment.objects.create(
        agreement=agreement, reason="r", proposed_by=people["coordinator"]
    )
    pk, number = agreement.proposal_id, agreement.number
    urls = [
        reverse("agreements:organisation", args=[pk]),
        reverse("agreements:organisation_pdf", args=[pk, 1, "fr"]),
        reverse("agreements:organisation_signed_copy", args=[pk, signature.pk]),
        reverse("agreements:pdf", args=[number, 1, "fr"]),
        reverse("agreements:signed_copy", args=[number, signature.pk]),
        reverse("agreements:amendments", args=[number]),
        reverse("agreements:template", args=[agreement.proposal.call.programme.slug]),
    ]
    posts = [
        reverse("agreements:organisation_sign", args=[pk]),
        reverse("agreements:sign", args=[number]),
        reverse("agreements:amendments", args=[number]),
        reverse("agreements:amendment_decide", args=[number, amendment.pk]),
    ]
    _client(client, people["stranger"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {}).status_code == 404, url
    # The organisation's manager reads its own, but not the trustee's pages.
    _client(client, manager)
    assert client.get(urls[1]).status_code == 200
    assert client.get(urls[3]).status_code == 404


def test_an_amendment_moves_an_unpaid_payments_due_date(agreement, people):
    last = agreement.payments.order_by("-sequence").first()
    amendment = amendment_propose(
        agreement=agreement,
        actor=people["coordinator"],
        reason="Le rapport final arrive plus tard",
        amounts={},
        due_dates={last.pk: date(2023, 9, 1)},
    )
    amendment_approve(amendment=amendment, actor=people["trustee"])
    last.refresh_from_db()
    assert last.due_on == date(2023, 9, 1)
    assert amendment.due_dates.get().previous != date(2023, 9, 1)


def test_a_due_date_outside_the_programme_is_refused(agreement, people):
    programme = agreement.proposal.call.programme
    last = agreement.payments.order_by("-sequence").first()
    with pytest.raises(ValidationError) as refused:
        amendment_propose(
            agreement=agreement,
            actor=people["coordinator"],
            reason="Trop tard",
            amounts={},
            due_dates={last.pk: date(programme.ends_on.year + 1, 1, 1)},
        )
    assert f"due_{last.pk}" in refused.value.message_dict
    assert not Amendment.objects.exists()


def test_an_amendment_that_changes_nothing_is_refused(agreement, people):
    with pytest.raises(ValidationError, match="Change at least one"), translation.override("en"):
        amendment_propose(
            agreement=agreement, actor=people["coordinator"], reason="Rien", amounts={}
        )


def test_issuing_from_the_page_issues_the_pdf_in_the_organisations_language(client, call, people):
    proposal = _funded(call, n=4)
    english = f.UserFactory(preferred_language="en")
    f.OrganisationMemberFactory(
        organisation=proposal.organisation, user=english, role=OrganisationMember.Role.MANAGER
    )
    response = _client(client, people["trustee"]).post(
        reverse("agreements:issue", args=[proposal.pk]), {"issued_on": "2020-05-01"}
    )
    assert response.status_code == 302
    document = AgreementDocument.objects.get()
    assert document.language == "en" and document.version.number == 1
    assert "Financial-assistance agreement" in _text(document_content(document))


def test_an_agreement_signed_before_signatures_were_kept_is_not_signed_again(agreement, manager):
    from solidaire.agreements.services import agreement_sign

    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="D")
    with pytest.raises(SigningRefused, match="already in force"), translation.override("en"):
        agreement_sign_organisation(
            agreement=agreement, document=_document(agreement), actor=manager, name="M", title="D"
        )
    assert not AgreementSignature.objects.exists()


def test_the_amendments_page_reads_a_constant_number_of_queries(client, agreement, people, call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fy = _year(call, 0)
    url = reverse("agreements:amendments", args=[agreement.number])
    _client(client, people["trustee"])

    def amend(amount: str) -> None:
        amendment = amendment_propose(
            agreement=agreement,
            actor=people["coordinator"],
            reason="Ajustement",
            amounts={fy: Decimal(amount)},
        )
        amendment_approve(amendment=amendment, actor=people["trustee"])

    amend("31000.00")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for amount in ("32000.00", "33000.00", "34000.00"):
        amend(amount)
    with CaptureQueriesContext(connection) as four:
        assert client.get(url).status_code == 200
    assert len(four) == len(one)
