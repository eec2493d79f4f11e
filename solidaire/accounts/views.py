"""Signing in and out, signing up and the account page.

Sign-up, login, e-mail verification, password reset and e-mail change are
django-allauth's views, with Solidaire's forms (``forms.py``), rules
(``adapter.py``) and templates (``templates/account/``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from solidaire.accounts.adapter import remember_language
from solidaire.accounts.forms import PreferencesForm
from solidaire.accounts.models import User
from solidaire.accounts.selectors import user_email_addresses
from solidaire.accounts.services import user_update_preferences


class LogoutView(auth_views.LogoutView):
    # Logout is a POST (a link could be followed by a prefetching browser).
    http_method_names = ["post", "options"]


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's account: addresses, password, language, e-mails wanted."""
    user = request.user
    assert isinstance(user, User)
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=user, **form.cleaned_data)
        language = user.preferred_language
        translation.activate(language)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:account")
        remember_language(response, language)
        return response
    return render(
        request,
        "accounts/account.html",
        {"form": form, "addresses": user_email_addresses(user)},
        status=400 if form.errors else 200,
    )
