"""Whether a person wants an e-mail for a kind of event.

The one hook every notification asks. People choose on their account page
once notification preferences exist there; until then everyone receives
every e-mail, and this function is where that choice will be read.
"""

from __future__ import annotations

from solidaire.accounts.models import User

MESSAGE = "message"


def wants_email(user: User, kind: str) -> bool:
    """True when ``user`` wants an e-mail for ``kind`` (e.g. :data:`MESSAGE`)."""
    return True
