"""``manage.py send_reminders``: the daily reminders of reports and signatures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from solidaire.agreements.reminders import reminders_send
from solidaire.common.fiscal import quebec_today


class Command(BaseCommand):
    help = (
        "Queue the e-mails reminding organisations of reports coming due (two weeks ahead) "
        "or overdue, and of agreements issued two weeks ago and still unsigned. Run daily; "
        "a reminder already sent is never sent again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send(today=quebec_today())
        self.stdout.write(_("%(count)s reminder(s) queued.") % {"count": sent})
