"""A person tied to an organisation never reaches its proposals: every URL
pattern of the project is walked (so a new page is checked the day it is
added), and for an evaluator who also sits on the committee and is tied to
an applicant organisation (and, through a partner, to a second proposal),

- each pattern taking an object id, given the ids of the conflicted
  proposals and of their reviews, answers 404 (405 for a method it never
  takes), for GET and POST alike;
- each other page (lists, the call's pages, exports, the API) that opens
  does not name the conflicted proposals.

The Django admin is left out: it is the site administrator's tool and
shows everything by design.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from solidaire.applications.models import Proposal
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import Review
from solidaire.reviews.ties import tie_record
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db

R = ProgrammeRole.Role
S = Proposal.Status
TIED_TITLE = "Cuisine collective du Vieux-Moulin"
PARTNER_TITLE = "Jardins partagés de la Haute-Ville"
# Ids far above anything else the test creates: an id substituted in a URL
# that addresses another kind of object finds nothing rather than an object
# the person may legitimately open.
TIED_PK, PARTNER_PK, OTHER_REVIEW_PK, OWN_REVIEW_PK, PARTNER_REVIEW_PK = (
    7001,
    7002,
    7011,
    7012,
    7013,
)
CONFLICTED_IDS = (TIED_PK, PARTNER_PK, OTHER_REVIEW_PK, OWN_REVIEW_PK, PARTNER_REVIEW_PK)


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _converters(route: str) -> list[tuple[str, str]]:
    """(converter, name) of each parameter of a route, e.g. ("int", "pk")."""
    pattern = RoutePattern(route)
    return [
        (type(conv).__name__.removesuffix("Converter").lower(), name)
        for name, conv in pattern.converters.items()
    ]


def _url(route: str, values: dict[str, str]) -> str:
    """The route with each ``<converter:name>`` replaced by ``values[name]``."""
    out = route
    for conv, name in _converters(route):
        for token in (f"<{conv}:{name}>", f"<{name}>"):
            if token in out:
                out = out.replace(token, str(values[name]), 1)
                break
        else:
            # A converter spelled another way (b36, path…): replace by name.
            start = out.index("<")
            out = out[:start] + str(values[name]) + out[out.index(">", start) + 1 :]
    return "/" + out


def _text(response: Any) -> str:
    """What a response says, whatever its format (page, CSV, JSON, workbook)."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "json" in kind:
        return json.dumps(json.loads(body or b"null"), ensure_ascii=False)
    return body.decode("utf-8", errors="replace")


@pytest.fixture
def world(programme):  # type: ignore[no-untyped-def]
    now = timezone.now()
    call = f.CallFactory(
        programme=programme, opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1)
    )
    criterion = f.CriterionFactory(call=call, code="inclusion", name="Inclusion")
    f.ScaleLevelFactory(call=call, value=3, label="Bien")
    tied_org = f.OrganisationFactory(legal_name="Centre d'entraide Émile-Côté")
    tied = f.ProposalFactory(
        pk=TIED_PK, call=call, organisation=tied_org, title=TIED_TITLE, status=S.UNDER_REVIEW
    )
    partner = f.ProposalFactory(
        pk=PARTNER_PK,
        call=call,
        title=PARTNER_TITLE,
        status=S.UNDER_REVIEW,
        partners="Ville de Québec; centre d’entraide Emile Cote",
    )
    clean = f.ProposalFactory(call=call, title="Halte-garderie solidaire", status=S.UNDER_REVIEW)
    for proposal in (tied, partner, clean):
        f.RequestedAmountFactory(proposal=proposal)
    person = f.ProgrammeRoleFactory(programme=programme, role=R.EVALUATOR).user
    f.ProgrammeRoleFactory(programme=programme, user=person, role=R.COMMITTEE)
    other = f.ProgrammeRoleFactory(programme=programme, role=R.EVALUATOR).user
    other_review = f.ReviewFactory(
        pk=OTHER_REVIEW_PK,
        proposal=tied,
        evaluator=other,
        status=Review.Status.SUBMITTED,
        submitted_at=now,
    )
    f.ScoreFactory(review=other_review, criterion=criterion, value=3)
    # Assigned before the tie was known: the tie recuses them.
    own = f.ReviewFactory(pk=OWN_REVIEW_PK, proposal=tied, evaluator=person)
    own_partner = f.ReviewFactory(pk=PARTNER_REVIEW_PK, proposal=partner, evaluator=person)
    kept = f.ReviewFactory(proposal=clean, evaluator=person)
    tie_record(
        person=person, programme=programme, organisation_name="", neq=tied_org.neq, kind="board"
    )
    return {
        "programme": programme,
        "call": call,
        "person": person,
        "own": own,
        "own_partner": own_partner,
        "kept": kept,
        "other": other,
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_tie_recused_the_reviews_assigned_before_it(world):  # type: ignore[no-untyped-def]
    world["own"].refresh_from_db()
    world["own_partner"].refresh_from_db()
    world["kept"].refresh_from_db()
    assert world["own"].status == Review.Status.RECUSED
    assert world["own_partner"].status == Review.Status.RECUSED
    assert world["kept"].status == Review.Status.ASSIGNED


def test_the_same_urls_open_for_an_evaluator_without_a_tie(world):  # type: ignore[no-untyped-def]
    """The check below would pass on a broken site that answers 404 to
    everyone: an evaluator without a tie opens their own review here."""
    client = _client(world["person"])
    assert client.get(f"/evaluations/{world['kept'].pk}/").status_code == 200
    assert _client(world["other"]).get(f"/evaluations/{OTHER_REVIEW_PK}/").status_code == 200


def test_every_url_of_a_conflicted_proposal_is_404_for_the_tied_person(world):  # type: ignore[no-untyped-def]
    person = world["person"]
    call = world["call"]
    fixed = {
        "programme": call.programme.slug,
        "slug": call.programme.slug,
        "number": str(call.number),
        "programme_id": str(call.programme.pk),
    }
    leaks: list[str] = []
    checked_objects = checked_pages = 0
    client = Client()
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith("admin/") or not isinstance(pattern.pattern, RoutePattern):
            # The admin (see the module's docstring) and the API's catch-all
            # answer for unknown addresses, which names no object.
            continue
        params = _converters(route)
        ids = [name for conv, name in params if conv == "int" and name != "number"]
        others = [name for _conv, name in params if name not in ids and name not in fixed]
        if ids:
            for combo in itertools.product(CONFLICTED_IDS, repeat=len(ids)):
                values = {**fixed, **dict(zip(ids, combo, strict=True))}
                values.update(dict.fromkeys(others, "inconnu"))
                url = _url(route, values)
                answers = []
                for method in ("get", "post"):
                    client.force_login(person)
                    answers.append(getattr(client, method)(url).status_code)
                checked_objects += 1
                if not all(a in (404, 405) for a in answers) or 404 not in answers:
                    leaks.append(f"{url} → {answers}")
        else:
            values = {**fixed, **dict.fromkeys(others, "inconnu")}
            url = _url(route, values)
            client.force_login(person)
            response = client.get(url)
            checked_pages += 1
            if response.status_code == 200:
                text = _text(response)
                for title in (TIED_TITLE, PARTNER_TITLE):
                    if title in text:
                        leaks.append(f"{url} names « {title} »")
    assert not leaks, "\n".join(leaks)
    # The walk really went through the project's pages.
    assert checked_objects > 100 and checked_pages > 30
