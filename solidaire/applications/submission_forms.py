"""The review step's form: the attestation that goes with a submission."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AttestationForm(forms.Form):
    """Ticked by the person who submits. The service refuses a submission
    without it; the form only reads the box (its label is the service's
    sentence, the one recorded with the version)."""

    attested = forms.BooleanField(
        required=False,
        error_messages={"required": _("Tick the attestation to submit.")},
    )

    def __init__(self, *args: object, label: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if label:
            self.fields["attested"].label = label
