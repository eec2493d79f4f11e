"""The agreement signed in the browser: the organisation's manager reads and
signs it in its space, the trustee countersigns and pays the first
instalment, which the organisation then sees — in French and in English,
every page checked by axe-core."""

from __future__ import annotations

import json

import pytest

from solidaire.agreements.models import AgreementSignature
from solidaire.applications.models import Proposal
from solidaire.tests.test_browser import Walk, walk  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organisation_signs_and_trustee_countersigns_in_both_languages(walk: Walk) -> None:  # noqa: F811
    page = walk.page
    proposal = Proposal.objects.get(
        organisation__members__username="organisme", call__number=1, award__isnull=False
    )
    number = proposal.agreement.number

    # The organisation's manager, in French: reads the agreement and signs it.
    walk.sign_in("organisme")
    walk.open(f"/demandes/{proposal.pk}/")
    page.click("main a[href$='/convention/']")
    page.wait_for_load_state()
    assert "Signer la convention" in walk.main_text()
    walk.check("80-organisation-agreement-fr")
    pdf = page.get_attribute("main a[href$='.pdf']", "href")
    assert pdf is not None
    response = page.request.get(walk.base_url + pdf)
    assert response.ok and response.body().startswith(b"%PDF-")
    # Without ticking the box: refused beside the field, what was typed kept.
    page.fill("#id_sign-title", "Coordonnatrice générale")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    assert page.input_value("#id_sign-title") == "Coordonnatrice générale"
    walk.check("81-organisation-agreement-refused-fr")
    page.check("#id_sign-confirm")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert AgreementSignature.objects.filter(party="organisation").count() == 1
    walk.check("82-organisation-signed-fr")
    walk.sign_out()

    # The trustee, in English: countersigns, then pays the first instalment.
    walk.sign_in("fiduciaire")
    walk.open("/")
    page.click("header .language-switch button[value=en]")
    page.wait_for_load_state()
    walk.open(f"/conventions/{number}/")
    assert "Countersign the agreement" in walk.main_text()
    walk.check("83-trustee-countersign-en")
    page.fill("#id_sign-name", "Sophie Noël")
    page.fill("#id_sign-title", "Trésorière")
    page.check("#id_sign-confirm")
    page.click("#signature form button[type=submit]")
    page.wait_for_load_state()
    assert AgreementSignature.objects.filter(party="trustee").count() == 1
    assert "Countersigned by Sophie Noël" in walk.main_text()
    walk.check("84-trustee-countersigned-en")
    first = proposal.agreement.payments.get(sequence=1)
    page.fill(f"#id_pay{first.pk}-early_reason", "Signature reçue, premier versement.")
    page.check(f"#id_pay{first.pk}-confirm")
    page.click(f"#payment-{first.pk} button[type=submit]")
    page.wait_for_load_state()
    first.refresh_from_db()
    assert first.status == "paid"
    walk.sign_out()

    # The organisation sees the payment, in English this time.
    walk.sign_in("organisme")
    walk.open("/")
    page.click("header .language-switch button[value=en]")
    page.wait_for_load_state()
    walk.open(f"/demandes/{proposal.pk}/")
    assert page.locator("tr[data-payment-state='paid']").count() >= 1
    walk.open(f"/demandes/{proposal.pk}/convention/")
    assert "Countersigned by Sophie Noël" in walk.main_text()
    walk.check("85-organisation-agreement-en")
    walk.sign_out()

    # The coordination's template page, in French.
    walk.sign_in("coordination")
    walk.open(f"/modeles-de-convention/{proposal.call.programme.slug}/")
    walk.check("86-coordinator-agreement-template-fr")
    walk.open(f"/conventions/{number}/avenants/")
    walk.check("87-coordinator-amendments-fr")
    walk.sign_out()

    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
