"""An agreement issued after one of its fiscal years has ended would put a
payment schedule line in that year: refused with a message, nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from solidaire.agreements.models import Agreement, Payment
from solidaire.agreements.tests.test_views import _as, _funded, users
from solidaire.common.fiscal import fiscal_today

__all__ = ["users"]


@pytest.mark.django_db
def test_issuing_with_a_schedule_line_in_an_ended_year_is_refused(client, call, users):
    proposal = _funded(call)  # 2020-2021, 2021-2022 and 2022-2023
    _as(client, users["trustee"])

    with fiscal_today(date(2021, 5, 3)):
        response = client.post(
            reverse("agreements:issue", args=[proposal.pk]),
            {"issued_on": "2021-05-03", "number": "CAF-LATE"},
        )

    assert response.status_code == 400
    html = response.content.decode()
    assert "2020-2021 ended on" in html and "no new payment schedule line" in html
    assert 'value="CAF-LATE"' in html
    assert not Agreement.objects.exists() and not Payment.objects.exists()


@pytest.mark.django_db
def test_issuing_while_every_year_is_open_still_works(client, call, users):
    proposal = _funded(call)
    _as(client, users["trustee"])

    response = client.post(
        reverse("agreements:issue", args=[proposal.pk]), {"issued_on": "2020-10-15"}
    )

    assert response.status_code == 302
    assert Agreement.objects.get().payments.count() == 4
