"""The panel and the meeting in headless Chromium, on the demo: a panellist
gives consent and answers the panel on a phone-sized screen (390 × 844);
the coordinator opens the meeting and its minutes, whose PDF link answers
application/pdf. The meeting and panel pages are checked by axe-core
(WCAG 2.1 AA) in French and in English."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from pypdf import PdfReader

from solidaire.applications.models import Proposal
from solidaire.tests.test_browser import Walk, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["walk"]

MEETING = "/appels/capitale-nationale/2/seance/"


def _recused_members() -> list[str]:
    """The names of call 1's committee members in a conflict with one of its proposals."""
    from solidaire.committee.services import meeting_members
    from solidaire.programmes.models import Programme
    from solidaire.reviews.conflicts import conflicted_person_ids

    programme = Programme.objects.get(slug="capitale-nationale")
    members = {m.pk: str(m) for m in meeting_members(programme)}
    names = set()
    for proposal in Proposal.objects.filter(call__programme=programme, call__number=1):
        names |= {members[pk] for pk in conflicted_person_ids(proposal) if pk in members}
    assert names, "the demo's call 1 has recusals"
    return sorted(names)


def _switch(walk: Walk, language: str) -> None:
    walk.page.click(f"header .language-switch button[value={language}]")
    walk.page.wait_for_load_state()
    assert walk.page.get_attribute("html", "lang") == language


def _fits_the_screen(walk: Walk) -> None:
    width = walk.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"


def test_a_panellist_completes_the_panel_on_a_phone(walk: Walk) -> None:
    from solidaire.committee.models import PanelAnswer, PanelAssignment, PanelConsent

    page = walk.page
    page.set_viewport_size({"width": 390, "height": 844})
    walk.sign_in("panel")
    walk.open("/panel/")
    walk.check("40-panel-home-fr")
    # No consent yet: the questions are refused and the panellist sent back.
    first = PanelAssignment.objects.order_by("proposal__reference").first()
    assert first is not None
    walk.open(f"/panel/{first.pk}/")
    assert page.url.endswith("/panel/")
    page.click("main button[value=give]")
    page.wait_for_load_state()
    assert PanelConsent.objects.get(person__username="panel").withdrawn_at is None
    given = PanelAssignment.objects.count()
    assert given >= 2
    page.locator("main a.big-link").first.click()
    page.wait_for_load_state()
    _fits_the_screen(walk)
    walk.check("41-panel-questions-fr")
    for _ in range(given):
        assert "/panel/" in page.url
        groups = page.locator("main fieldset.radio-cards")
        assert groups.count() == 3
        for k in range(groups.count()):
            # A thumb taps the card's label; the radio itself is invisible.
            groups.nth(k).locator("label").nth(2 + k % 2).click()
        page.click("main button.big-button")
        page.wait_for_load_state()
    assert PanelAssignment.objects.filter(completed_at__isnull=True).count() == 0
    assert PanelAnswer.objects.count() == given * 3
    assert page.url.endswith("/panel/")
    _switch(walk, "en")
    walk.check("42-panel-home-en")
    page.locator("main a.big-link").first.click()
    page.wait_for_load_state()
    _fits_the_screen(walk)
    walk.check("43-panel-questions-en")
    _switch(walk, "fr")
    walk.sign_out()

    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )


def test_the_meeting_and_its_minutes_in_the_browser(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("coordination")
    walk.open(MEETING)
    assert "Séance du comité" in walk.main_text()
    walk.check("44-meeting-fr")
    consensus_link = page.locator("main table a").first
    if consensus_link.count():
        consensus_link.click()
        page.wait_for_load_state()
        walk.check("45-consensus-fr")
        page.fill("#id_score", "150")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("[role=alert]").count() == 1
        walk.check("46-consensus-error-fr")
    walk.open(MEETING + "proces-verbal/")
    walk.check("47-minutes-fr")
    href = page.get_attribute("main a[href$='proces-verbal.pdf']", "href")
    assert href is not None
    response = page.request.get(walk.base_url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    # Call 1's minutes name the committee members recused from its proposals.
    pdf = page.request.get(walk.base_url + "/appels/capitale-nationale/1/seance/proces-verbal.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages)
    assert "Récusations" in text
    assert any(name in " ".join(text.split()) for name in _recused_members()), text[:2000]
    walk.open("/appels/capitale-nationale/2/panel/")
    walk.check("48-panel-setup-fr")
    _switch(walk, "en")
    walk.open(MEETING)
    assert "Committee meeting" in walk.main_text()
    walk.check("49-meeting-en")
    walk.open(MEETING + "proces-verbal/")
    walk.check("50-minutes-en")
    walk.open("/appels/capitale-nationale/2/panel/")
    walk.check("51-panel-setup-en")
    _switch(walk, "fr")
    walk.sign_out()

    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
