"""End-to-end smoke test in headless Chromium: the demo walked by each role,
and every page checked by axe-core for WCAG 2.1 AA violations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from solidaire.applications.models import Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
DEMO_PASSWORD = "solidaire-demo"


def _flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


class Walk:
    """A browser page plus the accessibility findings of every page visited."""

    def __init__(self, page: Any, base_url: str, axe_path: Path) -> None:
        self.page = page
        self.base_url = base_url
        self.axe_path = axe_path
        self.violations: list[dict[str, Any]] = []
        self.minor: list[str] = []  # moderate and minor findings, printed only
        self.checked: list[str] = []

    def open(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"{path}: {response}"

    def main_text(self) -> str:
        return _flat(self.page.inner_text("main"))

    def check(self, name: str) -> None:
        """Run axe on the current page and keep a screenshot of it."""
        self.page.add_script_tag(path=str(self.axe_path))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        for violation in result["violations"]:
            if violation["impact"] not in BLOCKING:
                self.minor.append(f"{name}: {violation['impact']} {violation['id']}")
            else:
                self.violations.append(
                    {
                        "page": name,
                        "url": self.page.url,
                        "id": violation["id"],
                        "impact": violation["impact"],
                        "help": violation["help"],
                        "nodes": [n["target"] for n in violation["nodes"][:5]],
                    }
                )
        self.checked.append(name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def sign_in(self, username: str) -> None:
        self.open("/connexion/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        assert "/connexion/" not in self.page.url, f"{username} could not sign in"

    def sign_out(self) -> None:
        self.page.click("header form[action$='/deconnexion/'] button")
        self.page.wait_for_load_state()

    def follow_first(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()


@pytest.fixture
def walk(
    browser_prerequisites: tuple[str, Path], live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Walk]:
    chromium, axe_path = browser_prerequisites
    # Playwright's sync API runs an event loop in this thread; Django then
    # refuses database access from it unless told that this is deliberate.
    # Set for this test only: the variable must not leak into other tests
    # (the deployment checklist rejects it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    call_command("load_demo", verbosity=0)
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


def test_demo_walk_by_every_role_without_serious_accessibility_violations(walk: Walk) -> None:
    page = walk.page

    # The public: landing page and the results of call 1.
    walk.open("/")
    assert "Solidaire" in page.inner_text("header")
    walk.check("01-public-home")
    walk.follow_first("main a[href*='/resultats/']")
    results = walk.main_text()
    assert "1 200 000,00 $" in results
    walk.check("02-public-results-call-1")

    # The coordinator: envelope and call 1's figures.
    walk.open("/connexion/")
    walk.check("03-login")
    walk.sign_in("coordination")
    home = walk.main_text()
    assert "4 200 000,00 $" in home
    # Call 1's row: received, eligible, funded, awarded, available.
    call_1 = _flat(page.locator("main tr[data-call='1']").first.inner_text())
    assert " 69 " in call_1 and " 20 " in call_1 and "1 200 000,00 $" in call_1, call_1
    walk.check("04-coordinator-home")
    walk.follow_first("main h3 a")
    walk.check("05-programme-figures")
    walk.open("/versements/")
    walk.check("06-payments-coordinator")

    # Switch to English: same figures, English text and format.
    walk.open("/")
    page.click("header .language-switch button[value=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    english = walk.main_text()
    assert "$4,200,000.00" in english
    assert "Envelope by fiscal year" in english
    walk.check("07-coordinator-home-english")
    page.click("header .language-switch button[value=fr]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "fr"
    walk.sign_out()

    # The evaluator: assigned reviews and one of them.
    walk.sign_in("evaluation")
    walk.check("08-evaluator-home")
    walk.open("/evaluations/")
    walk.check("09-evaluator-reviews")
    walk.follow_first("main table tbody a")
    walk.check("10-evaluator-review")
    walk.sign_out()

    # The trustee's finance officer: payments due and made.
    walk.sign_in("fiduciaire")
    walk.check("11-trustee-home")
    walk.open("/versements/")
    walk.check("12-trustee-payments")
    walk.sign_out()

    # The applicant: its organisation's proposals.
    walk.sign_in("organisme")
    walk.check("13-applicant-home")
    walk.open("/demandes/")
    walk.check("14-applicant-proposals")
    walk.follow_first("main table tbody a")
    walk.check("15-applicant-proposal")
    walk.sign_out()

    # Questions and answers: the coordination asks on the funded initiative;
    # the organisation sees the count in its menu, opens the thread beside its
    # agreement, payments and reports, and answers.
    funded = Proposal.objects.get(
        organisation__members__username="organisme", status__in=["funded", "active"]
    )
    walk.sign_in("coordination")
    walk.open(f"/demandes/{funded.pk}/")
    page.fill("#id_body", "Combien de personnes ont participé au comité ?")
    page.click("#questions button[type=submit]")
    page.wait_for_load_state()
    assert "Combien de personnes ont participé au comité ?" in walk.main_text()
    walk.check("15a-coordinator-question")
    # More time for the organisation's call-2 draft: refused without a
    # reason, then granted and shown on the proposal.
    draft = Proposal.objects.filter(
        organisation__members__username="organisme", status="draft"
    ).first()
    assert draft is not None
    walk.open(f"/demandes/{draft.pk}/prolonger/")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Indiquez pourquoi cet organisme obtient plus de temps." in walk.main_text()
    walk.check("15a2-coordinator-extension-errors")
    later = timezone.localtime(draft.call.closes_at + timedelta(days=3))
    page.fill("#id_closes_at", later.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_reason", "Panne informatique le dernier soir.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Panne informatique le dernier soir." in walk.main_text()
    walk.sign_out()
    walk.sign_in("organisme")
    assert _flat(page.inner_text("nav.main-nav .nav-count")).startswith("1")
    walk.open("/messages/")
    walk.check("15b-applicant-unread-messages")
    walk.follow_first("main .message-list a")
    assert "Convention, versements et rapports" in walk.main_text()
    page.fill("#id_body", "Une quarantaine, dont douze au comité.")
    page.click("#questions button[type=submit]")
    page.wait_for_load_state()
    assert "Une quarantaine, dont douze au comité." in walk.main_text()
    assert page.locator("nav.main-nav .nav-count").count() == 0
    walk.check("15c-applicant-funded-space-and-thread")
    page.set_viewport_size(PHONE)
    walk.open(f"/demandes/{funded.pk}/")
    assert not _sideways_overflow(page)
    walk.check("15d-applicant-funded-space-phone")
    page.click("header .language-switch button[value=en]")
    page.wait_for_load_state()
    assert "Agreement, payments and reports" in walk.main_text()
    walk.check("15e-applicant-funded-space-phone-english")
    page.click("header .language-switch button[value=fr]")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 1280, "height": 900})
    walk.sign_out()

    # The ministry: every programme's figures, read-only.
    walk.sign_in("ministere")
    assert "4 200 000,00 $" in walk.main_text()
    walk.check("16-ministry-home")
    # Its menu holds only the pages it can use; its table of every programme.
    menu = _flat(page.inner_text("nav.main-nav"))
    assert "Versements" not in menu and "Conventions" not in menu, menu
    walk.follow_first("main a[href='/ministere/']")
    table = walk.main_text()
    assert "4 200 000,00 $" in table and "Données au" in table, table
    walk.check("16a-ministry-table")
    # A new programme whose envelopes do not add up: the error is explained.
    walk.open("/programmes/nouveau/")
    walk.check("16b-programme-new")
    page.select_option("#id_programme-region", label="01 Bas-Saint-Laurent")
    page.fill("#id_programme-name", "Alliance du Bas-Saint-Laurent")
    page.fill("#id_programme-trustee", "MRC de Rimouski-Neigette")
    page.fill("#id_programme-starts_on", "2024-04-01")
    page.fill("#id_programme-ends_on", "2026-03-31")
    page.fill("#id_years-0-label", "2024-2025")
    page.fill("#id_years-0-envelope", "300 000")
    page.fill("#id_years-1-label", "2025-2026")
    page.fill("#id_years-1-envelope", "300 000")
    page.fill("#id_programme-envelope_total", "500 000")
    page.fill("#id_invite-coordinator_email", "coordination-bsl@example.org")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary[role=alert]").count() == 1
    assert page.input_value("#id_programme-name") == "Alliance du Bas-Saint-Laurent"
    walk.check("16c-programme-new-error")
    page.fill("#id_programme-envelope_total", "600 000")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Alliance du Bas-Saint-Laurent" in walk.main_text()
    walk.sign_out()

    # The coordinator's set-up page: envelope, work plan, committee.
    walk.sign_in("coordination")
    walk.open("/programmes/capitale-nationale/modifier/")
    assert page.locator("#committee").count() == 1
    walk.check("16d-programme-setup")
    walk.sign_out()

    # A failed sign-in shows its error in an accessible way.
    walk.open("/connexion/")
    page.fill("#id_username", "coordination")
    page.fill("#id_password", "wrong")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    walk.check("17-login-error")

    print(f"axe checked {len(walk.checked)} pages: {', '.join(walk.checked)}")
    print("axe moderate/minor findings:", walk.minor or "none")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )


def test_call_two_worked_through_in_the_browser(walk: Walk) -> None:
    """The open call's work by each role, with real form posts: an applicant's
    draft saved with a mistake (nothing lost), an evaluator's review scored
    and submitted, the coordinator's screening, scores and a selection
    scenario, the trustee's agreement and ledger."""
    from solidaire.applications.models import Proposal
    from solidaire.calls.models import RequiredDocument
    from solidaire.reviews.models import Review
    from solidaire.testing import files

    page = walk.page
    draft = Proposal.objects.filter(
        call__number=2, status=Proposal.Status.DRAFT, organisation__members__username="organisme"
    ).first()
    review = Review.objects.filter(
        evaluator__username="evaluation", status=Review.Status.ASSIGNED
    ).first()
    assert draft is not None and review is not None

    # The applicant saves the draft with a negative total: the error is shown
    # next to the field, the title typed at the same time is kept and saved.
    walk.sign_in("organisme")
    walk.open(f"/demandes/{draft.pk}/modifier/")
    walk.check("20-applicant-draft")
    page.fill("#id_title", "Cuisine collective du quartier")
    page.fill("#id_total_cost", "-40 000")
    page.click("main .form-actions button[name=save][value='1']")
    page.wait_for_load_state()
    assert page.input_value("#id_total_cost") == "-40 000"
    assert page.locator("#id_total_cost[aria-invalid=true]").count() == 1
    walk.check("21-applicant-draft-error")
    draft.refresh_from_db()
    assert draft.title == "Cuisine collective du quartier"

    # The call's documents: a PDF is attached to its slot; a PDF carrying
    # JavaScript is refused beside its own, and the text typed with it stays.
    letters, resolution = RequiredDocument.objects.filter(call=draft.call, mandatory=True).order_by(
        "id"
    )[:2]
    page.fill("#id_total_cost", "40 000")
    page.set_input_files(
        f"#id_document_{letters.pk}",
        files=[{"name": "lettres-appui.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}],
    )
    page.click(f"#slot-{letters.pk} button[name=save]")
    page.wait_for_load_state()
    assert "lettres-appui.pdf" in page.inner_text(f"#slot-{letters.pk}")
    page.fill("#id_summary", "Des repas préparés ensemble, chaque semaine.")
    page.set_input_files(
        f"#id_document_{resolution.pk}",
        files=[
            {
                "name": "resolution.pdf",
                "mimeType": "application/pdf",
                "buffer": files.pdf_with_javascript(),
            }
        ],
    )
    page.click(f"#slot-{resolution.pk} button[name=save]")
    page.wait_for_load_state()
    assert "JavaScript" in page.inner_text(f"#slot-{resolution.pk}")
    assert page.locator(f"#id_document_{resolution.pk}[aria-invalid=true]").count() == 1
    assert page.input_value("#id_summary") == "Des repas préparés ensemble, chaque semaine."
    walk.check("21b-applicant-documents")
    walk.sign_out()

    # The evaluator scores every criterion and submits the review.
    walk.sign_in("evaluation")
    walk.open(f"/evaluations/{review.pk}/noter/")
    walk.check("22-evaluator-scoring")
    for radio_group in page.locator("main fieldset").all():
        options = radio_group.locator("input[type=radio]")
        if options.count():
            options.last.check()
    # The top of the scale needs a comment; the recap comes before submitting.
    for comment in page.locator("main textarea[name^=comment_]").all():
        comment.fill("Démonstration exemplaire.")
    page.click("main button[name=action][value=recap]")
    page.wait_for_load_state()
    walk.check("22b-evaluator-recap")
    page.click("main button[name=action][value=submit]")
    page.wait_for_load_state()
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    walk.sign_out()

    # The coordinator: screening and scores, then a scenario for call 2.
    walk.sign_in("coordination")
    walk.open("/appels/capitale-nationale/2/admissibilite/")
    walk.check("23-coordinator-screening")
    walk.open("/appels/capitale-nationale/1/notes/")
    walk.check("24-committee-scores")
    walk.open("/appels/capitale-nationale/2/selection/")
    page.fill("#id_name", "Premier essai")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/selection/" in page.url and "Premier essai" in walk.main_text()
    walk.check("25-coordinator-scenario")
    walk.sign_out()

    # The trustee: an agreement and the ledger that proves every dollar.
    walk.sign_in("fiduciaire")
    walk.open("/conventions/")
    walk.check("26-trustee-agreements")
    walk.follow_first("main table tbody a[href^='/conventions/']")
    walk.check("27-trustee-agreement")
    walk.open("/registre/capitale-nationale/")
    assert "4 200 000,00 $" in walk.main_text()
    walk.check("28-trustee-ledger")
    walk.sign_out()

    print(f"axe checked {len(walk.checked)} pages: {', '.join(walk.checked)}")
    print("axe moderate/minor findings:", walk.minor or "none")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )


PHONE = {"width": 390, "height": 844}


def _sideways_overflow(page: Any) -> list[str]:
    """What scrolls sideways: the page itself, or a table region inside it
    (a table wider than its region hides its right-hand columns)."""
    return page.evaluate(
        """() => {
          const found = [];
          const root = document.documentElement;
          if (root.scrollWidth > window.innerWidth) {
            found.push(`page ${root.scrollWidth} > ${window.innerWidth}`);
          }
          for (const region of document.querySelectorAll('.table-scroll')) {
            if (region.scrollWidth > region.clientWidth + 1) {
              found.push(`${region.getAttribute('aria-labelledby')} ${region.scrollWidth} > ${region.clientWidth}`);
            }
          }
          return found;
        }"""
    )


def test_public_call_pages_in_both_languages_and_at_a_phones_width(walk: Walk) -> None:
    """A coordinator who has never heard of Solidaire: from the home page to
    call 2's page, its deadline in a calendar, « Déposer une demande » through
    the sign-in form; the same pages in English; then every public page and
    the applicant's list at a phone's width, with nothing scrolling sideways."""
    from icalendar import Calendar

    page = walk.page
    walk.open("/")
    walk.follow_first("main a[href='/appels/']")
    assert "Appels ouverts" in walk.main_text()
    walk.check("30-public-calls")
    walk.follow_first("main a[href='/appels/capitale-nationale/2/']")
    call_2 = walk.main_text()
    for text in ("Date limite", "Volet local", "Grille d’évaluation", "Lettres d’appui"):
        assert text in call_2.replace("'", "’"), text
    assert "jours restants" in call_2
    walk.check("31-public-call-2")

    # The deadline as a calendar file, at call 2's closing instant.
    href = page.get_attribute("main a[href$='echeance.ics']", "href")
    assert href is not None
    ics = page.request.get(walk.base_url + href)
    assert ics.headers["content-type"].startswith("text/calendar")
    from solidaire.calls.models import Call

    closes_at = Call.objects.get(number=2).closes_at
    assert Calendar.from_ical(ics.body()).events[0].start == closes_at

    # « Déposer une demande »: the sign-in form, then the start of a proposal.
    page.click("main .call-apply a.button")
    page.wait_for_load_state()
    assert "/connexion/" in page.url and "next=" in page.url
    page.fill("#id_username", "organisme")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/demandes/nouvelle/"), page.url
    walk.sign_out()

    # The same pages in English.
    walk.open("/appels/")
    page.click("header .language-switch button[value=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert "Open calls" in walk.main_text()
    walk.check("32-public-calls-english")
    walk.follow_first("main a[href='/appels/capitale-nationale/2/']")
    assert "Streams and amounts" in walk.main_text() and "days left" in walk.main_text()
    # The programme's own texts in English too, none left in French.
    english_call = walk.main_text()
    for text in ("Local stream", "Roots of the initiative in its community", "Very good"):
        assert text in english_call, text
    assert "Volet local" not in english_call and "(in French)" not in english_call
    walk.check("33-public-call-2-english")
    walk.open("/appels/capitale-nationale/1/")
    assert "See the funded initiatives" in walk.main_text()
    walk.check("34-public-call-1-english")
    page.click("header .language-switch button[value=fr]")
    page.wait_for_load_state()

    # At a phone's width: nothing scrolls sideways, and the applicant's list
    # shows each proposal's status and amounts.
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport=PHONE, locale="fr-CA")
    try:
        phone = Walk(context.new_page(), walk.base_url, walk.axe_path)
        for path, name in [
            ("/", "40-phone-home"),
            ("/appels/", "41-phone-calls"),
            ("/appels/capitale-nationale/2/", "42-phone-call-2"),
            ("/appels/capitale-nationale/1/", "43-phone-call-1"),
            ("/appels/capitale-nationale/1/resultats/", "44-phone-results-call-1"),
        ]:
            phone.open(path)
            assert not _sideways_overflow(phone.page), (path, _sideways_overflow(phone.page))
            phone.check(name)
        phone.sign_in("organisme")
        phone.open("/demandes/")
        assert not _sideways_overflow(phone.page), _sideways_overflow(phone.page)
        assert "{#" not in phone.main_text()
        for selector in ("main tbody .status", "main tbody td[data-label='Demandé']"):
            box = phone.page.locator(selector).first.bounding_box()
            assert box is not None and box["x"] >= 0, selector
            assert box["x"] + box["width"] <= PHONE["width"], (selector, box)
        phone.check("45-phone-applicant-proposals")
        walk.violations += phone.violations
        walk.minor += phone.minor
        walk.checked += phone.checked
    finally:
        context.close()


def test_organisation_pages_in_the_browser(walk: Walk) -> None:
    """An applicant's organisation: its list, profile and invitation form, a
    registration with mistakes (the input kept), the pages at a phone's width
    without sideways scrolling, the invitation link as a newcomer sees it, and
    the coordinator's view of the organisation's history."""
    import re

    from django.core import mail

    from solidaire.applications.models import Organisation

    page = walk.page
    organisation = Organisation.objects.get(members__username="organisme")

    walk.sign_in("organisme")
    walk.open("/organismes/")
    assert organisation.legal_name in walk.main_text()
    walk.check("60-organisations")
    walk.open(f"/organismes/{organisation.pk}/inviter/")
    walk.check("61-organisation-invite")
    page.fill("#id_email", "benevole@example.org")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/organismes/{organisation.pk}/")
    assert "benevole@example.org" in walk.main_text()
    walk.check("62-organisation-profile")

    walk.open("/organismes/nouveau/")
    walk.check("63-organisation-new")
    page.fill("#id_legal_name", "Maison des jeunes de Portneuf")
    page.fill("#id_neq", "11456A")
    page.check("#id_org_type_5")
    page.fill("#id_mission", "<script>alert(1)</script>Accueillir les jeunes.")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    assert page.input_value("#id_legal_name") == "Maison des jeunes de Portneuf"
    assert page.locator("#id_neq[aria-invalid=true]").count() == 1
    assert "à but lucratif" in walk.main_text()
    walk.check("64-organisation-new-errors")

    # A phone's width: nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in [
        ("/organismes/", "65-organisations-phone"),
        (f"/organismes/{organisation.pk}/", "66-organisation-profile-phone"),
        ("/organismes/nouveau/", "67-organisation-new-phone"),
    ]:
        walk.open(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{path} scrolls sideways at 390 px"
        )
        walk.check(name)
    page.set_viewport_size({"width": 1280, "height": 900})
    walk.sign_out()

    # The invitation link, followed by someone who is not signed in.
    match = re.search(r"/organismes/invitation/[\w-]+/", mail.outbox[-1].body)
    assert match is not None
    walk.open(match.group(0))
    assert organisation.legal_name in walk.main_text()
    walk.check("68-invitation-anonymous")

    # The coordinator: the organisation's profile and history.
    walk.sign_in("coordination")
    walk.open(f"/organismes/{organisation.pk}/")
    history = walk.main_text()
    assert organisation.neq in history and "Historique" in history
    walk.check("69-coordinator-organisation")
    walk.sign_out()


