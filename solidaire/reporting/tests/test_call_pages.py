"""The public pages of the calls for initiatives: the list, a call's page,
its deadline as a calendar file, in French and in English."""

from __future__ import annotations

import html
import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar

from solidaire.calls.models import RequiredDocument
from solidaire.programmes.models import ProgrammeRole
from solidaire.reporting.selectors import public_call_index, public_call_page
from solidaire.testing import factories as f

# Users are created with a fast password hasher (autouse fixture).
from solidaire.tests.conftest import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
QUEBEC = zoneinfo.ZoneInfo("America/Toronto")


def fr(text: str) -> str:
    return text.replace(" ", NBSP)


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def detail_url(call) -> str:  # type: ignore[no-untyped-def]
    return reverse("reporting:call_detail", args=[call.programme.slug, call.number])


def ics_url(call) -> str:  # type: ignore[no-untyped-def]
    return reverse("reporting:call_deadline_ics", args=[call.programme.slug, call.number])


@pytest.fixture
def open_call(programme):  # type: ignore[no-untyped-def]
    """An open call closing on 24 December at 17:00, Québec time, with two
    streams (one with amounts in two fiscal years), a grid, documents and a
    coordinator."""
    closes = datetime(2026, 12, 24, 17, 0, tzinfo=QUEBEC)
    call = f.CallFactory(
        programme=programme,
        title="Deuxième appel d'initiatives",
        description="Initiatives locales et régionales de lutte contre la pauvreté.",
        opens_at=datetime(2026, 10, 1, 9, 0, tzinfo=QUEBEC),
        closes_at=closes,
        min_request=Decimal("10000.00"),
        max_request=Decimal("150000.00"),
        max_share_of_expenses=Decimal("90"),
        max_duration_months=36,
    )
    years = list(programme.fiscal_years.order_by("starts_on"))
    local = f.StreamFactory(call=call, name="Volet local", scope="local")
    f.AllocationFactory(stream=local, fiscal_year=years[0], amount=Decimal("1000000.00"))
    f.AllocationFactory(stream=local, fiscal_year=years[1], amount=Decimal("200000.00"))
    f.StreamFactory(call=call, name="Volet régional", scope="regional")
    f.CriterionFactory(call=call, name="Participation des personnes", weight=Decimal("60"))
    f.CriterionFactory(call=call, name="Mobilisation du milieu", weight=Decimal("40"))
    f.ScaleLevelFactory(call=call, value=0, label="Absent")
    f.ScaleLevelFactory(call=call, value=5, label="Excellent")
    f.EligibilityRuleFactory(call=call, description="L'organisme est un OBNL.")
    RequiredDocument.objects.create(call=call, code="lettres", name="Lettres d'appui")
    RequiredDocument.objects.create(call=call, code="photos", name="Photographies", mandatory=False)
    f.ProgrammeRoleFactory(
        programme=programme,
        role=ProgrammeRole.Role.COORDINATOR,
        user__username="coordination",
        user__first_name="Claire",
        user__last_name="Tremblay",
        user__email="appels@alliance.example.org",
    )
    return call


@pytest.fixture
def on_dec_10(monkeypatch):  # type: ignore[no-untyped-def]
    """Today is 10 December 2026, noon in Québec: the call is open, 14 days left."""
    now = datetime(2026, 12, 10, 12, 0, tzinfo=QUEBEC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


# --- The list ---------------------------------------------------------------------


def test_list_groups_open_upcoming_and_closed_calls_of_every_programme(
    client, programme, on_dec_10
):
    now = on_dec_10
    other = f.ProgrammeFactory(name="Alliance Mauricie", slug="mauricie")
    soon = f.CallFactory(
        programme=programme,
        title="Appel ouvert",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=3),
    )
    later = f.CallFactory(
        programme=other,
        title="Appel à venir",
        opens_at=now + timedelta(days=20),
        closes_at=now + timedelta(days=60),
    )
    closed = f.CallFactory(
        programme=other,
        title="Appel fermé",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
    )
    decided = f.decided_call(programme, title="Appel décidé")
    f.CallFactory(programme=programme, title="Appel en préparation", published=False)

    response = client.get(reverse("reporting:call_list"))
    page = response.content.decode()
    index = response.context["index"]
    assert response.status_code == 200
    assert [r.call for r in index.open] == [soon]
    assert [r.call for r in index.upcoming] == [later]
    assert [r.call for r in index.closed] == [closed, decided]
    assert "Appel en préparation" not in page
    assert "3 jours restants" in page
    assert detail_url(later) in page
    assert reverse("reporting:call_results", args=[programme.slug, decided.number]) in page


def test_list_shows_the_deadline_in_quebec_time_and_days_left(client, open_call, on_dec_10):
    page = client.get(reverse("reporting:call_list")).content.decode()
    assert "24 décembre 2026 à 17 h 00" in page
    assert "14 jours restants" in page
    assert fr("1 200 000,00 $") in page  # what the streams may commit


