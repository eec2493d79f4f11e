"""The call set-up page takes the English texts beside the French ones, and
a copied call keeps both."""

from __future__ import annotations

from html import unescape

import pytest

from solidaire.calls.models import Criterion, EligibilityRule, RequiredDocument, ScaleLevel, Stream
from solidaire.calls.services import call_copy
from solidaire.callsetup.tests.test_call_setup import Setup, _edit_data, _row, setup  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_set_up_page_saves_the_english_texts(setup: Setup) -> None:  # noqa: F811
    data = _edit_data(setup)
    for field in (
        "streams-0-name_en",
        "criteria-0-name_en",
        "criteria-0-description_en",
        "scale-0-label_en",
        "scale-0-descriptor_en",
        "rules-0-description_en",
        "documents-0-name_en",
    ):
        assert field in data
    stream = _row(data, "streams", "code", "local")
    document = _row(data, "documents", "code", "budget")
    level = _row(data, "scale", "value", "5")
    data[f"{stream}-name_en"] = "Local stream"
    data[f"{document}-name_en"] = "Budget form"
    data[f"{level}-label_en"] = "Outstanding"
    data[f"{level}-descriptor_en"] = "Exemplary."
    data["criteria-0-name_en"] = "Inclusion of people"
    data["rules-0-description_en"] = "A non-profit organisation."
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    assert Stream.objects.get(call=setup.call).name_en == "Local stream"
    assert Stream.objects.get(call=setup.call).name == "Volet local"
    assert RequiredDocument.objects.get(call=setup.call).name_en == "Budget form"
    five = ScaleLevel.objects.get(call=setup.call, value=5)
    assert (five.label, five.label_en, five.descriptor_en) == (
        "Excellent",
        "Outstanding",
        "Exemplary.",
    )
    assert Criterion.objects.filter(call=setup.call, name_en="Inclusion of people").exists()
    assert (
        EligibilityRule.objects.get(call=setup.call).description_en == "A non-profit organisation."
    )


def test_an_english_name_without_the_french_one_is_refused_and_kept(setup: Setup) -> None:  # noqa: F811
    data = _edit_data(setup)
    stream = _row(data, "streams", "code", "local")
    data[f"{stream}-name"] = ""
    data[f"{stream}-name_en"] = "Local stream"
    response = setup.client.post(setup.url("modifier"), data)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert 'value="Local stream"' in page
    assert Stream.objects.get(call=setup.call).name_en == ""


def test_a_copied_call_keeps_the_french_and_english_texts(setup: Setup) -> None:  # noqa: F811
    source = setup.call
    Stream.objects.filter(call=source).update(name_en="Local stream")
    Criterion.objects.filter(call=source).update(name_en="Criterion", description_en="Why")
    ScaleLevel.objects.filter(call=source).update(label_en="Level", descriptor_en="Meaning")
    EligibilityRule.objects.filter(call=source).update(description_en="Rule")
    RequiredDocument.objects.filter(call=source).update(name_en="Budget form")
    copy = call_copy(source=source, actor=setup.coordinator)
    assert list(copy.streams.values_list("name", "name_en")) == [("Volet local", "Local stream")]
    assert set(copy.criteria.values_list("name_en", "description_en")) == {("Criterion", "Why")}
    assert sorted(copy.scale.values_list("label", "label_en", "descriptor_en")) == [
        ("Absent", "Level", "Meaning"),
        ("Excellent", "Level", "Meaning"),
    ]
    assert list(copy.eligibility_rules.values_list("description_en", flat=True)) == ["Rule"]
    assert list(copy.required_documents.values_list("name", "name_en")) == [
        ("Budget", "Budget form")
    ]
