"""Changing one's e-mail address: the new one replaces the old only once
verified."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from solidaire.accounts.tests.conftest import PASSWORD, link_in_last_mail
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie():
    user = f.UserFactory(username="marie", email="marie@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/compte/courriel/")

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_new_address_replaces_the_old_one_once_verified(client, marie):
    client.force_login(marie)

    response = client.post(
        "/compte/courriel/", {"email": "marie@neuf.example.org", "action_add": ""}
    )

    assert response.status_code == 302
    marie.refresh_from_db()
    assert marie.email == "marie@example.org"  # still in use until verified
    pending = EmailAddress.objects.get(email="marie@neuf.example.org")
    assert not pending.verified
    page = client.get("/compte/courriel/").content.decode()
    assert "marie@neuf.example.org" in page and "pas encore confirmée" in page

    client.post(link_in_last_mail("marie@neuf.example.org"))

    marie.refresh_from_db()
    assert marie.email == "marie@neuf.example.org"
    assert list(EmailAddress.objects.filter(user=marie).values_list("email", "verified")) == [
        ("marie@neuf.example.org", True)
    ]
    client.post("/deconnexion/")
    client.post("/connexion/", {"username": "marie@neuf.example.org", "password": PASSWORD})
    assert client.get("/").context["user"] == marie


def test_an_address_of_another_account_is_refused(client, marie):
    other = f.UserFactory(username="other", email="other@example.org")
    EmailAddress.objects.create(user=other, email=other.email, primary=True, verified=True)
    client.force_login(marie)

    response = client.post("/compte/courriel/", {"email": "other@example.org", "action_add": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in page
    assert 'value="other@example.org"' in page
    assert not EmailAddress.objects.filter(user=marie, email="other@example.org").exists()
    assert mail.outbox == []


def test_a_malformed_address_is_refused_beside_the_field(client, marie):
    client.force_login(marie)

    response = client.post("/compte/courriel/", {"email": "marie@", "action_add": ""})

    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert EmailAddress.objects.filter(user=marie).count() == 1
