from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from solidaire.accounts.models import User
from solidaire.agreements.models import Agreement, Payment, Report, ReportState
from solidaire.agreements.services import payment_condition_unmet
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.common.fiscal import fiscal_today, quebec_today
from solidaire.ledger.models import CarryOver, LedgerEntry
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.programmes.models import Programme, ProgrammeRole
from solidaire.reviews.models import Review
from solidaire.selection.models import Award, Decision


def _figures() -> dict[str, object]:
    programme = Programme.objects.get(slug="capitale-nationale")
    call1, call2 = Call.objects.filter(programme=programme).order_by("number")
    balances = programme_balances(programme)
    figures = calls_figures([call1, call2])
    return {
        "envelope": [(b.label, b.envelope) for b in balances],
        "available": sum((b.available for b in balances), Decimal(0)),
        "open_available": sum((b.available for b in balances if not b.ended), Decimal(0)),
        "years": [(b.label, b.ended, b.carried_over, b.lapsed, b.available) for b in balances],
        "received": Proposal.objects.filter(call=call1).count(),
        "funded": sorted(
            Award.objects.filter(decision__call=call1).values_list(
                "proposal__title", "proposal__organisation__legal_name"
            )
        ),
        "committed": figures[call1.pk].committed,
        "paid": figures[call1.pk].paid,
        "call2_available": figures[call2.pk].available,
        "call2_open": call2.is_open_at(timezone.now()),
        # Compared by names, not ids: PostgreSQL does not roll sequences back.
        "ledger": sorted(
            LedgerEntry.objects.values_list(
                "commitment__proposal__organisation__legal_name",
                "commitment__proposal__title",
                "fiscal_year__label",
                "kind",
                "amount",
            )
        ),
    }


def _load(*args: str) -> dict[str, object]:
    # Each load runs in a savepoint rolled back afterwards, so that one test
    # can load the demo twice from the same empty database.
    with transaction.atomic():
        call_command("load_demo", *args, stdout=StringIO())
        figures = _figures()
        transaction.set_rollback(True)
    return figures


@pytest.mark.django_db
def test_demo_reproduces_the_press_release_and_is_deterministic():
    first = _load()
    assert first["received"] == 69
    assert len(first["funded"]) == 20
    assert len({org for _title, org in first["funded"]}) == 20
    assert first["committed"] == Decimal("1200000.00")
    assert sum(amount for _label, amount in first["envelope"]) == Decimal("4200000.00")
    assert len(first["envelope"]) == 5
    assert first["call2_open"] is True
    # 2 520 000 $ in the three open years, less call 1's 1 200 000 $, plus the
    # 300 000 $ carried over from the second (ended) year; the rest of the two
    # ended years (840 000 $ and 540 000 $) has lapsed.
    assert first["call2_available"] == first["open_available"] == Decimal("1620000.00")
    assert first["available"] == first["open_available"]
    (y1, y2, y3, *_later) = first["years"]
    assert y1[1:] == (True, Decimal("0.00"), Decimal("840000.00"), Decimal("0.00"))
    assert y2[1:] == (True, Decimal("-300000.00"), Decimal("540000.00"), Decimal("0.00"))
    assert y3[1] is False and y3[2] == Decimal("300000.00") and y3[3] == Decimal("0.00")
    assert sum(y[2] for y in first["years"]) == Decimal("0.00")
    assert Decimal(0) < first["paid"] < first["committed"]
    assert _load() == first


