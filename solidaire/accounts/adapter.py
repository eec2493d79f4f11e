"""How django-allauth fits Solidaire: French-first messages, the person's
language after login, and accounts created by an administrator.

allauth's own messages are translated by its catalogue; the ones a person
meets on a bad input are restated here so that they read as the rest of the
product and are translated in Solidaire's catalogue.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import User

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def remember_language(response: HttpResponse, language: str) -> None:
    """Make ``language`` the one of the next pages (the language switch's cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Login never says whether the account exists.
        "email_password_mismatch": _(
            "This e-mail address or username and this password do not match. "
            "Check both, or reset your password."
        ),
        "username_password_mismatch": _(
            "This e-mail address or username and this password do not match. "
            "Check both, or reset your password."
        ),
        "email_taken": _(
            "An account already uses this e-mail address. Sign in, or reset your "
            "password if you forgot it."
        ),
        "too_many_login_attempts": _(
            "Too many failed attempts. Wait a few minutes before trying again."
        ),
        "rate_limited": _("Too many requests in a short time. Wait a few minutes and try again."),
        "account_inactive": _("This account is closed. Write to the programme's coordination."),
        "invalid_password_reset": _(
            "This link to choose a new password has expired or was already used. Ask for a new one."
        ),
        "same_as_current": _("This is already your address."),
    }

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        # A person who signed up while reading the site in English keeps it.
        assert isinstance(user, User)
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.preferred_language = language if language in SUPPORTED_LANGUAGES else "fr"
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        response = super().post_login(request, user, **kwargs)
        language = getattr(user, "preferred_language", "")
        if language in SUPPORTED_LANGUAGES and isinstance(response, HttpResponse):
            remember_language(response, language)
        return response

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # An e-mail to a known person is in their language, whatever the
        # language of the page that triggered it.
        user = context.get("user")
        language = getattr(user, "preferred_language", None)
        if language not in SUPPORTED_LANGUAGES:
            language = translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_login_stages(self) -> list[str]:
        return [
            "solidaire.accounts.stages.AdministeredEmailVerificationStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in super().get_login_stages()
        ]