def _no_sideways_scroll(walk: Walk, name: str) -> None:
    overflow = walk.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at a phone's width"


def test_account_pages_in_both_languages_and_on_a_phone(walk: Walk) -> None:
    """A newcomer signs up, follows the verification link and reaches the
    account page; sign-up, login and the account page pass axe in French
    and English, and at a phone's width none of them scrolls sideways."""
    from django.core import mail

    page = walk.page

    for width, suffix in ((1280, ""), (390, "-phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        for language in ("fr", "en"):
            if page.get_attribute("html", "lang") not in (None, language):
                page.click(f"header .language-switch button[value={language}]")
                page.wait_for_load_state()
            for path, name in (("/inscription/", "signup"), ("/connexion/", "login")):
                walk.open(path)
                assert page.get_attribute("html", "lang") == language
                walk.check(f"80-{name}-{language}{suffix}")
                _no_sideways_scroll(walk, f"{path} ({language}, {width} px)")
            # The header offers sign-up to an anonymous visitor.
            assert page.locator("header a[href='/inscription/']").count() == 1
        page.click("header .language-switch button[value=fr]")
        page.wait_for_load_state()

    # Sign-up with a mistake: the address of a demo account; the error is
    # announced and the rest of the input kept.
    walk.open("/inscription/")
    page.fill("#id_first_name", "Marie")
    page.fill("#id_last_name", "Tremblay")
    page.fill("#id_email", "coordination@example.org")
    page.fill("#id_password1", "cuisine-collective-42")
    page.fill("#id_password2", "cuisine-collective-42")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    assert page.input_value("#id_first_name") == "Marie"
    assert page.locator("#id_email[aria-invalid=true]").count() == 1
    walk.check("81-signup-error-phone")
    _no_sideways_scroll(walk, "sign-up with an error")

    # Corrected, sent; the link from the e-mail confirms and signs in.
    page.fill("#id_email", "marie@cuisine-portneuf.example.org")
    page.fill("#id_password1", "cuisine-collective-42")
    page.fill("#id_password2", "cuisine-collective-42")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/inscription/courriel-envoye/" in page.url
    walk.check("82-verification-sent-phone")
    body = mail.outbox[-1].body
    link = next(word for word in body.split() if "/courriel/verifier/" in word)
    page.goto(link)
    walk.check("83-confirm-email-phone")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("header a[href='/compte/']").count() == 1

    # The account page, in both languages, at a phone's width.
    walk.open("/compte/")
    walk.check("84-account-fr-phone")
    _no_sideways_scroll(walk, "account page (fr)")
    page.check("#id_preferred_language_1")  # English
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    walk.check("85-account-en-phone")
    _no_sideways_scroll(walk, "account page (en)")
    walk.sign_out()

    # A demo account signs in by its e-mail address.
    page.set_viewport_size({"width": 1280, "height": 900})
    walk.open("/connexion/")
    page.fill("#id_username", "coordination@example.org")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "4 200 000,00 $" in walk.main_text() or "$4,200,000.00" in walk.main_text()

    print(f"axe checked {len(walk.checked)} pages: {', '.join(walk.checked)}")
    print("axe moderate/minor findings:", walk.minor or "none")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
