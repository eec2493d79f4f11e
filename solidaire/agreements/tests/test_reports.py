# ruff: noqa: F401, F811  (the fixtures of test_views are imported by name)
"""Reports written by the organisation in its space, reviewed by the
coordination: drafts saved and autosaved, spending that must add up,
approval that releases a payment, and nothing edited once approved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from solidaire.agreements.models import Payment, Report, ReportDocument, ReportState
from solidaire.agreements.services import agreement_sign, payment_condition_unmet
from solidaire.agreements.tests.test_views import (
    _as,
    agreement,
    proposal,
    users,
)
from solidaire.applications.models import BudgetLine
from solidaire.common.fiscal import fiscal_today
from solidaire.testing import factories as f
from solidaire.testing import files

AFTER_FIRST_YEAR = date(2021, 4, 20)


@pytest.fixture
def report(agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    report = agreement.reports.filter(kind=Report.Kind.PROGRESS).order_by("due_on").first()
    proposal = agreement.proposal
    for category, amount in (("Salaries", "20000.00"), ("Rent", "10000.00")):
        BudgetLine.objects.create(
            proposal=proposal,
            fiscal_year=report.fiscal_year,
            category=category,
            amount=Decimal(amount),
        )
    return report


def _lines(report):
    return list(BudgetLine.objects.filter(proposal=report.agreement.proposal).order_by("id"))


def _data(report, spent="30000", lines=("20000", "10000"), **extra):
    data = {
        "people_reached": "120",
        "poverty_planning": "8",
        "poverty_action": "40",
        "poverty_evaluation": "6",
        "partners_mobilised": "5",
        "activities_held": "14",
        "narrative": "Kitchen workshops every week.",
        "spent": spent,
    }
    for line, amount in zip(_lines(report), lines, strict=True):
        data[f"line_{line.pk}"] = amount
    data.update(extra)
    return data


def _write_url(report):
    return reverse("agreements:report_write", args=[report.agreement.proposal_id, report.pk])


def _review_url(report):
    return reverse("agreements:report_review", args=[report.agreement.number, report.pk])


@pytest.mark.django_db
def test_the_organisation_saves_a_draft_and_finds_it_again(client, users, report):
    member = _as(client, users["applicant"])
    response = member.post(_write_url(report), _data(report, lines=("20000", "")))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.people_reached, report.poverty_action, report.activities_held) == (120, 40, 14)
    assert report.state == ReportState.OPEN
    page = member.get(_write_url(report)).content.decode()
    assert "Kitchen workshops every week." in page
    assert 'value="120"' in page


@pytest.mark.django_db
def test_autosave_saves_the_draft_and_answers_in_json(client, users, report):
    url = reverse("agreements:report_autosave", args=[report.agreement.proposal_id, report.pk])
    response = _as(client, users["applicant"]).post(url, _data(report, narrative="Half typed"))
    assert response.status_code == 200
    assert "Draft saved at" in response.json()["saved_at"]
    report.refresh_from_db()
    assert report.narrative == "Half typed"
    refused = client.post(url, _data(report, people_reached="-3"))
    assert refused.status_code == 400
    assert "people_reached" in refused.json()["errors"]
    report.refresh_from_db()
    assert report.people_reached == 120  # nothing partial written


@pytest.mark.django_db
def test_spending_lines_that_do_not_add_up_are_refused_at_submission(client, users, report):
    member = _as(client, users["applicant"])
    with fiscal_today(AFTER_FIRST_YEAR):
        response = member.post(
            _write_url(report), _data(report, lines=("20000", "9000"), action="submit")
        )
    assert response.status_code == 400
    assert (
        "add up to 29 000,00 $, not to the 30 000,00 $ declared" in response.content.decode()
        or "add up to $29,000.00, not to the $30,000.00 declared" in response.content.decode()
    )
    report.refresh_from_db()
    assert report.state == ReportState.OPEN


@pytest.mark.django_db
def test_a_progress_report_is_submitted_only_after_its_fiscal_year(client, users, report):
    response = _as(client, users["applicant"]).post(
        _write_url(report), _data(report, action="submit")
    )
    assert response.status_code == 400
    assert "covers its whole fiscal year" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.OPEN


def _submit(client, users, report):
    with fiscal_today(AFTER_FIRST_YEAR):
        response = _as(client, users["applicant"]).post(
            _write_url(report), _data(report, action="submit")
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


@pytest.mark.django_db
def test_approval_meets_the_condition_of_the_payment_it_releases(client, users, report):
    _submit(client, users, report)
    second = report.agreement.payments.get(sequence=2)
    assert payment_condition_unmet(second, date(2021, 6, 1)) is not None
    coordinator = _as(client, users["coordinator"])
    with fiscal_today(date(2021, 5, 1)):
        response = coordinator.post(_review_url(report), {"decision": "approve"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert report.received_on == date(2021, 5, 1)
    second = Payment.objects.select_related("agreement").get(pk=second.pk)
    assert payment_condition_unmet(second, date(2021, 6, 1)) is None


@pytest.mark.django_db
def test_an_approved_report_cannot_be_edited(client, users, report):
    _submit(client, users, report)
    _as(client, users["coordinator"]).post(_review_url(report), {"decision": "approve"})
    member = _as(client, users["applicant"])
    response = member.post(_write_url(report), _data(report, people_reached="999"))
    assert response.status_code == 400
    assert "approved: it can no longer be changed" in response.content.decode()
    url = reverse("agreements:report_autosave", args=[report.agreement.proposal_id, report.pk])
    assert member.post(url, _data(report, people_reached="999")).status_code == 400
    report.refresh_from_db()
    assert report.people_reached == 120


@pytest.mark.django_db
def test_asking_for_changes_needs_a_comment_and_reopens_the_report(client, users, report):
    _submit(client, users, report)
    coordinator = _as(client, users["coordinator"])
    refused = coordinator.post(_review_url(report), {"decision": "changes", "comment": ""})
    assert refused.status_code == 400
    assert "Say what the organisation should change." in refused.content.decode()
    coordinator.post(_review_url(report), {"decision": "changes", "comment": "Add the invoices."})
    report.refresh_from_db()
    assert report.state == ReportState.CHANGES_REQUESTED
    page = _as(client, users["applicant"]).get(_write_url(report)).content.decode()
    assert "Add the invoices." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"), [("trustee", 403), ("applicant", 404), ("stranger", 404)]
)
def test_only_the_coordination_reviews_a_report(client, users, report, who, status):
    _submit(client, users, report)
    response = _as(client, users[who]).post(_review_url(report), {"decision": "approve"})
    assert response.status_code == status
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


@pytest.mark.django_db
def test_reporting_for_another_organisations_initiative_is_404(client, users, report):
    outsider = f.UserFactory(username="autre-organisme")
    f.OrganisationMemberFactory(user=outsider)  # a member of another organisation
    for who in (outsider, users["stranger"], users["evaluator"]):
        _as(client, who)
        assert client.get(_write_url(report)).status_code == 404
        assert client.post(_write_url(report), _data(report)).status_code == 404
    report.refresh_from_db()
    assert report.people_reached is None


@pytest.mark.django_db
def test_documents_go_through_the_upload_validation(client, users, report):
    member = _as(client, users["applicant"])
    good = SimpleUploadedFile("bilan.pdf", files.pdf(), content_type="application/pdf")
    assert member.post(_write_url(report), {**_data(report), "document": good}).status_code == 302
    document = ReportDocument.objects.get(report=report)
    url = reverse(
        "agreements:report_document",
        args=[report.agreement.proposal_id, report.pk, document.pk],
    )
    assert member.get(url).status_code == 200
    assert _as(client, users["stranger"]).get(url).status_code == 404
    bad = SimpleUploadedFile("bilan.pdf", files.elf_executable(), content_type="application/pdf")
    response = _as(client, users["applicant"]).post(
        _write_url(report), {**_data(report), "document": bad}
    )
    assert response.status_code == 400
    assert ReportDocument.objects.filter(report=report).count() == 1


@pytest.mark.django_db
def test_a_document_the_full_disk_cannot_take_is_refused_and_the_text_kept(
    client, users, report, private_media
):
    from solidaire.testing.faults import DISK_ROOM_BYTES, disk_full, large_png

    member = _as(client, users["applicant"])
    picture = SimpleUploadedFile("atelier.png", large_png(2 * DISK_ROOM_BYTES))
    with disk_full():
        response = member.post(_write_url(report), {**_data(report), "document": picture})
    assert response.status_code == 400
    page = response.content.decode()
    error = page.split('id="id_document_error">', 1)[1].split("</p>")[0]
    assert "the server&#x27;s storage space is full. Your draft is intact" in error
    assert "Kitchen workshops every week." in page
    assert not ReportDocument.objects.filter(report=report).exists()
    assert [p for p in private_media.rglob("*") if p.is_file()] == []
    report.refresh_from_db()
    assert report.narrative == "Kitchen workshops every week."


@pytest.mark.django_db
def test_the_coordination_moves_a_due_date_for_one_agreement(client, users, report):
    url = reverse("agreements:report_due", args=[report.agreement.number, report.pk])
    response = _as(client, users["coordinator"]).post(url, {"due_on": "2021-06-15"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.due_on == date(2021, 6, 15)
    assert _as(client, users["trustee"]).post(url, {"due_on": "2021-07-01"}).status_code == 403
