"""Programmes are isolated: the coordinator, evaluator and trustee of one
programme see nothing of another.

The demo holds two programmes, Capitale-Nationale (region 03) and
Chaudière-Appalaches (region 12). Every URL pattern of the product (the
Django admin aside) is filled with the first programme's objects and
requested, GET and a junk POST, by the people of the second programme: each
answer must be 404, as if the object did not exist. The pages the public
may read are the only exceptions, each listed with its reason. Lists and
exports they may open (their home, agreements, payments, reviews, the
ledger) must name nothing of the first programme.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.urls import get_resolver
from django.utils.html import escape

from solidaire.accounts.models import User
from solidaire.agreements.models import (
    Agreement,
    AgreementSignature,
    Amendment,
    Payment,
    Repayment,
    Report,
    ReportDocument,
)
from solidaire.applications.models import (
    Attachment,
    Organisation,
    OrganisationMember,
    Proposal,
)
from solidaire.calls.models import Call
from solidaire.committee.models import PanelAssignment
from solidaire.common.money import format_money
from solidaire.exchanges.models import MessageAttachment
from solidaire.exchanges.services import message_post
from solidaire.ledger.selectors import programme_balances
from solidaire.programmes.models import Programme, ProgrammeRole
from solidaire.reporting.selectors import ministry_table
from solidaire.reviews.models import Review, Tie
from solidaire.selection.models import Scenario
from solidaire.testing import files
from solidaire.tests.test_robustness import _patterns

OUTSIDERS = ["coordination2", "evaluation2", "fiduciaire2"]

# Pages open to anyone, signed in or not, by design: they answer the same to
# the second programme's people as to the public.
PUBLIC = {
    "appels/<slug:programme>/<int:number>/": "a published call is public",
    "appels/<slug:programme>/<int:number>/echeance.ics": "a published call's deadline is public",
    "appels/<slug:programme>/<int:number>/modele-budget.xlsx": (
        "a published call's budget template is public"
    ),
    "appels/<slug:programme>/<int:number>/resultats/": "a decided call's results are public",
    "api/v1/programmes/<programme_id>/": "the open data of every programme is public",
}
# Pages that name no object of a programme: the test of lists below reads them.
NOT_OBJECT_PAGES = {
    "organismes/invitation/<str:token>/": "an invitation is reached by its secret token only",
    "programmes/invitation/<str:token>/": "an invitation is reached by its secret token only",
    "api/^(?P<rest>.*)$": "an unknown API address, 404 for everyone",
    "courriel/verifier/<str:key>/": "an e-mail confirmation is reached by its secret key only",
    "mot-de-passe/nouveau/<b36:uidb36>-<str:key>/": "a password reset is reached by its key only",
}


@pytest.fixture
def demo(db: None) -> Programme:
    call_command("load_demo", verbosity=0)
    programme = Programme.objects.get(region__code="03")
    # A document sent with a message, so that its download is tried too.
    applicant = User.objects.get(username="organisme")
    message_post(
        proposal=Proposal.objects.filter(
            call__programme=programme, organisation__members=applicant
        ).first(),
        author=applicant,
        body="Voici la résolution.",
        files=[SimpleUploadedFile("resolution.pdf", files.pdf())],
    )
    return programme


def _values(route: str, name: str, programme: Programme, number: int) -> list[str]:
    """The first programme's objects that fill parameter ``name`` of ``route``."""
    call = Call.objects.get(programme=programme, number=number)
    proposals = Proposal.objects.filter(call__programme=programme)
    if name in ("programme", "slug"):
        return [programme.slug]
    if name == "number":
        return [str(number)]
    if name == "programme_id":
        return [str(programme.pk)]
    if name == "key":
        agreement = Agreement.objects.filter(proposal__call=call).order_by("pk").first()
        return [agreement.number] if agreement else []
    if name == "proposal_pk":
        return [str(p.pk) for p in proposals.filter(call=call, award__isnull=False)[:2]]
    if name == "review":
        return [str(r.pk) for r in Review.objects.filter(proposal__call=call)[:1]]
    if name == "member_pk":
        return [str(m.pk) for m in OrganisationMember.objects.filter(user__username="organisme")]
    if name == "attachment_pk":
        first = proposals.filter(call=call).order_by("pk").first()
        return [str(a.pk) for a in Attachment.objects.filter(proposal=first)[:1]]
    if name == "invitation_pk":
        return []
    if name == "report_pk":
        return [str(r.pk) for r in Report.objects.filter(agreement__proposal__call=call)[:1]]
    if name == "doc_pk":
        return [
            str(d.pk)
            for d in ReportDocument.objects.filter(report__agreement__proposal__call=call)[:1]
        ]
    if name == "version":
        return ["1"]
    if name == "language":
        return ["fr", "en"]
    if name == "signature":
        return [
            str(s.pk)
            for s in AgreementSignature.objects.filter(version__agreement__proposal__call=call)[:1]
        ]
    assert name == "pk", name
    if "/avenants/" in route:
        return [str(a.pk) for a in Amendment.objects.filter(agreement__proposal__call=call)[:1]]
    if "/copie-signee/" in route:
        return [
            str(s.pk)
            for s in AgreementSignature.objects.filter(version__agreement__proposal__call=call)[:1]
        ]
    if "/selection/" in route:
        return [str(s.pk) for s in Scenario.objects.filter(call=call)[:2]]
    if "/admissibilite/" in route or route.startswith("appels/"):
        return [str(p.pk) for p in proposals.filter(call=call).exclude(status="draft")[:2]]
    if route.startswith("evaluations/"):
        return [str(r.pk) for r in Review.objects.filter(proposal__call=call)[:2]]
    if route.startswith("demandes/"):
        return [str(p.pk) for p in proposals.filter(call=call).order_by("pk")[:1]] + [
            str(p.pk) for p in proposals.filter(call=call, status="draft")[:1]
        ]
    if route.startswith("organismes/"):
        return [str(o.pk) for o in Organisation.objects.filter(members__username="organisme")]
    if "/versements/" in route:
        return [str(p.pk) for p in Payment.objects.filter(agreement__proposal__call=call)[:2]]
    if "/rapports/" in route:
        return [str(r.pk) for r in Report.objects.filter(agreement__proposal__call=call)[:1]]
    if route.startswith("messages/documents/"):
        return [
            str(a.pk) for a in MessageAttachment.objects.filter(message__proposal__call=call)[:1]
        ]
    if route.startswith("panel/"):
        return [
            str(a.pk)
            for a in PanelAssignment.objects.filter(proposal__call=call).order_by("pk")[:1]
        ]
    if "/remboursements/" in route:
        return [str(r.pk) for r in Repayment.objects.filter(agreement__proposal__call=call)[:1]]
    if "/comite/" in route:
        return [str(r.pk) for r in ProgrammeRole.objects.filter(programme=programme)[:3]]
    if route.startswith("compte/liens/"):
        return [str(t.pk) for t in Tie.objects.filter(programme=programme)[:2]]
    raise AssertionError(f"no value for {name} in {route}")


