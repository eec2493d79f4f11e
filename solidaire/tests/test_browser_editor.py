"""The proposal editor in headless Chromium: autosave, recovery of what was
typed after a lost connection, the language switch keeping unsaved input,
budget totals as you type, a phone's width, and axe in both languages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from solidaire.applications.models import Proposal
from solidaire.testing import factories as f
from solidaire.tests.test_browser import DEMO_PASSWORD, PHONE, Walk, _flat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(
    browser_prerequisites: tuple[str, Path], live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, Walk, Proposal]]:
    chromium, axe_path = browser_prerequisites
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    programme = f.ProgrammeFactory(years=[Decimal("840000.00")] * 3)
    call = f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, 12, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=30),
        max_share_of_expenses=Decimal("90"),
    )
    f.RequiredDocumentFactory(call=call, mandatory=True)
    proposal = f.ProposalFactory(call=call, title="Cuisines collectives")
    user = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    user.set_password(DEMO_PASSWORD)
    user.save()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-CA")
        try:
            walk = Walk(context.new_page(), live_server.url, axe_path)
            walk.sign_in(user.username)
            yield context, walk, proposal
        finally:
            context.close()
            browser.close()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled_template(proposal: Proposal) -> bytes:
    from solidaire.applications.budget import BudgetRow, budget_template
    from solidaire.applications.views import _fiscal_years

    years = _fiscal_years(proposal)
    row = BudgetRow("activities", "Animation", {years[0].pk: Decimal("36000")})
    return budget_template(fiscal_years=years, rows=[row])


def _wait_saved(page: Any) -> None:
    page.wait_for_function(
        "() => document.getElementById('autosave-status').dataset.state === 'saved'"
    )


def test_editor_autosaves_recovers_after_a_lost_connection_and_keeps_input_across_languages(
    editor: tuple[Any, Walk, Proposal],
) -> None:
    context, walk, proposal = editor
    page = walk.page
    url = f"/demandes/{proposal.pk}/modifier/"
    walk.open(url)

    # Type: saved on its own, with the time the Québec way.
    page.fill("#id_summary", "Des repas préparés ensemble")
    _wait_saved(page)
    status = page.inner_text("#autosave-status")
    assert status.startswith("Enregistré à ") and " h " in status, status
    assert Proposal.objects.get(pk=proposal.pk).summary == "Des repas préparés ensemble"
    # Characters left under the long answer.
    assert "caractères" in page.inner_text("#id_summary_count")

    # Budget totals and the requested share as you type.
    page.select_option("#id_budget-0-category", "salaries")
    first_amount = page.locator("input[data-budget-year]").first
    first_amount.fill("1 200 000,00 $")
    page.locator("#id_budget-1-description").fill("Loyer")
    page.select_option("#id_budget-1-category", "rent")
    page.locator("#id_budget-1-description").locator("xpath=../..").locator(
        "input[data-budget-year]"
    ).first.fill("1200000.00")
    assert _flat(page.inner_text("[data-budget-grand]")) == "2 400 000,00 $"
    page.fill("#id_total_cost", "40 000")
    page.locator("input[name^='requested_']").first.fill("39 000")
    running = _flat(page.inner_text("#requested-running"))
    assert "97,5" in running and "36 000,00" in running, running
    page.click("[data-budget-add]")
    assert page.locator("[data-budget-row]").count() == 3  # two empty lines, one added
    _wait_saved(page)

    # The connection drops: what is typed next stays in this browser.
    context.set_offline(True)
    page.fill("#id_partners", "CIUSSS et la Ville")
    page.wait_for_function(
        "() => document.getElementById('autosave-status').dataset.state === 'offline'"
    )
    assert Proposal.objects.get(pk=proposal.pk).partners == ""
    context.set_offline(False)
    page.close()

    # Reopened later: the text is offered back, and put back on request.
    page = context.new_page()
    walk.page = page
    walk.open(url)
    assert page.is_visible("#recovery")
    assert page.input_value("#id_partners") == ""
    page.click("[data-recovery='restore']")
    assert page.input_value("#id_partners") == "CIUSSS et la Ville"
    _wait_saved(page)
    assert Proposal.objects.get(pk=proposal.pk).partners == "CIUSSS et la Ville"
    assert not page.is_visible("#recovery")

    # Switching the language keeps what was typed but not saved yet.
    page.fill("#id_title", "Titre pas encore enregistré")
    page.click("form.language-switch button[value='en']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.input_value("#id_title") == "Titre pas encore enregistré"
    _wait_saved(page)
    assert page.inner_text("#autosave-status").startswith("Saved at ")
    assert Proposal.objects.get(pk=proposal.pk).title == "Titre pas encore enregistré"

    # The checklist links to the inputs; axe in English, then in French.
    assert page.locator("#checklist a[href^='#id_']").count() >= 1
    walk.check("editor-en")
    page.click("form.language-switch button[value='fr']")
    page.wait_for_load_state()
    walk.check("editor-fr")

    # The budget from the Excel template: the lines of the file replace the
    # typed ones, and the browser's copy never brings the old ones back.
    _wait_saved(page)
    page.set_input_files(
        "#id_workbook",
        files=[{"name": "budget.xlsx", "mimeType": XLSX, "buffer": _filled_template(proposal)}],
    )
    page.click("button[form='budget-import']")
    page.wait_for_load_state()
    assert page.url.endswith("#budget")
    assert page.input_value("#id_budget-0-description") == "Animation"
    assert not page.is_visible("#recovery")
    assert _flat(page.inner_text("[data-budget-grand]")) == "36 000,00 $"

    # At a phone's width the editor does not scroll sideways.
    page.set_viewport_size(PHONE)
    page.reload()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the editor scrolls sideways by {overflow} px on a phone"
    walk.check("editor-phone-fr")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