@pytest.mark.django_db
def test_demo_shifts_the_story_so_that_call_2_is_open_today():
    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get(region__code="03")
    call1, call2 = Call.objects.filter(programme=programme).order_by("number")
    today = timezone.localdate()
    assert call1.decided_at is not None and call1.decided_at < timezone.now()
    assert Decision.objects.get(call=call1).scenario.objective == "merit_order"
    assert (
        timezone.localtime(call2.opens_at).date()
        < today
        < timezone.localtime(call2.closes_at).date()
    )
    current = programme.fiscal_years.filter(starts_on__lte=today, ends_on__gte=today).get()
    # Today sits in the third fiscal year, where autumn 2020 sat in 2018-2023.
    assert list(programme.fiscal_years.order_by("starts_on")).index(current) == 2
    assert not Payment.objects.filter(status="paid", paid_on__gt=today).exists()
    # Demo accounts and roles.
    for username in ("coordination", "evaluation", "fiduciaire", "organisme", "ministere", "admin"):
        assert User.objects.get(username=username).check_password("solidaire-demo")
    assert User.objects.get(username="ministere").is_ministry_observer
    assert User.objects.get(username="admin").is_superuser
    organisme = User.objects.get(username="organisme").organisations.get()
    assert Proposal.objects.filter(organisation=organisme, call=call1, award__isnull=False).exists()
    assert Proposal.objects.filter(organisation=organisme, call=call2, status="draft").exists()
    assert Review.objects.filter(
        evaluator__username="evaluation", proposal__call=call2, status="assigned"
    ).exists()
    assert Review.objects.filter(proposal__call=call1, status="recused").exists()
    committee = ProgrammeRole.objects.filter(programme=programme, role="committee")
    assert committee.count() == 20
    assert set(committee.values_list("sector", flat=True)) == {
        "municipal",
        "government",
        "community",
        "philanthropic",
    }


@pytest.mark.django_db
def test_historical_demo_keeps_the_real_dates():
    call_command("load_demo", "--historical", stdout=StringIO())
    programme = Programme.objects.get(region__code="03")
    labels = list(programme.fiscal_years.order_by("starts_on").values_list("label", flat=True))
    assert labels == ["2018-2019", "2019-2020", "2020-2021", "2021-2022", "2022-2023"]
    assert programme.work_plans.get().title == "Plan de travail 2018-2023"
    call1, call2 = Call.objects.filter(programme=programme).order_by("number")
    assert timezone.localtime(call1.decided_at).date() == date(2020, 2, 20)
    assert timezone.localtime(call2.opens_at).date() == date(2020, 9, 14)
    assert calls_figures([call1])[call1.pk].committed == Decimal("1200000.00")
    carry_over = CarryOver.objects.get()
    assert (carry_over.source.label, carry_over.target.label) == ("2019-2020", "2020-2021")
    assert carry_over.effective_on == date(2020, 10, 15)


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_programme_exists():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert Programme.objects.count() == 2
    assert Proposal.objects.filter(call__number=1, call__programme__region__code="03").count() == 69


@pytest.mark.django_db
def test_demo_holds_a_second_smaller_programme_with_one_decided_call():
    out = StringIO()
    call_command("load_demo", stdout=out)
    second = Programme.objects.get(slug="chaudiere-appalaches")
    assert second.region.code == "12"
    assert second.region.code != Programme.objects.get(slug="capitale-nationale").region.code
    balances = programme_balances(second)
    assert sum((b.envelope for b in balances), Decimal(0)) == Decimal("1500000.00")
    assert len(balances) == 5
    call = Call.objects.get(programme=second)
    assert call.decided_at is not None and call.decided_at < timezone.now()
    assert Decision.objects.get(call=call).scenario.objective == "merit_order"
    statuses = set(Proposal.objects.filter(call=call).values_list("status", flat=True))
    assert "draft" not in statuses and "submitted" not in statuses
    awards = Award.objects.filter(decision__call=call)
    assert awards.count() >= 3
    committed = calls_figures([call])[call.pk].committed
    assert committed > 0
    assert committed == sum((b.committed for b in balances), Decimal(0))
    # Every funded initiative has its agreement; organisations live in the region.
    assert not Proposal.objects.filter(call=call, award__isnull=False, agreement=None).exists()
    assert Payment.objects.filter(agreement__proposal__call=call, status="paid").exists()
    assert (
        not Proposal.objects.filter(call=call)
        .exclude(organisation__territory__region=second.region)
        .exists()
    )
    # Its own people, each with a role in this programme only.
    for username in ("coordination2", "evaluation2", "fiduciaire2"):
        user = User.objects.get(username=username)
        assert user.check_password("solidaire-demo")
        assert set(ProgrammeRole.objects.filter(user=user).values_list("programme", flat=True)) == {
            second.pk
        }
        assert username in out.getvalue()
    organisme2 = User.objects.get(username="organisme2").organisations.get()
    assert Proposal.objects.filter(organisation=organisme2, call=call).exists()
    assert "Chaudière-Appalaches" in out.getvalue()


