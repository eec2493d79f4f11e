"""Whether a person wants an e-mail for a kind of event.

The one hook every notification of the exchanges asks. People choose on
their account page (``/compte/``) which optional e-mails they want; this
reads that choice through ``accounts.selectors.user_wants_email``. The
in-app list of unread messages does not depend on it: a message is always
delivered there.
"""

from __future__ import annotations

from solidaire.accounts.models import Notification, User
from solidaire.accounts.selectors import user_wants_email

MESSAGE = Notification.MESSAGES


def wants_email(user: User, kind: Notification) -> bool:
    """True when ``user`` wants an e-mail for ``kind`` (e.g. :data:`MESSAGE`)."""
    return user_wants_email(user, kind)
