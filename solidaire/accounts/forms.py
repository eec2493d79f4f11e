"""Account forms: allauth's, with Solidaire's labels and rules."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.account.internal.flows.manage_email import email_already_exists
from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import User
from solidaire.accounts.services import user_confirm_address_by_reset


def _without_placeholders(form: forms.BaseForm) -> None:
    # Labels say what a field is; placeholders vanish as one types and read
    # as filled-in values on a phone.
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    """allauth's login, with the field named ``username`` as before.

    The address or the username goes in one field, named as password
    managers and the existing sign-in page expect.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[has-type]
        login = fields.pop("login")
        login.label = _("E-mail address or username")
        login.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields = fields = {"username": login, **fields}
        fields["password"].help_text = ""
        if "remember" in fields:
            fields["remember"].label = _("Stay signed in on this device")
        _without_placeholders(self)

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip()

    def clean(self) -> dict[str, Any]:
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]
        return super().clean()


class SignupForm(allauth_forms.SignupForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    field_order = ["first_name", "last_name", "email", "username", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = _("We send a link to this address to check it.")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        if "username" in self.fields:
            self.fields["username"].label = _("Username (optional)")
            self.fields["username"].help_text = _(
                "To sign in without typing your address. Letters, digits and @ . + - _ only."
            )
            self.fields["username"].widget.attrs["autocapitalize"] = "none"
        self.fields["password1"].label = _("Password")
        self.fields["password1"].help_text = _(
            "At least 8 characters, not only digits, not a common password and not "
            "close to your name or address."
        )
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"
        if "password2" in self.fields:
            self.fields["password2"].label = _("Password (again)")
            self.fields["password2"].widget.attrs["autocomplete"] = "new-password"
        _without_placeholders(self)

    def validate_unique_email(self, value: str) -> str:
        # Say so when the address already has an account (see the settings'
        # note on enumeration): allauth would otherwise pretend to send a
        # verification link and leave the person waiting.
        email, _exists = email_already_exists(value, always_raise=True)
        return email


class PreferencesForm(forms.ModelForm):
    """The account page: language and the e-mails the person wants."""

    class Meta:
        model = User
        fields = ["preferred_language", "notify_messages", "notify_deadlines", "notify_decisions"]
        widgets = {"preferred_language": forms.RadioSelect}


class AddEmailForm(allauth_forms.AddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("New e-mail address")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        _without_placeholders(self)

    def clean_email(self) -> str:
        value = super().clean_email()
        # As at sign-up, say that another account uses the address rather
        # than send a link that could never be confirmed.
        assert self.user is not None
        email_already_exists(value, user=self.user, always_raise=True)
        return value


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        _without_placeholders(self)


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password (again)")
        _without_placeholders(self)

    def save(self) -> None:
        super().save()
        user_confirm_address_by_reset(user=self.user)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = _("Current password")
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password (again)")
        _without_placeholders(self)
