"""Forms of the organisation pages: they turn what the person typed into the
arguments of the organisation services, with a message beside each input
that is wrong."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import (
    MISSION_MAX_LENGTH,
    Organisation,
    OrganisationMember,
    postal_code_validator,
)
from solidaire.applications.organisation_rules import organisation_type_eligibility
from solidaire.programmes.models import Programme, Territory

_SEPARATORS = re.compile(r"[\s\u00a0\u202f\u2009-]+")


def parse_neq(text: str) -> str:
    """A Québec enterprise number as typed (``1145 678 901``, ``1145-678-901``)
    reduced to its ten digits, or a message that says what is wrong."""
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise ValidationError(_("Enter the organisation's NEQ."), code="required")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            _(
                "A NEQ has digits only, no letters or other signs (you may separate them "
                "with spaces). You will find it on the Registraire des entreprises' statement."
            ),
            code="not_digits",
        )
    if len(digits) != 10:
        raise ValidationError(
            _("A NEQ has exactly 10 digits; you typed %(count)s."),
            code="length",
            params={"count": len(digits)},
        )
    return digits


def parse_postal_code(text: str) -> str:
    """A postal code typed any way (``g1k3a9``, ``G1K-3A9``) as Canada Post
    writes it (``G1K 3A9``); empty stays empty."""
    compact = _SEPARATORS.sub("", text).upper()
    if not compact:
        return ""
    value = f"{compact[:3]} {compact[3:]}" if len(compact) == 6 else compact
    postal_code_validator(value)
    return value


def territory_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The territories of the regions that run a programme, grouped by region
    (every region's when no programme exists yet)."""
    regions = set(Programme.objects.values_list("region_id", flat=True))
    rows = Territory.objects.select_related("region").order_by("region__name", "name")
    if regions:
        rows = rows.filter(region_id__in=regions)
    groups: dict[str, list[tuple[str, str]]] = {}
    for territory in rows:
        groups.setdefault(territory.region.name, []).append((str(territory.pk), territory.name))
    return list(groups.items())


class OrganisationForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("As registered with the Registraire des entreprises du Québec."),
    )
    neq = forms.CharField(
        label=_("Enterprise number (NEQ)"),
        max_length=20,
        help_text=_("Ten digits, for example 1145678901. Spaces are accepted."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=Organisation.Type.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "The programme funds non-profits, cooperatives treated as non-profits, "
            "municipal bodies, band councils and research centres on poverty."
        ),
    )
    territory = forms.ChoiceField(
        label=_("Territory"),
        help_text=_("The regional county municipality (MRC) or territory of your main office."),
    )
    address = forms.CharField(
        label=_("Street address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label=_("Municipality"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "narrow"}),
    )
    email = forms.EmailField(
        label=_("Organisation's e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telephone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    mission = forms.CharField(
        label=_("Mission"),
        max_length=MISSION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In a few sentences: what your organisation does, and with whom."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = self.fields["territory"]
        assert isinstance(territory, forms.ChoiceField)
        territory.choices = [("", _("Choose a territory")), *territory_choices()]

    def clean_neq(self) -> str:
        return parse_neq(self.cleaned_data["neq"])

    def clean_postal_code(self) -> str:
        return parse_postal_code(self.cleaned_data["postal_code"])

    def clean_org_type(self) -> str:
        value: str = self.cleaned_data["org_type"]
        eligible, reason = organisation_type_eligibility(value)
        if not eligible:
            raise ValidationError(reason, code="ineligible")
        return value

    def profile_fields(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        data = dict(self.cleaned_data)
        data["territory"] = Territory.objects.get(pk=data["territory"])
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}

    @staticmethod
    def initial_for(organisation: Organisation) -> dict[str, Any]:
        return {
            "legal_name": organisation.legal_name,
            "neq": organisation.neq,
            "org_type": organisation.org_type,
            "territory": str(organisation.territory_id),
            "address": organisation.address,
            "city": organisation.city,
            "postal_code": organisation.postal_code,
            "email": organisation.email,
            "phone": organisation.phone,
            "mission": organisation.mission,
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OrganisationMember.Role.choices,
        initial=OrganisationMember.Role.MEMBER,
        widget=forms.RadioSelect,
        help_text=_(
            "Members write and follow the organisation's proposals; managers also edit "
            "its profile and invite people."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationMember.Role.choices)
