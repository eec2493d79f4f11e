"""Questions and answers on a proposal: the coordination asks, the
organisation's members answer, each side is notified by e-mail in its
language and sees its unread messages; nobody else reads the thread."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.exchanges.models import Message, MessageReceipt
from solidaire.exchanges.services import message_post
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(call: Any) -> Proposal:
    return f.ProposalFactory(
        call=call, status=Proposal.Status.SUBMITTED, title="Cuisines collectives"
    )


@pytest.fixture
def people(proposal: Proposal) -> dict[str, Any]:
    programme = proposal.call.programme
    return {
        "coordinator": f.ProgrammeRoleFactory(programme=programme).user,
        "member": f.OrganisationMemberFactory(organisation=proposal.organisation).user,
        "member_en": f.OrganisationMemberFactory(
            organisation=proposal.organisation,
            user=f.UserFactory(preferred_language="en"),
        ).user,
        "stranger": f.OrganisationMemberFactory().user,
        "other_coordinator": f.ProgrammeRoleFactory().user,
        "evaluator": f.ProgrammeRoleFactory(programme=programme, role="evaluator").user,
        "trustee": f.ProgrammeRoleFactory(programme=programme, role="trustee_finance").user,
    }


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def detail_url(proposal: Proposal) -> str:
    return reverse("proposal_detail", args=[proposal.pk])


def ask(proposal: Proposal, author: Any, body: str = "Pouvez-vous préciser le budget ?") -> Message:
    return message_post(proposal=proposal, author=author, body=body, link="http://x/demandes/1/")


# ----------------------------------------------------------------------------- the exchange


def test_the_coordinator_asks_and_the_members_answer_on_the_proposals_page(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    coordination = client_for(people["coordinator"])
    response = coordination.post(
        detail_url(proposal), {"body": "Quel est le nombre de participantes ?"}
    )
    assert response.status_code == 302
    question = Message.objects.get()
    assert question.side == Message.Side.COORDINATION
    assert response["Location"].endswith(f"#message-{question.pk}")

    member = client_for(people["member"])
    page = member.get(detail_url(proposal)).content.decode()
    assert "Questions and answers" in page
    assert "Quel est le nombre de participantes ?" in page
    member.post(detail_url(proposal), {"body": "Une quarantaine, dont douze au comité."})
    answer = Message.objects.latest("pk")
    assert answer.side == Message.Side.ORGANISATION
    assert answer.author == people["member"]

    thread = coordination.get(detail_url(proposal)).content.decode()
    assert thread.index("Quel est le nombre") < thread.index("Une quarantaine")


def test_each_side_is_emailed_in_its_language(
    proposal: Proposal, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask(proposal, people["coordinator"])
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {people["member"].email, people["member_en"].email}
    assert to[people["member"].email].subject.startswith("Question de la coordination")
    assert to[people["member_en"].email].subject.startswith("Question from the coordination")
    assert "Pouvez-vous préciser le budget ?" in to[people["member"].email].body
    assert "http://x/demandes/1/" in to[people["member"].email].body
    assert MessageReceipt.objects.filter(emailed_at__isnull=False).count() == 2

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ask(proposal, people["member"], "Voici la réponse.")
    assert [m.to for m in mail.outbox] == [[people["coordinator"].email]]
    assert proposal.organisation.legal_name in mail.outbox[0].subject


def test_the_author_gets_no_copy_and_no_unread_mark(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    ask(proposal, people["member"], "Une question de notre part.")
    recipients = set(MessageReceipt.objects.values_list("user_id", flat=True))
    assert recipients == {people["coordinator"].pk}


def test_unread_messages_are_listed_counted_and_read_on_the_proposals_page(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    ask(proposal, people["coordinator"], "Première question")
    ask(proposal, people["coordinator"], "Deuxième question")
    member = client_for(people["member"])
    inbox = member.get(reverse("exchanges:inbox")).content.decode()
    assert "Première question" in inbox and "Deuxième question" in inbox
    assert 'class="nav-count">2<' in inbox
    member.get(detail_url(proposal))
    inbox = member.get(reverse("exchanges:inbox")).content.decode()
    assert "Première question" not in inbox
    assert "nav-count" not in inbox
    # The other member has read nothing yet.
    other = client_for(people["member_en"]).get(reverse("exchanges:inbox")).content.decode()
    assert 'class="nav-count">2<' in other


def test_a_member_who_left_no_longer_sees_the_organisations_messages(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    ask(proposal, people["coordinator"], "Question confidentielle")
    people["member"].organisation_memberships.all().delete()
    f.OrganisationMemberFactory(user=people["member"])  # still an applicant elsewhere
    inbox = client_for(people["member"]).get(reverse("exchanges:inbox")).content.decode()
    assert "Question confidentielle" not in inbox


def test_the_inbox_takes_as_many_queries_with_thirty_messages_as_with_one(
    call: Any, people: dict[str, Any]
) -> None:
    member = people["member"]
    organisation = member.organisation_memberships.get().organisation
    first = f.ProposalFactory(call=call, organisation=organisation)
    ask(first, people["coordinator"])
    client = client_for(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("exchanges:inbox")).status_code == 200
        return len(queries.captured_queries)

    one = count()
    for _ in range(29):
        ask(f.ProposalFactory(call=call, organisation=organisation), people["coordinator"])
    assert count() == one


def test_the_thread_takes_as_many_queries_with_twenty_messages_as_with_two(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    ask(proposal, people["coordinator"])
    ask(proposal, people["member"], "Réponse")
    client = client_for(people["coordinator"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(proposal)).status_code == 200
        return len(queries.captured_queries)

    client.get(detail_url(proposal))
    two = count()
    for n in range(9):
        ask(proposal, people["coordinator"], f"Question {n}")
        ask(proposal, people["member_en"], f"Answer {n}")
    client.get(detail_url(proposal))  # reads them (an update), then measure
    assert count() == two


# ----------------------------------------------------------------------------- who sees it


@pytest.mark.parametrize("who", ["stranger", "other_coordinator", "evaluator", "trustee"])
def test_nobody_else_reads_or_writes_the_thread(
    proposal: Proposal, people: dict[str, Any], who: str
) -> None:
    ask(proposal, people["coordinator"], "Question réservée")
    client = client_for(people[who])
    response = client.get(detail_url(proposal))
    assert response.status_code == 404 or "Question réservée" not in response.content.decode()
    posted = client.post(detail_url(proposal), {"body": "Intrusion"})
    assert posted.status_code == 404
    assert not Message.objects.filter(body="Intrusion").exists()
    inbox = client.get(reverse("exchanges:inbox")).content.decode()
    assert "Question réservée" not in inbox


def test_a_conflicted_evaluator_sees_nothing(proposal: Proposal, people: dict[str, Any]) -> None:
    ask(proposal, people["coordinator"], "Question réservée")
    evaluator = people["evaluator"]
    f.ReviewFactory(proposal=proposal, evaluator=evaluator)
    f.ConflictDeclarationFactory(proposal=proposal, user=evaluator)
    client = client_for(evaluator)
    assert client.get(detail_url(proposal)).status_code == 404
    assert "Question réservée" not in client.get(reverse("exchanges:inbox")).content.decode()


def test_the_service_refuses_a_person_who_takes_no_part(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        ask(proposal, people["other_coordinator"])
    assert not Message.objects.exists()


def test_the_inbox_needs_a_signed_in_person(client: Client) -> None:
    response = client.get(reverse("exchanges:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_message_is_refused_beside_the_field(
    proposal: Proposal, people: dict[str, Any], body: str
) -> None:
    response = client_for(people["coordinator"]).post(detail_url(proposal), {"body": body})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Write your message before sending it." in page
    assert 'id="message-errors"' in page
    assert not Message.objects.exists()
    with pytest.raises(ValidationError):
        ask(proposal, people["coordinator"], body)


def test_a_message_too_long_is_refused_and_kept_in_the_field(
    proposal: Proposal, people: dict[str, Any]
) -> None:
    text = "é" * 5001
    response = client_for(people["member"]).post(detail_url(proposal), {"body": text})
    page = response.content.decode()
    assert "at most 5000 characters" in page
    assert text in page
    assert not Message.objects.exists()


def test_html_and_script_in_a_message_are_shown_inert(
    proposal: Proposal, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> <b>gras</b>'
    with django_capture_on_commit_callbacks(execute=True):
        client_for(people["member"]).post(detail_url(proposal), {"body": hostile})
    assert Message.objects.get().body == hostile
    for user in (people["coordinator"], people["member_en"]):
        page = client_for(user).get(detail_url(proposal)).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    inbox = client_for(people["coordinator"]).get(reverse("exchanges:inbox")).content.decode()
    assert "<script>alert" not in inbox
