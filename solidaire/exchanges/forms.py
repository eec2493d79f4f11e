"""The message form: text only for now (documents join through the one
upload path when it exists)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.exchanges.models import MESSAGE_MAX_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Write your message before sending it."),
            "max_length": _(
                "A message holds at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args: object, label: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if label:
            self.fields["body"].label = label
