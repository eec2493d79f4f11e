"""Programme data on the pages, in the page's language: English pages show
the English names and descriptions of streams, priorities, criteria, scale
levels, eligibility rules and required documents; where the coordinator gave
none, the French text marked ``lang="fr"`` and « (in French) »; French pages
show the French text and never the marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from solidaire.applications.models import Proposal
from solidaire.calls.models import Call, RequiredDocument
from solidaire.programmes.models import Programme, ProgrammeRole
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
R = ProgrammeRole.Role
MARKER = '<span class="lang-fallback">(in French)</span>'


def marked(french: str) -> str:
    return f'<span lang="fr">{french}</span> {MARKER}'


@dataclass
class Bilingual:
    programme: Programme
    call: Call
    draft: Proposal
    submitted: Proposal
    applicant: Any
    coordinator: Any
    evaluator: Any


@pytest.fixture
def data(programme: Programme) -> Bilingual:
    """An open call whose texts are in French, most also in English; the
    regional stream, the second criterion, the top level's descriptor and
    the photographs have no English text."""
    call = f.CallFactory(programme=programme, title="Deuxième appel")
    year = programme.fiscal_years.order_by("starts_on").first()
    local = f.StreamFactory(call=call, code="local", name="Volet local", name_en="Local stream")
    f.AllocationFactory(stream=local, fiscal_year=year, amount=Decimal("100000.00"))
    regional = f.StreamFactory(call=call, code="regional", name="Volet régional")
    f.CriterionFactory(
        call=call,
        code="participation",
        name="Participation des personnes",
        name_en="Participation of the people",
        description="Les personnes participent.",
        description_en="People take part in every stage.",
        weight=Decimal("60"),
    )
    f.CriterionFactory(
        call=call, code="mobilisation", name="Mobilisation du milieu", weight=Decimal("40")
    )
    f.ScaleLevelFactory(
        call=call,
        value=0,
        label="Faible",
        label_en="Weak",
        descriptor="Peu démontré.",
        descriptor_en="Barely shown.",
    )
    f.ScaleLevelFactory(
        call=call, value=5, label="Excellent", label_en="Outstanding", descriptor="Exemplaire."
    )
    f.EligibilityRuleFactory(
        call=call,
        code="type",
        description="Organisme sans but lucratif.",
        description_en="A non-profit organisation.",
    )
    RequiredDocument.objects.create(
        call=call, code="lettres", name="Lettres d'appui", name_en="Letters of support"
    )
    RequiredDocument.objects.create(call=call, code="photos", name="Photographies")
    plan = f.WorkPlanFactory(programme=programme)
    priority = f.PriorityFactory(
        work_plan=plan, code="vivre", name="Conditions de vie", name_en="Living conditions"
    )
    f.PriorityFactory(work_plan=plan, code="agir", name="Pouvoir d'agir")
    org = f.OrganisationFactory()
    applicant = f.OrganisationMemberFactory(organisation=org).user
    draft = f.ProposalFactory(call=call, organisation=org, stream=regional)
    draft.priorities.add(priority)
    submitted = f.ProposalFactory(
        call=call, organisation=org, stream=regional, status=Proposal.Status.SUBMITTED
    )
    submitted.priorities.add(priority)
    coordinator = f.ProgrammeRoleFactory(programme=programme, role=R.COORDINATOR).user
    evaluator = f.ProgrammeRoleFactory(programme=programme, role=R.EVALUATOR).user
    return Bilingual(programme, call, draft, submitted, applicant, coordinator, evaluator)


def page(url: str, language: str, user: Any = None) -> str:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def call_url(call: Call) -> str:
    return reverse("reporting:call_detail", args=[call.programme.slug, call.number])


def test_the_public_call_page_in_english_shows_the_english_texts(data: Bilingual) -> None:
    html = page(call_url(data.call), "en")
    for text in (
        "Local stream",
        "Participation of the people",
        "People take part in every stage.",
        "Weak",
        "Barely shown.",
        "Outstanding",
        "A non-profit organisation.",
        "Letters of support",
    ):
        assert text in html
    for french in ("Volet local", "Participation des personnes", "Faible", "Lettres d"):
        assert french not in html


def test_the_public_call_page_in_english_marks_the_french_fallbacks(data: Bilingual) -> None:
    html = page(call_url(data.call), "en")
    for french in ("Volet régional", "Mobilisation du milieu", "Exemplaire.", "Photographies"):
        assert marked(french) in html


def test_the_public_call_page_in_french_never_shows_the_marker(data: Bilingual) -> None:
    html = page(call_url(data.call), "fr")
    for french in ("Volet local", "Volet régional", "Participation des personnes", "Faible"):
        assert french in html
    assert "lang-fallback" not in html
    assert 'lang="fr"><' not in html.replace('<html lang="fr">', "")
    for english in ("Local stream", "Participation of the people", "Weak", "Letters of support"):
        assert english not in html


def test_the_call_preview_follows_the_page_language(data: Bilingual) -> None:
    url = reverse("callsetup:preview", args=[data.programme.slug, data.call.number])
    english = page(url, "en", data.coordinator)
    assert "Local stream" in english and marked("Volet régional") in english
    assert "Outstanding" in english and "Letters of support" in english
    assert "lang-fallback" not in page(url, "fr", data.coordinator)


def test_the_applicant_reads_stream_priorities_and_documents_in_english(data: Bilingual) -> None:
    detail = page(reverse("proposal_detail", args=[data.submitted.pk]), "en", data.applicant)
    assert marked("Volet régional") in detail
    assert "Living conditions" in detail and "Conditions de vie" not in detail
    editor = page(reverse("applications:edit", args=[data.draft.pk]), "en", data.applicant)
    assert "Local stream" in editor
    assert marked("Volet régional") in editor
    assert "Living conditions" in editor
    assert marked("Pouvoir d&#x27;agir") in editor
    assert "Letters of support" in editor and marked("Photographies") in editor
    french = page(reverse("applications:edit", args=[data.draft.pk]), "fr", data.applicant)
    assert "Volet local" in french and "lang-fallback" not in french


def test_screening_shows_the_rules_in_the_page_language(data: Bilingual) -> None:
    Call.objects.filter(pk=data.call.pk).update(
        closes_at=timezone.now() - timedelta(days=1),
        opens_at=timezone.now() - timedelta(days=40),
    )
    url = reverse(
        "reviews:screening_proposal",
        args=[data.programme.slug, data.call.number, data.submitted.pk],
    )
    assert "A non-profit organisation." in page(url, "en", data.coordinator)
    assert "Organisme sans but lucratif." in page(url, "fr", data.coordinator)


def test_scoring_shows_criteria_and_scale_in_the_page_language(data: Bilingual) -> None:
    Call.objects.filter(pk=data.call.pk).update(
        closes_at=timezone.now() - timedelta(days=1),
        opens_at=timezone.now() - timedelta(days=40),
    )
    review = f.ReviewFactory(proposal=data.submitted, evaluator=data.evaluator)
    url = reverse("reviews:score", args=[review.pk])
    html = page(url, "en", data.evaluator)
    assert "Participation of the people" in html and "People take part in every stage." in html
    assert marked("Mobilisation du milieu") in html
    assert "0 — Weak" in html and "Barely shown." in html
    assert marked("Exemplaire.") in html
    french = page(url, "fr", data.evaluator)
    assert "0 — Faible" in french and "lang-fallback" not in french


def test_the_ministry_names_streams_in_the_page_language(data: Bilingual) -> None:
    observer = f.UserFactory(is_ministry_observer=True)
    html = page(reverse("reporting:ministry"), "en", observer)
    assert "Local stream" in html and marked("Volet régional") in html
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(observer)
    book = load_workbook(BytesIO(client.get(reverse("reporting:ministry_xlsx")).content))
    names = {row[2] for row in book.worksheets[-1].iter_rows(values_only=True)}
    assert {"Local stream", "Volet régional"} <= names
