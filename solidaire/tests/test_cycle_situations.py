"""Nine situations where the cycle broke its own rules, each tried as its
users would: the coordinator, the evaluators, the committee, the trustee and
the applicant meet the rule as a plain message, and nothing is written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.agreements.services import (
    agreement_issue,
    agreement_sign,
    payment_condition_unmet,
    payment_record,
    report_receive,
)
from solidaire.applications import cycle
from solidaire.applications.models import Organisation, Proposal
from solidaire.applications.services import proposal_withdraw
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import ConflictDeclaration, Review, Score
from solidaire.reviews.selectors import call_score_rows
from solidaire.reviews.services import (
    eligibility_record,
    review_assign,
    review_save_draft,
    review_submit,
)
from solidaire.selection.models import Decision
from solidaire.selection.services import (
    SelectionError,
    decision_adopt,
    scenario_create,
    scenario_solve,
)
from solidaire.testing import factories as f
from solidaire.testing.moments import (
    agreement_at,
    call_at,
    current_programme,
    funded,
    open_year,
    submitted_review,
    with_status,
)

S = Proposal.Status
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _english(client):  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _coordinator(programme):  # type: ignore[no-untyped-def]
    user = f.UserFactory()
    f.ProgrammeRoleFactory(programme=programme, user=user, role=ProgrammeRole.Role.COORDINATOR)
    return user


# 1 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_1_no_decision_on_an_open_call(client):  # type: ignore[no-untyped-def]
    _english(client)
    programme = current_programme()
    call = call_at(programme, cycle.OPEN)
    proposal = with_status(call, S.UNDER_REVIEW)
    submitted_review(proposal)
    coordinator = _coordinator(programme)
    scenario = scenario_solve(scenario=scenario_create(call=call, name="Essai", actor=coordinator))
    assert scenario.result["funded"]

    client.force_login(coordinator)
    url = reverse("selection:adopt", args=[programme.slug, call.number, scenario.pk])
    response = client.post(url, {"resolution_number": "CR-1", "confirm": "on"})

    assert response.status_code == 200
    assert "The call is still open" in response.content.decode()
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()
    call.refresh_from_db()
    assert call.decided_at is None and call.status == cycle.OPEN
    # The call's selection page and the scenario page say so before anyone tries.
    listing = client.get(reverse("selection:call", args=[programme.slug, call.number]))
    assert "Before the decision" in listing.content.decode()
    assert "The call is still open" in listing.content.decode()
    page = client.get(
        reverse("selection:scenario", args=[programme.slug, call.number, scenario.pk])
    )
    assert "The call is still open" in page.content.decode()


# 2 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_2_unevaluated_proposals_do_not_compete():
    programme = current_programme()
    call = call_at(programme, cycle.CLOSED)
    unreviewed = [with_status(call, S.UNDER_REVIEW) for _ in range(3)]
    scored = with_status(call, S.UNDER_REVIEW)
    submitted_review(scored)
    scenario = scenario_solve(scenario=scenario_create(call=call, name="Mérite", actor=None))

    assert {p["id"] for p in scenario.instance["proposals"]} == {scored.reference}
    decision_adopt(scenario=scenario, actor=f.UserFactory(), resolution_number="CR-2", notify=False)

    assert calls_figures([call])[call.pk].committed == Decimal("20000.00")
    assert Proposal.objects.get(pk=scored.pk).status == S.FUNDED
    assert {Proposal.objects.get(pk=p.pk).status for p in unreviewed} == {S.DECLINED}


# 3 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_3_no_proposal_left_in_limbo_after_a_decision(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    programme = current_programme()
    call = call_at(programme, cycle.CLOSED)
    waiting = with_status(call, S.SUBMITTED)
    ineligible = with_status(call, S.INELIGIBLE)
    scored = with_status(call, S.UNDER_REVIEW)
    submitted_review(scored)
    scenario = scenario_solve(scenario=scenario_create(call=call, name="Mérite", actor=None))
    coordinator = _coordinator(programme)

    with pytest.raises(SelectionError, match=waiting.reference):
        decision_adopt(scenario=scenario, actor=coordinator, resolution_number="CR-3")
    assert not Decision.objects.exists()

    eligibility_record(proposal=waiting, results={"manuel": (False, "Hors région")}, actor=None)
    Organisation.objects.filter(pk=waiting.organisation_id).update(email="hors@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        decision_adopt(scenario=scenario, actor=coordinator, resolution_number="CR-3")
    statuses = set(Proposal.objects.filter(call=call).values_list("status", flat=True))
    assert statuses <= cycle.FINAL_STATUSES
    # Every organisation hears of the decision, the ineligible one with its reason.
    letter = next(m for m in mail.outbox if m.to == ["hors@example.org"])
    assert "Hors région" in letter.body

    # Months later: the decided call takes no screening and no assignment.
    ineligible.refresh_from_db()
    with pytest.raises(ValidationError, match="decided"):
        eligibility_record(proposal=ineligible, results={"manuel": (True, "")}, actor=None)
    assert Proposal.objects.get(pk=ineligible.pk).status == S.INELIGIBLE
    with pytest.raises(ValidationError):
        review_assign(proposal=ineligible, evaluator=f.UserFactory(), actor=None)
    assert not Review.objects.filter(proposal=ineligible).exists()


# 4 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_4_a_funded_initiative_leaves_with_its_money(client):  # type: ignore[no-untyped-def]
    _english(client)
    programme = current_programme()
    call = call_at(programme, cycle.DECIDED)
    proposal = funded(call, amount="79000.00")
    agreement = agreement_at(proposal, Agreement.Status.ISSUED)
    assert agreement is not None
    member = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    year = open_year(programme)
    available_before = {b.label: b.available for b in programme_balances(programme)}[year.label]

    # The applicant cannot withdraw it alone: the page says why.
    with pytest.raises(ValidationError, match="cancelled by the coordination"):
        proposal_withdraw(proposal=proposal, actor=member, reason="On ferme")
    client.force_login(member)
    detail = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert reverse("applications:withdraw", args=[proposal.pk]) not in detail
    assert reverse("agreements:request_cancellation", args=[proposal.pk]) in detail
    response = client.post(
        reverse("agreements:request_cancellation", args=[proposal.pk]), {"reason": "On ferme."}
    )
    assert response.status_code == 302

    # The coordination cancels it: the commitment is released per fiscal year.
    coordinator = _coordinator(programme)
    client.force_login(coordinator)
    url = reverse("agreements:cancel", args=[proposal.pk])
    assert "On ferme." in client.get(url).content.decode()
    refused = client.post(url, {"reason": "Fermeture de l'organisme"})
    assert refused.status_code == 400  # the confirmation box
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).count() == 0
    done = client.post(url, {"reason": "Fermeture de l'organisme", "confirm": "on"})
    assert done.status_code == 302

    proposal.refresh_from_db()
    agreement.refresh_from_db()
    assert proposal.status == S.WITHDRAWN
    assert agreement.status == Agreement.Status.TERMINATED
    assert set(agreement.payments.values_list("status", flat=True)) == {Payment.Status.CANCELLED}
    release = LedgerEntry.objects.get(kind=LedgerEntry.Kind.RELEASE)
    assert (release.fiscal_year, release.amount) == (year, Decimal("79000.00"))
    assert calls_figures([call])[call.pk].committed == Decimal("0.00")
    available_after = {b.label: b.available for b in programme_balances(programme)}[year.label]
    assert available_after - available_before == Decimal("79000.00")

    # The trustee signing that agreement now meets a message, not an error.
    trustee = f.UserFactory()
    f.ProgrammeRoleFactory(
        programme=programme, user=trustee, role=ProgrammeRole.Role.TRUSTEE_FINANCE
    )
    client.force_login(trustee)
    response = client.post(
        reverse("agreements:sign", args=[agreement.number]),
        {"sign-name": "Direction", "sign-title": "Trésorière", "sign-confirm": "on"},
    )
    assert response.status_code == 400
    assert "This agreement is completed or terminated: nothing is signed." in (
        response.content.decode()
    )
    with pytest.raises(ValidationError):
        agreement_sign(
            agreement=agreement, actor=None, signed_on=timezone.localdate(), signatory="D"
        )


# 5 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_5_reviews_close_with_their_proposal_and_their_call():
    programme = current_programme()
    call = call_at(programme, cycle.CLOSED)
    withdrawn = with_status(call, S.UNDER_REVIEW)
    evaluator = f.UserFactory()
    review = f.ReviewFactory(proposal=withdrawn, evaluator=evaluator)
    member = f.OrganisationMemberFactory(organisation=withdrawn.organisation).user
    proposal_withdraw(proposal=withdrawn, actor=member, reason="Plus de local")

    with pytest.raises(ValidationError, match="no longer under review"):
        review_submit(review=review, scores={"inclusion": (5, "Exemplary")}, actor=evaluator)
    assert not Score.objects.filter(review=review).exists()
    assert withdrawn.pk not in {row.proposal.pk for row in call_score_rows(call)}

    # After the decision, a pending review cannot rewrite a recorded score.
    kept = with_status(call, S.UNDER_REVIEW)
    submitted_review(kept, value=5)
    late = f.ReviewFactory(proposal=kept, evaluator=f.UserFactory())
    Review.objects.filter(pk=late.pk).update(status=Review.Status.RELEASED)
    scenario = scenario_solve(scenario=scenario_create(call=call, name="Mérite", actor=None))
    decision_adopt(scenario=scenario, actor=f.UserFactory(), resolution_number="CR-5", notify=False)
    Review.objects.filter(pk=late.pk).update(status=Review.Status.ASSIGNED)
    late.refresh_from_db()
    before = call_score_rows(call)[0].summary
    with pytest.raises(ValidationError):
        review_submit(review=late, scores={"inclusion": (1, "Weak")}, actor=late.evaluator)
    assert call_score_rows(call)[0].summary == before


# 6 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_6_a_declared_conflict_hides_the_proposal_from_the_committee(client):  # type: ignore[no-untyped-def]
    _english(client)
    programme = current_programme()
    call = call_at(programme, cycle.CLOSED)
    hidden = with_status(call, S.UNDER_REVIEW)
    hidden.title = "Cuisine collective du quartier Saint-Roch"
    hidden.save(update_fields=["title"])
    submitted_review(hidden, value=5)
    other = with_status(call, S.UNDER_REVIEW)
    submitted_review(other, value=3)
    member = f.UserFactory()
    f.ProgrammeRoleFactory(programme=programme, user=member, role=ProgrammeRole.Role.COMMITTEE)
    ConflictDeclaration.objects.create(proposal=hidden, user=member, reason="Administratrice")
    scenario = scenario_solve(scenario=scenario_create(call=call, name="Mérite", actor=None))
    client.force_login(member)

    scores = client.get(reverse("reviews:scores", args=[programme.slug, call.number]))
    page = scores.content.decode()
    assert "Recused" in page
    assert hidden.title not in page and hidden.reference not in page
    assert other.reference in page

    detail = client.get(
        reverse("selection:scenario", args=[programme.slug, call.number, scenario.pk])
    )
    page = detail.content.decode()
    assert "Recused" in page
    assert hidden.title not in page
    assert hidden.organisation.legal_name not in page
    assert f'name="lock_{hidden.reference}"' not in page

    with pytest.raises(ValidationError, match="conflict of interest"):
        scenario_create(call=call, name="Forcé", actor=member, locks={hidden.reference: "in"})
    response = client.post(
        reverse("selection:locks", args=[programme.slug, call.number, scenario.pk]),
        {"name": "Forcé", f"lock_{hidden.reference}": "in"},
    )
    # The form has no lock for that proposal: whatever is built ignores it.
    assert response.status_code in (200, 302, 400)
    for built in call.scenarios.all():
        locks = {item["id"]: item.get("lock") for item in built.instance["proposals"]}
        assert locks.get(hidden.reference) is None


# 7 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_7_dates_of_signatures_payments_and_reports_are_checked():
    programme = current_programme()
    call = call_at(programme, cycle.DECIDED)
    today = timezone.localdate()
    proposal = funded(call)
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=today - 5 * DAY)

    with pytest.raises(ValidationError, match="future"):
        agreement_sign(agreement=agreement, actor=None, signed_on=today + DAY, signatory="D")
    assert Agreement.objects.get(pk=agreement.pk).signed_on is None
    agreement_sign(agreement=agreement, actor=None, signed_on=today - DAY, signatory="D")

    first = agreement.payments.order_by("sequence").first()
    assert first is not None
    with pytest.raises(ValidationError, match="future"):
        payment_record(payment=first, actor=None, paid_on=today + DAY)
    with pytest.raises(ValidationError, match="due on"):
        payment_record(payment=first, actor=None, paid_on=today)  # due in 25 days
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAY).exists()
    payment_record(payment=first, actor=None, paid_on=today, early_reason="Loyer à payer")
    assert Payment.objects.get(pk=first.pk).early_reason == "Loyer à payer"

    final = agreement.reports.get(kind=Report.Kind.FINAL)
    with pytest.raises(ValidationError, match="closes early"):
        report_receive(report=final, actor=None, received_on=today)
    with pytest.raises(ValidationError, match="future"):
        report_receive(report=final, actor=None, received_on=today + DAY, early_closing="Fin")
    assert Report.objects.get(pk=final.pk).received_on is None


@pytest.mark.django_db
def test_7_a_progress_report_waits_for_the_end_of_its_fiscal_year():
    programme = current_programme()
    call = call_at(programme, cycle.DECIDED)
    years = list(programme.fiscal_years.order_by("starts_on"))
    current = open_year(programme)
    later = years[years.index(current) + 1]
    proposal = with_status(call, S.FUNDED)
    commitment = commitment_create(programme=programme, reference="p", label="p", call=call)
    ledger_commit(
        commitment=commitment,
        amounts={current: Decimal("10000.00"), later: Decimal("10000.00")},
        actor=None,
        effective_on=timezone.localdate(),
    )
    Proposal.objects.filter(pk=proposal.pk).update(commitment=commitment)
    proposal.refresh_from_db()
    today = timezone.localdate()
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=today - 2 * DAY)
    agreement_sign(agreement=agreement, actor=None, signed_on=today - DAY, signatory="D")
    progress = agreement.reports.get(kind=Report.Kind.PROGRESS)
    with pytest.raises(ValidationError, match="whole fiscal year"):
        report_receive(report=progress, actor=None, received_on=today)
    assert Report.objects.get(pk=progress.pk).received_on is None


# 8 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_8_payments_follow_the_years_actually_funded():
    programme = current_programme()
    call = call_at(programme, cycle.DECIDED)
    years = list(programme.fiscal_years.order_by("starts_on"))
    first, gap, third = years[1], years[2], years[3]
    proposal = with_status(call, S.FUNDED)
    commitment = commitment_create(programme=programme, reference="p", label="p", call=call)
    ledger_commit(
        commitment=commitment,
        amounts={first: Decimal("30000.00"), third: Decimal("20000.00")},
        actor=None,
        effective_on=timezone.localdate(),
    )
    Proposal.objects.filter(pk=proposal.pk).update(commitment=commitment)
    proposal.refresh_from_db()
    today = timezone.localdate()
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=today - 2 * DAY)
    assert not agreement.reports.filter(fiscal_year=gap).exists()
    progress = agreement.reports.get(kind=Report.Kind.PROGRESS)
    assert progress.fiscal_year == first
    agreement_sign(agreement=agreement, actor=None, signed_on=today - DAY, signatory="D")
    third_payment = agreement.payments.get(
        fiscal_year=third, condition=Payment.Condition.PROGRESS_REPORT
    )
    unmet = payment_condition_unmet(third_payment, third.starts_on)
    assert unmet == f"The progress report of {first.label} has not been received."
    Report.objects.filter(pk=progress.pk).update(received_on=first.ends_on + DAY)
    assert payment_condition_unmet(third_payment, third.starts_on) is None


# 9 ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_9_a_review_draft_keeps_a_comment_typed_before_its_value(client):  # type: ignore[no-untyped-def]
    _english(client)
    programme = current_programme()
    call = call_at(programme, cycle.CLOSED)
    proposal = with_status(call, S.UNDER_REVIEW)
    evaluator = f.UserFactory()
    review = f.ReviewFactory(proposal=proposal, evaluator=evaluator)

    review_save_draft(review=review, scores={"inclusion": (None, "À revoir")}, actor=evaluator)
    assert Score.objects.get(review=review).comment == "À revoir"

    client.force_login(evaluator)
    url = reverse("reviews:score", args=[review.pk])
    response = client.post(url, {"comment_inclusion": "Les personnes décident.", "action": "save"})
    assert response.status_code == 302
    assert Score.objects.get(review=review).comment == "Les personnes décident."
    assert "Les personnes décident." in client.get(url).content.decode()
    with pytest.raises(ValidationError, match="Choose a value of the scale"):
        review_submit(review=review, scores={"inclusion": (None, "x")}, actor=evaluator)  # type: ignore[dict-item]


# On the demo, as the coordinator would try it -------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "L’appel est encore ouvert"),
        ("en", "The call is still open"),
    ],
)
def test_the_demo_coordinator_cannot_decide_call_2_before_it_closes(client, language, words):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from solidaire.accounts.models import User
    from solidaire.calls.models import Call

    call_command("load_demo", verbosity=0)
    call = Call.objects.get(number=2)
    assert call.status == cycle.OPEN
    coordinator = User.objects.get(username="coordination")
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    base = [call.programme.slug, call.number]
    built = client.post(
        reverse("selection:call", args=base),
        {"name": "Essai", "method": "optimal", "objective": "merit_order", "partial": "none"},
    )
    assert built.status_code == 302, built.content.decode()[:2000]
    scenario = call.scenarios.get()
    page = client.get(reverse("selection:scenario", args=[*base, scenario.pk]))
    assert words in page.content.decode()
    response = client.post(
        reverse("selection:adopt", args=[*base, scenario.pk]),
        {"resolution_number": "CR-2026-11", "confirm": "on"},
    )
    assert words in response.content.decode()
    assert not Decision.objects.filter(call=call).exists()
    call.refresh_from_db()
    assert call.decided_at is None


@pytest.mark.django_db
def test_7_every_ledger_entry_is_dated_within_the_programme():
    from solidaire.ledger.services import LedgerError, ledger_pay, ledger_release

    programme = current_programme()
    call = call_at(programme, cycle.DECIDED)
    year = open_year(programme)
    commitment = commitment_create(programme=programme, reference="p", label="p", call=call)
    with pytest.raises(LedgerError, match="outside the programme"):
        ledger_commit(
            commitment=commitment,
            amounts={year: Decimal("1000.00")},
            actor=None,
            effective_on=programme.starts_on - DAY,
        )
    assert not LedgerEntry.objects.exists()
    ledger_commit(
        commitment=commitment,
        amounts={year: Decimal("1000.00")},
        actor=None,
        effective_on=timezone.localdate(),
    )
    for draw in (ledger_pay, ledger_release):
        with pytest.raises(LedgerError, match="outside the programme"):
            draw(
                commitment=commitment,
                fiscal_year=year,
                amount=Decimal("10.00"),
                actor=None,
                effective_on=programme.ends_on + DAY,
            )
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_payments_page_is_only_for_those_who_pay_or_coordinate(client):  # type: ignore[no-untyped-def]
    programme = current_programme()
    evaluator, member, trustee = f.UserFactory(), f.UserFactory(), f.UserFactory()
    f.ProgrammeRoleFactory(programme=programme, user=evaluator, role=ProgrammeRole.Role.EVALUATOR)
    f.OrganisationMemberFactory(user=member)
    f.ProgrammeRoleFactory(
        programme=programme, user=trustee, role=ProgrammeRole.Role.TRUSTEE_FINANCE
    )
    for person, status in ((evaluator, 404), (member, 404), (trustee, 200)):
        client.force_login(person)
        assert client.get(reverse("payment_list")).status_code == status, person
