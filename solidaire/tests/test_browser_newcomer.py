"""The newcomer's whole path in headless Chromium, once at a laptop's width
and once at a phone's (390 × 844): from the home page, anonymous, to call 2's
page; sign-up and the verification link from the e-mail; an organisation
registered; a proposal drafted with budget lines and the call's required
documents; the connection lost and the typed text recovered; the review
step, the attestation and the submission; the PDF receipt opened and the
receipt e-mail received; the coordinator sees the proposal and asks a
question; the applicant answers. At the phone's width no applicant page
scrolls sideways; every page passes axe (no serious or critical finding)."""

from __future__ import annotations

import json
import re
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from django.core import mail

from solidaire.applications.models import Proposal, ProposalVersion
from solidaire.calls.models import Call
from solidaire.testing import files
from solidaire.tests.test_browser import (  # noqa: F401  (the fixture)
    DEMO_PASSWORD,
    Walk,
    walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {
    "laptop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
NEWCOMER_PASSWORD = "cuisine-collective-42"


def _no_sideways_scroll(walk: Walk, where: str) -> None:  # noqa: F811
    overflow = walk.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"


def _visit(walk: Walk, name: str, *, phone: bool) -> None:  # noqa: F811
    """The page as it stands: axe, a screenshot, and no sideways scroll on a phone."""
    walk.page.wait_for_load_state()
    walk.check(name)
    if phone:
        _no_sideways_scroll(walk, name)


def _click(walk: Walk, selector: str) -> None:  # noqa: F811
    walk.page.locator(selector).first.click()
    walk.page.wait_for_load_state()


def _wait_saved(page: Any) -> None:
    page.wait_for_function(
        "() => document.getElementById('autosave-status').dataset.state === 'saved'"
    )


def _amounts_like(donor: Proposal) -> tuple[Decimal, dict[int, Decimal], dict[int, Decimal]]:
    """A budget that agrees with itself, shaped on a demo proposal of the same
    call: its total expenses and requested amounts, and budget lines per
    fiscal year that add up to the total and cover each year's request."""
    requested = {r.fiscal_year_id: r.amount for r in donor.requested_amounts.all() if r.amount}
    total = donor.total_cost
    asked = sum(requested.values(), Decimal(0))
    lines: dict[int, Decimal] = {}
    for year, amount in requested.items():
        lines[year] = (amount * total / asked).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    last = max(requested)
    lines[last] += total - sum(lines.values(), Decimal(0))
    return total, requested, lines


def _typed(amount: Decimal) -> str:
    """An amount as a Québec applicant types it: « 12 500,00 $ »."""
    whole, cents = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{' '.join(groups)},{cents} $"


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_a_newcomer_finds_the_call_signs_up_applies_and_answers_the_coordinator(
    walk: Walk,  # noqa: F811
    width: str,
) -> None:
    phone = width == "phone"
    page = walk.page
    page.set_viewport_size(WIDTHS[width])
    call = Call.objects.get(programme__slug="capitale-nationale", number=2)
    donor = (
        Proposal.objects.filter(call=call, stream__isnull=False)
        .exclude(status="draft")
        .order_by("pk")
        .first()
    )
    assert donor is not None
    email = f"marie.{width}@cuisine-portneuf.example.org"

    # 1. Anonymous, from the home page to call 2's page.
    walk.open("/")
    _visit(walk, f"n01-home-{width}", phone=phone)
    _click(walk, "main a[href='/appels/']")
    assert page.url.endswith("/appels/")
    _visit(walk, f"n02-calls-{width}", phone=phone)
    _click(walk, f"main a[href='/appels/{call.programme.slug}/2/']")
    text = walk.main_text()
    assert call.title in text
    assert walk.page.locator("main .call-apply a.button").count() == 1  # apply
    _visit(walk, f"n03-call-2-{width}", phone=phone)

    # 2. Sign up from the call's page; the verification link from the e-mail.
    _click(walk, "main .call-apply a[href*='/inscription/']")
    page.fill("#id_first_name", "Marie")
    page.fill("#id_last_name", "Tremblay")
    page.fill("#id_email", email)
    page.fill("#id_password1", NEWCOMER_PASSWORD)
    page.fill("#id_password2", NEWCOMER_PASSWORD)
    _visit(walk, f"n04-signup-{width}", phone=phone)
    _click(walk, "main button[type=submit]")
    assert "/inscription/courriel-envoye/" in page.url
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    link = next(word for word in message.body.split() if "/courriel/verifier/" in word)
    page.goto(link)
    _visit(walk, f"n05-confirm-{width}", phone=phone)
    _click(walk, "main button[type=submit]")
    assert page.locator("header a[href='/compte/']").count() == 1

    # 3. The organisation.
    walk.open("/organismes/nouveau/")
    page.fill("#id_legal_name", f"Cuisine collective de Portneuf ({width})")
    page.fill("#id_neq", "1145678901" if not phone else "1145678902")
    from solidaire.applications.organisation_rules import organisation_type_eligibility

    radios = page.locator("input[name=org_type]")
    for index in range(radios.count()):
        if organisation_type_eligibility(radios.nth(index).get_attribute("value") or "")[0]:
            radios.nth(index).check()
            break
    page.select_option("#id_territory", index=1)
    page.fill("#id_address", "125, rue Principale, Saint-Raymond")
    page.fill("#id_mission", "Des repas préparés ensemble, <b>sans</b> exclusion.")
    _visit(walk, f"n06-organisation-{width}", phone=phone)
    _click(walk, "main button[type=submit]")
    assert re.search(r"/organismes/\d+/$", page.url), page.url

    # 4. A proposal on call 2, its title asked first.
    walk.open(f"/appels/{call.programme.slug}/2/")
    _click(walk, "main .call-apply a.button")
    if "/demandes/nouvelle/" not in page.url:
        walk.open("/demandes/nouvelle/")
    _visit(walk, f"n07-start-{width}", phone=phone)
    title_input = page.locator(
        f"form.start-form:has(input[name=call][value='{call.pk}']) input[name=title]"
    )
    title_input.fill("Repas partagés à Saint-Raymond")
    title_input.press("Enter")
    page.wait_for_load_state()
    match = re.search(r"/demandes/(\d+)/modifier/", page.url)
    assert match, page.url
    proposal = Proposal.objects.get(pk=int(match.group(1)))
    assert proposal.title == "Repas partagés à Saint-Raymond"

    # 5. The draft: answers, budget lines, amounts, the required documents.
    total, requested, lines = _amounts_like(donor)
    page.fill("#id_summary", "Des cuisines collectives où l’on prépare et partage des repas.")
    page.check(f"input[name=stream][value='{donor.stream_id}']")
    page.locator("input[name=scope]").first.check()
    territory = donor.territories.order_by("pk").first()
    if (
        territory is not None
        and page.locator(f"input[name=territories][value='{territory.pk}']").count()
    ):
        page.check(f"input[name=territories][value='{territory.pk}']")
    else:
        page.locator("input[name=territories]").first.check()
    if page.locator("input[name=priorities]").count():
        page.locator("input[name=priorities]").first.check()
    page.fill(
        "#id_poverty_participation",
        "Les participantes choisissent les menus et animent les ateliers.",
    )
    page.fill("#id_partners", "CIUSSS de la Capitale-Nationale")
    page.fill("#id_starts_on", donor.starts_on.isoformat())
    page.fill("#id_ends_on", donor.ends_on.isoformat())
    page.select_option("#id_budget-0-category", "salaries")
    page.fill("#id_budget-0-description", "Animatrice")
    for year, amount in lines.items():
        page.fill(f"input[name='budget-0-amount_{year}']", _typed(amount))
    page.fill("#id_total_cost", _typed(total))
    for year, amount in requested.items():
        page.fill(f"#id_requested_{year}", _typed(amount))
    _wait_saved(page)
    assert page.inner_text("#autosave-status").startswith("Enregistré à ")
    _visit(walk, f"n08-draft-{width}", phone=phone)

    pdf = files.pdf()
    for document in call.required_documents.filter(mandatory=True).order_by("id"):
        slot = page.locator(f"#slot-{document.pk}")
        slot.locator("input[type=file]").set_input_files(
            {"name": f"{document.code}.pdf", "mimeType": "application/pdf", "buffer": pdf}
        )
        slot.locator("button[name=save]").click()
        page.wait_for_load_state()
        assert page.locator(f"#slot-{document.pk} .document-slot__file a").count() == 1, (
            walk.main_text()[:2000]
        )

    # 6. The connection drops while typing; a new tab gives the text back.
    context = page.context
    context.set_offline(True)
    page.fill("#id_partners", "CIUSSS de la Capitale-Nationale et la Ville de Saint-Raymond")
    page.wait_for_function(
        "() => document.getElementById('autosave-status').dataset.state === 'offline'"
    )
    context.set_offline(False)
    page.close()
    page = context.new_page()
    page.set_viewport_size(WIDTHS[width])
    walk.page = page
    walk.open(f"/demandes/{proposal.pk}/modifier/")
    assert page.is_visible("#recovery")
    page.click("[data-recovery='restore']")
    assert page.input_value("#id_partners").endswith("Ville de Saint-Raymond")
    _wait_saved(page)
    proposal.refresh_from_db()
    assert proposal.partners.endswith("Ville de Saint-Raymond")
    _visit(walk, f"n09-recovered-{width}", phone=phone)

    # 7. Review, attest, submit; the PDF receipt; the e-mail.
    _click(walk, "main button[name=review]")
    assert page.url.endswith(f"/demandes/{proposal.pk}/deposer/")
    assert "Rien ne manque" in walk.main_text(), walk.main_text()[:3000]
    _visit(walk, f"n10-review-{width}", phone=phone)
    page.check("#id_attested")
    before = len(mail.outbox)
    _click(walk, "#submit-form button[type=submit]")
    assert page.url.endswith(f"/demandes/{proposal.pk}/accuse-de-reception/")
    version = ProposalVersion.objects.get(proposal=proposal)
    assert version.sha256 in walk.main_text()
    _visit(walk, f"n11-receipt-{width}", phone=phone)
    href = page.get_attribute("#receipt-pdf", "href")
    assert href is not None
    receipt_pdf = page.request.get(walk.base_url + href)
    assert receipt_pdf.status == 200
    assert receipt_pdf.headers["content-type"] == "application/pdf"
    assert receipt_pdf.body().startswith(b"%PDF")
    receipts = [m for m in mail.outbox[before:] if email in m.to]
    assert len(receipts) == 1, [m.subject for m in mail.outbox[before:]]
    assert any(name.endswith(".pdf") for name, _content, _type in receipts[0].attachments)
    walk.open("/demandes/")
    assert "Repas partagés à Saint-Raymond" in walk.main_text()
    _visit(walk, f"n12-proposals-{width}", phone=phone)
    walk.sign_out()

    # 8. The coordinator sees the proposal and asks a question.
    page.set_viewport_size(WIDTHS["laptop"])
    walk.sign_in("coordination")
    walk.open(f"/demandes/{proposal.pk}/")
    assert "Repas partagés à Saint-Raymond" in walk.main_text()
    question = "Combien de personnes participeront aux ateliers chaque semaine?"
    page.fill("#questions textarea, form[action$='#questions'] textarea", question)
    _click(walk, "form[action$='#questions'] button[type=submit]")
    assert question in walk.main_text()
    walk.sign_out()

    # 9. The applicant answers from their dashboard.
    page.set_viewport_size(WIDTHS[width])
    walk.open("/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", NEWCOMER_PASSWORD)
    _click(walk, "form:has(input[name=password]) button[type=submit]")
    walk.open("/messages/")
    assert "Repas partagés à Saint-Raymond" in walk.main_text() or question in walk.main_text()
    _visit(walk, f"n13-messages-{width}", phone=phone)
    walk.open(f"/demandes/{proposal.pk}/")
    assert question in walk.main_text()
    answer = "Une quinzaine de personnes, chaque mardi et jeudi."
    page.fill("form[action$='#questions'] textarea", answer)
    _click(walk, "form[action$='#questions'] button[type=submit]")
    assert answer in walk.main_text()
    _visit(walk, f"n14-answered-{width}", phone=phone)

    print(f"axe checked {len(walk.checked)} pages: {', '.join(walk.checked)}")
    print("axe moderate/minor findings:", walk.minor or "none")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
