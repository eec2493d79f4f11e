"""Organisations: registering one, its profile, inviting members by e-mail,
leaving, naming managers, choosing the organisation one acts for, and the
coordination's view of an organisation's history.

Each page is tried by a manager, a plain member, a stranger (a member of
another organisation) and a programme's coordinator; every kind of bad input
gets a French message beside its field, the rest of the input kept, and no
write."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Roles
from solidaire.applications.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
)
from solidaire.applications.organisation_forms import parse_neq, parse_postal_code
from solidaire.applications.organisation_rules import (
    leave_organisation,
    organisation_type_eligibility,
    view_organisation,
)
from solidaire.applications.organisation_selectors import ACTING_KEY
from solidaire.applications.organisations import (
    InvitationRefused,
    invitation_accept,
    invitation_create,
    token_hash,
)
from solidaire.audit.models import AuditEvent
from solidaire.programmes.models import Region, Territory
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
Role = OrganisationMember.Role


@pytest.fixture
def organisation(programme: Any) -> Organisation:
    return f.OrganisationFactory(legal_name="Cuisines du Vieux-Limoilou", neq="1145678901")


@pytest.fixture
def people(organisation: Organisation, programme: Any) -> dict[str, User]:
    return {
        "manager": f.OrganisationMemberFactory(organisation=organisation, role=Role.MANAGER).user,
        "member": f.OrganisationMemberFactory(organisation=organisation, role=Role.MEMBER).user,
        "stranger": f.OrganisationMemberFactory(role=Role.MANAGER).user,
        "coordinator": f.ProgrammeRoleFactory(programme=programme).user,
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"organisations:{name}", args=args)


def profile_post(**overrides: str) -> dict[str, str]:
    data = {
        "legal_name": "Maison de la famille de Charlesbourg",
        "neq": "1149 876 543",
        "org_type": "nonprofit",
        "territory": str(f.territory("2423").pk),
        "address": "1200, 1re Avenue",
        "city": "Québec",
        "postal_code": "g1h3a9",
        "email": "info@maisonfamille.example.org",
        "phone": "418 555-0101",
        "mission": "Soutenir les familles du quartier.",
    }
    data.update(overrides)
    return data


def invite(organisation: Organisation, actor: User, email: str, **kwargs: Any) -> str:
    """Send an invitation and return the token its e-mail carries."""
    tokens: list[str] = []

    def link_for(token: str) -> str:
        tokens.append(token)
        return f"https://solidaire.example.org/organismes/invitation/{token}/"

    invitation_create(
        organisation=organisation,
        actor=actor,
        email=email,
        role=kwargs.pop("role", Role.MEMBER),
        link_for=link_for,
        **kwargs,
    )
    return tokens[0]


# ----------------------------------------------------------------------------- rules


def test_only_the_type_the_programme_does_not_fund_is_refused_with_its_reason() -> None:
    for org_type in Organisation.Type.values:
        eligible, reason = organisation_type_eligibility(org_type)
        if org_type == Organisation.Type.OTHER:
            assert not eligible and "à but lucratif" in reason
        else:
            assert eligible and reason == ""
    assert organisation_type_eligibility("casino")[0] is False


def test_the_last_manager_may_not_leave_but_a_second_one_may() -> None:
    roles = Roles(user_id=1, organisation_ids=frozenset({7}))
    allowed, reason = leave_organisation(roles, member_role=Role.MANAGER, managers=1)
    assert not allowed and "dernier gestionnaire" in reason
    assert leave_organisation(roles, member_role=Role.MANAGER, managers=2) == (True, "")
    assert leave_organisation(roles, member_role=Role.MEMBER, managers=1) == (True, "")
    assert leave_organisation(roles, member_role=None, managers=1)[0] is False


def test_a_coordinator_sees_only_organisations_that_answered_their_programme() -> None:
    roles = Roles(user_id=1, programme_roles=frozenset({(3, "coordinator")}))
    assert view_organisation(roles, member_role=None, applied_programme_ids=frozenset({3}))[0]
    assert not view_organisation(roles, member_role=None, applied_programme_ids=frozenset({4}))[0]
    evaluator = Roles(user_id=2, programme_roles=frozenset({(3, "evaluator")}))
    assert not view_organisation(evaluator, member_role=None, applied_programme_ids=frozenset({3}))[
        0
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1145678901", "1145678901"),
        ("1145 678 901", "1145678901"),
        (" 1145-678-901 ", "1145678901"),
    ],
)
def test_neq_accepts_spaces_and_dashes_and_keeps_the_digits(typed: str, expected: str) -> None:
    assert parse_neq(typed) == expected


def test_postal_code_is_written_as_canada_post_writes_it() -> None:
    assert parse_postal_code("g1h3a9") == "G1H 3A9"
    assert parse_postal_code("G1H-3A9") == "G1H 3A9"
    assert parse_postal_code("") == ""


# ----------------------------------------------------------------------------- create


def test_a_person_registers_an_organisation_and_becomes_its_manager(programme: Any) -> None:
    person = f.UserFactory()
    client = signed_in(person)
    assert client.get(url("new")).status_code == 200

    response = client.post(url("new"), profile_post())

    organisation = Organisation.objects.get(legal_name="Maison de la famille de Charlesbourg")
    assert response.status_code == 302
    assert response["Location"] == url("detail", organisation.pk)
    assert organisation.neq == "1149876543"
    assert organisation.postal_code == "G1H 3A9"
    membership = OrganisationMember.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (person, Role.MANAGER)
    assert AuditEvent.objects.filter(
        event_type="organisation.created", object_id=str(organisation.pk), actor=person
    ).exists()
    assert client.session[ACTING_KEY] == organisation.pk


def _refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}_error"' in page and 'aria-invalid="true"' in page
    # The rest of the input is kept.
    assert "Maison de la famille de Charlesbourg" in page
    assert "Soutenir les familles du quartier." in page
    assert not Organisation.objects.filter(legal_name__startswith="Maison de la famille").exists()
    assert not AuditEvent.objects.filter(event_type="organisation.created").exists()


def test_a_neq_with_letters_is_refused_beside_the_field(programme: Any) -> None:
    response = signed_in(f.UserFactory()).post(url("new"), profile_post(neq="11456789AB"))
    _refused(response, "neq", "Un NEQ ne contient que des chiffres")


def test_a_neq_of_nine_digits_is_refused_and_says_how_many_were_typed(programme: Any) -> None:
    response = signed_in(f.UserFactory()).post(url("new"), profile_post(neq="114 567 890"))
    _refused(response, "neq", "Un NEQ a exactement 10 chiffres\u00a0; vous en avez saisi 9.")


def test_a_neq_already_registered_points_to_an_invitation(organisation: Organisation) -> None:
    response = signed_in(f.UserFactory()).post(url("new"), profile_post(neq="1145 678 901"))
    _refused(response, "neq", "Demandez à l’un de ses gestionnaires de vous inviter.")


def test_an_ineligible_type_is_refused_with_the_reason(programme: Any) -> None:
    response = signed_in(f.UserFactory()).post(url("new"), profile_post(org_type="other"))
    _refused(response, "org_type", "Les entreprises à but lucratif")


def test_a_territory_outside_the_programmes_regions_is_refused(programme: Any) -> None:
    region = Region.objects.create(code="98", name="Région sans programme")
    elsewhere = Territory.objects.create(
        region=region, code="98001", name="Ailleurs", kind=Territory.Kind.MRC
    )
    response = signed_in(f.UserFactory()).post(
        url("new"), profile_post(territory=str(elsewhere.pk))
    )
    _refused(response, "territory", "Sélectionnez un choix valide")


def test_a_malformed_postal_code_is_refused(programme: Any) -> None:
    response = signed_in(f.UserFactory()).post(url("new"), profile_post(postal_code="12345"))
    _refused(response, "postal_code", "G1K 3A9")


def test_html_in_the_mission_is_shown_as_text(programme: Any) -> None:
    client = signed_in(f.UserFactory())
    client.post(url("new"), profile_post(mission='<script>alert("x")</script><b>gras</b>'))
    organisation = Organisation.objects.get(neq="1149876543")
    page = client.get(url("detail", organisation.pk)).content.decode()
    assert "<script>alert" not in page and "<b>gras</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;" in page


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(url("new"))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


# ----------------------------------------------------------------------------- profile


def test_the_profile_shows_members_and_pending_invitations_to_a_manager(
    organisation: Organisation, people: dict[str, User]
) -> None:
    invite(organisation, people["manager"], "nouvelle@example.org")
    page = signed_in(people["manager"]).get(url("detail", organisation.pk)).content.decode()
    assert "1145678901" in page
    assert str(people["member"]) in page
    assert "Annuler l’invitation à nouvelle@example.org" in page
    assert url("edit", organisation.pk) in page and url("invite", organisation.pk) in page


def test_a_plain_member_sees_members_but_neither_invitations_nor_edit_links(
    organisation: Organisation, people: dict[str, User]
) -> None:
    invite(organisation, people["manager"], "nouvelle@example.org")
    page = signed_in(people["member"]).get(url("detail", organisation.pk)).content.decode()
    assert str(people["manager"]) in page
    assert "Annuler l’invitation à nouvelle@example.org" not in page
    assert url("edit", organisation.pk) not in page


def test_a_stranger_gets_404_on_every_page_of_the_organisation(
    organisation: Organisation, people: dict[str, User]
) -> None:
    client = signed_in(people["stranger"])
    membership = OrganisationMember.objects.get(user=people["member"])
    for name, args, method in [
        ("detail", [], "get"),
        ("edit", [], "get"),
        ("edit", [], "post"),
        ("invite", [], "get"),
        ("invite", [], "post"),
        ("leave", [], "post"),
        ("choose", [], "post"),
        ("role", [membership.pk], "post"),
    ]:
        response = getattr(client, method)(
            url(name, organisation.pk, *args), profile_post() | {"email": "x@example.org"}
        )
        assert response.status_code == 404, (name, method)
    assert not OrganisationInvitation.objects.exists()
    assert OrganisationMember.objects.get(pk=membership.pk).role == Role.MEMBER
    organisation.refresh_from_db()
    assert organisation.legal_name == "Cuisines du Vieux-Limoilou"


def test_the_coordinator_sees_the_profile_and_history_of_an_applicant(
    organisation: Organisation, people: dict[str, User], call: Any
) -> None:
    proposal = f.ProposalFactory(
        call=call,
        organisation=organisation,
        status="submitted",
        submitted_at=datetime(2020, 10, 1, tzinfo=UTC),
    )
    from solidaire.audit.services import audit_record

    audit_record(
        actor=people["coordinator"],
        event_type="proposal.status",
        target=proposal,
        old_value="submitted",
        new_value="eligible",
    )
    invite(organisation, people["manager"], "invitee@example.org")
    client = signed_in(people["coordinator"])
    # The proposal's page leads to its organisation.
    assert (
        url("detail", organisation.pk)
        in client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    )
    response = client.get(url("detail", organisation.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert proposal.reference in page
    assert "Déposée → Admissible" in page
    # The coordination reads; it never acts for the organisation, and does
    # not see whom it invited.
    assert str(people["member"]) not in page
    assert "invitee@example.org" not in page
    assert client.get(url("edit", organisation.pk)).status_code == 404
    assert client.post(url("invite", organisation.pk), {"email": "a@b.org"}).status_code == 404


def test_a_coordinator_of_another_programme_gets_404(
    organisation: Organisation, people: dict[str, User], call: Any
) -> None:
    f.ProposalFactory(call=call, organisation=organisation)
    other = f.ProgrammeRoleFactory().user
    assert signed_in(other).get(url("detail", organisation.pk)).status_code == 404
    assert signed_in(people["coordinator"]).get(url("detail", organisation.pk)).status_code == 200


def test_a_manager_edits_the_profile_and_the_change_is_audited(
    organisation: Organisation, people: dict[str, User]
) -> None:
    client = signed_in(people["manager"])
    form = client.get(url("edit", organisation.pk)).content.decode()
    assert 'value="1145678901"' in form
    response = client.post(
        url("edit", organisation.pk),
        profile_post(legal_name="Cuisines du Vieux-Limoilou inc.", neq="1145678901"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.legal_name == "Cuisines du Vieux-Limoilou inc."
    event = AuditEvent.objects.get(event_type="organisation.updated")
    assert "legal_name" in event.data["fields"]


def test_a_plain_member_cannot_edit_the_profile(
    organisation: Organisation, people: dict[str, User]
) -> None:
    client = signed_in(people["member"])
    response = client.post(url("edit", organisation.pk), profile_post(neq="1145678901"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.legal_name == "Cuisines du Vieux-Limoilou"
    followed = client.get(response["Location"]).content.decode()
    assert "Seuls les gestionnaires" in followed


def test_a_bad_edit_changes_nothing(organisation: Organisation, people: dict[str, User]) -> None:
    response = signed_in(people["manager"]).post(
        url("edit", organisation.pk),
        profile_post(legal_name="Nouveau nom", neq="11456789"),
    )
    assert response.status_code == 200
    assert "vous en avez saisi 8" in response.content.decode()
    organisation.refresh_from_db()
    assert (organisation.legal_name, organisation.neq) == (
        "Cuisines du Vieux-Limoilou",
        "1145678901",
    )


# ----------------------------------------------------------------------------- invitations


def test_an_invitation_is_e_mailed_with_a_link_whose_token_is_not_stored(
    organisation: Organisation, people: dict[str, User]
) -> None:
    response = signed_in(people["manager"]).post(
        url("invite", organisation.pk), {"email": "Benevole@Example.org ", "role": "member"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["benevole@example.org"]
    assert "Cuisines du Vieux-Limoilou" in message.subject
    match = re.search(r"http://testserver/organismes/invitation/([\w-]+)/", message.body)
    assert match is not None
    token = match.group(1)
    invitation = OrganisationInvitation.objects.get()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert AuditEvent.objects.filter(event_type="organisation.invited").exists()


def test_a_signed_in_person_accepts_an_invitation_once(
    organisation: Organisation, people: dict[str, User]
) -> None:
    token = invite(organisation, people["manager"], "nouvelle@example.org", role=Role.MANAGER)
    newcomer = f.UserFactory(email="nouvelle@example.org")
    client = signed_in(newcomer)
    page = client.get(url("invitation", token))
    assert page.status_code == 200 and "Cuisines du Vieux-Limoilou" in page.content.decode()

    response = client.post(url("invitation", token))

    assert response.status_code == 302
    assert response["Location"] == url("detail", organisation.pk)
    membership = OrganisationMember.objects.get(organisation=organisation, user=newcomer)
    assert membership.role == Role.MANAGER
    assert OrganisationInvitation.objects.get().accepted_by == newcomer

    # The same link, used again (by anyone), is refused.
    someone_else = signed_in(f.UserFactory())
    again = someone_else.post(url("invitation", token))
    assert again.status_code == 410
    assert "déjà été utilisé" in again.content.decode()
    assert OrganisationMember.objects.filter(organisation=organisation).count() == 3


def test_an_expired_invitation_link_is_refused(
    organisation: Organisation, people: dict[str, User]
) -> None:
    sent = timezone.now() - timedelta(days=8)
    token = invite(organisation, people["manager"], "tard@example.org", now=sent)
    client = signed_in(f.UserFactory())
    for response in (client.get(url("invitation", token)), client.post(url("invitation", token))):
        assert response.status_code == 410
        assert "Cette invitation a expiré le" in response.content.decode()
    assert OrganisationMember.objects.filter(organisation=organisation).count() == 2
    with pytest.raises(InvitationRefused):
        invitation_accept(token=token, user=f.UserFactory())


def test_a_member_following_an_invitation_is_told_and_the_link_stays_unused(
    organisation: Organisation, people: dict[str, User]
) -> None:
    token = invite(organisation, people["manager"], "autre@example.org")
    client = signed_in(people["member"])
    for response in (client.get(url("invitation", token)), client.post(url("invitation", token))):
        assert response.status_code == 200
        assert "Vous êtes déjà membre de Cuisines du Vieux-Limoilou." in response.content.decode()
    assert OrganisationInvitation.objects.get().accepted_at is None


def test_an_unknown_invitation_link_is_404() -> None:
    assert Client().get(url("invitation", "pas-un-jeton")).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(
    organisation: Organisation, people: dict[str, User]
) -> None:
    token = invite(organisation, people["manager"], "nouvelle@example.org")
    client = Client()
    page = client.get(url("invitation", token))
    assert page.status_code == 200
    back = f"next=%2Forganismes%2Finvitation%2F{token}%2F"
    assert f"/connexion/?{back}" in page.content.decode()
    post = client.post(url("invitation", token))
    assert post.status_code == 302 and post["Location"].startswith("/connexion/?next=")
    assert (
        not OrganisationMember.objects.filter(organisation=organisation)
        .exclude(user__in=[people["manager"], people["member"]])
        .exists()
    )
    # Signing in through that link brings the person back to the invitation.
    newcomer = f.UserFactory(username="nouvelle")
    signed = client.post(
        f"/connexion/?{back}",
        {"username": "nouvelle", "password": "motdepasse-demo"},
    )
    assert SESSION_KEY in client.session
    assert signed["Location"] == url("invitation", token)
    assert newcomer.pk


def test_inviting_an_address_already_a_member_is_refused(
    organisation: Organisation, people: dict[str, User]
) -> None:
    email = people["member"].email.upper()
    response = signed_in(people["manager"]).post(
        url("invite", organisation.pk), {"email": email, "role": "manager"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "est déjà membre de cet organisme" in page
    assert f'value="{email}"' in page
    assert re.search(r'<input[^>]*value="manager"[^>]*checked', page)
    assert not OrganisationInvitation.objects.exists()
    assert mail.outbox == []


def test_a_bad_e_mail_address_is_refused_beside_the_field(
    organisation: Organisation, people: dict[str, User]
) -> None:
    response = signed_in(people["manager"]).post(
        url("invite", organisation.pk), {"email": "pas une adresse", "role": "member"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not OrganisationInvitation.objects.exists()


def test_an_invitation_that_cannot_be_sent_is_not_recorded(
    organisation: Organisation, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("solidaire.applications.organisations.send_mail", refuse)
    response = signed_in(people["manager"]).post(
        url("invite", organisation.pk), {"email": "nouvelle@example.org", "role": "member"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "L’invitation n’a pas pu être envoyée" in page
    assert 'value="nouvelle@example.org"' in page
    assert not OrganisationInvitation.objects.exists()
    assert not AuditEvent.objects.filter(event_type="organisation.invited").exists()


def test_a_new_invitation_replaces_the_previous_one(
    organisation: Organisation, people: dict[str, User]
) -> None:
    first = invite(organisation, people["manager"], "nouvelle@example.org")
    second = invite(organisation, people["manager"], "nouvelle@example.org")
    client = signed_in(f.UserFactory())
    assert client.post(url("invitation", first)).status_code == 410
    assert client.post(url("invitation", second)).status_code == 302


def test_a_manager_cancels_an_invitation(
    organisation: Organisation, people: dict[str, User]
) -> None:
    token = invite(organisation, people["manager"], "nouvelle@example.org")
    invitation = OrganisationInvitation.objects.get()
    member = signed_in(people["member"])
    member.post(url("invitation_cancel", organisation.pk, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked_at is None  # a plain member cannot
    signed_in(people["manager"]).post(url("invitation_cancel", organisation.pk, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert signed_in(f.UserFactory()).post(url("invitation", token)).status_code == 410


# ----------------------------------------------------------------------------- leaving, roles


def test_a_member_leaves_the_organisation(
    organisation: Organisation, people: dict[str, User]
) -> None:
    client = signed_in(people["member"])
    assert client.get(url("leave", organisation.pk)).status_code == 200
    response = client.post(url("leave", organisation.pk))
    assert response.status_code == 302
    assert not OrganisationMember.objects.filter(user=people["member"]).exists()
    assert AuditEvent.objects.filter(event_type="organisation.left").exists()
    assert client.get(url("detail", organisation.pk)).status_code == 404


def test_the_last_manager_cannot_leave(organisation: Organisation, people: dict[str, User]) -> None:
    client = signed_in(people["manager"])
    response = client.post(url("leave", organisation.pk))
    assert response.status_code == 302
    assert OrganisationMember.objects.filter(user=people["manager"], role=Role.MANAGER).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Vous êtes le dernier gestionnaire" in page
    assert not AuditEvent.objects.filter(event_type="organisation.left").exists()


def test_the_last_manager_cannot_be_demoted_but_can_name_another(
    organisation: Organisation, people: dict[str, User]
) -> None:
    client = signed_in(people["manager"])
    mine = OrganisationMember.objects.get(user=people["manager"])
    theirs = OrganisationMember.objects.get(user=people["member"])

    client.post(url("role", organisation.pk, mine.pk), {"role": "member"})
    mine.refresh_from_db()
    assert mine.role == Role.MANAGER

    client.post(url("role", organisation.pk, theirs.pk), {"role": "manager"})
    theirs.refresh_from_db()
    assert theirs.role == Role.MANAGER
    # Now there are two managers: the first may step down, then leave.
    client.post(url("role", organisation.pk, mine.pk), {"role": "member"})
    mine.refresh_from_db()
    assert mine.role == Role.MEMBER
    assert client.post(url("leave", organisation.pk)).status_code == 302
    assert not OrganisationMember.objects.filter(pk=mine.pk).exists()


def test_a_plain_member_cannot_change_roles(
    organisation: Organisation, people: dict[str, User]
) -> None:
    mine = OrganisationMember.objects.get(user=people["member"])
    signed_in(people["member"]).post(url("role", organisation.pk, mine.pk), {"role": "manager"})
    mine.refresh_from_db()
    assert mine.role == Role.MEMBER


# ----------------------------------------------------------------------------- acting organisation


def test_a_person_in_several_organisations_picks_which_one_acts(call: Any) -> None:
    person = f.UserFactory()
    first = f.OrganisationMemberFactory(user=person, role=Role.MANAGER).organisation
    second = f.OrganisationMemberFactory(user=person, role=Role.MEMBER).organisation
    mine = f.ProposalFactory(call=call, organisation=first, title="Jardin partagé")
    theirs = f.ProposalFactory(call=call, organisation=second, title="Friperie solidaire")
    client = signed_in(person)

    listing = client.get(url("list")).content.decode()
    assert url("choose", first.pk) in listing and url("choose", second.pk) in listing
    both = client.get(reverse("proposal_list")).content.decode()
    assert mine.reference in both and theirs.reference in both
    assert "cette page les montre tous" in both

    response = client.post(url("choose", second.pk))
    assert response.status_code == 302 and response["Location"] == reverse("proposal_list")
    assert client.session[ACTING_KEY] == second.pk
    page = client.get(reverse("proposal_list")).content.decode()
    assert theirs.reference in page and mine.reference not in page
    start = client.get(reverse("applications:start")).content.decode()
    assert f"Vous agissez pour {second.legal_name}." in start
    assert f'name="organisation" value="{second.pk}"' in start
    assert f'name="organisation" value="{first.pk}"' not in start


def test_choosing_refuses_an_outside_address_to_go_back_to(organisation: Organisation) -> None:
    person = f.OrganisationMemberFactory(organisation=organisation).user
    response = signed_in(person).post(
        url("choose", organisation.pk), {"next": "https://ailleurs.example.com/"}
    )
    assert response["Location"] == reverse("proposal_list")


def test_a_newcomer_without_organisation_is_offered_to_register_one() -> None:
    client = signed_in(f.UserFactory())
    page = client.get(url("list")).content.decode()
    assert url("new") in page
    home = client.get("/").content.decode()
    assert url("list") in home


def test_the_list_of_organisations_takes_constant_queries(
    django_assert_max_num_queries: Any,
) -> None:
    person = f.UserFactory()
    for _ in range(5):
        f.OrganisationMemberFactory(user=person)
    client = signed_in(person)
    client.get(url("list"))
    with django_assert_max_num_queries(8):
        response = client.get(url("list"))
    assert response.content.decode().count("/choisir/") == 5


def test_the_profile_takes_as_many_queries_with_ten_members_as_with_two(
    organisation: Organisation, people: dict[str, User], call: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(people["manager"])
    f.ProposalFactory(call=call, organisation=organisation)
    client.get(url("detail", organisation.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(url("detail", organisation.pk))
    for n in range(8):
        f.OrganisationMemberFactory(organisation=organisation)
        invite(organisation, people["manager"], f"personne{n}@example.org")
        f.ProposalFactory(call=call, organisation=organisation)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("detail", organisation.pk))
    assert response.content.decode().count("/membres/") == 10
    assert len(many) == len(few)
