"""Submitting in headless Chromium: the demo organisation's call-2 draft goes
through the review step, is refused without the attestation, submitted with
it, and its PDF receipt downloads; the list, the proposal, the review step
and the receipt pass axe in French and English and never scroll sideways
at a phone's width (390 × 844)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from solidaire.applications.models import Proposal, ProposalVersion
from solidaire.demo.builder import _attach_required_documents
from solidaire.tests.test_browser import (  # noqa: F401  (the fixture)
    PHONE,
    Walk,
    _sideways_overflow,
    walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAPTOP = {"width": 1280, "height": 900}


def _language(walk: Walk, language: str) -> None:  # noqa: F811
    page = walk.page
    if page.get_attribute("html", "lang") != language:
        page.click(f"header .language-switch button[value={language}]")
        page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == language


def _on_a_phone(walk: Walk, path: str, name: str) -> None:  # noqa: F811
    """``path`` at a phone's width in both languages: nothing sideways, axe clean."""
    page = walk.page
    page.set_viewport_size(PHONE)
    for language in ("fr", "en"):
        walk.open(path)
        _language(walk, language)
        overflow = _sideways_overflow(page)
        assert not overflow, f"{path} ({language}) scrolls sideways at 390 px: {overflow}"
        walk.check(f"{name}-{language}-phone")
    _language(walk, "fr")
    page.set_viewport_size(LAPTOP)


def test_review_attest_submit_and_download_the_pdf_receipt(walk: Walk) -> None:  # noqa: F811
    page = walk.page
    draft = Proposal.objects.get(
        organisation__members__username="organisme",
        status="draft",
        title="Épicerie solidaire itinérante",
    )
    _attach_required_documents(draft)

    walk.sign_in("organisme")
    walk.open(f"/demandes/{draft.pk}/modifier/")
    page.click("main button[name=review]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/demandes/{draft.pk}/deposer/")
    assert "Épicerie solidaire itinérante" in walk.main_text()
    assert "Rien ne manque" in walk.main_text()
    walk.check("90-review-fr")

    # Without the attestation: refused, said beside the box.
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    assert "Cochez l’attestation" in walk.main_text()
    assert page.locator("#id_attested[aria-invalid=true]").count() == 1
    walk.check("91-review-error-fr")
    assert Proposal.objects.get(pk=draft.pk).status == "draft"

    # With it: submitted, one version, the receipt and its PDF.
    page.check("#id_attested")
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/demandes/{draft.pk}/accuse-de-reception/")
    version = ProposalVersion.objects.get(proposal=draft)
    receipt = walk.main_text()
    assert version.sha256 in receipt and "imprim" not in receipt.lower()
    walk.check("92-receipt-fr")
    href = page.get_attribute("#receipt-pdf", "href")
    assert href is not None
    pdf = page.request.get(walk.base_url + href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The pages in English too, at a laptop's width.
    _language(walk, "en")
    walk.open(f"/demandes/{draft.pk}/accuse-de-reception/")
    assert "Receipt of submission" in walk.main_text()
    walk.check("93-receipt-en")
    walk.open(f"/demandes/{draft.pk}/")
    assert "Reopen to change it" in walk.main_text()
    walk.check("94-proposal-en")
    _language(walk, "fr")

    # At a phone's width: the list, the proposal, the receipt; then the
    # other draft's review step.
    _on_a_phone(walk, "/demandes/", "95-proposal-list")
    list_text = _flat_cards(page)
    assert "Déposée" in list_text and "$" in list_text
    _on_a_phone(walk, f"/demandes/{draft.pk}/", "96-proposal")
    _on_a_phone(walk, f"/demandes/{draft.pk}/accuse-de-reception/", "97-receipt")
    other = Proposal.objects.get(
        organisation__members__username="organisme",
        status="draft",
        title="Comité de citoyennes et citoyens de Saint-Raymond",
    )
    _on_a_phone(walk, f"/demandes/{other.pk}/deposer/", "98-review-incomplete")
    _on_a_phone(walk, "/messages/", "99-messages")

    print(f"axe checked {len(walk.checked)} pages: {', '.join(walk.checked)}")
    print("axe moderate/minor findings:", walk.minor or "none")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )


def _flat_cards(page: Any) -> str:
    """The proposal list as a phone shows it: status and amounts visible."""
    page.set_viewport_size(PHONE)
    page.goto(page.url)
    visible = page.evaluate(
        """() => [...document.querySelectorAll('table.cards tbody td')]
             .filter(td => { const r = td.getBoundingClientRect();
                             return r.width > 0 && r.right <= window.innerWidth; })
             .map(td => td.innerText).join(' | ')"""
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    return " ".join(visible.replace("\xa0", " ").split())
