"""A database that does not answer gives a plain 503 page (JSON for the API
and the background saves), with ``Retry-After`` and one error line; nothing
is half written, and the next request after the database is back succeeds.

The faults are real: the connection is pointed at a database that cannot be
opened (a file in a folder that does not exist on SQLite, a closed port on
PostgreSQL), and on PostgreSQL a whole outage is played against a running
server: the database refuses connections and its sessions are cut.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from solidaire.applications.models import Proposal
from solidaire.common.logs import JsonFormatter
from solidaire.testing import factories as f

FRENCH = "Le service est momentanément indisponible : la base de données ne répond pas."
ENGLISH = "The service is temporarily unavailable: the database is not answering."


@pytest.fixture
def draft(programme):  # type: ignore[no-untyped-def]
    call = f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, 12, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=30),
        min_request=Decimal("5000.00"),
        max_request=Decimal("100000.00"),
    )
    return f.ProposalFactory(call=call, title="Cuisines collectives")


@pytest.fixture
def owner(draft):  # type: ignore[no-untyped-def]
    return f.OrganisationMemberFactory(organisation=draft.organisation).user


@pytest.fixture
def signed_in(client: Client, owner: Any) -> Client:
    client.force_login(owner)
    return client


@contextmanager
def database_refusing() -> Iterator[None]:
    """The default connection can no longer be opened, for real: its live
    connection is put aside and the next attempt goes to a database that
    does not exist (SQLite) or to a port nobody listens on (PostgreSQL).
    Everything is put back even when the test fails."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("NAME", "PORT")}
    live = connection.connection
    connection.connection = None
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-folder/solidaire.sqlite3"
    else:
        settings_dict["PORT"] = "9"  # the discard port: closed here
    try:
        yield
    finally:
        settings_dict.update(saved)
        if connection.connection is not None:
            connection.connection.close()
        connection.connection = live


@pytest.fixture
def database_down() -> Iterator[None]:
    with database_refusing():
        yield


def error_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.levelno >= logging.ERROR
    ]


@pytest.mark.django_db(transaction=True)
def test_a_page_answers_503_in_french_without_the_database(  # type: ignore[no-untyped-def]
    signed_in, draft, database_down, caplog
):
    response = signed_in.get(reverse("applications:edit", args=[draft.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-cache" in response["Cache-Control"]
    page = response.content.decode()
    assert FRENCH in page
    assert "Vos données déjà enregistrées ne sont pas touchées" in page
    assert '<html lang="fr">' in page
    [line] = error_lines(caplog)
    assert line["event"] == "database_unavailable"
    assert line["path"] == reverse("applications:edit", args=[draft.pk])
    assert line["error"].startswith("OperationalError")


@pytest.mark.django_db(transaction=True)
def test_the_page_is_in_english_for_whoever_chose_english(signed_in, draft, database_down):  # type: ignore[no-untyped-def]
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = signed_in.get(reverse("applications:edit", args=[draft.pk]))

    assert response.status_code == 503
    assert ENGLISH in response.content.decode()
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_autosave_and_the_api_answer_503_in_json(signed_in, draft, database_down):  # type: ignore[no-untyped-def]
    autosave = signed_in.post(
        reverse("applications:autosave", args=[draft.pk]),
        {"version": "2020-10-15T12:00:00+00:00", "title": "Autre titre"},
    )
    api = Client().get("/api/v1/programmes/", HTTP_ACCEPT_LANGUAGE="en")

    assert autosave.status_code == 503
    assert autosave["Retry-After"] == "30"
    assert autosave.json()["saved"] is False
    assert autosave.json()["message"].startswith(FRENCH)
    assert api.status_code == 503
    assert api.json()["code"] == "database_unavailable"
    assert api.json()["detail"].startswith(ENGLISH)


@pytest.mark.django_db(transaction=True)
def test_a_middleware_that_reads_the_session_gets_the_same_answer(signed_in, draft, caplog):  # type: ignore[no-untyped-def]
    """Django turns a middleware's exception into a response before any
    outer middleware sees it: the 500 handler must recognise the database."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    def reads_the_user(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.user.is_authenticated))

    # Wrapped the way Django wraps every middleware of the stack.
    chain = convert_exception_to_response(
        SessionMiddleware(AuthenticationMiddleware(convert_exception_to_response(reads_the_user)))
    )
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value

    def request() -> HttpRequest:
        return RequestFactory().get("/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={cookie}")

    assert chain(request()).content == b"True"

    with database_refusing():
        response = chain(request())

    assert response.status_code == 503
    assert FRENCH in response.content.decode()
    assert len(error_lines(caplog)) == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_written_and_the_next_request_succeeds_once_it_is_back(  # type: ignore[no-untyped-def]
    signed_in, draft
):
    url = reverse("applications:edit", args=[draft.pk])
    before = Proposal.objects.get(pk=draft.pk).updated_at
    with database_refusing():
        saved = signed_in.post(
            url,
            {
                "version": before.isoformat(),
                "title": "Titre jamais enregistré",
                "funding-TOTAL_FORMS": "0",
                "funding-INITIAL_FORMS": "0",
            },
        )
        ready = signed_in.get("/readyz")
    assert saved.status_code == 503
    assert ready.status_code == 503

    again = signed_in.get(url)

    assert again.status_code == 200
    draft.refresh_from_db()
    assert (draft.title, draft.updated_at) == ("Cuisines collectives", before)


# ----------------------------------------------------------------------------- PostgreSQL


def _control() -> psycopg.Connection[Any]:
    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=int(database["PORT"] or 5432),
        user=database["USER"],
        dbname="postgres",
        autocommit=True,
    )


class Browser:
    """Plain HTTP to the running server, with the session's cookies."""

    def __init__(self, base: str, cookies: dict[str, str]) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "", parts.port or 80
        self.cookies = cookies

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        server = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        server.request(method, path, body=body, headers=headers)
        answer = server.getresponse()
        text = answer.read().decode()
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        server.close()
        return answer.status, dict(answer.headers), text


@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_outage_of_postgresql_against_the_running_server(live_server, signed_in, draft):  # type: ignore[no-untyped-def]
    """The server's sessions are cut and the database refuses every new
    connection: pages and saves answer 503, nothing is written, ``/readyz``
    fails; once the database accepts connections again the very next
    request succeeds, with no restart."""
    name = connection.settings_dict["NAME"]
    browser = Browser(
        live_server.url,
        {settings.SESSION_COOKIE_NAME: signed_in.cookies[settings.SESSION_COOKIE_NAME].value},
    )
    url = reverse("applications:edit", args=[draft.pk])
    status, _headers, page = browser.request("GET", url)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    before = Proposal.objects.get(pk=draft.pk).updated_at
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "version": before.isoformat(),
        "title": "Titre jamais enregistré",
        "funding-TOTAL_FORMS": "0",
        "funding-INITIAL_FORMS": "0",
    }

    with _control() as control:
        try:
            control.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            control.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            got, headers, page = browser.request("GET", url)
            saved, _h, saved_page = browser.request("POST", url, form)
            ready, _h, _p = browser.request("GET", "/readyz")
        finally:
            control.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    # This process's own connection was cut too.
    connection.close()

    assert (got, saved, ready) == (503, 503, 503)
    assert headers["Retry-After"] == "30"
    assert FRENCH in page
    assert FRENCH in saved_page
    draft.refresh_from_db()
    assert (draft.title, draft.updated_at) == ("Cuisines collectives", before)

    status, _headers, page = browser.request("GET", url)
    assert status == 200
    assert "Cuisines collectives" in page
    assert browser.request("GET", "/readyz")[0] == 200
