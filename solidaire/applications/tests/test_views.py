"""The applicant's pages: starting, editing, submitting, receipt, withdrawal.

Each page is tried by the owner, a fellow member of the organisation, an
applicant of another organisation and the programme's coordinator (who reads
proposals but never acts for an organisation)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from solidaire.applications.forms import parse_amount
from solidaire.applications.models import OtherFunding, Proposal
from solidaire.applications.services import proposal_submit, proposal_update_draft
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
S = Proposal.Status


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    # Opens in the programme's first fiscal year, closes in a month.
    return f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, 12, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=30),
        min_request=Decimal("5000.00"),
        max_request=Decimal("100000.00"),
        max_share_of_expenses=Decimal("90"),
    )


@pytest.fixture
def draft(call):  # type: ignore[no-untyped-def]
    return f.ProposalFactory(call=call, title="Cuisines collectives")


@pytest.fixture
def people(draft):  # type: ignore[no-untyped-def]
    return {
        "owner": f.OrganisationMemberFactory(organisation=draft.organisation).user,
        "member": f.OrganisationMemberFactory(organisation=draft.organisation).user,
        "stranger": f.OrganisationMemberFactory().user,
        "coordinator": f.ProgrammeRoleFactory(programme=draft.call.programme).user,
    }


def english(client: Client, user: Any) -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def edit_url(proposal: Proposal) -> str:
    return reverse("applications:edit", args=[proposal.pk])


def years(call: Any) -> list[Any]:
    return list(call.programme.fiscal_years.order_by("starts_on"))


def complete_post(proposal: Proposal, **overrides: str) -> dict[str, str]:
    """Everything a complete proposal needs, as the page posts it."""
    proposal.refresh_from_db()
    stream = f.StreamFactory(call=proposal.call)
    fy = years(proposal.call)
    data = {
        "version": proposal.updated_at.isoformat(),
        "title": "Cuisines collectives du quartier",
        "summary": "Des repas préparés ensemble.",
        "stream": str(stream.pk),
        "scope": "local",
        "territories": str(f.territory("2434").pk),
        "poverty_participation": "Un comité de participantes anime les ateliers.",
        "partners": "CIUSSS",
        "starts_on": "2021-04-01",
        "ends_on": "2022-03-31",
        "total_cost": "40 000",
        f"requested_{fy[0].pk}": "24 000,00 $",
        f"requested_{fy[1].pk}": "6000.50",
        "funding-TOTAL_FORMS": "2",
        "funding-INITIAL_FORMS": "2",
        "funding-0-source": "Centraide",
        "funding-0-amount": "5 000",
        "funding-0-confirmed": "on",
        "funding-1-source": "",
        "funding-1-amount": "",
    }
    data.update(overrides)
    return data


# ----------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 000,50", "25000.50"),
        ("25000.50", "25000.50"),
        ("25 000 $", "25000.00"),
        ("25\u00a0000,50\u00a0$", "25000.50"),
        ("25\u202f000", "25000.00"),
        ("$25,000.50", "25000.50"),
        ("1,200,000", "1200000.00"),
        ("1.200.000,00", "1200000.00"),
        ("0", "0.00"),
        ("12,5", "12.50"),
        (" 7 ", "7.00"),
    ],
)
def test_quebec_amounts_are_parsed_exactly(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-500", "negative"),
        ("−500", "negative"),
        ("(500)", "negative"),
        ("25,000", "ambiguous"),
        ("25.000", "ambiguous"),
        ("25,555 5", "precision"),
        ("12.345", "ambiguous"),
        ("10,001", "ambiguous"),
        ("1,5,0", "invalid"),
        ("vingt", "invalid"),
        ("$", "required"),
        ("9999999999999", "too_large"),
    ],
)
def test_amounts_that_cannot_be_read_are_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_amount(text)
    assert refused.value.code == code


# ----------------------------------------------------------------------------- start


def test_applicant_starts_a_draft_on_an_open_call_of_its_region(client, call):
    organisation = f.OrganisationFactory()  # territory 2423, region 03 like the programme
    owner = f.OrganisationMemberFactory(organisation=organisation).user
    english(client, owner)
    page = client.get(reverse("proposal_list"))
    assert f"Start a proposal for {organisation.legal_name}" in page.content.decode()
    # The title comes first: without it, no draft, and the page says so.
    refused = client.post(
        reverse("applications:start"), {"call": call.pk, "organisation": organisation.pk}
    )
    assert refused.status_code == 400
    assert "Give the initiative a title to start its draft." in refused.content.decode()
    assert not Proposal.objects.filter(call=call, organisation=organisation).exists()
    response = client.post(
        reverse("applications:start"),
        {"call": call.pk, "organisation": organisation.pk, "title": "Épicerie solidaire"},
    )
    proposal = Proposal.objects.get(call=call, organisation=organisation)
    assert proposal.status == S.DRAFT and proposal.created_by == owner
    assert proposal.title == "Épicerie solidaire"
    assert response["Location"] == edit_url(proposal)


def test_starting_for_another_organisation_or_a_closed_call_is_refused(client, call):
    organisation = f.OrganisationFactory()
    stranger = f.OrganisationMemberFactory().user
    english(client, stranger)
    client.post(reverse("applications:start"), {"call": call.pk, "organisation": organisation.pk})
    assert not Proposal.objects.filter(organisation=organisation).exists()

    owner = f.OrganisationMemberFactory(organisation=organisation).user
    english(client, owner)
    closed = f.CallFactory(
        programme=call.programme,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=1),
    )
    assert closed.pk not in [
        s.call.pk for s in client.get(reverse("applications:start")).context["startable"]
    ]
    client.post(reverse("applications:start"), {"call": closed.pk, "organisation": organisation.pk})
    assert not Proposal.objects.filter(call=closed).exists()


def test_calls_of_another_region_are_not_offered(client, call):
    from solidaire.programmes.models import Region

    owner = f.OrganisationMemberFactory(organisation=f.OrganisationFactory()).user
    elsewhere = f.ProgrammeFactory(region=Region.objects.get(code="05"))
    f.CallFactory(programme=elsewhere)
    english(client, owner)
    startable = client.get(reverse("applications:start")).context["startable"]
    assert [s.call.pk for s in startable] == [call.pk]


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("member", 200), ("stranger", 404), ("coordinator", 404)],
)
def test_edit_page_checks_ownership(client, draft, people, who, status):
    english(client, people[who])
    assert client.get(edit_url(draft)).status_code == status
    response = client.post(edit_url(draft), {"title": "Pirate"})
    assert response.status_code in {status, 302 if status == 200 else status}
    if status == 404:
        draft.refresh_from_db()
        assert draft.title == "Cuisines collectives"


def test_anonymous_visitor_is_sent_to_sign_in(client, draft):
    response = client.get(edit_url(draft))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("member", 200), ("stranger", 404), ("coordinator", 200)],
)
def test_receipt_checks_ownership(client, draft, people, who, status):
    proposal_submit_ready(draft)
    english(client, people[who])
    assert client.get(reverse("applications:receipt", args=[draft.pk])).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("member", 200), ("stranger", 404), ("coordinator", 404)],
)
def test_withdraw_page_checks_ownership(client, draft, people, who, status):
    proposal_submit_ready(draft)
    english(client, people[who])
    assert client.get(reverse("applications:withdraw", args=[draft.pk])).status_code == status
    client.post(reverse("applications:withdraw", args=[draft.pk]), {"reason": "Plus besoin"})
    draft.refresh_from_db()
    assert draft.status == (S.WITHDRAWN if status == 200 else S.SUBMITTED)


def test_submitted_proposal_is_read_only(client, draft, people):
    proposal_submit_ready(draft)
    english(client, people["owner"])
    response = client.get(edit_url(draft))
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal_detail", args=[draft.pk])
    client.post(edit_url(draft), {"title": "Changed after submission"})
    draft.refresh_from_db()
    assert draft.title != "Changed after submission"
    detail = client.get(reverse("proposal_detail", args=[draft.pk])).content.decode()
    assert edit_url(draft) not in detail
    assert reverse("applications:receipt", args=[draft.pk]) in detail


def proposal_submit_ready(proposal: Proposal) -> Proposal:
    """Complete ``proposal`` through the service and submit it."""
    fy = years(proposal.call)
    proposal_update_draft(
        proposal=proposal,
        actor=None,
        fields={
            "summary": "Des repas.",
            "poverty_participation": "Un comité.",
            "starts_on": date(2021, 4, 1),
            "ends_on": date(2022, 3, 31),
            "total_cost": Decimal("50000"),
        },
        requested={fy[0]: Decimal("24000.00"), fy[1]: Decimal("21000.00")},
        territories=[f.territory("2434")],
    )
    return proposal_submit(attested=True, proposal=proposal, actor=None)


# ----------------------------------------------------------------------------- saving


def test_valid_partial_save_keeps_the_draft(client, draft, people):
    english(client, people["owner"])
    draft.refresh_from_db()
    response = client.post(
        edit_url(draft),
        {
            "version": draft.updated_at.isoformat(),
            "title": "Épicerie solidaire",
            "summary": "Une épicerie qui se déplace.",
            "scope": "regional",
            "funding-TOTAL_FORMS": "0",
            "funding-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302 and response["Location"] == edit_url(draft)
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.scope) == (
        "Épicerie solidaire",
        "Une épicerie qui se déplace.",
        "regional",
    )
    assert draft.status == S.DRAFT


def test_invalid_input_keeps_all_other_input_and_writes_nothing_invalid(client, draft, people):
    fy = years(draft.call)
    proposal_update_draft(
        proposal=draft,
        actor=None,
        fields={"total_cost": Decimal("30000"), "starts_on": date(2021, 4, 1)},
        requested={fy[0]: Decimal("10000.00")},
    )
    english(client, people["owner"])
    data = complete_post(
        draft,
        total_cost="-5 000",
        starts_on="2022-04-01",
        ends_on="2021-04-01",
        **{f"requested_{fy[0].pk}": "dix mille", "funding-0-amount": "beaucoup"},
    )
    response = client.post(edit_url(draft), data)
    assert response.status_code == 200
    page = response.content.decode()
    # Every answer typed is on the page again, the wrong ones included.
    for typed in (
        "Cuisines collectives du quartier",
        "dix mille",
        "-5 000",
        "beaucoup",
        "Centraide",
    ):
        assert typed in page
    assert "An amount cannot be negative." in page
    assert "The end date must come after the start date." in page
    assert "Your draft is saved, except the answers marked in error" in page
    saved = Proposal.objects.get(pk=draft.pk)
    # Valid answers are saved...
    assert saved.title == "Cuisines collectives du quartier"
    assert saved.poverty_participation.startswith("Un comité")
    assert [t.code for t in saved.territories.all()] == ["2434"]
    assert {ra.fiscal_year_id: ra.amount for ra in saved.requested_amounts.all()} == {
        fy[0].pk: Decimal("10000.00"),  # kept: the new one was unreadable
        fy[1].pk: Decimal("6000.50"),
    }
    # ... wrong ones are not: the saved values stay.
    assert saved.total_cost == Decimal("30000.00")
    assert saved.starts_on == date(2021, 4, 1) and saved.ends_on is None
    assert not OtherFunding.objects.filter(proposal=draft).exists()
    assert saved.status == S.DRAFT
    # The page carries the new version, so the next save is not a conflict.
    assert saved.updated_at.isoformat() in page


def test_other_funding_rows_are_saved_and_blank_rows_ignored(client, draft, people):
    english(client, people["owner"])
    client.post(edit_url(draft), complete_post(draft))
    rows = list(
        OtherFunding.objects.filter(proposal=draft).values_list("source", "amount", "confirmed")
    )
    assert rows == [("Centraide", Decimal("5000.00"), True)]


# ----------------------------------------------------------------------------- submission


def review_url(proposal: Proposal) -> str:
    return reverse("applications:review", args=[proposal.pk])


def test_review_and_submit_saves_then_opens_the_review_step(client, draft, people):
    english(client, people["owner"])
    response = client.post(edit_url(draft), complete_post(draft, review="1"))
    assert response.status_code == 302
    assert response["Location"] == review_url(draft)
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.DRAFT and saved.title == "Cuisines collectives du quartier"


def test_submission_before_the_deadline_issues_a_receipt(client, draft, people):
    english(client, people["owner"])
    client.post(edit_url(draft), complete_post(draft, review="1"))
    response = client.post(review_url(draft), {"attested": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[draft.pk])
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.SUBMITTED and saved.receipt_number


def test_submission_after_the_deadline_is_refused_and_the_draft_kept(client, draft, people):
    english(client, people["owner"])
    client.post(edit_url(draft), complete_post(draft))
    call = draft.call
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()
    page = client.get(edit_url(draft)).content.decode()
    assert "The call closed on" in page and 'name="review"' not in page
    response = client.post(review_url(draft), {"attested": "on"})
    assert response.status_code == 400
    assert "proposals can no longer be submitted" in response.content.decode()
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.status == S.DRAFT and saved.submitted_at is None
    assert saved.title == "Cuisines collectives du quartier"  # what was typed is saved


def test_incomplete_submission_names_what_is_missing(client, draft, people):
    english(client, people["owner"])
    data = complete_post(draft, review="1", summary="")
    del data["territories"]
    client.post(edit_url(draft), data)
    page = client.get(review_url(draft)).content.decode()
    # Each missing answer is a link to its input on the edit page.
    assert f'href="{edit_url(draft)}#id_summary">Describe the initiative.</a>' in page
    # A group of choices is reached by its fieldset (focusable, with its legend).
    assert f'href="{edit_url(draft)}#id_territories">Name at least one territory' in page
    assert 'id="submit-form"' not in page
    response = client.post(review_url(draft), {"attested": "on"})
    assert response.status_code == 400
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT


def test_amount_above_the_share_of_expenses_is_refused_at_submission(client, draft, people):
    english(client, people["owner"])
    client.post(edit_url(draft), complete_post(draft, review="1", total_cost="20 000"))
    page = client.get(review_url(draft)).content.decode()
    # The message gives the maximum in dollars.
    assert "eligible expenses ($20,000.00); it may be at most 90 %, that is $18,000.00." in page
    client.post(review_url(draft), {"attested": "on"})
    assert Proposal.objects.get(pk=draft.pk).status == S.DRAFT


def test_edit_page_shows_the_closing_instant_in_quebec_time(client, draft, people):
    call = draft.call
    call.closes_at = datetime(2026, 12, 24, 22, 0, tzinfo=UTC)  # 17:00 in Québec
    call.save()
    client.force_login(people["owner"])
    page = client.get(edit_url(draft)).content.decode()
    assert "24 décembre 2026 à 17 h 00 (heure du Québec)" in page.replace("\xa0", " ")
    english(client, people["owner"])
    page = client.get(edit_url(draft)).content.decode()
    assert "closes on December 24, 2026 at 5:00 p.m. (Québec time)" in page


# ----------------------------------------------------------------------------- concurrency


def test_concurrent_edit_is_detected_and_nothing_overwritten(client, draft, people):
    english(client, people["owner"])
    form_page = client.get(edit_url(draft))
    stale = form_page.context["form"]["version"].value()
    # Another tab (or the fellow member) saves in between.
    other = Proposal.objects.get(pk=draft.pk)
    proposal_update_draft(proposal=other, actor=None, fields={"title": "Titre de l'autre onglet"})
    response = client.post(edit_url(draft), complete_post(draft, version=stale))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this draft" in page
    assert "Titre de l&#x27;autre onglet" in page  # what the other save changed
    assert "Cuisines collectives du quartier" in page  # what this person typed, kept
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.title == "Titre de l'autre onglet"
    assert not saved.territories.exists()
    # Saving again from the re-rendered page is a deliberate choice: it wins.
    again = response.context["form"].data.copy()
    assert client.post(edit_url(draft), again).status_code == 302
    assert Proposal.objects.get(pk=draft.pk).title == "Cuisines collectives du quartier"


# ----------------------------------------------------------------------------- receipt, withdrawal


def test_receipt_shows_the_figures(client, draft, people):
    submitted = proposal_submit_ready(draft)
    english(client, people["owner"])
    page = client.get(reverse("applications:receipt", args=[draft.pk])).content.decode()
    assert submitted.receipt_number in page
    assert "$24,000.00" in page and "$21,000.00" in page and "$45,000.00" in page
    local = timezone.localtime(submitted.submitted_at, timezone=timezone.get_default_timezone())
    # The instant reads as on every other page of the language (the receipt
    # number keeps the second).
    with translation.override("en"):
        assert formats.date_format(local, "DATETIME_FORMAT") in page


def test_receipt_amounts_in_quebec_french(client, draft, people):
    proposal_submit_ready(draft)
    client.force_login(people["owner"])
    page = client.get(reverse("applications:receipt", args=[draft.pk])).content.decode()
    assert "45\u00a0000,00\u00a0$" in page


def test_draft_has_no_receipt(client, draft, people):
    english(client, people["owner"])
    assert client.get(reverse("applications:receipt", args=[draft.pk])).status_code == 404


def test_withdrawal_needs_a_reason(client, draft, people):
    proposal_submit_ready(draft)
    english(client, people["owner"])
    response = client.post(reverse("applications:withdraw", args=[draft.pk]), {"reason": " "})
    assert response.status_code == 200
    assert "Give the reason for withdrawing." in response.content.decode()
    assert Proposal.objects.get(pk=draft.pk).status == S.SUBMITTED


# ----------------------------------------------------------------------------- queries


def _edit_page_queries(client: Client, n: int) -> int:
    programme = f.ProgrammeFactory(years=[Decimal("100000.00")] * n)
    call = f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=5),
    )
    proposal = f.ProposalFactory(call=call)
    codes = ["2423", "2434", "2415", "2420", "2422"][:n]
    proposal.territories.set([f.territory(c) for c in codes])
    for fy in programme.fiscal_years.all():
        f.RequestedAmountFactory(proposal=proposal, fiscal_year=fy)
    work_plan = f.WorkPlanFactory(programme=programme)
    proposal.priorities.set([f.PriorityFactory(work_plan=work_plan) for _ in range(n)])
    OtherFunding.objects.bulk_create(
        [OtherFunding(proposal=proposal, source=f"S{i}", amount=Decimal(1)) for i in range(n)]
    )
    user = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    english(client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit_url(proposal))
    assert response.status_code == 200
    assert len(response.context["form"].fiscal_years) == n
    return len(queries)


def test_edit_page_query_count_is_constant(client, programme):
    assert _edit_page_queries(client, 1) == _edit_page_queries(Client(), 5)
