"""The follow-up of the money on the demo itself, in headless Chromium, as
its people would do it today: the Chaudière-Appalaches organisation whose
first-year progress report is still due writes and submits it, the
coordination approves it, the trustee pays the second-year instalment it
released, the organisation sees the payment, and the ledger still verifies.
Every page passes axe (no serious or critical finding)."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from solidaire.agreements.models import Agreement, Payment, Report, ReportState
from solidaire.agreements.reports import report_budget_lines
from solidaire.common.fiscal import fiscal_today, quebec_today
from solidaire.common.money import ZERO
from solidaire.tests.test_browser import (  # noqa: F401  (the fixture)
    Walk,
    walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_progress_report_approved_and_its_instalment_paid(walk: Walk) -> None:  # noqa: F811
    page = walk.page
    # The demo is built around today's date; its rules are judged on it too.
    with fiscal_today(None):
        agreement = Agreement.objects.select_related("proposal").get(
            proposal__organisation__memberships__user__username="organisme2"
        )
        report = agreement.reports.get(kind=Report.Kind.PROGRESS)
        instalment = agreement.payments.get(condition=Payment.Condition.PROGRESS_REPORT)
        assert report.state == ReportState.OPEN and instalment.status == Payment.Status.SCHEDULED
        proposal = agreement.proposal
        write_path = f"/demandes/{proposal.pk}/rapports/{report.pk}/"

        # The organisation finds its report due and finishes the draft.
        walk.sign_in("organisme2")
        walk.open(f"/demandes/{proposal.pk}/")
        page.click(f"a[href='{write_path}']")
        page.wait_for_load_state()
        assert page.input_value("#id_people_reached") == "140"  # the draft kept
        # Each budget line by its category's name and its description, not a code.
        text = walk.main_text()
        assert "Salaires et avantages sociaux — Animation et coordination" in text, text
        assert "« salaries »" not in text
        walk.check("90-demo-report-draft")
        for name, value in (
            ("people_reached", "152"),
            ("poverty_planning", "12"),
            ("poverty_action", "41"),
            ("poverty_evaluation", "9"),
            ("partners_mobilised", "6"),
            ("activities_held", "38"),
        ):
            page.fill(f"#id_{name}", value)
        page.fill(
            "#id_narrative",
            "Quarante repas partagés et trente-huit ateliers, préparés avec le comité des "
            "participantes et participants.",
        )
        lines = list(report_budget_lines(report))
        assert len(lines) == 4
        spent = {line.pk: (line.amount * Decimal("0.9")).quantize(Decimal("1")) for line in lines}
        for line_id, amount in spent.items():
            page.fill(f"#id_line_{line_id}", str(amount))
        total = sum(spent.values(), ZERO)
        page.fill("#id_spent", str(total))
        page.click("button[value=submit]")
        page.wait_for_load_state()
        report.refresh_from_db()
        assert report.state == ReportState.SUBMITTED, walk.main_text()
        assert report.spent == total and report.people_reached == 152
        walk.check("91-demo-report-submitted")
        walk.sign_out()

        # The coordination reads it and approves it.
        walk.sign_in("coordination2")
        walk.open(f"/conventions/{agreement.number}/rapports/{report.pk}/examen/")
        assert "152" in walk.main_text()
        walk.check("92-demo-report-review")
        page.click("button[value=approve]")
        page.wait_for_load_state()
        report.refresh_from_db()
        assert report.state == ReportState.APPROVED
        walk.sign_out()

        # The trustee finds the instalment payable and pays it.
        walk.sign_in("fiduciaire2")
        walk.open("/versements/?etat=due")
        assert agreement.number in walk.main_text()
        walk.check("93-demo-payment-queue")
        walk.open(f"/conventions/{agreement.number}/")
        form = page.locator(f"#payment-{instalment.pk}")
        form.locator("input[name$=paid_on]").fill(quebec_today().isoformat())
        form.locator("select[name$=method]").select_option("transfer")
        form.locator("input[name$=reference]").fill("VIR-CA-0001")
        form.locator("input[name$=confirm]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        instalment.refresh_from_db()
        assert instalment.status == Payment.Status.PAID
        assert instalment.ledger_entry is not None
        walk.check("94-demo-instalment-paid")
        walk.sign_out()

        # The organisation sees it in its space.
        walk.sign_in("organisme2")
        walk.open(f"/demandes/{proposal.pk}/")
        assert "VIR-CA-0001" in walk.main_text() or "Versé le" in walk.main_text()
        walk.check("95-demo-organisation-paid")

        out = StringIO()
        call_command("ledger_verify", stdout=out)
        assert ": 0 " in out.getvalue(), out.getvalue()

    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
