"""The call's assignment page in headless Chromium: the coordinator asks for
an automatic assignment, reads it, applies it; every page checked by
axe-core (WCAG 2.1 AA) in French and in English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from solidaire.applications.models import Proposal
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import Review
from solidaire.testing import factories as f
from solidaire.tests.test_browser import Walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-demo"


@pytest.fixture
def walk(
    browser_prerequisites: tuple[str, Path], live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Walk]:
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
            yield Walk(context.new_page(), live_server.url, axe_path)
        finally:
            context.close()
            browser.close()


def test_the_coordinator_assigns_automatically_in_both_languages(walk: Walk) -> None:
    programme = f.ProgrammeFactory()
    now = timezone.now()
    call = f.CallFactory(
        programme=programme, opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=2)
    )
    for _ in range(5):
        f.ProposalFactory(call=call, status=Proposal.Status.ELIGIBLE)
    for sector, last in zip(
        ("municipal", "government", "community", "philanthropic"),
        ("Bélanger", "Boucher", "Côté", "Caron"),
        strict=True,
    ):
        f.ProgrammeRoleFactory(
            programme=programme,
            role=ProgrammeRole.Role.EVALUATOR,
            sector=sector,
            user=f.UserFactory(last_name=last),
        )
    f.ProgrammeRoleFactory(
        programme=programme,
        role=ProgrammeRole.Role.COORDINATOR,
        user=f.UserFactory(username="coordination"),
    )
    page = walk.page
    walk.open("/connexion/")
    page.fill("#id_username", "coordination")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    url = f"/appels/{programme.slug}/{call.number}/evaluations/"
    walk.open(url)
    assert "Affectation automatique" in walk.main_text()
    walk.check("assignment-fr")
    page.fill("#id_auto-reviews_per_proposal", "2")
    page.click("text=Proposer une affectation")
    page.wait_for_load_state()
    assert "10 nouvelles évaluations seraient attribuées" in walk.main_text()
    assert not Review.objects.exists()
    walk.check("assignment-proposal-fr")
    page.click("text=Appliquer cette affectation")
    page.wait_for_load_state()
    assert Review.objects.count() == 10
    assert "10 nouvelles évaluations attribuées" in walk.main_text()

    page.click("header .language-switch button[value=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    walk.open(url)
    assert "Workload per evaluator" in walk.main_text()
    walk.check("assignment-en")
    page.click("text=Propose an assignment")
    page.wait_for_load_state()
    assert "0 new reviews would be assigned" in walk.main_text()
    walk.check("assignment-proposal-en")

    assert not walk.violations, walk.violations
