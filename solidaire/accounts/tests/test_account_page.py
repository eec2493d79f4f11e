"""The account page /compte/: language and the e-mails a person wants."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from solidaire.accounts.models import Notification, User
from solidaire.accounts.selectors import user_wants_email
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie() -> User:
    user = f.UserFactory(username="marie", email="marie@example.org")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/compte/")

    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/compte/"


def test_account_page_shows_the_person_and_labelled_preferences(client, marie):
    client.force_login(marie)

    page = client.get("/compte/").content.decode()

    assert "marie@example.org" in page and "confirmée" in page
    assert "<legend>Langue préférée</legend>" in page
    for field in ("notify_messages", "notify_deadlines", "notify_decisions"):
        assert f'<label for="id_{field}">' in page
    assert 'href="/compte/courriel/"' in page
    assert 'href="/compte/mot-de-passe/"' in page


def test_the_header_links_to_the_account_page(client, marie):
    assert 'href="/inscription/"' in client.get("/").content.decode()
    client.force_login(marie)

    assert 'href="/compte/"' in client.get("/").content.decode()


def test_saving_preferences_switches_the_language_at_once(client, marie):
    client.force_login(marie)

    response = client.post("/compte/", {"preferred_language": "en", "notify_decisions": "on"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    marie.refresh_from_db()
    assert marie.preferred_language == "en"
    assert not user_wants_email(marie, Notification.MESSAGES)
    assert not user_wants_email(marie, Notification.DEADLINES)
    assert user_wants_email(marie, Notification.DECISIONS)
    page = client.get("/compte/").content.decode()
    assert "Your preferences are saved." in page
    assert '<html lang="en">' in page


@pytest.mark.parametrize("language", ["de", "", "<script>"])
def test_an_unknown_language_is_refused_and_nothing_changes(client, marie, language):
    client.force_login(marie)

    response = client.post("/compte/", {"preferred_language": language})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page
    assert "<script>" not in page.split("<main", 1)[1]
    marie.refresh_from_db()
    assert marie.preferred_language == "fr"
    assert marie.notify_messages and marie.notify_deadlines and marie.notify_decisions


def test_new_accounts_want_every_e_mail(marie):
    assert all(user_wants_email(marie, kind) for kind in Notification)
