"""Outgoing e-mail while developing: printed to the console and kept as files.

A newcomer running ``make run`` has no mail server; the verification link of
a sign-up must still reach them. Each message is printed where ``runserver``
writes, and saved by Django's file-based backend under ``var/mail/`` (one
file per connection, named by date and time), so the link can be copied from
either place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class ConsoleAndFileEmailBackend(FileEmailBackend):
    """Django's file-based backend that also prints every message to stdout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._console = ConsoleEmailBackend(alias=self.alias, stream=sys.stdout)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages) or 0
        if sent:
            self._console.send_messages(email_messages)
        return sent
