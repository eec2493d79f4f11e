"""Password reset: the same answer for a known and an unknown address, a link
that works once."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from solidaire.accounts.tests.conftest import PASSWORD, link_in_last_mail
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
NEW = "jardin-communautaire-17"


@pytest.fixture
def marie():
    user = f.UserFactory(username="marie", email="marie@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_unknown_address_gets_the_same_answer_as_a_known_one(client, marie):
    known = client.post("/mot-de-passe/oublie/", {"email": "marie@example.org"}, follow=True)
    unknown = client.post("/mot-de-passe/oublie/", {"email": "personne@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/mot-de-passe/oublie/envoye/", 302)]
    main = [r.content.decode().split("<main", 1)[1] for r in (known, unknown)]
    assert main[0] == main[1]
    assert "Si un compte utilise cette adresse" in main[0]
    # Only the owner of the account gets a link; the unknown address learns
    # that it has no account, which only its owner reads.
    assert [m.to for m in mail.outbox] == [["marie@example.org"], ["personne@example.org"]]
    assert "/mot-de-passe/nouveau/" in mail.outbox[0].body
    assert "/mot-de-passe/nouveau/" not in mail.outbox[1].body
    assert "/inscription/" in mail.outbox[1].body


def test_reset_link_sets_a_new_password_once(client, marie):
    client.post("/mot-de-passe/oublie/", {"email": "marie@example.org"})
    link = link_in_last_mail("marie@example.org")
    form_url = client.get(link)["Location"]

    response = client.post(form_url, {"password1": NEW, "password2": NEW})

    assert response["Location"] == "/mot-de-passe/nouveau/termine/"
    marie.refresh_from_db()
    assert marie.check_password(NEW)
    again = client.get(link)
    assert again.status_code == 200
    assert "a expiré ou a déjà servi" in again.content.decode()


def test_reset_refuses_a_weak_or_mismatched_password_and_keeps_the_old_one(client, marie):
    client.post("/mot-de-passe/oublie/", {"email": "marie@example.org"})
    form_url = client.get(link_in_last_mail("marie@example.org"))["Location"]

    weak = client.post(form_url, {"password1": "12345678", "password2": "12345678"})
    mismatched = client.post(form_url, {"password1": NEW, "password2": NEW + "x"})

    assert weak.status_code == mismatched.status_code == 200
    assert 'id="id_password1_error"' in weak.content.decode()
    assert 'id="id_password2_error"' in mismatched.content.decode()
    marie.refresh_from_db()
    assert marie.check_password(PASSWORD)


def test_a_forged_reset_link_is_explained(client, marie):
    response = client.get("/mot-de-passe/nouveau/1-faux-jeton/")

    assert response.status_code == 200
    assert "a expiré ou a déjà servi" in response.content.decode()


def test_reset_form_refuses_a_malformed_address_beside_the_field(client):
    response = client.post("/mot-de-passe/oublie/", {"email": "pas une adresse"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in page
    assert 'value="pas une adresse"' in page
    assert mail.outbox == []


def test_an_administrator_created_account_signs_in_after_a_reset_without_confirming_again(client):
    invitee = f.UserFactory(username="invitee", email="invitee@example.org", password=PASSWORD)
    client.post("/mot-de-passe/oublie/", {"email": "invitee@example.org"})
    form_url = client.get(link_in_last_mail("invitee@example.org"))["Location"]

    client.post(form_url, {"password1": NEW, "password2": NEW})

    assert EmailAddress.objects.get(user=invitee).verified
    client.post("/connexion/", {"username": "invitee@example.org", "password": NEW})
    assert client.get("/").context["user"] == invitee


def test_with_several_addresses_a_reset_confirms_none(client, marie):
    EmailAddress.objects.create(user=marie, email="marie@autre.example.org", verified=False)
    client.post("/mot-de-passe/oublie/", {"email": "marie@example.org"})
    form_url = client.get(link_in_last_mail("marie@example.org"))["Location"]

    client.post(form_url, {"password1": NEW, "password2": NEW})

    assert not EmailAddress.objects.get(email="marie@autre.example.org").verified
