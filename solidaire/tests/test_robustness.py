"""No page or endpoint answers bad input with a server error.

Every URL of the product (the Django admin aside) is requested by every demo
role, and anonymously, with GET and with POSTs of junk: empty forms, text
where numbers go, negative and enormous amounts, impossible dates, markup.
Each answer must be a page or a refusal (2xx, 3xx, 4xx), never a 500; the
test client re-raises any exception a view lets escape, which fails the test
with its traceback.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from django import forms
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from solidaire.accounts.models import User

USERNAMES = [None, "coordination", "evaluation", "fiduciaire", "organisme", "ministere"]
JUNK_VALUES = ["", "abc", "-1", "-40 000,00", "9" * 40, "2026-02-30", "<script>x</script>", "0"]
FORM_MODULES = [
    "solidaire.applications.forms",
    "solidaire.reviews.forms",
    "solidaire.agreements.forms",
    "solidaire.selection.forms",
    "solidaire.programmes.forms",
]


def _field_names() -> set[str]:
    """Every declared field of the product's forms, plus the buttons' names."""
    names = {"action", "save", "submit", "confirm", "next", "language", "version"}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                names.update(getattr(cls, "base_fields", {}))
    return names


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                found.extend(_patterns(entry, route))
        else:
            found.append((route, entry))
    return found


def _objects() -> dict[str, list[str]]:
    """Values for every URL parameter, taken from the demo."""
    from solidaire.agreements.models import Agreement, Payment, Report
    from solidaire.applications.models import Attachment, OrganisationMember, Proposal
    from solidaire.programmes.models import Programme
    from solidaire.reviews.models import Review
    from solidaire.selection.models import Scenario

    # The Capitale-Nationale programme, among the demo's programmes.
    programme = Programme.objects.get(region__code="03")
    agreement = Agreement.objects.filter(proposal__call__programme=programme).order_by("pk").first()
    assert agreement is not None
    proposals = Proposal.objects.filter(call__programme=programme)
    draft = proposals.filter(status=Proposal.Status.DRAFT).first()
    submitted = proposals.filter(call__number=2).exclude(status=Proposal.Status.DRAFT).first()
    funded = proposals.filter(call__number=1).exclude(agreement=None).first()
    assert draft and submitted and funded
    proposals = [str(p.pk) for p in (draft, submitted, funded)] + ["999999"]
    return {
        "programme": [programme.slug, "inconnu"],
        "slug": [programme.slug, "inconnu"],
        "number": ["1", "2", "99"],
        "pk": proposals
        + [str(pk) for pk in Review.objects.values_list("pk", flat=True)[:2]]
        + [str(pk) for pk in Scenario.objects.values_list("pk", flat=True)[:1]]
        + [
            str(pk)
            for pk in Payment.objects.filter(agreement=agreement).values_list("pk", flat=True)[:2]
        ]
        + [
            str(pk)
            for pk in Report.objects.filter(agreement=agreement).values_list("pk", flat=True)[:1]
        ],
        "proposal_pk": [str(funded.pk), "999999"],
        "review": [str(pk) for pk in Review.objects.values_list("pk", flat=True)[:2]] + ["999999"],
        "attachment_pk": [
            str(pk)
            for pk in Attachment.objects.filter(proposal=funded).values_list("pk", flat=True)[:1]
        ]
        + ["999999"],
        "key": [agreement.number, str(agreement.pk), "inconnue"],
        "programme_id": [str(programme.pk), "abc"],
        "rest": ["inconnu"],
        "token": ["inconnu"],
        "invitation_pk": ["1", "999999"],
        "report_pk": [
            str(pk)
            for pk in Report.objects.filter(agreement=agreement).values_list("pk", flat=True)[:1]
        ]
        + ["999999"],
        "doc_pk": ["1", "999999"],
        "member_pk": [str(pk) for pk in OrganisationMember.objects.values_list("pk", flat=True)[:1]]
        + ["999999"],
        "uidb36": ["1", "zz"],
        "version": ["1", "2"],
        "language": ["fr", "xx"],
        "signature": ["1", "999999"],
    }


def _urls(objects: dict[str, list[str]]) -> list[str]:
    urls: list[str] = []
    for route, pattern in _patterns(get_resolver()):
        parameters = list(pattern.pattern.regex.groupindex)
        path = route
        for parameter in parameters:
            path = path.replace(f"<slug:{parameter}>", "{" + parameter + "}")
            path = path.replace(f"<int:{parameter}>", "{" + parameter + "}")
            path = path.replace(f"<str:{parameter}>", "{" + parameter + "}")
            path = path.replace(f"<b36:{parameter}>", "{" + parameter + "}")
            path = path.replace(f"<{parameter}>", "{" + parameter + "}")
        if "(?P<rest>" in path:
            path = "api/{rest}"
        combos: list[dict[str, str]] = [{}]
        for parameter in parameters:
            combos = [dict(c, **{parameter: v}) for c in combos for v in objects[parameter][:4]]
        urls.extend("/" + path.format(**combo) for combo in combos)
    return sorted(set(urls))


def _payloads(names: set[str]) -> list[dict[str, Any]]:
    payloads: list[dict[str, Any]] = [{}]
    for value in JUNK_VALUES[1:]:
        payloads.append({name: value for name in names})
    return payloads


@pytest.mark.django_db
def test_no_url_answers_junk_with_a_server_error() -> None:
    call_command("load_demo", verbosity=0)
    objects = _objects()
    urls = _urls(objects)
    payloads = _payloads(_field_names())
    assert len(urls) > 40
    answered = 0
    for username in USERNAMES:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (username, "GET", url, response.status_code)
            answered += 1
            if url.endswith((".csv", "openapi.json", "docs", "healthz")):
                continue
            for payload in payloads:
                response = client.post(url, payload)
                assert response.status_code < 500, (username, "POST", url, payload)
                answered += 1
    print(f"{answered} requests, {len(urls)} URLs, {len(USERNAMES)} visitors: no server error")
    assert answered > 1000
