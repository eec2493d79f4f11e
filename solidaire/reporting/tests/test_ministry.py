"""The ministry's table: every programme side by side and in total, its
CSV and Excel copies, who reaches it, and its cost in queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from solidaire.applications.models import Proposal
from solidaire.ledger.selectors import balance_totals, programme_balances
from solidaire.programmes.models import Programme, ProgrammeRole, Region
from solidaire.reporting.selectors import ministry_table
from solidaire.testing import factories as f

# Users are created with a fast password hasher (autouse fixture).
from solidaire.tests.conftest import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
URLS = ["reporting:ministry", "reporting:ministry_csv", "reporting:ministry_xlsx"]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def observer() -> Any:
    return f.UserFactory(username="ministere", is_ministry_observer=True)


def add_programme(code: str, amount: str = "500000.00", *, calls: int = 1) -> Programme:
    """A programme of region ``code`` with two fiscal years, a decided call
    with two funded proposals (one in a stream), and a declined one."""
    programme = f.ProgrammeFactory(
        region=Region.objects.get(code=code),
        name=f"Alliance {code}",
        years=[Decimal(amount), Decimal(amount)],
    )
    for _ in range(calls):
        call = f.decided_call(programme)
        stream = f.StreamFactory(call=call, code="local", name="Volet local")
        funded = f.funded_proposal(call=call, amount=Decimal("60000.00"))
        Proposal.objects.filter(pk=funded.pk).update(stream=stream)
        funded.commitment.stream = stream  # type: ignore[union-attr]
        funded.commitment.save()  # type: ignore[union-attr]
        f.funded_proposal(call=call, amount=Decimal("15000.00"))
        f.ProposalFactory(call=call, status=Proposal.Status.DECLINED)
    return programme


def test_totals_equal_the_sum_of_the_programmes_ledgers(client, observer):
    programmes = [add_programme("01"), add_programme("03", "840000.00"), add_programme("17")]
    table = ministry_table()
    assert [r.programme for r in table.rows] == programmes  # region order
    ledgers = [balance_totals(programme_balances(p)) for p in programmes]
    assert table.total.envelope == sum(t.envelope for t in ledgers) == Decimal("3680000.00")
    assert table.total.committed == sum(t.net_committed for t in ledgers) == Decimal("225000.00")
    assert table.total.available == sum(t.available for t in ledgers)
    assert table.total.paid == Decimal("0.00")
    assert (table.total.calls, table.total.received, table.total.funded) == (3, 9, 6)
    row = table.rows[1]
    assert (row.envelope, row.committed, row.received, row.funded) == (
        Decimal("1680000.00"),
        Decimal("75000.00"),
        3,
        2,
    )
    streams = {(s.programme.pk, s.name): s for s in table.streams}
    assert streams[(programmes[0].pk, "Volet local")].committed == Decimal("60000.00")
    assert streams[(programmes[0].pk, "")].committed == Decimal("15000.00")


def test_page_shows_each_programme_the_total_and_the_date_of_the_figures(observer):
    programme = add_programme("03", "840000.00")
    page = signed_in(observer).get(reverse("reporting:ministry")).content.decode()
    assert f"1{NBSP}680{NBSP}000,00{NBSP}$" in page
    assert "Données au" in page
    assert reverse("programme_detail", args=[programme.slug]) in page
    assert reverse("reporting:ministry_csv") in page and reverse("reporting:ministry_xlsx") in page
    english = signed_in(observer)
    english.cookies["django_language"] = "en"
    assert "Figures as of" in english.get(reverse("reporting:ministry")).content.decode()


def test_lapsed_and_carried_over_show_only_when_the_ledger_records_them(observer):
    add_programme("03")
    table = ministry_table()
    from solidaire.ledger.selectors import FiscalYearBalance

    fields = getattr(FiscalYearBalance, "__dataclass_fields__", {})
    assert table.has_lapsed == ("lapsed" in fields or hasattr(FiscalYearBalance, "lapsed"))
    page = signed_in(observer).get(reverse("reporting:ministry")).content.decode()
    assert ("Périmé" in page) == table.has_lapsed


def test_csv_has_the_byte_order_mark_the_table_and_its_total(observer):
    add_programme("01")
    add_programme("03", "840000.00")
    response = signed_in(observer).get(reverse("reporting:ministry_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:5] == ["Code de région", "Région", "Programme", "Fiduciaire", "Enveloppe"]
    assert [r[0] for r in rows[1:3]] == ["01", "03"]
    assert rows[2][4] == "1680000.00"
    assert rows[-1][2] == "Total" and rows[-1][4] == "2680000.00"


def test_excel_workbook_holds_the_same_table_and_the_streams(observer):
    add_programme("01")
    response = signed_in(observer).get(reverse("reporting:ministry_xlsx"))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Code de région", "Région", "Programme", "Fiduciaire", "Enveloppe"]
    assert sheet["E2"].value == 1000000 and sheet["C3"].value == "Total"
    assert sheet["E2"].number_format.startswith("#,##0.00")
    streams = book.worksheets[1]
    assert [c.value for c in streams[2]][2:5] == ["Volet local", 1, 60000]


@pytest.mark.parametrize("name", URLS)
def test_only_the_ministry_and_the_administrator_reach_it(name):
    programme = add_programme("03")
    url = reverse(name)
    coordinator = f.ProgrammeRoleFactory(programme=programme, role=ProgrammeRole.Role.COORDINATOR)
    assert signed_in(coordinator.user).get(url).status_code == 404
    assert signed_in(f.UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: sign in first
    admin = f.UserFactory(username="root", is_superuser=True)
    assert signed_in(admin).get(url).status_code == 200
    observer = f.UserFactory(username="obs", is_ministry_observer=True)
    assert signed_in(observer).get(url).status_code == 200


def test_query_count_does_not_grow_with_programmes_or_proposals(
    observer, django_assert_num_queries
):
    client = signed_in(observer)
    url = reverse("reporting:ministry")
    add_programme("01")
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add_programme("03", calls=3)
    add_programme("17", calls=2)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_observer_menu_shows_only_its_pages_and_home_links_to_the_table(observer):
    add_programme("03")
    client = signed_in(observer)
    home = client.get("/")
    labels = [str(item.label) for item in home.context["nav"]]
    assert labels == ["Accueil", "Tous les programmes"]
    assert reverse("reporting:ministry") in home.content.decode()
    assert client.get(reverse("payment_list")).status_code == 404
    assert client.get(reverse("agreements:list")).status_code == 404


def test_lapsed_and_carried_over_come_from_the_ledger_balances(monkeypatch, observer):
    """When the ledger's balances carry lapsed and carried-over money, the
    table sums them per programme: lapsed as recorded, carried over as the
    money moved (the years' signed figures cancel out over a programme)."""
    from dataclasses import dataclass as _dataclass
    from datetime import date

    from solidaire.reporting import selectors

    @_dataclass(frozen=True)
    class Balance:
        label: str
        envelope: Decimal
        net_committed: Decimal
        paid: Decimal
        carried_over: Decimal
        lapsed: Decimal
        starts_on: date = date(2020, 4, 1)

        @property
        def available(self) -> Decimal:
            return self.envelope + self.carried_over - self.net_committed - self.lapsed

    programme = add_programme("03")
    years = [
        Balance(
            "2020-2021", Decimal("100"), Decimal("40"), Decimal("10"), Decimal("-50"), Decimal("10")
        ),
        Balance(
            "2021-2022", Decimal("100"), Decimal("0"), Decimal("0"), Decimal("50"), Decimal("0")
        ),
    ]
    monkeypatch.setattr(selectors, "FiscalYearBalance", Balance)
    monkeypatch.setattr(selectors, "programmes_balances", lambda ps: {programme.pk: years})
    table = selectors.ministry_table()
    assert table.has_lapsed and table.has_carried_over
    (row,) = table.rows
    assert (row.lapsed, row.carried_over, row.available) == (
        Decimal("10"),
        Decimal("50"),
        Decimal("150"),
    )
    assert table.total.lapsed == Decimal("10") and table.total.carried_over == Decimal("50")
    page = signed_in(observer).get(reverse("reporting:ministry")).content.decode()
    assert "Périmé" in page and "Reporté" in page
    text = b"".join(
        signed_in(observer).get(reverse("reporting:ministry_csv")).streaming_content  # type: ignore[attr-defined]
    ).decode()
    assert "Périmé,Reporté,Disponible" in text