def test_list_in_english(client, open_call, on_dec_10):
    page = english(client).get(reverse("reporting:call_list")).content.decode()
    assert '<html lang="en">' in page
    assert "Calls for initiatives" in page and "Open calls" in page
    assert "December 24, 2026 at 5:00 p.m." in page
    assert "14 days left" in page
    assert "$1,200,000.00" in page


def test_a_call_closing_today_says_so(client, programme, on_dec_10):
    f.CallFactory(programme=programme, closes_at=on_dec_10 + timedelta(hours=4))
    assert "Ferme aujourd’hui" in client.get(reverse("reporting:call_list")).content.decode()


@pytest.mark.parametrize("calls", [1, 12])
def test_list_costs_one_query_whatever_the_number_of_calls(
    client, programme, calls, django_assert_num_queries
):
    for _ in range(calls):
        call = f.CallFactory(programme=programme)
        f.AllocationFactory(stream=f.StreamFactory(call=call))
    with django_assert_num_queries(1):
        index = public_call_index()
    assert len(index.open) == calls
    # The page itself: the list's query and the session's none (anonymous).
    with django_assert_num_queries(1):
        assert client.get(reverse("reporting:call_list")).status_code == 200


# --- A call's page ----------------------------------------------------------------


def test_call_page_shows_everything_an_organisation_needs(client, open_call, on_dec_10):
    response = client.get(detail_url(open_call))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Deuxième appel d'initiatives" in page
    assert "Initiatives locales et régionales" in page
    # Opening and closing instants in Québec time, days left.
    assert "1er octobre 2026 à 09 h 00" in page
    assert "24 décembre 2026 à 17 h 00" in page
    assert "14 jours restants" in page
    # Streams with their amounts; one without any yet.
    assert "Volet local" in page and fr("1 200 000,00 $") in page and fr("200 000,00 $") in page
    assert "Volet régional" in page and "À annoncer" in page
    # Who may apply: types and territories.
    assert "Organisme à but non lucratif (OBNL)" in page
    assert "Autre (non admissible)" not in page
    assert "Portneuf" in page and "Wendake" in page
    assert "L'organisme est un OBNL." in page
    # Grid, scale, documents, limits, contact.
    assert "Participation des personnes" in page and fr("60 %") in page
    assert "Excellent" in page
    assert "Lettres d'appui" in page and "Photographies" in page and "facultatif" in page
    assert fr("90 %") in page and "36 mois" in page
    assert f"de {fr('10 000,00 $')} à {fr('150 000,00 $')}" in page
    assert "mailto:appels@alliance.example.org" in page and "Claire Tremblay" in page
    assert ics_url(open_call) in page


def test_call_page_in_english(client, open_call, on_dec_10):
    page = html.unescape(english(client).get(detail_url(open_call)).content.decode())
    assert '<html lang="en">' in page
    assert f"Call {open_call.number}: Deuxième appel d'initiatives" in page
    assert "December 24, 2026 at 5:00 p.m." in page
    assert "Streams and amounts" in page and "$1,200,000.00" in page
    assert "Non-profit organisation (OBNL)" in page
    assert "Evaluation grid" in page and "60%" in page
    assert "Apply" in page


def test_anonymous_apply_goes_to_sign_in_and_back_to_start_a_proposal(client, open_call, on_dec_10):
    response = client.get(detail_url(open_call))
    start = reverse("applications:start")
    expected = f"{reverse('accounts:login')}?next={start.replace('/', '%2F')}"
    assert response.context["apply_url"] == expected
    assert f'href="{expected}"' in response.content.decode()
    # Following the link signs in and lands on the start page.
    applicant = f.OrganisationMemberFactory(user__username="cuisine").user
    login = client.post(expected, {"username": applicant.username, "password": "motdepasse-demo"})
    assert login.status_code == 302 and login["Location"] == start


def test_signed_in_applicant_apply_goes_to_start_a_proposal(client, open_call, on_dec_10):
    applicant = f.OrganisationMemberFactory().user
    client.force_login(applicant)
    response = client.get(detail_url(open_call))
    assert response.context["apply_url"] == reverse("applications:start")
    assert response.context["signup_url"] is None


def test_the_apply_box_offers_to_create_an_account(client, open_call, on_dec_10):
    """A newcomer reads « Créer un compte » beside « Déposer une demande »,
    pointing to the sign-up page."""
    page = client.get(detail_url(open_call)).content.decode()
    apply_box = page[page.index("call-apply") :]
    apply_box = apply_box[: apply_box.index("</section>")]
    assert "Créer un compte" in apply_box
    assert f'href="{reverse("account_signup")}' in apply_box


def test_closed_call_takes_no_proposal_and_decided_call_links_its_results(client, programme):
    closed = f.CallFactory(
        programme=programme,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=1),
    )
    page = client.get(detail_url(closed)).content.decode()
    assert "ne reçoit plus de demandes" in page
    assert reverse("applications:start") not in page

    decided = f.decided_call(programme)
    page = client.get(detail_url(decided)).content.decode()
    assert reverse("reporting:call_results", args=[programme.slug, decided.number]) in page
    assert reverse("applications:start") not in page


