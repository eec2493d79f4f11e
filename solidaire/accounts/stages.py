"""The login stage that asks for a verified address (see ``adapter.py``)."""

from __future__ import annotations

# allauth's internals import one another in an order that only works when
# ``flows`` comes first.
import allauth.account.internal.flows  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from django.http import HttpResponse


class AdministeredEmailVerificationStage(EmailVerificationStage):
    """Verification at login for accounts that signed up.

    A person who signed up has an address record, unverified until they
    follow the link: they cannot sign in before. An account that an
    administrator created (the admin, ``load_demo``, the programme's set-up)
    has no address record yet; the administrator vouched for it, so it signs
    in as before. Once the account has an address record (its owner opened
    the e-mail page or asked for a new password), that address must be
    verified like any other; a new password chosen from the e-mailed link
    verifies it (``services.user_confirm_address_by_reset``).
    """

    def handle(self) -> tuple[HttpResponse | None, bool]:
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        return super().handle()
