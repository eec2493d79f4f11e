"""Writes on a person's own account."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from solidaire.accounts.models import User


def user_update_preferences(
    *,
    user: User,
    preferred_language: str,
    notify_messages: bool,
    notify_deadlines: bool,
    notify_decisions: bool,
) -> User:
    """Record the person's language and the e-mails they want."""
    user.preferred_language = preferred_language
    user.notify_messages = notify_messages
    user.notify_deadlines = notify_deadlines
    user.notify_decisions = notify_decisions
    user.save(
        update_fields=[
            "preferred_language",
            "notify_messages",
            "notify_deadlines",
            "notify_decisions",
        ]
    )
    return user


def user_confirm_address_by_reset(*, user: User) -> None:
    """After a new password chosen from an e-mailed link: the link proves the
    person reads the account's mail. With a single address, that is the one
    the link went to, so it counts as confirmed; otherwise an account created
    by an administrator would be asked to confirm it right after choosing its
    password. With several addresses nothing tells which one was used."""
    addresses = list(EmailAddress.objects.filter(user=user)[:2])
    if len(addresses) == 1 and not addresses[0].verified:
        addresses[0].verified = True
        addresses[0].save(update_fields=["verified"])
