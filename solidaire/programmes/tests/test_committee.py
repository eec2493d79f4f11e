"""The committee of a programme: invitations by e-mail, accepting them,
and roles changed or removed (each an audit event)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.programmes.models import Programme, ProgrammeInvitation, ProgrammeRole
from solidaire.programmes.services import _token_hash
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
R = ProgrammeRole.Role


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(programme: Programme) -> Any:
    return f.ProgrammeRoleFactory(programme=programme, role=R.COORDINATOR).user


def invite(client: Client, programme: Programme, **data: str) -> Any:
    payload = {
        "invitation-email": "Evaluatrice@Example.org",
        "invitation-role": R.EVALUATOR,
        "invitation-sector": "community",
        "invitation-affiliation": "Centre d'action bénévole",
    }
    payload.update({f"invitation-{k}": v for k, v in data.items()})
    return client.post(reverse("programmes:invite", args=[programme.slug]), payload)


def link_in(message: Any) -> str:
    match = re.search(r"http://testserver(/programmes/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invitation_is_sent_with_a_single_use_link_and_only_its_hash_is_kept(
    programme, coordinator, mailoutbox
):
    response = invite(signed_in(coordinator), programme)
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == ["evaluatrice@example.org"]
    assert programme.name in message.subject
    path = link_in(message)
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = ProgrammeInvitation.objects.get()
    assert invitation.token_hash == _token_hash(token) and token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert (invitation.role, invitation.sector, invitation.invited_by) == (
        R.EVALUATOR,
        "community",
        coordinator,
    )
    page = signed_in(coordinator).get(reverse("programmes:edit", args=[programme.slug]))
    assert "evaluatrice@example.org" in page.content.decode()


def test_inviting_the_same_address_twice_for_the_same_role_is_refused(
    programme, coordinator, mailoutbox
):
    client = signed_in(coordinator)
    invite(client, programme)
    response = invite(client, programme, email="evaluatrice@example.org ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "evaluatrice@example.org a déjà été invité·e comme « Évaluat" in page
    assert 'value="evaluatrice@example.org' in page  # what was typed is kept
    assert ProgrammeInvitation.objects.count() == 1 and len(mailoutbox) == 1
    # Another role for the same address is a different invitation.
    assert invite(client, programme, role=R.COMMITTEE).status_code == 302


def test_inviting_someone_who_already_holds_the_role_is_refused(programme, coordinator):
    holder = f.ProgrammeRoleFactory(
        programme=programme, role=R.EVALUATOR, user__email="deja@example.org"
    )
    response = invite(signed_in(coordinator), programme, email="DEJA@example.org")
    assert response.status_code == 400
    assert "occupe déjà le rôle" in response.content.decode()
    assert holder.user.email == "deja@example.org"


def test_a_bad_address_or_missing_role_is_explained_beside_the_field(programme, coordinator):
    response = invite(signed_in(coordinator), programme, email="pas-une-adresse", role="")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez une adresse courriel valide" in page
    assert "Choisissez un rôle." in page
    assert ProgrammeInvitation.objects.count() == 0


def test_a_signed_in_person_accepts_and_gets_the_role_once(programme, coordinator, mailoutbox):
    invite(signed_in(coordinator), programme)
    path = link_in(mailoutbox[0])
    person = f.UserFactory(username="nouvelle")
    client = signed_in(person)
    assert "Accepter le rôle" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    role = ProgrammeRole.objects.get(programme=programme, user=person)
    assert (role.role, role.sector, role.affiliation) == (
        R.EVALUATOR,
        "community",
        "Centre d'action bénévole",
    )
    assert AuditEvent.objects.filter(event_type="programme_role.granted").count() == 1
    # The link is used up: a second use, by anyone, is refused.
    again = signed_in(f.UserFactory(username="autre")).post(path)
    assert again.status_code == 410
    assert "a déjà servi" in again.content.decode()
    assert ProgrammeRole.objects.filter(programme=programme, role=R.EVALUATOR).count() == 1


def test_an_anonymous_person_is_sent_to_sign_in_and_back(programme, coordinator, mailoutbox):
    invite(signed_in(coordinator), programme)
    path = link_in(mailoutbox[0])
    page = Client().get(path).content.decode()
    assert f"{reverse('accounts:login')}?next={path.replace('/', '%2F')}" in page
    response = Client().post(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert ProgrammeRole.objects.filter(role=R.EVALUATOR).count() == 0


def test_an_expired_invitation_is_refused_and_can_be_sent_again(programme, coordinator, mailoutbox):
    client = signed_in(coordinator)
    invite(client, programme)
    path = link_in(mailoutbox[0])
    ProgrammeInvitation.objects.update(
        created_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(days=1)
    )
    response = signed_in(f.UserFactory()).post(path)
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    assert ProgrammeRole.objects.filter(role=R.EVALUATOR).count() == 0
    # A new invitation replaces the expired one.
    assert invite(client, programme).status_code == 302
    assert ProgrammeInvitation.objects.count() == 1 and len(mailoutbox) == 2


def test_an_unknown_token_answers_404():
    response = Client().get(reverse("programmes:invitation", args=["pas-un-jeton"]))
    assert response.status_code == 404
    assert "pas valide" in response.content.decode()


def test_changing_a_role_is_audited(programme, coordinator):
    member = f.ProgrammeRoleFactory(programme=programme, role=R.COMMITTEE, sector="municipal")
    url = reverse("programmes:role", args=[programme.slug, member.pk])
    response = signed_in(coordinator).post(
        url,
        {
            f"role-{member.pk}-role": R.EVALUATOR,
            f"role-{member.pk}-sector": "government",
            f"role-{member.pk}-affiliation": "MTESS",
            "save": "1",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.sector, member.affiliation) == (R.EVALUATOR, "government", "MTESS")
    event = AuditEvent.objects.get(event_type="programme_role.changed")
    assert event.actor == coordinator
    assert event.old_value.startswith("committee municipal")
    assert event.new_value == "evaluator government MTESS"


def test_removing_a_role_is_audited(programme, coordinator):
    member = f.ProgrammeRoleFactory(programme=programme, role=R.COMMITTEE)
    url = reverse("programmes:role", args=[programme.slug, member.pk])
    assert signed_in(coordinator).post(url, {"remove": "1"}).status_code == 302
    assert not ProgrammeRole.objects.filter(pk=member.pk).exists()
    event = AuditEvent.objects.get(event_type="programme_role.removed")
    assert (event.actor, event.old_value, event.object_id) == (
        coordinator,
        "committee",
        str(member.pk),
    )


def test_the_last_coordinator_cannot_be_removed_or_changed(programme, coordinator):
    role = ProgrammeRole.objects.get(user=coordinator, programme=programme)
    url = reverse("programmes:role", args=[programme.slug, role.pk])
    client = signed_in(coordinator)
    response = client.post(url, {"remove": "1"})
    assert response.status_code == 400
    assert "seule personne à coordonner" in response.content.decode()
    response = client.post(
        url, {f"role-{role.pk}-role": R.COMMITTEE, f"role-{role.pk}-sector": "", "save": "1"}
    )
    assert response.status_code == 400
    role.refresh_from_db()
    assert role.role == R.COORDINATOR
    assert not AuditEvent.objects.filter(event_type__startswith="programme_role.").exists()
    # With a second coordinator, the first may step down.
    f.ProgrammeRoleFactory(programme=programme, role=R.COORDINATOR)
    assert client.post(url, {"remove": "1"}).status_code == 302


def test_changing_to_a_role_the_person_already_holds_is_refused(programme, coordinator):
    user = f.UserFactory()
    f.ProgrammeRoleFactory(programme=programme, role=R.EVALUATOR, user=user)
    member = f.ProgrammeRoleFactory(programme=programme, role=R.COMMITTEE, user=user)
    url = reverse("programmes:role", args=[programme.slug, member.pk])
    response = signed_in(coordinator).post(
        url, {f"role-{member.pk}-role": R.EVALUATOR, f"role-{member.pk}-affiliation": "X"}
    )
    assert response.status_code == 400
    assert "occupe déjà le rôle" in response.content.decode()


def test_a_role_of_another_programme_cannot_be_reached_through_this_one(programme, coordinator):
    elsewhere = f.ProgrammeRoleFactory(role=R.COMMITTEE)
    url = reverse("programmes:role", args=[programme.slug, elsewhere.pk])
    assert signed_in(coordinator).post(url, {"remove": "1"}).status_code == 404
    assert ProgrammeRole.objects.filter(pk=elsewhere.pk).exists()


def test_the_invitation_is_written_in_french_then_in_english(programme, coordinator, mailoutbox):
    invite(signed_in(coordinator), programme)
    body = mailoutbox[0].body
    assert body.index("Bonjour") < body.index("Hello")
    assert "« Évaluat" in body and "“Evaluator”" in body
    assert body.count(link_in(mailoutbox[0])) == 2
