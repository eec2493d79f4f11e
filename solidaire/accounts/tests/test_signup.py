"""Sign-up at /inscription/: the whole path of a newcomer, and every bad input
answered beside its field with the rest of the input kept."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from solidaire.accounts.models import User
from solidaire.accounts.tests.conftest import PASSWORD, link_in_last_mail, sign_up
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
EMAIL = "marie@cuisine-portneuf.example.org"


def _signed_in(client) -> bool:
    return client.get("/").context["user"].is_authenticated


def test_sign_up_form_labels_every_field_in_french(client):
    page = client.get("/inscription/").content.decode()

    assert '<html lang="fr">' in page
    for field, label in [
        ("first_name", "Prénom"),
        ("last_name", "Nom"),
        ("email", "Adresse courriel"),
        ("username", "Nom d’utilisateur (facultatif)"),
        ("password1", "Mot de passe"),
        ("password2", "Mot de passe (confirmation)"),
    ]:
        assert f'<label for="id_{field}">{label}</label>' in page
    assert "placeholder=" not in page


def test_newcomer_signs_up_verifies_signs_in_by_email_changes_language_and_resets_password(
    client,
):
    # Sign up: no account is usable yet, a link is on its way.
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/inscription/courriel-envoye/"
    assert "Consultez vos courriels" in client.get(response["Location"]).content.decode()
    user = User.objects.get(email=EMAIL)
    assert (user.first_name, user.last_name, user.preferred_language) == ("Marie", "Tremblay", "fr")
    assert not EmailAddress.objects.get(user=user).verified
    assert not _signed_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    assert mail.outbox[0].subject == "[Solidaire] Confirmez votre adresse courriel"

    # Before following the link, signing in is not possible.
    client.post("/connexion/", {"username": EMAIL, "password": PASSWORD})
    assert not _signed_in(client)

    # Follow the link from the e-mail, confirm.
    link = link_in_last_mail(EMAIL)
    page = client.get(link).content.decode()
    assert "Confirmer mon adresse" in page
    client.post(link)
    assert EmailAddress.objects.get(user=user, email=EMAIL).verified

    # Sign in by e-mail address.
    client.logout()
    response = client.post("/connexion/", {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client)
    assert client.cookies["django_language"].value == "fr"

    # Change the language on the account page: pages follow at once.
    response = client.post(
        "/compte/",
        {"preferred_language": "en", "notify_messages": "on", "notify_decisions": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.preferred_language, user.notify_deadlines) == ("en", False)
    assert '<html lang="en">' in client.get("/compte/").content.decode()

    # Reset the password (signed out, from a browser left in French).
    client.post("/deconnexion/")
    client.cookies["django_language"] = "fr"
    response = client.post("/mot-de-passe/oublie/", {"email": EMAIL})
    assert response.status_code == 302
    # The e-mail is in the person's language, not the page's.
    assert mail.outbox[-1].subject == "[Solidaire] Choose a new password"
    response = client.get(link_in_last_mail(EMAIL))
    assert response.status_code == 302  # to the same page without the key in its address
    form_url = response["Location"]
    new_password = "jardin-communautaire-17"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert not _signed_in(client)

    # The old password no longer works; the new one does, and brings English back.
    client.post("/connexion/", {"username": EMAIL, "password": PASSWORD})
    assert not _signed_in(client)
    response = client.post("/connexion/", {"username": EMAIL, "password": new_password})
    assert _signed_in(client)
    assert response.cookies["django_language"].value == "en"


def test_sign_up_in_english_keeps_english_as_the_preferred_language(client):
    client.cookies["django_language"] = "en"

    sign_up(client)

    assert User.objects.get(email=EMAIL).preferred_language == "en"
    assert mail.outbox[0].subject == "[Solidaire] Confirm your e-mail address"


def test_sign_up_with_an_address_already_used_is_refused_beside_the_field(client):
    f.UserFactory(username="existing", email=EMAIL)

    response = sign_up(client, email=EMAIL.upper(), first_name="Josée")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Un compte utilise déjà cette adresse courriel." in page
    assert 'id="id_email_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Josée"' in page  # the rest of the input is kept
    assert 'role="alert"' in page
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court1", "Ce mot de passe est trop court."),
        ("12345678901", "Ce mot de passe est entièrement numérique."),
        ("password123", "Ce mot de passe est trop courant."),
        ("portneuf2026", "Le mot de passe est trop semblable"),
    ],
    ids=["short", "numeric", "common", "like-the-address"],
)
def test_a_weak_password_is_refused_with_the_reason(client, password, message):
    response = sign_up(client, password1=password, password2=password)

    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert message in page
    assert 'id="id_password1_error"' in page
    assert f'value="{EMAIL}"' in page
    assert not User.objects.exists()
    assert mail.outbox == []


def test_mismatched_passwords_are_refused_beside_the_second_one(client):
    response = sign_up(client, password2="cuisine-collective-43")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_password2_error"' in page
    assert "même mot de passe" in page
    assert 'value="Marie"' in page
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "pas-une-adresse"},
        {"email": ""},
        {"first_name": ""},
        {"username": "<script>x</script>"},
        {"first_name": "<script>alert(1)</script>", "password2": "autre"},
    ],
    ids=["bad-address", "no-address", "no-first-name", "bad-username", "markup"],
)
def test_other_bad_sign_up_input_creates_nothing(client, changes):
    response = sign_up(client, **changes)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert "<script>alert(1)</script>" not in page
    assert not User.objects.exists()


def test_an_expired_verification_link_is_explained(client):
    sign_up(client)
    link = link_in_last_mail(EMAIL)

    four_days_later = time.time() + 4 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=four_days_later):
        response = client.get(link)
        client.post(link)

    assert response.status_code == 200
    assert "Ce lien a expiré ou a déjà servi." in response.content.decode()
    assert not EmailAddress.objects.get(email=EMAIL).verified


def test_a_verification_link_works_once(client):
    sign_up(client)
    link = link_in_last_mail(EMAIL)
    client.post(link)
    assert EmailAddress.objects.get(email=EMAIL).verified
    client.post("/deconnexion/")

    response = client.get(link)

    assert response.status_code == 200
    assert "Ce lien a expiré ou a déjà servi." in response.content.decode()


def test_a_forged_verification_link_is_explained(client):
    response = client.get("/courriel/verifier/MQ:faux:lien/")

    assert response.status_code == 200
    assert "Ce lien a expiré ou a déjà servi." in response.content.decode()


def test_sign_up_is_rate_limited(client):
    answers = [
        sign_up(client, email=f"personne{n}@example.org", username=f"personne{n}").status_code
        for n in range(25)
    ]

    assert 429 in answers
    refused = sign_up(client, email="encore@example.org")
    assert "Trop de demandes en peu de temps" in refused.content.decode()
    assert User.objects.count() <= 20
