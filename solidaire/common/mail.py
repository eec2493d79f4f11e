"""Outgoing e-mail while developing: printed to the console and kept as files.

A newcomer running ``make run`` has no mail server; the verification link of
a sign-up must still reach them. Each message is printed where ``runserver``
writes, and saved by Django's file-based backend under ``var/mail/`` (one
file per connection, named by date and time), so the link can be copied from
either place. Both show the message as a person reads it (headers, then the
text decoded), not as it travels: the wire format wraps long lines with
``=`` and would cut the links.
"""

from __future__ import annotations

import sys

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

SEPARATOR = "-" * 79


def readable(message: EmailMessage) -> str:
    """The message's main headers and its text, as a mail program shows them."""
    wire = message.message()
    headers = [
        f"{name}: {wire[name]}"
        for name in ("Subject", "From", "To", "Cc", "Reply-To", "Date")
        if wire[name]
    ]
    return "\n".join([*headers, "", str(message.body).rstrip(), SEPARATOR, ""])


class ConsoleAndFileEmailBackend(FileEmailBackend):
    """Django's file-based backend that also prints every message to stdout."""

    def write_message(self, message: EmailMessage) -> None:
        text = readable(message)
        # The file-based backend opens its file in binary mode.
        self.stream.write(text.encode("utf-8"))  # type: ignore[arg-type]
        sys.stdout.write(text)
        sys.stdout.flush()
