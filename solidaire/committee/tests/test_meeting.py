"""The committee's meeting: agenda in ranking order, recusals computed from
conflicts, consensus with rationale and recommendation, the tie-break rule,
attendance, and the minutes as a page and a PDF naming the recusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.committee.models import Attendance, Consensus
from solidaire.committee.selectors import meeting_agenda
from solidaire.committee.services import consensus_record, meeting_for_call
from solidaire.committee.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(name: str, call, *extra: int) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"committee:{name}", args=[call.programme.slug, call.number, *extra])


def test_agenda_lists_proposals_in_ranking_order_with_recusals(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    (stream,) = meeting_agenda(w["call"], viewer_id=w["coordinator"].pk)
    assert [i.proposal for i in stream.items] == w["proposals"]
    assert [i.rank for i in stream.items] == [1, 2]
    assert stream.items[1].recused == [w["committee"]]
    assert stream.items[0].recused == []


def test_conflicted_member_sees_the_row_as_recused_without_figures(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    body = client_for(w["committee"]).get(_url("meeting", w["call"])).content.decode()
    assert w["proposals"][0].title in body
    assert w["proposals"][1].title not in body
    assert "You are in a conflict of interest" in body


def test_conflicted_member_gets_404_on_the_proposal_consensus_page(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    client = client_for(w["committee"])
    assert client.get(_url("consensus", w["call"], w["proposals"][1].pk)).status_code == 404
    assert client.get(_url("consensus", w["call"], w["proposals"][0].pk)).status_code == 200


@pytest.mark.parametrize("name", ["meeting", "minutes", "minutes_pdf", "overdue", "panel_setup"])
def test_stranger_and_evaluator_get_404_on_meeting_pages(meeting_world, name) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    for person in (w["stranger"], w["evaluator"], w["panellist"]):
        assert client_for(person).get(_url(name, w["call"])).status_code == 404


def test_stranger_gets_404_on_the_consensus_page(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    url = _url("consensus", w["call"], w["proposals"][0].pk)
    assert client_for(w["stranger"]).get(url).status_code == 404


def test_coordinator_records_consensus_with_rationale_and_recommendation(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    proposal = w["proposals"][0]
    response = client_for(w["coordinator"]).post(
        _url("consensus", w["call"], proposal.pk),
        {"score": "82,5", "rationale": "Strong roots", "recommendation": "recommend"},
    )
    assert response.status_code == 302
    consensus = Consensus.objects.get(proposal=proposal)
    assert consensus.score == Decimal("82.50")
    assert consensus.recommendation == "recommend"
    assert AuditEvent.objects.filter(event_type="meeting.consensus").count() == 1


def test_consensus_outside_0_100_or_without_rationale_is_refused_and_input_kept(
    meeting_world,
) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    response = client_for(w["coordinator"]).post(
        _url("consensus", w["call"], w["proposals"][0].pk),
        {"score": "140", "rationale": "", "recommendation": "reserve"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give a score between 0 and 100." in body
    assert 'value="140"' in body
    assert not Consensus.objects.exists()


def test_committee_member_cannot_record_consensus(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    response = client_for(w["committee"]).post(
        _url("consensus", w["call"], w["proposals"][0].pk),
        {"score": "80", "rationale": "x", "recommendation": "recommend"},
    )
    assert response.status_code == 404
    assert not Consensus.objects.exists()


def test_conflicted_person_cannot_record_consensus_in_the_service(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    meeting = meeting_for_call(w["call"])
    with pytest.raises(PermissionDenied):
        consensus_record(
            meeting=meeting,
            proposal=w["proposals"][1],
            score="50",
            rationale="x",
            recommendation="reserve",
            actor=w["committee"],
        )
    with pytest.raises(ValidationError):
        consensus_record(
            meeting=meeting,
            proposal=w["proposals"][0],
            score="abc",
            rationale="x",
            recommendation="maybe",
            actor=w["coordinator"],
        )


def test_tie_break_rule_and_attendance_are_recorded(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    client = client_for(w["coordinator"])
    response = client.post(
        _url("meeting_settings", w["call"]),
        {
            "held_on": "2020-12-01",
            "reviews_due_on": "2020-11-20",
            "tie_break_rule": "More people living in poverty involved, then a draw",
            "panel_weight": "10",
        },
    )
    assert response.status_code == 302
    meeting = meeting_for_call(w["call"])
    assert meeting.tie_break_rule.startswith("More people")
    response = client.post(_url("meeting_attendance", w["call"]), {"present": [w["committee"].pk]})
    assert response.status_code == 302
    assert Attendance.objects.get(person=w["committee"]).present is True
    assert Attendance.objects.get(person=w["coordinator"]).present is False


def test_attendance_of_a_stranger_is_refused(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    response = client_for(w["coordinator"]).post(
        _url("meeting_attendance", w["call"]), {"present": [w["stranger"].pk]}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_proposals_tied_across_the_funding_line_are_flagged(meeting_world) -> None:  # type: ignore[no-untyped-def]
    from solidaire.reviews.models import Score

    w = meeting_world
    # Same scores on both proposals; money for one of them only.
    Score.objects.filter(review__proposal=w["proposals"][1]).delete()
    for review in w["proposals"][1].reviews.all():
        for source in Score.objects.filter(
            review__proposal=w["proposals"][0], review__evaluator=review.evaluator
        ):
            Score.objects.create(review=review, criterion=source.criterion, value=source.value)
    (agenda,) = meeting_agenda(w["call"], viewer_id=w["coordinator"].pk)
    assert all(not i.tied_at_line for i in agenda.items)
    assert all(i.above_line is None for i in agenda.items)  # no money of its own
    agenda.items[0].above_line = True
    agenda.items[1].above_line = False
    from solidaire.committee.selectors import _flag_ties

    _flag_ties(agenda.items)
    assert [i.tied_at_line for i in agenda.items] == [True, True]


def test_minutes_page_and_pdf_name_the_recusals(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    client = client_for(w["coordinator"])
    body = client.get(_url("minutes", w["call"])).content.decode()
    assert "Recusals" in body
    assert f"{w['proposals'][1].reference} — {w['committee']}" in body
    response = client.get(_url("minutes_pdf", w["call"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert w["proposals"][1].reference in text and str(w["committee"]) in text


def test_panel_weight_counts_the_panel_as_one_more_criterion(meeting_world) -> None:  # type: ignore[no-untyped-def]
    from solidaire.committee.selectors import combined_score

    assert combined_score(
        mean=Decimal(80), grid_weight=Decimal(100), panel=Decimal(20), weight=Decimal(0)
    ) == Decimal(80)
    assert combined_score(
        mean=Decimal(80), grid_weight=Decimal(100), panel=Decimal(20), weight=Decimal(50)
    ) == Decimal("60.00")


def test_the_funding_line_falls_where_the_streams_money_runs_out(meeting_world) -> None:  # type: ignore[no-untyped-def]
    from solidaire.testing import factories as f

    w = meeting_world
    stream = f.StreamFactory(call=w["call"], code="local", name="Volet local")
    fy = w["call"].programme.fiscal_years.first()
    f.AllocationFactory(stream=stream, fiscal_year=fy, amount=Decimal("30000.00"))
    for proposal in w["proposals"]:
        proposal.stream = stream
        proposal.save()
    (agenda,) = meeting_agenda(w["call"], viewer_id=w["coordinator"].pk)
    assert agenda.available == Decimal("30000.00")
    assert [i.above_line for i in agenda.items] == [True, False]
    body = client_for(w["coordinator"]).get(_url("meeting", w["call"])).content.decode()
    assert "Beyond the funding line" in body and "Within the stream" in body


def test_a_stranger_gets_404_on_every_write_of_the_meeting(meeting_world) -> None:  # type: ignore[no-untyped-def]
    from solidaire.reviews.models import Review

    w = meeting_world
    client = client_for(w["stranger"])
    review = Review.objects.filter(proposal=w["proposals"][0]).first()
    assert review is not None
    posts = [
        _url("meeting_settings", w["call"]),
        _url("meeting_attendance", w["call"]),
        _url("consensus", w["call"], w["proposals"][0].pk),
        _url("remind", w["call"], review.pk),
        _url("panel_setup", w["call"]),
        reverse("committee:panel_consent", args=[w["call"].programme.slug]),
    ]
    for url in posts:
        assert client.post(url, {"score": "50", "rationale": "x"}).status_code == 404, url
    assert not Consensus.objects.exists()


def test_the_agenda_reads_in_a_constant_number_of_queries(
    meeting_world, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from solidaire.reviews.models import Review
    from solidaire.testing import factories as f

    w = meeting_world
    client = client_for(w["coordinator"])
    url = _url("meeting", w["call"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        proposal = f.ProposalFactory(call=w["call"], status="under_review")
        f.ReviewFactory(proposal=proposal, evaluator=w["evaluator"], status=Review.Status.ASSIGNED)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_meetings_record_closes_with_the_decision(meeting_world) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    w = meeting_world
    w["call"].decided_at = timezone.now()
    w["call"].save()
    response = client_for(w["coordinator"]).post(
        _url("consensus", w["call"], w["proposals"][0].pk),
        {"score": "80", "rationale": "Late", "recommendation": "recommend"},
    )
    assert response.status_code == 400
    assert "the meeting&#x27;s record is closed" in response.content.decode()
    assert not Consensus.objects.exists()
    response = client_for(w["coordinator"]).post(
        _url("meeting_attendance", w["call"]), {"present": [w["committee"].pk]}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_meeting_members_are_sorted_as_french_sorts_names() -> None:
    from solidaire.accounts.permissions import COMMITTEE
    from solidaire.committee.services import meeting_members
    from solidaire.testing import factories as f

    programme = f.ProgrammeFactory()
    for last in ("Boucher", "Bélanger", "Côté", "Caron"):
        f.ProgrammeRoleFactory(programme=programme, role=COMMITTEE, user__last_name=last)
    names = [u.last_name for u in meeting_members(programme)]
    assert names == ["Bélanger", "Boucher", "Caron", "Côté"]
