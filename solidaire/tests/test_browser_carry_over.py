"""The carry-over page in headless Chromium, on the demo at the real date
(two fiscal years have ended): a refused carry-over shows its errors
accessibly and keeps the input, a valid one is recorded; the trustee sees
carry-overs read-only. Every page is checked by axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from solidaire.tests.test_browser import Walk, _flat, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["walk"]

URL = "/registre/capitale-nationale/reports/"


@pytest.fixture(autouse=True)
def fiscal_present() -> Iterator[None]:
    """The demo is shifted to the real date: read the real today."""
    yield None


def test_carry_over_worked_through_in_the_browser(walk: Walk) -> None:
    from solidaire.ledger.models import CarryOver

    page = walk.page
    walk.sign_in("coordination")
    walk.open(URL)
    ended = _flat(page.locator("main tr[data-year]").nth(1).inner_text())
    assert "Terminé" in ended and "540 000,00 $" in ended, ended
    walk.check("30-coordinator-carry-overs")

    # Too much, and no authorisation: both errors shown, the reason kept.
    page.select_option("#id_source", index=1)
    page.select_option("#id_target", index=2)
    page.fill("#id_amount", "600 000")
    page.fill("#id_reason", "Report pour le troisième appel")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    assert page.locator("#id_authorisation_error").count() == 1
    assert page.input_value("#id_reason") == "Report pour le troisième appel"
    walk.check("31-coordinator-carry-over-error")
    assert CarryOver.objects.count() == 1

    page.fill("#id_amount", "600 000")
    page.fill("#id_authorisation", "MTESS-FQIS-2021-009")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "540 000,00 $ non engagés" in walk.main_text()
    page.fill("#id_amount", "100 000")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Report inscrit" in walk.main_text()
    assert CarryOver.objects.count() == 2
    walk.sign_out()

    walk.sign_in("fiduciaire")
    walk.open(URL)
    assert page.locator("main form").count() == 0
    assert "MTESS-FQIS-2021-009" in walk.main_text()
    walk.check("32-trustee-carry-overs")
    walk.open("/registre/capitale-nationale/")
    walk.check("33-trustee-ledger")
    walk.sign_out()

    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