def _first_programme_urls(programme: Programme) -> Iterator[tuple[str, str]]:
    """``(route, url)`` of every page that names an object of ``programme``."""
    for route, pattern in _patterns(get_resolver()):
        names = list(pattern.pattern.regex.groupindex)
        if not names or route in PUBLIC or route in NOT_OBJECT_PAGES:
            continue
        path = route
        for name in names:
            for converter in ("slug:", "int:", "str:", "b36:", ""):
                path = path.replace(f"<{converter}{name}>", "{" + name + "}")
        for number in (1, 2):
            combos: list[dict[str, str]] = [{}]
            for name in names:
                values = _values(route, name, programme, number)
                combos = [dict(c, **{name: v}) for c in combos for v in values]
            for combo in combos:
                yield route, "/" + path.format(**combo)


def _mixed_urls(first: Programme, second: Programme) -> Iterator[tuple[str, str]]:
    """The second programme's own call or programme, with an object of the
    first one as the other parameter: the object must not be found through it."""
    for route, pattern in _patterns(get_resolver()):
        names = list(pattern.pattern.regex.groupindex)
        scoped = {"programme", "slug", "number"} & set(names)
        objects = [n for n in names if n not in ("programme", "slug", "number")]
        if not scoped or not objects or route in PUBLIC or route in NOT_OBJECT_PAGES:
            continue
        path = route
        for name in names:
            for converter in ("slug:", "int:", "str:", "b36:", ""):
                path = path.replace(f"<{converter}{name}>", "{" + name + "}")
        for number in (1, 2):
            combos: list[dict[str, str]] = [{"programme": second.slug, "slug": second.slug}]
            if "number" in names:
                combos[0]["number"] = "1"
            for name in objects:
                values = _values(route, name, first, number)
                combos = [dict(c, **{name: v}) for c in combos for v in values]
            for combo in combos:
                yield route, "/" + path.format(**combo)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_second_programme_gets_404_on_every_url_of_the_first(demo: Programme) -> None:
    urls = sorted(set(_first_programme_urls(demo)))
    routes = {route for route, _url in urls}
    # Every kind of page is tried: calls, selection, screening, reviews,
    # proposals, organisations, agreements, payments, reports, ledger,
    # carry-overs, call and programme set-up.
    assert len(routes) >= 40, sorted(routes)
    leaks: list[tuple[str, str, str, int]] = []
    requests = 0
    for username in OUTSIDERS:
        client = _client(username)
        for _route, url in urls:
            answers = [
                ("GET", client.get(url).status_code),
                ("POST", client.post(url, {}).status_code),
                ("POST", client.post(url, {"amount": "-1", "reason": "x"}).status_code),
            ]
            requests += len(answers)
            # A method the page does not take is refused (405) before any
            # object is looked up, as for an object that does not exist; the
            # method it takes must answer 404.
            if not any(code == 404 for _m, code in answers):
                leaks.append((username, "any", url, answers[0][1]))
            leaks += [(username, m, url, code) for m, code in answers if code not in (404, 405)]
    assert not leaks, "\n".join(map(str, leaks))
    assert requests > 300
    # The addresses are real: the first programme's own people reach them.
    reached = set()
    for username in ("coordination", "fiduciaire", "evaluation", "organisme"):
        client = _client(username)
        reached |= {route for route, url in urls if client.get(url).status_code in (200, 302)}
    assert len(reached) >= 30, sorted(routes - reached)


