import pytest

from solidaire.testing import factories as f


@pytest.mark.django_db
def test_pages_are_french_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_gives_english_pages(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_french(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/")["Content-Language"] == "fr"


@pytest.mark.django_db
def test_the_api_follows_accept_language(client):
    f.ProgrammeFactory()
    response = client.get("/api/v1/programmes/abc/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    assert client.get("/api/v1/programmes/abc/")["Content-Language"] == "fr"
