"""Amendments that add a fiscal year the agreement did not fund, or drop one
(its amount set to zero): the ledger, the payment schedule, the reports and
the agreement's new version follow; what cannot be done is refused in words,
beside the amount at fault, and nothing is written."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from solidaire.agreements.amendments import (
    amendment_addable_years,
    amendment_approve,
    amendment_propose,
)
from solidaire.agreements.documents import agreement_document_get, document_content
from solidaire.agreements.models import Agreement, Amendment, Payment, Report
from solidaire.agreements.services import (
    agreement_issue,
    agreement_sign,
    commitment_amounts,
    payment_record,
)
from solidaire.applications.models import Proposal
from solidaire.common.fiscal import fiscal_today
from solidaire.common.money import format_money
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import FiscalYear, ProgrammeRole
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
R = ProgrammeRole.Role
C = Payment.Condition
D = Decimal


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def people(programme):  # type: ignore[no-untyped-def]
    trustee = f.UserFactory(username="fiduciaire-annees")
    coordinator = f.UserFactory(username="coordination-annees")
    f.ProgrammeRoleFactory(programme=programme, user=trustee, role=R.TRUSTEE_FINANCE)
    f.ProgrammeRoleFactory(programme=programme, user=coordinator, role=R.COORDINATOR)
    return {"trustee": trustee, "coordinator": coordinator}


def _years(call) -> list[FiscalYear]:  # type: ignore[no-untyped-def]
    return list(call.programme.fiscal_years.order_by("starts_on"))


def _agreement(call, amounts: dict[int, Decimal]) -> Agreement:  # type: ignore[no-untyped-def]
    """An agreement issued on 1 May 2020 for ``amounts`` (index of the
    programme's fiscal year → amount), committed through the ledger."""
    years = _years(call)
    commitment = commitment_create(programme=call.programme, reference="p:annees", label="Cuisine")
    ledger_commit(
        commitment=commitment, amounts={years[k]: a for k, a in amounts.items()}, actor=None
    )
    proposal = f.ProposalFactory(
        call=call,
        status=Proposal.Status.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    return agreement_issue(
        proposal=proposal, actor=None, issued_on=date(2020, 5, 1), number="CAF-ANNEES"
    )


def _propose_and_approve(agreement, people, amounts, **kwargs):  # type: ignore[no-untyped-def]
    amendment = amendment_propose(
        agreement=agreement,
        actor=people["coordinator"],
        reason="Le projet change de durée",
        amounts=amounts,
        **kwargs,
    )
    version = amendment_approve(amendment=amendment, actor=people["trustee"])
    agreement.refresh_from_db()
    return amendment, version


def _schedule(agreement) -> list[tuple[str, Decimal, str, str, date]]:  # type: ignore[no-untyped-def]
    return [
        (p.fiscal_year.label, p.amount, p.condition, p.status, p.due_on)
        for p in Payment.objects.filter(agreement=agreement)
        .select_related("fiscal_year")
        .order_by("sequence")
    ]


def _reports(agreement) -> list[tuple[str, str, date]]:  # type: ignore[no-untyped-def]
    return [
        (r.kind, r.fiscal_year.label, r.due_on)
        for r in Report.objects.filter(agreement=agreement)
        .select_related("fiscal_year")
        .order_by("fiscal_year__starts_on", "kind")
    ]


def _scheduled_by_year(agreement) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    sums: dict[str, Decimal] = {}
    for p in Payment.objects.filter(agreement=agreement).exclude(status="cancelled"):
        sums[p.fiscal_year.label] = sums.get(p.fiscal_year.label, D(0)) + p.amount
    return sums


def _ledger_verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger_verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def _pdf_text(version, language: str = "fr") -> str:  # type: ignore[no-untyped-def]
    document = agreement_document_get(version=version, language=language, actor=None)
    pdf = PdfReader(io.BytesIO(document_content(document)))
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


# ----------------------------------------------------------------------------- adding a year


def test_adding_a_later_year_commits_it_schedules_it_and_moves_the_final_report(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    y0, y1, y2 = _years(call)[:3]
    entries_before = list(LedgerEntry.objects.values_list("pk", "kind", "amount", "fiscal_year"))
    amendment, version = _propose_and_approve(agreement, people, {y2: D("20000.00")})

    # The ledger: every earlier entry as it was, one commitment for the new year.
    assert (
        list(
            LedgerEntry.objects.filter(pk__in=[e[0] for e in entries_before]).values_list(
                "pk", "kind", "amount", "fiscal_year"
            )
        )
        == entries_before
    )
    new = LedgerEntry.objects.exclude(pk__in=[e[0] for e in entries_before]).get()
    assert (new.kind, new.amount, new.fiscal_year_id) == ("commit", D("20000.00"), y2.pk)
    assert commitment_amounts(agreement.proposal) == {
        y0: D("30000.00"),
        y1: D("25000.00"),
        y2: D("20000.00"),
    }
    line = amendment.lines.get()
    assert (line.fiscal_year_id, line.previous, line.amount) == (y2.pk, D("0.00"), D("20000.00"))

    # The initiative now ends with the year added; the reports follow: a
    # progress report for 2021-2022, the final report on 2022-2023.
    assert agreement.ends_on == date(2023, 3, 31)
    assert _reports(agreement) == [
        ("progress", "2020-2021", date(2021, 4, 30)),
        ("progress", "2021-2022", date(2022, 4, 30)),
        ("final", "2022-2023", date(2023, 6, 29)),
    ]
    # The payments follow the rule of issue: 2021-2022's money is no longer
    # held back for the final report; 2022-2023 is paid once 2021-2022's
    # progress report is in, its last tenth of the whole held back.
    assert _schedule(agreement) == [
        ("2020-2021", D("30000.00"), C.SIGNATURE, "scheduled", date(2020, 5, 31)),
        ("2021-2022", D("19500.00"), C.PROGRESS_REPORT, "scheduled", date(2021, 5, 30)),
        ("2021-2022", D("5500.00"), C.PROGRESS_REPORT, "scheduled", date(2021, 5, 30)),
        ("2022-2023", D("12500.00"), C.PROGRESS_REPORT, "scheduled", date(2022, 5, 30)),
        ("2022-2023", D("7500.00"), C.FINAL_REPORT, "scheduled", date(2023, 7, 29)),
    ]
    assert _scheduled_by_year(agreement) == {
        "2020-2021": D("30000.00"),
        "2021-2022": D("25000.00"),
        "2022-2023": D("20000.00"),
    }
    # The new version, to be signed again, lists the year added.
    assert version.number == 2
    assert agreement.amendment_unsigned
    assert [a["fiscal_year"] for a in version.terms["amounts"]] == [
        "2020-2021",
        "2021-2022",
        "2022-2023",
    ]
    text = _pdf_text(version)
    assert "2022-2023 20 000,00 $" in text and "Total 75 000,00 $" in text
    assert "Rapport final 2022-2023 29 juin 2023" in text
    assert _ledger_verify()[0] == 0


def test_adding_a_year_keeps_what_was_paid_and_ledger_verify_passes(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    payment_record(payment=first, actor=None, paid_on=date(2020, 6, 1))
    y2 = _years(call)[2]
    _propose_and_approve(agreement, people, {y2: D("10000.00")})
    first.refresh_from_db()
    assert (first.status, first.amount, first.paid_on) == ("paid", D("30000.00"), date(2020, 6, 1))
    code, output = _ledger_verify()
    assert code == 0, output


def test_the_years_offered_are_open_within_the_programme_and_the_calls_end(call, people):
    agreement = _agreement(call, {1: D("25000.00")})
    years = _years(call)
    assert amendment_addable_years(agreement) == [years[0], *years[2:]]
    call.latest_end_on = date(2022, 3, 31)
    call.save(update_fields=["latest_end_on"])
    agreement.proposal.call.refresh_from_db()
    with fiscal_today(date(2021, 6, 1)):
        # 2020-2021 has ended; 2022-2023 starts after the call's latest end.
        assert amendment_addable_years(agreement, date(2021, 6, 1)) == []


# ----------------------------------------------------------------------------- dropping a year


def test_dropping_a_middle_year_releases_it_cancels_its_payment_and_drops_its_report(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00"), 2: D("20000.00")})
    y0, y1, y2 = _years(call)[:3]
    assert ("progress", "2021-2022", date(2022, 4, 30)) in _reports(agreement)
    amendment, version = _propose_and_approve(agreement, people, {y1: D("0")})

    release = LedgerEntry.objects.get(kind="release")
    # The whole unpaid commitment of the year.
    assert (release.amount, release.fiscal_year_id) == (D("25000.00"), y1.pk)
    assert commitment_amounts(agreement.proposal) == {y0: D("30000.00"), y2: D("20000.00")}
    line = amendment.lines.get()
    assert (line.previous, line.amount) == (D("25000.00"), D("0.00"))
    assert [(label, amount, status) for label, amount, _c, status, _d in _schedule(agreement)] == [
        ("2020-2021", D("30000.00"), "scheduled"),
        ("2021-2022", D("25000.00"), "cancelled"),
        # The last tenth of the new whole (50 000 $) waits for the final report.
        ("2022-2023", D("15000.00"), "scheduled"),
        ("2022-2023", D("5000.00"), "scheduled"),
    ]
    assert _reports(agreement) == [
        ("progress", "2020-2021", date(2021, 4, 30)),
        ("final", "2022-2023", date(2023, 6, 29)),
    ]
    # 2022-2023 now follows 2020-2021's progress report.
    third = agreement.payments.get(sequence=3)
    assert (third.condition, third.due_on) == (C.PROGRESS_REPORT, date(2021, 5, 30))
    assert [a["fiscal_year"] for a in version.terms["amounts"]] == ["2020-2021", "2022-2023"]
    assert "2021-2022" not in " ".join(a["fiscal_year"] for a in version.terms["amounts"])
    code, output = _ledger_verify()
    assert code == 0, output


def test_dropping_the_last_year_moves_the_final_report_and_the_holdback(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    _y0, y1 = _years(call)[:2]
    _propose_and_approve(agreement, people, {y1: D("0")})
    release = LedgerEntry.objects.get(kind="release")
    assert (release.amount, release.fiscal_year_id) == (D("25000.00"), y1.pk)
    assert agreement.ends_on == date(2021, 3, 31)
    assert _reports(agreement) == [("final", "2020-2021", date(2021, 6, 29))]
    assert [(p[0], p[1], p[2], p[3]) for p in _schedule(agreement)] == [
        ("2020-2021", D("27000.00"), C.SIGNATURE, "scheduled"),
        ("2021-2022", D("19500.00"), C.PROGRESS_REPORT, "cancelled"),
        ("2021-2022", D("5500.00"), C.FINAL_REPORT, "cancelled"),
        ("2020-2021", D("3000.00"), C.FINAL_REPORT, "scheduled"),
    ]
    assert _scheduled_by_year(agreement) == {"2020-2021": D("30000.00")}
    assert _ledger_verify()[0] == 0


# ----------------------------------------------------------------------------- refusals


def _refused(agreement, people, amounts, **kwargs) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        amendment_propose(
            agreement=agreement,
            actor=people["coordinator"],
            reason="Essai",
            amounts=amounts,
            **kwargs,
        )
    assert not Amendment.objects.exists()
    assert LedgerEntry.objects.count() == entries
    return refused.value.message_dict


def test_a_year_with_a_payment_is_not_dropped(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    y0 = _years(call)[0]
    errors = _refused(agreement, people, {y0: D("0")})
    assert errors == {
        f"amount_{y0.pk}": [
            "$30,000.00 was already paid for 2020-2021: the year cannot be dropped; its amount "
            "can come down to $30,000.00."
        ]
    }
    assert not Payment.objects.filter(status="cancelled").exists()


def test_dropping_the_only_year_points_to_the_cancellation(call, people):
    agreement = _agreement(call, {0: D("30000.00")})
    y0 = _years(call)[0]
    errors = _refused(agreement, people, {y0: D("0")})
    assert "no funded year" in errors[f"amount_{y0.pk}"][0]
    assert "Cancel this initiative" in errors[f"amount_{y0.pk}"][0]


def test_dropping_every_year_at_once_is_refused(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    y0, y1 = _years(call)[:2]
    errors = _refused(agreement, people, {y0: D("0"), y1: D("0")})
    assert set(errors) == {f"amount_{y0.pk}", f"amount_{y1.pk}"}


def test_an_ended_year_is_not_added(call, people):
    agreement = _agreement(call, {1: D("25000.00"), 2: D("20000.00")})
    y0 = _years(call)[0]
    with fiscal_today(date(2021, 6, 1)):
        errors = _refused(agreement, people, {y0: D("10000.00")}, today=date(2021, 6, 1))
    assert errors == {
        f"amount_{y0.pk}": [
            "Fiscal year 2020-2021 ended on March 31, 2021: it can no longer be added."
        ]
    }


def test_a_year_beyond_the_programme_is_not_added(call, people):
    agreement = _agreement(call, {0: D("30000.00")})
    beyond = FiscalYear.objects.create(
        programme=call.programme,
        label="2025-2026",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        envelope=D("840000.00"),
    )
    other = f.FiscalYearFactory(
        label="2021-2022", starts_on=date(2021, 4, 1), ends_on=date(2022, 3, 31)
    )
    errors = _refused(agreement, people, {beyond: D("10000.00"), other: D("10000.00")})
    assert errors[f"amount_{beyond.pk}"] == [
        "The programme ends on March 31, 2025: fiscal year 2025-2026 is after it."
    ]
    assert errors[f"amount_{other.pk}"] == [
        "Fiscal year 2021-2022 is not one of this programme's years."
    ]
    assert beyond not in amendment_addable_years(agreement)


def test_a_year_beyond_the_calls_latest_end_is_not_added(call, people):
    call.latest_end_on = date(2022, 3, 31)
    call.save(update_fields=["latest_end_on"])
    agreement = _agreement(call, {0: D("30000.00")})
    y2 = _years(call)[2]
    errors = _refused(agreement, people, {y2: D("10000.00")})
    assert errors == {
        f"amount_{y2.pk}": [
            "Initiatives of this call end by March 31, 2022: fiscal year 2022-2023 starts after "
            "that day."
        ]
    }


def test_a_year_added_beyond_the_envelope_is_refused_at_proposal_and_at_approval(call, people):
    agreement = _agreement(call, {0: D("30000.00")})
    y1 = _years(call)[1]
    errors = _refused(agreement, people, {y1: D("900000.00")})
    assert "left" in errors[f"amount_{y1.pk}"][0]
    # Proposed while the money is there, then taken by another decision.
    amendment = amendment_propose(
        agreement=agreement, actor=people["coordinator"], reason="Plus", amounts={y1: D("1000")}
    )
    other = commitment_create(programme=call.programme, reference="autre", label="Autre")
    ledger_commit(commitment=other, amounts={y1: y1.envelope}, actor=None)
    entries, payments = LedgerEntry.objects.count(), Payment.objects.count()
    reports = _reports(agreement)
    with pytest.raises(ValidationError):
        amendment_approve(amendment=amendment, actor=people["trustee"])
    assert (LedgerEntry.objects.count(), Payment.objects.count()) == (entries, payments)
    assert _reports(agreement) == reports
    assert Amendment.objects.get().status == Amendment.Status.PROPOSED


# ----------------------------------------------------------------------------- the page


def _client(client, user, language: str = "en"):  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _keep(agreement) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the form sends unchanged: the amounts and due dates as shown."""
    data = {
        f"amend-amount_{fy.pk}": str(amount)
        for fy, amount in commitment_amounts(agreement.proposal).items()
    }
    for p in agreement.payments.filter(status="scheduled"):
        data[f"amend-due_{p.pk}"] = p.due_on.isoformat()
    data["amend-ends_on"] = agreement.ends_on.isoformat()
    return data


def test_the_page_offers_the_open_years_and_shows_before_and_after(client, call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    y0, y1, y2 = _years(call)[:3]
    url = reverse("agreements:amendments", args=[agreement.number])
    page = _client(client, people["coordinator"]).get(url)
    form = page.context["form"]
    assert f"amount_{y2.pk}" in form.fields and not form.fields[f"amount_{y2.pk}"].required
    response = client.post(
        url,
        {
            **_keep(agreement),
            "amend-reason": "Une année de plus, une de moins",
            f"amend-amount_{y1.pk}": "0",
            f"amend-amount_{y2.pk}": "25 000,00",
        },
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert {
        (line.fiscal_year_id, line.previous, line.amount) for line in amendment.lines.all()
    } == {
        (y1.pk, D("25000.00"), D("0.00")),
        (y2.pk, D("0.00"), D("25000.00")),
    }
    text = " ".join(client.get(url).content.decode().split())
    assert "2021-2022 (year dropped): $25,000.00 → $0.00" in text
    assert "2022-2023 (year added): $0.00 → $25,000.00" in text
    decide = reverse("agreements:amendment_decide", args=[agreement.number, amendment.pk])
    approved = _client(client, people["trustee"]).post(
        decide, {f"decide{amendment.pk}-decision": "approve"}
    )
    assert approved.status_code == 302
    assert commitment_amounts(agreement.proposal) == {y0: D("30000.00"), y2: D("25000.00")}
    assert _ledger_verify()[0] == 0


def test_a_refused_year_shows_its_error_on_its_field_and_keeps_the_input(client, call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    y0, _y1, y2 = _years(call)[:3]
    url = reverse("agreements:amendments", args=[agreement.number])
    response = _client(client, people["coordinator"], "fr").post(
        url,
        {
            **_keep(agreement),
            "amend-reason": "Abandon de la première année",
            f"amend-amount_{y0.pk}": "0",
            f"amend-amount_{y2.pk}": "900 000,00",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    with translation.override("fr"):
        paid = format_money(D("30000.00"), "fr")
    assert form.errors[f"amount_{y0.pk}"] == [
        f"{paid} a déjà été versé pour 2020-2021 : l'exercice ne peut pas être retiré; "
        f"son montant peut descendre jusqu'à {paid}."
    ]
    html = response.content.decode()
    assert 'value="900 000,00"' in html
    assert "Abandon de la première année" in html
    assert not Amendment.objects.exists()
    # The envelope refusal of the year added, once the year at fault is fixed.
    response = client.post(
        url,
        {
            **_keep(agreement),
            "amend-reason": "Une année de plus",
            f"amend-amount_{y2.pk}": "900 000,00",
        },
    )
    assert response.status_code == 400
    assert "enveloppe" in response.context["form"].errors[f"amount_{y2.pk}"][0]
    assert 'value="900 000,00"' in response.content.decode()


def test_adding_a_year_before_the_first_makes_it_the_year_paid_at_signature(call, people):
    agreement = _agreement(call, {1: D("25000.00"), 2: D("20000.00")})
    y0 = _years(call)[0]
    _propose_and_approve(agreement, people, {y0: D("10000.00")})
    assert agreement.ends_on == date(2023, 3, 31)
    assert _reports(agreement) == [
        ("progress", "2020-2021", date(2021, 4, 30)),
        ("progress", "2021-2022", date(2022, 4, 30)),
        ("final", "2022-2023", date(2023, 6, 29)),
    ]
    # 2021-2022, paid at signature until now, now waits for 2020-2021's
    # progress report; 2020-2021 is paid once the amended agreement is signed.
    assert _schedule(agreement) == [
        ("2021-2022", D("25000.00"), C.PROGRESS_REPORT, "scheduled", date(2021, 5, 30)),
        # The last tenth of the new whole (55 000 $) waits for the final report.
        ("2022-2023", D("14500.00"), C.PROGRESS_REPORT, "scheduled", date(2022, 5, 30)),
        ("2022-2023", D("5500.00"), C.FINAL_REPORT, "scheduled", date(2023, 7, 29)),
        ("2020-2021", D("10000.00"), C.SIGNATURE, "scheduled", date(2020, 11, 14)),
    ]
    assert _ledger_verify()[0] == 0


def test_a_submitted_final_report_keeps_the_last_year_where_it_is(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    y0, y1, y2 = _years(call)[:3]
    Report.objects.filter(agreement=agreement, kind=Report.Kind.FINAL).update(state="submitted")
    for amounts, field in (({y1: D("0")}, y1), ({y2: D("10000.00")}, y2)):
        errors = _refused(agreement, people, amounts)
        assert errors[f"amount_{field.pk}"] == [
            "The final report is already submitted: the initiative's last funded year no "
            "longer changes."
        ]
    # A change that leaves the last year where it is still goes through.
    _propose_and_approve(agreement, people, {y0: D("20000.00")})
    assert Report.objects.get(agreement=agreement, kind="final").fiscal_year_id == y1.pk


def test_a_dropped_years_draft_report_goes_with_it(call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00"), 2: D("20000.00")})
    y1 = _years(call)[1]
    Report.objects.filter(agreement=agreement, fiscal_year=y1).update(
        narrative="Brouillon commencé", state="changes"
    )
    _propose_and_approve(agreement, people, {y1: D("0")})
    assert not Report.objects.filter(agreement=agreement, fiscal_year=y1).exists()


def test_any_amendment_keeps_the_last_tenth_of_the_whole_for_the_final_report(call, people):
    """An increase of the first year, then a decrease: the final report's
    payment follows the whole each time, taken from or given back to the
    last year's other unpaid payment; each year's total is unchanged."""
    agreement = _agreement(call, {0: D("30000.00"), 1: D("20000.00")})
    y0 = _years(call)[0]

    def last_year() -> list[tuple[Decimal, str, str]]:
        return [
            (amount, condition, status)
            for label, amount, condition, status, _d in _schedule(agreement)
            if label == "2021-2022"
        ]

    assert last_year() == [
        (D("15000.00"), C.PROGRESS_REPORT, "scheduled"),
        (D("5000.00"), C.FINAL_REPORT, "scheduled"),
    ]
    _propose_and_approve(agreement, people, {y0: D("50000.00")})
    assert last_year() == [
        (D("13000.00"), C.PROGRESS_REPORT, "scheduled"),
        (D("7000.00"), C.FINAL_REPORT, "scheduled"),
    ]
    _propose_and_approve(agreement, people, {y0: D("10000.00")})
    assert last_year() == [
        (D("17000.00"), C.PROGRESS_REPORT, "scheduled"),
        (D("3000.00"), C.FINAL_REPORT, "scheduled"),
    ]
    assert _ledger_verify()[0] == 0


def test_an_ended_years_amount_is_shown_but_not_changed_from_the_page(client, call, people):
    agreement = _agreement(call, {0: D("30000.00"), 1: D("25000.00")})
    y0, y1 = _years(call)[:2]
    url = reverse("agreements:amendments", args=[agreement.number])
    with fiscal_today(date(2021, 6, 1)):  # 2020-2021 has ended
        _client(client, people["coordinator"])
        page = client.get(url)
        field = page.context["form"][f"amount_{y0.pk}"]
        assert field.field.disabled and "disabled" in str(field)
        assert "This fiscal year has ended: its amount no longer changes." in (
            page.content.decode()
        )
        response = client.post(
            url,
            {
                **_keep(agreement),
                "amend-reason": "Plus pour la deuxième année",
                f"amend-amount_{y0.pk}": "99 000,00",  # ignored: the year has ended
                f"amend-amount_{y1.pk}": "26 000,00",
            },
        )
    assert response.status_code == 302
    lines = Amendment.objects.get().lines.all()
    assert [(line.fiscal_year_id, line.amount) for line in lines] == [(y1.pk, D("26000.00"))]
