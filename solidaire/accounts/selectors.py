"""Reads about people, for the apps that write to them."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from solidaire.accounts.models import NOTIFICATION_FIELDS, Notification, User


def user_wants_email(user: User, kind: Notification) -> bool:
    """Whether ``user`` asked to receive this kind of e-mail (account page)."""
    return bool(getattr(user, NOTIFICATION_FIELDS[kind]))


def user_email_addresses(user: User) -> list[EmailAddress]:
    """The person's addresses, primary first."""
    return list(EmailAddress.objects.filter(user=user).order_by("-primary", "email"))
