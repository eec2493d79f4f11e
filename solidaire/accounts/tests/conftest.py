from __future__ import annotations

import re

from django.core import mail

PASSWORD = "cuisine-collective-42"


def link_in_last_mail(to: str) -> str:
    """The path of the link in the last e-mail sent to ``to``."""
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def sign_up(client, **overrides: str):
    data = {
        "first_name": "Marie",
        "last_name": "Tremblay",
        "email": "marie@cuisine-portneuf.example.org",
        "username": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/inscription/", data)