def test_the_second_programmes_pages_do_not_reach_the_first_programmes_objects(
    demo: Programme,
) -> None:
    second = Programme.objects.get(region__code="12")
    urls = sorted(set(_mixed_urls(demo, second)))
    assert len({route for route, _url in urls}) >= 7
    client = _client("coordination2")
    found = []
    for _route, url in urls:
        answers = [client.get(url).status_code, client.post(url, {}).status_code]
        if 404 not in answers or any(code not in (404, 405) for code in answers):
            found.append((url, answers))
    assert not found, found
    # Scenarios are compared only within their own call.
    foreign = Scenario.objects.filter(call__programme=demo)
    url = f"/appels/{second.slug}/1/selection/comparer/?" + "&".join(
        f"s={pk}" for pk in foreign.values_list("pk", flat=True)
    )
    response = client.get(url)
    assert response.status_code == 200
    body = _body(response)
    assert "Liste par rang" not in body
    assert escape(second.name) in body and "Cochez au moins deux" in body


def test_public_pages_of_the_first_programme_stay_public(demo: Programme) -> None:
    client = _client("coordination2")
    anonymous = Client()
    for url in (
        f"/appels/{demo.slug}/1/",
        f"/appels/{demo.slug}/1/resultats/",
        f"/appels/{demo.slug}/2/echeance.ics",
        f"/api/v1/programmes/{demo.pk}/",
    ):
        assert client.get(url).status_code == anonymous.get(url).status_code == 200, url


