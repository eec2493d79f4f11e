"""The message form: text, and documents collected here but checked by the
one upload path (``solidaire.documents.validate_upload``) in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.exchanges.models import MESSAGE_MAX_LENGTH

ACCEPT = ".pdf,.docx,.xlsx,.odt,.ods,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is validated later, by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


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
    documents = MultipleFileField(
        label=_("Documents (optional)"),
        required=False,
        # Empty files reach the one validation path, which says why it refuses them.
        allow_empty_file=True,
        help_text=_("PDF, Word, Excel, OpenDocument, JPEG or PNG; up to 5 files."),
    )

    def __init__(self, *args: object, label: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if label:
            self.fields["body"].label = label