def test_upcoming_call_says_when_it_opens(client, programme):
    upcoming = f.CallFactory(
        programme=programme,
        opens_at=timezone.now() + timedelta(days=10),
        closes_at=timezone.now() + timedelta(days=40),
    )
    page = client.get(detail_url(upcoming)).content.decode()
    assert "pas encore ouvert" in page
    assert reverse("applications:start") not in page


def test_draft_call_does_not_exist_for_the_public(client, programme):
    draft = f.CallFactory(programme=programme, published=False)
    assert client.get(detail_url(draft)).status_code == 404
    assert client.get(ics_url(draft)).status_code == 404
    # Nor for a signed-in person.
    client.force_login(f.UserFactory())
    assert client.get(detail_url(draft)).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/appels/capitale-nationale/99/", "/appels/inconnu/1/", "/appels/inconnu/1/echeance.ics"],
)
def test_unknown_call_is_404(client, open_call, path):
    assert client.get(path).status_code == 404


def test_the_call_number_is_a_number(client, open_call):
    """/appels/<programme>/nouveau/ belongs to the coordinator's set-up pages."""
    with pytest.raises(NoReverseMatch):
        reverse("reporting:call_detail", args=[open_call.programme.slug, "nouveau"])


def test_call_pages_refuse_writes(client, open_call):
    assert client.post(detail_url(open_call)).status_code == 405
    assert client.post(ics_url(open_call)).status_code == 405


def test_call_text_is_shown_inert(client, programme):
    call = f.CallFactory(programme=programme, description="<script>alert(1)</script>")
    page = client.get(detail_url(call)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("size", [1, 8])
def test_call_page_costs_a_fixed_number_of_queries(
    client, programme, size, django_assert_num_queries
):
    call = f.CallFactory(programme=programme)
    years = list(programme.fiscal_years.order_by("starts_on"))
    for k in range(size):
        stream = f.StreamFactory(call=call, territorial=True)
        f.AllocationFactory(stream=stream, fiscal_year=years[k % 5], territory=f.territory("2434"))
        f.CriterionFactory(call=call)
        f.ScaleLevelFactory(call=call)
        f.EligibilityRuleFactory(call=call)
        RequiredDocument.objects.create(call=call, code=f"doc-{k}", name=f"Document {k}")
    for _ in range(size):
        f.ProgrammeRoleFactory(programme=programme, role=ProgrammeRole.Role.COORDINATOR)
    # Streams, allocations, criteria, scale, rules, territories, documents,
    # coordinators.
    with django_assert_num_queries(8):
        page = public_call_page(call)
    assert len(page.streams) == size and len(page.contacts) == size
    assert page.streams[0].by_territory == [("Portneuf", Decimal("100000.00"))]
    with django_assert_num_queries(9):  # and the call itself
        assert client.get(detail_url(call)).status_code == 200


# --- The deadline as a calendar file ----------------------------------------------


def test_deadline_calendar_file_parses_and_carries_the_closing_instant(client, open_call):
    response = client.get(ics_url(open_call))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar.get("PRODID")
    (event,) = calendar.events
    # 24 December 2026, 17:00 in Québec (EST, UTC−5) is 22:00 UTC.
    assert event.start == datetime(2026, 12, 24, 22, 0, tzinfo=UTC)
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event["UID"] == f"echeance-{open_call.programme.slug}-{open_call.number}@testserver"
    assert event.get("DTSTAMP") is not None
    assert "Deuxième appel d'initiatives" in str(event["SUMMARY"])
    assert str(event["URL"]) == "http://testserver" + detail_url(open_call)
    (alarm,) = event.subcomponents
    assert alarm.name == "VALARM"
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(days=-1)


def test_deadline_calendar_file_speaks_the_visitors_language(client, open_call):
    french = Calendar.from_ical(client.get(ics_url(open_call)).content)
    assert str(french.events[0]["SUMMARY"]).startswith("Échéance")
    english_calendar = Calendar.from_ical(english(client).get(ics_url(open_call)).content)
    assert str(english_calendar.events[0]["SUMMARY"]).startswith("Deadline")


def test_summer_deadline_is_converted_with_daylight_time(client, programme):
    call = f.CallFactory(
        programme=programme,
        opens_at=datetime(2027, 5, 1, 9, 0, tzinfo=QUEBEC),
        closes_at=datetime(2027, 6, 30, 16, 0, tzinfo=QUEBEC),
    )
    (event,) = Calendar.from_ical(client.get(ics_url(call)).content).events
    assert event.start == datetime(2027, 6, 30, 20, 0, tzinfo=UTC)  # EDT, UTC−4


# --- Home page ----------------------------------------------------------------------


def test_home_page_and_menu_link_to_the_calls(client, open_call):
    page = client.get("/").content.decode()
    assert f'href="{reverse("reporting:call_list")}"' in page
    assert detail_url(open_call) in page