def _body(response: HttpResponse | StreamingHttpResponse) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return response.content.decode()


def _markers(programme: Programme) -> list[str]:
    """Strings that only a page showing the first programme's objects holds."""
    markers = [programme.name, programme.slug]
    markers += list(
        Proposal.objects.filter(call__programme=programme).values_list("reference", flat=True)
    )
    markers += list(
        Agreement.objects.filter(proposal__call__programme=programme).values_list(
            "number", flat=True
        )
    )
    return markers


LIST_PAGES = [
    "/",
    "/demandes/",
    "/evaluations/",
    "/conventions/",
    "/versements/",
    "/versements/export.csv",
    "/organismes/",
    "/registre/{slug}/",
    "/registre/{slug}/export.csv",
    "/registre/{slug}/reports/",
]
# The lists in which each person finds their own programme's objects.
OWN_LISTS = {
    "coordination": ["/", "/conventions/", "/versements/", "/versements/export.csv",
                     "/registre/{slug}/", "/registre/{slug}/export.csv"],
    "evaluation": ["/", "/evaluations/"],
    "fiduciaire": ["/", "/conventions/", "/versements/", "/versements/export.csv",
                   "/registre/{slug}/", "/registre/{slug}/export.csv"],
    "organisme": ["/", "/demandes/"],
}  # fmt: skip


@pytest.mark.parametrize("region", ["03", "12"])
def test_lists_and_exports_show_only_the_users_programme(demo: Programme, region: str) -> None:
    own = Programme.objects.get(region__code=region)
    other = Programme.objects.exclude(pk=own.pk).get()
    foreign, mine = _markers(other), _markers(own)
    for role, own_lists in OWN_LISTS.items():
        username = role if region == "03" else f"{role}2"
        client = _client(username)
        for page in LIST_PAGES:
            url = page.format(slug=own.slug)
            response = client.get(url)
            assert response.status_code in (200, 404), (username, url, response.status_code)
            body = _body(response) if response.status_code == 200 else ""
            shown = [m for m in foreign if m in body]
            assert not shown, (username, url, shown[:5])
            if page in own_lists:
                # Not empty by accident: the person's own programme shows.
                assert any(m in body for m in mine), (username, url)
            # The other programme's ledger is not theirs to read.
            if page.startswith("/registre/"):
                assert client.get(page.format(slug=other.slug)).status_code == 404


def test_the_ministry_view_shows_both_programmes_and_totals_equal_their_ledgers(
    demo: Programme,
) -> None:
    programmes = list(Programme.objects.order_by("region__code"))
    assert [p.region.code for p in programmes] == ["03", "12"]
    ledgers = {p.pk: programme_balances(p) for p in programmes}

    def ledger_sum(name: str, pks: list[int]) -> Decimal:
        return sum((Decimal(getattr(b, name)) for pk in pks for b in ledgers[pk]), Decimal(0))

    table = ministry_table()
    assert [row.programme for row in table.rows] == programmes
    every = [p.pk for p in programmes]
    for row in [*table.rows, table.total]:
        pks = [row.programme.pk] if row.programme else every
        assert row.envelope == ledger_sum("envelope", pks)
        assert row.committed == ledger_sum("net_committed", pks)
        assert row.paid == ledger_sum("paid", pks)
        assert row.lapsed == ledger_sum("lapsed", pks)
        assert row.available == ledger_sum("available", pks)
    assert table.total.envelope == Decimal("5700000.00")  # 4 200 000 $ + 1 500 000 $
    assert table.total.calls == 3
    assert table.total.funded == sum(row.funded for row in table.rows)

    client = _client("ministere")
    body = client.get("/ministere/").content.decode()
    for programme in programmes:
        assert programme.name in body
    assert format_money(Decimal("5700000.00"), "fr") in body
    csv = b"".join(client.get("/ministere/programmes.csv").streaming_content).decode()
    assert "5700000.00" in csv and "1500000.00" in csv and "4200000.00" in csv
