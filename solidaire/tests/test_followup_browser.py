"""The follow-up of a funded initiative in headless Chromium: the
organisation writes its progress report (the draft autosaves), the
coordination approves it, the trustee pays the instalment it released and
the organisation sees the payment; every page checked by axe-core in French
and in English, and the reports table whole at 1 280 px."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from solidaire.agreements.models import Payment, Report, ReportState
from solidaire.agreements.services import agreement_issue, agreement_sign, payment_record
from solidaire.applications.models import BudgetLine, Proposal
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import ProgrammeRole
from solidaire.testing import factories as f
from solidaire.tests.test_browser import Walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AFTER_FIRST_YEAR = date(2021, 4, 20)


@pytest.fixture
def followup(programme: Any) -> dict[str, Any]:
    """A signed agreement over two fiscal years, its first payment made, an
    organisation member, a coordinator and a finance officer."""
    call = f.decided_call(programme)
    years = list(programme.fiscal_years.order_by("starts_on"))[:2]
    commitment = commitment_create(programme=programme, reference="p:browser", label="Cuisine")
    ledger_commit(
        commitment=commitment,
        amounts={years[0]: Decimal("30000.00"), years[1]: Decimal("20000.00")},
        actor=None,
    )
    proposal = f.ProposalFactory(
        call=call,
        status=Proposal.Status.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
        title="Cuisine collective du quartier",
    )
    for category, amount in (("Salaires", "20000.00"), ("Loyer", "10000.00")):
        BudgetLine.objects.create(
            proposal=proposal, fiscal_year=years[0], category=category, amount=Decimal(amount)
        )
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    member, coordinator, trustee = (f.UserFactory() for _ in range(3))
    f.OrganisationMemberFactory(organisation=proposal.organisation, user=member)
    f.ProgrammeRoleFactory(
        programme=programme, user=coordinator, role=ProgrammeRole.Role.COORDINATOR
    )
    f.ProgrammeRoleFactory(
        programme=programme, user=trustee, role=ProgrammeRole.Role.TRUSTEE_FINANCE
    )
    report = agreement.reports.get(kind=Report.Kind.PROGRESS)
    return {
        "agreement": agreement,
        "proposal": proposal,
        "report": report,
        "member": member,
        "coordinator": coordinator,
        "trustee": trustee,
    }


class Session:
    """A browser page whose person changes by session cookie."""

    def __init__(self, walk: Walk, context: Any) -> None:
        self.walk = walk
        self.context = context

    def as_(self, user: Any, language: str) -> None:
        client = Client()
        client.force_login(user)
        self.context.clear_cookies()
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.walk.base_url,
                },
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": self.walk.base_url,
                },
            ]
        )


@pytest.fixture
def session(
    browser_prerequisites: tuple[str, Path], live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    chromium, axe_path = browser_prerequisites
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-CA")
        try:
            yield Session(Walk(context.new_page(), live_server.url, axe_path), context)
        finally:
            context.close()
            browser.close()


def test_report_written_approved_and_its_payment_made_in_both_languages(
    session: Session, followup: dict[str, Any]
) -> None:
    walk, page = session.walk, session.walk.page
    proposal, report, agreement = followup["proposal"], followup["report"], followup["agreement"]
    write_path = f"/demandes/{proposal.pk}/rapports/{report.pk}/"

    with fiscal_today(AFTER_FIRST_YEAR):
        # The organisation, in French: the draft autosaves, then is submitted.
        session.as_(followup["member"], "fr")
        walk.open(f"/demandes/{proposal.pk}/")
        page.click(f"a[href='{write_path}']")
        page.wait_for_load_state()
        walk.check("80-report-write-fr")
        page.fill("#id_people_reached", "120")
        page.fill("#id_poverty_planning", "8")
        page.fill("#id_poverty_action", "40")
        page.fill("#id_poverty_evaluation", "6")
        page.fill("#id_partners_mobilised", "5")
        page.fill("#id_activities_held", "14")
        page.fill("#id_narrative", "Des ateliers de cuisine chaque semaine.")
        page.wait_for_selector("#autosave-status:has-text('Brouillon enregistré')", timeout=10000)
        report.refresh_from_db()
        assert report.people_reached == 120 and report.activities_held == 14
        lines = list(BudgetLine.objects.filter(proposal=proposal).order_by("id"))
        page.fill("#id_spent", "30000")
        page.fill(f"#id_line_{lines[0].pk}", "20000")
        page.fill(f"#id_line_{lines[1].pk}", "9000")  # does not add up
        page.click("button[value=submit]")
        page.wait_for_load_state()
        assert "totalisent 29 000,00 $, et non les 30 000,00 $ déclarés" in walk.main_text()
        assert page.input_value("#id_narrative") == "Des ateliers de cuisine chaque semaine."
        walk.check("81-report-refused-fr")
        page.fill(f"#id_line_{lines[1].pk}", "10000")
        page.click("button[value=submit]")
        page.wait_for_load_state()
        report.refresh_from_db()
        assert report.state == ReportState.SUBMITTED

        # The coordination, in English: reads it and approves it.
        session.as_(followup["coordinator"], "en")
        walk.open(f"/conventions/{agreement.number}/rapports/{report.pk}/examen/")
        assert "$30,000.00" in walk.main_text()
        walk.check("82-report-review-en")
        page.click("button[value=approve]")
        page.wait_for_load_state()
        report.refresh_from_db()
        assert report.state == ReportState.APPROVED
        # The reports table keeps its last columns in view at 1 280 px.
        reports = page.locator("#reports table")
        box = reports.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280
        assert page.locator("#reports th:has-text('Amount spent')").is_visible()
        walk.check("83-agreement-after-approval-en")

        # The trustee, in French: the instalment is now payable.
        second = agreement.payments.get(sequence=2)
        session.as_(followup["trustee"], "fr")
        walk.open("/versements/?etat=due")
        walk.check("84-payment-queue-fr")
        walk.open(f"/conventions/{agreement.number}/")
        form = page.locator(f"#payment-{second.pk}")
        form.locator("input[name$=paid_on]").fill("2021-06-01")
        form.locator("select[name$=method]").select_option("transfer")
        form.locator("input[name$=reference]").fill("VIR-2021-118")
        form.locator("input[name$=confirm]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        second.refresh_from_db()
        assert second.status == Payment.Status.PAID
        walk.check("85-agreement-paid-fr")
        walk.open(f"/registre/{proposal.call.programme.slug}/")
        walk.check("86-ledger-fr")

        # The organisation sees the payment, in English.
        session.as_(followup["member"], "en")
        walk.open(f"/demandes/{proposal.pk}/")
        assert "Paid on June 1, 2021" in walk.main_text()
        walk.check("87-organisation-space-en")
        walk.open(write_path)
        assert "it can no longer be changed" in walk.main_text()
        walk.check("88-report-approved-en")

    assert walk.violations == [], walk.violations
