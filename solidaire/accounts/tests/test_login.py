"""Login at /connexion/ by e-mail address or username, without telling
whether an account exists."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from solidaire.accounts.tests.conftest import PASSWORD, sign_up
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie():
    user = f.UserFactory(
        username="marie", email="marie@example.org", password=PASSWORD, preferred_language="en"
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _signed_in_as(client) -> str | None:
    user = client.get("/").context["user"]
    return user.username if user.is_authenticated else None


@pytest.mark.parametrize("login", ["marie", "marie@example.org", "MARIE@example.org"])
def test_login_by_username_or_email_address(client, marie, login):
    response = client.post("/connexion/", {"username": login, "password": PASSWORD})

    assert response.status_code == 302
    assert _signed_in_as(client) == "marie"


def test_login_takes_the_preferred_language(client, marie):
    client.cookies["django_language"] = "fr"

    response = client.post("/connexion/", {"username": "marie", "password": PASSWORD}, follow=True)

    assert response.context["LANGUAGE_CODE"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_login_follows_next(client, marie):
    response = client.post(
        "/connexion/", {"username": "marie", "password": PASSWORD, "next": "/compte/"}
    )

    assert response["Location"] == "/compte/"


def test_wrong_password_and_unknown_account_get_the_same_answer(client, marie):
    wrong = client.post("/connexion/", {"username": "marie@example.org", "password": "mauvais"})
    unknown = client.post(
        "/connexion/", {"username": "personne@example.org", "password": "mauvais"}
    )

    message = "Cette adresse courriel ou ce nom d’utilisateur ne correspond pas à ce mot de passe."
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        page = response.content.decode().replace("&#x27;", "'")
        assert message in page
        assert 'role="alert"' in page
    assert 'value="marie@example.org"' in wrong.content.decode()  # the input is kept
    assert _signed_in_as(client) is None


def test_repeated_failures_are_throttled(client, marie):
    for _attempt in range(5):
        client.post("/connexion/", {"username": "marie", "password": "mauvais"})

    # Even the right password waits now: the limit is on the account.
    response = client.post("/connexion/", {"username": "marie", "password": PASSWORD})

    assert "Trop de tentatives infructueuses" in response.content.decode()
    assert _signed_in_as(client) is None


def test_an_unverified_address_cannot_sign_in_and_gets_a_new_link(client):
    sign_up(client, email="nouveau@example.org")
    mail.outbox.clear()
    from django.core.cache import cache

    cache.clear()  # the cooldown between two links

    response = client.post("/connexion/", {"username": "nouveau@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/inscription/courriel-envoye/"
    assert _signed_in_as(client) is None
    assert [m.to for m in mail.outbox] == [["nouveau@example.org"]]


@pytest.mark.parametrize("login", ["invitee", "invitee@example.org"])
def test_an_account_created_by_an_administrator_signs_in_without_an_address_record(client, login):
    f.UserFactory(username="invitee", email="invitee@example.org", password=PASSWORD)

    client.post("/connexion/", {"username": login, "password": PASSWORD})

    assert _signed_in_as(client) == "invitee"


def test_junk_login_input_is_answered_with_a_page(client):
    for data in [{}, {"username": ""}, {"username": "<script>", "password": "x" * 5000}]:
        response = client.post("/connexion/", data)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main", 1)[1]