@pytest.mark.django_db
def test_second_programme_is_in_its_second_year_with_one_progress_report_still_due():
    """Its initiatives run over the year that ended and the current one: the
    first year's progress reports are approved and the second instalments
    paid, except the demo organisation's, whose report is a draft due soon
    and whose instalment waits for it."""
    call_command("load_demo", stdout=StringIO())
    with fiscal_today(None):
        today = quebec_today()
        agreements = list(
            Agreement.objects.filter(proposal__call__programme__slug="chaudiere-appalaches")
        )
        assert agreements and all(a.status == Agreement.Status.SIGNED for a in agreements)
        mine = User.objects.get(username="organisme2").organisations.get()
        for agreement in agreements:
            years = sorted(agreement.payments.values_list("fiscal_year__ends_on", flat=True))
            assert years[0] < today < years[-1]  # one year ended, one under way
            first = agreement.payments.get(condition=Payment.Condition.SIGNATURE)
            second = agreement.payments.get(condition=Payment.Condition.PROGRESS_REPORT)
            report = agreement.reports.get(kind=Report.Kind.PROGRESS)
            assert first.status == Payment.Status.PAID
            assert report.fiscal_year.ends_on < today  # it can be submitted now
            if agreement.proposal.organisation_id == mine.pk:
                assert report.state == ReportState.OPEN and report.narrative
                assert today < report.due_on
                assert second.status == Payment.Status.SCHEDULED
                assert payment_condition_unmet(second, today)
            else:
                assert report.state == ReportState.APPROVED and report.spent
                spending = report.spending.all()
                assert sum(s.spent for s in spending) == report.spent
                assert second.status == Payment.Status.PAID
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert ": 0 " in out.getvalue()


@pytest.mark.django_db
def test_demo_call_2_is_assigned_automatically_without_conflict_and_with_even_loads():
    from solidaire.reviews.assignment import assignment_propose, evaluator_capacities
    from solidaire.reviews.conflicts import call_conflict_pairs
    from solidaire.reviews.models import Tie
    from solidaire.reviews.selectors import call_evaluators

    call_command("load_demo", stdout=StringIO())
    call2 = Call.objects.get(programme__region__code="03", number=2)
    tie = Tie.objects.get(programme=call2.programme)
    tied = Proposal.objects.get(call=call2, organisation=tie.organisation)
    conflicts = call_conflict_pairs(call2.pk)
    assert (tie.person_id, tied.pk) in conflicts
    capacities = evaluator_capacities(call2, call_evaluators(call2), 3)
    proposal = assignment_propose(call2, reviews_per_proposal=3, capacities=capacities)
    assert proposal.feasible
    assert proposal.outcome.status == "optimal"
    assert not proposal.outcome.pairs & conflicts
    assert proposal.spread <= 1


@pytest.mark.django_db
def test_demo_cancellation_raises_call_2_by_exactly_what_it_releases(client):
    """On the demo, today: the coordination cancels a call-1 initiative whose
    first instalment is paid; what was committed and not paid is released
    year by year, and call 2's available amount rises by exactly that."""
    call_command("load_demo", stdout=StringIO())
    with fiscal_today(None):
        programme = Programme.objects.get(slug="capitale-nationale")
        call2 = Call.objects.get(programme=programme, number=2)
        agreement = (
            Agreement.objects.filter(
                proposal__call__programme=programme,
                status=Agreement.Status.SIGNED,
                payments__status=Payment.Status.PAID,
            )
            .select_related("proposal")
            .order_by("number")
            .first()
        )
        assert agreement is not None
        proposal = agreement.proposal
        unpaid = sum(
            (p.amount for p in agreement.payments.filter(status=Payment.Status.SCHEDULED)),
            Decimal(0),
        )
        before = calls_figures([call2])[call2.pk].available
        client.force_login(User.objects.get(username="coordination"))
        response = client.post(
            f"/demandes/{proposal.pk}/annuler/",
            {"reason": "L'organisme met fin à l'initiative.", "confirm": "on"},
        )
        assert response.status_code == 302
        released = sum(
            (
                e.amount
                for e in LedgerEntry.objects.filter(
                    commitment=proposal.commitment, kind=LedgerEntry.Kind.RELEASE
                )
            ),
            Decimal(0),
        )
        after = calls_figures([call2])[call2.pk].available
    assert released == unpaid > 0
    assert after - before == released
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert ": 0 " in out.getvalue()
