"""Errors of the API are JSON with a readable message, French by default."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/programmes/abc/",
        "/api/v1/programmes/999999/",
        "/api/v1/programmes/-1/",
        "/api/v1/programmes/1.5/",
        "/api/v1/programmes/99999999999999999999999/",
        "/api/v1/nowhere/",
        "/api/v2/programmes/",
    ],
)
def test_bad_address_is_a_json_404_in_french(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Ressource introuvable.", "code": "not_found"}


@pytest.mark.django_db
def test_error_message_is_english_when_asked(client):
    response = client.get("/api/v1/programmes/abc/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


@pytest.mark.django_db
def test_wrong_method_is_a_json_405(client, programme):
    response = client.delete(f"/api/v1/programmes/{programme.pk}/")

    assert response.status_code == 405
    assert response.json() == {
        "detail": "Cette méthode n’est pas permise ici.",
        "code": "method_not_allowed",
    }


@pytest.mark.django_db
def test_address_without_final_slash_redirects_to_the_api(client):
    response = client.get("/api/v1/programmes?x=1")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/programmes/?x=1"
