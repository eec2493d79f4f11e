from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from solidaire.agreements.models import ReminderSent
from solidaire.agreements.services import agreement_sign
from solidaire.agreements.tests.test_views import agreement, proposal, users  # noqa: F401
from solidaire.common.fiscal import fiscal_today


def _run() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue().split()[0]


@pytest.mark.django_db
def test_reminders_run_twice_the_same_day_send_nothing_twice(users, agreement):  # noqa: F811
    with fiscal_today(date(2020, 6, 1)):
        assert _run() == "1"  # the agreement awaits its signature
        assert _run() == "0"
    assert len(mail.outbox) == 1
    assert "attend votre signature" in mail.outbox[0].subject
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    with fiscal_today(date(2021, 5, 15)):  # the progress report of 2020-2021 is late
        first = int(_run())
        assert first >= 1
        assert _run() == "0"
    assert ReminderSent.objects.filter(key__endswith=":overdue").count() == first
    assert len(mail.outbox) == 1 + first


@pytest.mark.django_db
def test_each_reminder_speaks_its_recipients_language(users, agreement):  # noqa: F811
    users["applicant"].preferred_language = "en"
    users["applicant"].save()
    with fiscal_today(date(2020, 6, 1)):
        assert _run() == "1"
    assert mail.outbox[0].subject == f"Agreement {agreement.number} awaits your signature"
