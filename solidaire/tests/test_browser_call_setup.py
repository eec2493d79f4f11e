"""The coordinator prepares call 3 of the demo in headless Chromium: copies
call 2, changes its grid and dates, previews it, is refused publication
while an allocation exceeds the ledger, fixes it and publishes; every page
is checked by axe-core for WCAG 2.1 AA violations."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from solidaire.calls.models import Call
from solidaire.programmes.models import FiscalYear
from solidaire.tests.test_browser import Walk, walk  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_prepares_and_publishes_call_3(walk: Walk) -> None:  # noqa: F811
    page = walk.page
    walk.sign_in("coordination")
    walk.open("/programmes/capitale-nationale/")
    page.click("main a[href='/appels/capitale-nationale/nouveau/']")
    page.wait_for_load_state()
    walk.check("40-call-new")

    page.select_option("#id_copy-source", label="2. Deuxième appel d'initiatives")
    page.click("main button:has-text('Copier dans un nouveau brouillon')")
    page.wait_for_load_state()
    assert page.url.endswith("/appels/capitale-nationale/3/modifier/")
    walk.check("41-call-setup")

    today = timezone.localdate()
    page.fill("#id_call-title", "Troisième appel d'initiatives")
    page.fill("#id_call-opens_at", f"{today + timedelta(days=7)}T09:00")
    page.fill("#id_call-closes_at", f"{today + timedelta(days=70)}T16:00")
    page.fill("#id_criteria-0-weight", "35")
    page.fill("#id_criteria-1-weight", "20")

    # One allocation per stream in the first open fiscal year; the local
    # stream's is far above what the ledger has.
    year = str(
        FiscalYear.objects.get(
            programme__slug="capitale-nationale", starts_on__lte=today, ends_on__gte=today
        ).pk
    )
    rows = [
        ("Volet local", "La Jacques-Cartier", "5000000,00"),
        ("Volet développement des communautés", None, "50000,00"),
        ("Volet régional", None, "40000,00"),
    ]
    for k, (stream, territory, amount) in enumerate(rows):
        page.select_option(f"#id_allocations-{k}-stream", label=stream)
        page.select_option(f"#id_allocations-{k}-fiscal_year", value=year)
        if territory:
            page.select_option(f"#id_allocations-{k}-territory", label=territory)
        page.fill(f"#id_allocations-{k}-amount", amount)
    page.click("main button:has-text('Enregistrer la préparation')")
    page.wait_for_load_state()
    assert "La préparation de l'appel est enregistrée." in walk.main_text()

    # Bad input keeps what was typed and says what is wrong.
    page.fill("#id_criteria-0-weight", "34")
    page.click("main button:has-text('Enregistrer la préparation')")
    page.wait_for_load_state()
    assert "totalisent 99; elles doivent totaliser 100" in walk.main_text()
    walk.check("42-call-setup-error")
    page.fill("#id_criteria-0-weight", "35")

    walk.open("/appels/capitale-nationale/3/apercu/")
    assert "Troisième appel d'initiatives" in walk.main_text()
    walk.check("43-call-preview")

    page.click('main button:has-text("Publier l\'appel")')
    page.wait_for_load_state()
    text = walk.main_text()
    assert "L'appel ne peut pas encore être publié" in text
    assert "totalisent 5 090 000,00 $" in text
    walk.check("44-call-publish-refused")
    assert not Call.objects.get(programme__slug="capitale-nationale", number=3).published

    walk.open("/appels/capitale-nationale/3/modifier/")
    page.fill("#id_allocations-0-amount", "60000,00")
    page.click("main button:has-text('Enregistrer la préparation')")
    page.wait_for_load_state()
    walk.open("/appels/capitale-nationale/3/apercu/")
    page.click('main button:has-text("Publier l\'appel")')
    page.wait_for_load_state()
    assert "L'appel 3 est publié" in walk.main_text()
    walk.check("45-call-published")
    assert Call.objects.get(programme__slug="capitale-nationale", number=3).published

    print(f"axe checked {len(walk.checked)} pages: {', '.join(walk.checked)}")
    print("axe moderate/minor findings:", walk.minor or "none")
    assert not walk.violations, "Serious or critical WCAG 2.1 AA violations:\n" + json.dumps(
        walk.violations, indent=2, ensure_ascii=False
    )
