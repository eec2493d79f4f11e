"""Adopting a decision whose money lies in a fiscal year that has ended since
the scenario was solved: the ledger refuses, the page says why, nothing is written."""

from __future__ import annotations

from datetime import date

import pytest

from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.models import Commitment
from solidaire.selection.models import Decision, Scenario
from solidaire.selection.tests.test_views import _client, _create, _url, english, setup

__all__ = ["english", "setup"]


@pytest.mark.django_db
def test_adoption_in_an_ended_year_is_refused_with_a_message(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call)
    scenario = Scenario.objects.get()

    with fiscal_today(date(2021, 4, 1)):  # 2020-2021, the stream's year, has ended
        response = client.post(
            _url(call, "selection:adopt", pk=scenario.pk),
            {"resolution_number": "CR-2021-01", "confirm": "on"},
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert "2020-2021 ended on" in html and "no new commitment" in html
    assert 'value="CR-2021-01"' in html
    assert not Decision.objects.exists()
    assert not Commitment.objects.filter(call=call).exists()
