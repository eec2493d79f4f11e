"""Writes on a person's own account."""

from __future__ import annotations

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
