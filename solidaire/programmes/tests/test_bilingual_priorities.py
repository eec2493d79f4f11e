"""The work plan's priorities have a French name, required, and an English
one, entered at set-up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from solidaire.programmes.models import Priority, Programme
from solidaire.programmes.tests.test_setup import new_programme_data, signed_in
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_programme_set_up_saves_both_names_of_a_priority(mailoutbox):  # type: ignore[no-untyped-def]
    ministry = f.UserFactory(is_ministry_observer=True)
    data = new_programme_data(
        **{
            "priorities-0-name_en": "Living conditions",
            "priorities-0-description": "Agir sur le logement.",
            "priorities-0-description_en": "Act on housing.",
        }
    )
    page = signed_in(ministry).get(reverse("programmes:create")).content.decode()
    assert 'name="priorities-0-name_en"' in page
    response = signed_in(ministry).post(reverse("programmes:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get(slug="bas-saint-laurent")
    saved = Priority.objects.filter(work_plan__programme=programme).order_by("order")
    assert list(saved.values_list("name", "name_en", "description", "description_en")) == [
        ("Conditions de vie", "Living conditions", "Agir sur le logement.", "Act on housing."),
        ("Inclusion sociale", "", "", ""),
    ]


def test_an_english_name_without_the_french_one_is_refused_and_kept(mailoutbox):  # type: ignore[no-untyped-def]
    ministry = f.UserFactory(is_ministry_observer=True)
    data = new_programme_data(**{"priorities-2-name": "", "priorities-2-name_en": "Power to act"})
    response = signed_in(ministry).post(reverse("programmes:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Indiquez le nom de la priorité." in page
    assert 'value="Power to act"' in page
    assert not Programme.objects.filter(slug="bas-saint-laurent").exists()
