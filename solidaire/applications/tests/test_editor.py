"""The proposal editor: budget lines, the Excel budget template, autosave,
the checklist of what submission needs, and bad input on each of them."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from solidaire.applications.budget import BudgetRow, budget_read, proposal_budget_rows
from solidaire.applications.models import BudgetLine, Proposal
from solidaire.applications.services import (
    proposal_completeness_errors,
    proposal_update_draft,
)
from solidaire.applications.tests.test_views import complete_post, edit_url, english
from solidaire.testing import factories as f
from solidaire.testing import files

pytestmark = pytest.mark.django_db
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _language_restored() -> Any:
    # Pages asked for in English leave English active in this thread; the
    # next test file reads the services' messages in French.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def draft(programme):  # type: ignore[no-untyped-def]
    # A call open until next month, as in the applicant's pages' tests.
    call = f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, 12, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=30),
        min_request=Decimal("5000.00"),
        max_request=Decimal("100000.00"),
        max_share_of_expenses=Decimal("90"),
    )
    return f.ProposalFactory(call=call, title="Cuisines collectives")


@pytest.fixture
def people(draft):  # type: ignore[no-untyped-def]
    return {
        "owner": f.OrganisationMemberFactory(organisation=draft.organisation).user,
        "stranger": f.OrganisationMemberFactory().user,
        "coordinator": f.ProgrammeRoleFactory(programme=draft.call.programme).user,
    }


def budget_post(lines: list[tuple[str, str, list[str]]], fys: list[Any]) -> dict[str, str]:
    """The budget table as the page posts it: (category, description, amounts by year)."""
    data = {"budget-TOTAL_FORMS": str(len(lines)), "budget-INITIAL_FORMS": "0"}
    for i, (category, description, amounts) in enumerate(lines):
        data[f"budget-{i}-category"] = category
        data[f"budget-{i}-description"] = description
        for fy, amount in zip(fys, amounts, strict=False):
            data[f"budget-{i}-amount_{fy.pk}"] = amount
    return data


def autosave_url(proposal: Proposal) -> str:
    return reverse("applications:autosave", args=[proposal.pk])


def editor_years(proposal: Proposal) -> list[Any]:
    from solidaire.applications.views import _fiscal_years

    return _fiscal_years(proposal)


def saved_lines(proposal: Proposal) -> list[tuple[str, str, int, Decimal]]:
    return [
        (line.category, line.description, line.fiscal_year_id, line.amount)
        for line in BudgetLine.objects.filter(proposal=proposal).order_by("id")
    ]


# ----------------------------------------------------------------------------- budget lines


def test_budget_lines_are_saved_as_typed_and_read_back_in_order(client, draft, people):
    english(client, people["owner"])
    fys = editor_years(draft)
    data = complete_post(draft)
    data.update(
        budget_post(
            [
                ("salaries", "Animatrice", ["1 200 000,00 $", "1200000.00"]),
                ("", "", ["", ""]),  # an empty line is ignored
                ("rent", "", ["", ""]),  # a line without amounts yet is kept
            ],
            fys,
        )
    )
    response = client.post(edit_url(draft), data)
    assert response.status_code == 302
    rows = proposal_budget_rows(draft)
    assert [(r.category, r.description) for r in rows] == [
        ("salaries", "Animatrice"),
        ("rent", ""),
    ]
    assert rows[0].amounts[fys[0].pk] == Decimal("1200000.00")
    assert rows[0].amounts[fys[1].pk] == Decimal("1200000.00")
    assert rows[1].total == Decimal("0")
    page = client.get(edit_url(draft)).content.decode()
    assert 'value="Animatrice"' in page
    # The totals by year and of the whole budget, in the page's language.
    assert "$1,200,000.00" in page and "$2,400,000.00" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "An amount cannot be negative."),
        ("abc", "Enter an amount in dollars, for example 25 000,50."),
        ("1e9", "Enter an amount in dollars, for example 25 000,50."),
    ],
)
def test_a_wrong_budget_amount_is_refused_and_the_saved_budget_kept(
    client, draft, people, typed, message
):
    fys = editor_years(draft)
    proposal_update_draft(
        proposal=draft,
        actor=None,
        budget=[BudgetRow("travel", "Autobus", {fys[0].pk: Decimal("500.00")})],
    )
    before = saved_lines(draft)
    english(client, people["owner"])
    data = complete_post(draft)
    data.update(budget_post([("salaries", "Animatrice", [typed, "100"])], fys))
    response = client.post(edit_url(draft), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"' in page  # what was typed stays in the form
    assert "Budget line 1, " in page  # the error summary names the line
    assert saved_lines(draft) == before  # no half-saved budget
    # The other answers were saved as usual.
    assert Proposal.objects.get(pk=draft.pk).title == "Cuisines collectives du quartier"


def test_a_line_with_amounts_needs_a_category(client, draft, people):
    english(client, people["owner"])
    data = complete_post(draft)
    data.update(budget_post([("", "Loyer", ["100", ""])], editor_years(draft)))
    page = client.post(edit_url(draft), data).content.decode()
    assert "Choose the category of this line." in page
    assert not BudgetLine.objects.filter(proposal=draft).exists()


def test_budget_that_disagrees_with_the_amounts_is_refused_at_submission(client, draft, people):
    client.force_login(people["owner"])  # French, the default
    fys = editor_years(draft)
    data = complete_post(draft)  # 40 000 of expenses; 24 000 + 6 000,50 requested
    requested_years = [fy for fy in fys if data.get(f"requested_{fy.pk}")]
    amounts = {requested_years[0].pk: "1 200 000,00 $", requested_years[1].pk: "1 000"}
    data.update(
        budget_post(
            [("salaries", "Animatrice", [amounts.get(fy.pk, "") for fy in fys])],
            fys,
        )
    )
    assert client.post(edit_url(draft), data).status_code == 302  # the draft is saved
    review = reverse("applications:review", args=[draft.pk])
    response = client.post(review, {"attested": "on"})
    assert response.status_code == 400  # refused, the review page shown again
    page = response.content.decode()
    # The grand total against the expenses, and the year asking more than
    # its lines, each with its figures in Québec French.
    assert (
        "Les lignes du budget totalisent 1\xa0201\xa0000,00\xa0$, mais le total des "
        "dépenses admissibles indique 40\xa0000,00\xa0$" in page
    )
    assert "6\xa0000,50\xa0$" in page and "1\xa0000,00\xa0$" in page
    second = requested_years[1]
    # The year's item of the checklist leads to that year's amount.
    assert re.search(
        rf'href="{edit_url(draft)}#id_requested_{second.pk}">[^<]*6\xa0000,50\xa0\$', page
    ), "the year's error links to the amount of the year"
    assert Proposal.objects.get(pk=draft.pk).status == Proposal.Status.DRAFT


def test_budget_lines_that_agree_let_the_proposal_through(client, draft, people):
    english(client, people["owner"])
    fys = editor_years(draft)
    data = complete_post(draft)
    requested_years = [fy for fy in fys if data.get(f"requested_{fy.pk}")]
    by_year = {requested_years[0].pk: "30 000", requested_years[1].pk: "10 000"}
    data.update(budget_post([("salaries", "", [by_year.get(fy.pk, "") for fy in fys])], fys))
    client.post(edit_url(draft), data)
    draft.refresh_from_db()
    assert proposal_completeness_errors(draft) == {}


def test_share_above_the_maximum_states_the_maximum_in_dollars(client, draft, people):
    english(client, people["owner"])
    data = complete_post(draft, total_cost="20 000")
    client.post(edit_url(draft), data)
    page = client.get(edit_url(draft)).content.decode()
    # In the checklist: the share, the expenses and the maximum in dollars.
    assert "it may be at most 90 %, that is $18,000.00" in page
    # The running total under the amounts.
    assert "$30,000.50 requested, for $20,000.00 of eligible expenses." in page


def test_end_date_before_start_is_refused_by_autosave_and_the_rest_saved(client, draft, people):
    english(client, people["owner"])
    data = complete_post(draft, starts_on="2022-04-01", ends_on="2021-04-01", title="Nouveau")
    response = client.post(autosave_url(draft), data)
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["errors"]["id_ends_on"] == ["The end date must come after the start date."]
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.title == "Nouveau"
    assert saved.starts_on is None and saved.ends_on is None


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_and_script_in_every_text_answer_are_shown_inert(client, draft, people):
    english(client, people["owner"])
    fys = editor_years(draft)
    data = complete_post(
        draft,
        title=HOSTILE[:200],
        summary=HOSTILE,
        poverty_participation=HOSTILE,
        partners=HOSTILE,
        **{"funding-0-source": HOSTILE},
    )
    data.update(budget_post([("other", HOSTILE, ["10", ""])], fys))
    assert client.post(edit_url(draft), data).status_code == 302
    for url in (edit_url(draft), reverse("proposal_detail", args=[draft.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    workbook = client.get(reverse("applications:budget_template", args=[draft.pk]))
    sheet = load_workbook(io.BytesIO(workbook.content))["Budget"]
    assert sheet["B2"].value == HOSTILE  # a cell's text, never a formula


def test_long_answers_carry_the_models_maximum_length(client, draft, people):
    english(client, people["owner"])
    page = client.get(edit_url(draft)).content.decode()
    for name in ("summary", "poverty_participation", "partners"):
        length = Proposal._meta.get_field(name).max_length
        assert re.search(
            rf'<textarea[^>]*name="{name}"[^>]*maxlength="{length}"', page
        ) or re.search(rf'<textarea[^>]*maxlength="{length}"[^>]*name="{name}"', page)
    too_long = "x" * (Proposal._meta.get_field("summary").max_length + 1)  # type: ignore[operator]
    response = client.post(edit_url(draft), complete_post(draft, summary=too_long))
    assert response.status_code == 200
    assert Proposal.objects.get(pk=draft.pk).summary == ""


# ----------------------------------------------------------------------------- checklist


def test_checklist_links_every_missing_answer_to_its_input(client, draft, people):
    document = f.RequiredDocumentFactory(call=draft.call, mandatory=True)
    fys = editor_years(draft)
    proposal_update_draft(
        proposal=draft,
        actor=None,
        fields={"total_cost": Decimal("100")},
        requested={fys[0]: Decimal("50")},
        budget=[BudgetRow("rent", "", {fys[0].pk: Decimal("10")})],
    )
    english(client, people["owner"])
    page = client.get(edit_url(draft)).content.decode()
    missing = proposal_completeness_errors(draft)
    assert {"summary", "territories", "total_cost", f"requested_{fys[0].pk}"} <= set(missing)
    assert f"document_{document.pk}" in missing
    for key in missing:
        # A link in the checklist, and the element it leads to.
        assert f'href="#id_{key}"' in page, key
        assert f'id="id_{key}"' in page, key


# ----------------------------------------------------------------------------- autosave


def test_autosave_saves_and_answers_the_time_in_quebec_french(client, draft, people):
    client.force_login(people["owner"])
    data = complete_post(draft, title="Titre enregistré tout seul")
    response = client.post(autosave_url(draft), data)
    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"Enregistré à \d{2} h \d{2}", body["message"])
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.title == "Titre enregistré tout seul"
    assert body["version"] == saved.updated_at.isoformat()
    assert 'href="#id_' in body["checklist"] or "Toutes les réponses" in body["checklist"]
    # The next autosave with the version it was given is not a conflict.
    data["version"] = body["version"]
    data["title"] = "Deuxième titre"
    assert client.post(autosave_url(draft), data).status_code == 200
    assert Proposal.objects.get(pk=draft.pk).title == "Deuxième titre"


def test_autosave_from_a_stale_page_is_refused_and_writes_nothing(client, draft, people):
    english(client, people["owner"])
    stale = complete_post(draft, title="From the old tab")
    proposal_update_draft(proposal=draft, actor=None, fields={"title": "Saved elsewhere"})
    response = client.post(autosave_url(draft), stale)
    assert response.status_code == 409
    assert response.json()["conflict"] is True
    assert "Someone else saved this draft" in response.json()["message"]
    assert Proposal.objects.get(pk=draft.pk).title == "Saved elsewhere"


def test_autosave_without_the_page_version_writes_nothing(client, draft, people):
    english(client, people["owner"])
    data = complete_post(draft, title="Blind")
    del data["version"]
    response = client.post(autosave_url(draft), data)
    assert response.status_code == 400
    assert Proposal.objects.get(pk=draft.pk).title == "Cuisines collectives"


@pytest.mark.parametrize("who", ["stranger", "coordinator"])
def test_autosave_and_budget_pages_check_ownership(client, draft, people, who):
    client.force_login(people[who])
    data = complete_post(draft, title="Pas à moi")
    assert client.post(autosave_url(draft), data).status_code == 404
    assert client.get(reverse("applications:budget_template", args=[draft.pk])).status_code == 404
    upload = SimpleUploadedFile("b.xlsx", template_bytes(client, draft), content_type=XLSX_TYPE)
    response = client.post(
        reverse("applications:budget_import", args=[draft.pk]), {"workbook": upload}
    )
    assert response.status_code == 404
    assert Proposal.objects.get(pk=draft.pk).title == "Cuisines collectives"


def test_autosave_of_a_submitted_proposal_is_refused(client, draft, people):
    english(client, people["owner"])
    data = complete_post(draft)
    Proposal.objects.filter(pk=draft.pk).update(
        status=Proposal.Status.SUBMITTED, submitted_at=draft.created_at
    )
    response = client.post(autosave_url(draft), data)
    assert response.status_code == 403
    assert Proposal.objects.get(pk=draft.pk).title == "Cuisines collectives"


def _autosave_queries(client: Client, lines: int) -> int:
    programme = f.ProgrammeFactory(years=[Decimal("1000000")] * 3)
    proposal = f.ProposalFactory(call=f.CallFactory(programme=programme))
    user = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    for _ in range(6):
        f.RequiredDocumentFactory(call=proposal.call)
    client.force_login(user)
    fys = editor_years(proposal)
    data = complete_post(proposal)
    data.update(
        budget_post([("activities", f"Ligne {i}", ["1 000"] * len(fys)) for i in range(lines)], fys)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(autosave_url(proposal), data)
    assert response.status_code == 200, response.content
    assert BudgetLine.objects.filter(proposal=proposal).count() == lines * len(fys)
    return len(queries)


def test_autosave_queries_do_not_grow_with_the_budget_lines(client):
    assert _autosave_queries(client, 10) == _autosave_queries(client, 120)


# ----------------------------------------------------------------------------- Excel template


def template_bytes(client: Client, proposal: Proposal) -> bytes:
    owner = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    other = Client()
    other.force_login(owner)
    return other.get(reverse("applications:budget_template", args=[proposal.pk])).content


def filled(
    fys: list[Any], rows: list[list[Any]], *, sheet: str = "Budget", extra: list[str] | None = None
) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    ws.append(["Catégorie", "Description", *[fy.label for fy in fys], *(extra or [])])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_budget(
    client: Client, proposal: Proposal, content: bytes, name: str = "budget.xlsx"
) -> Any:
    upload = SimpleUploadedFile(name, content, content_type=XLSX_TYPE)
    return client.post(
        reverse("applications:budget_import", args=[proposal.pk]), {"workbook": upload}
    )


def test_call_page_links_the_budget_template_anonymously(client, draft):
    call = draft.call
    call.published = True
    call.save()
    page_url = reverse("reporting:call_detail", args=[call.programme.slug, call.number])
    template_url = reverse(
        "reporting:call_budget_template", args=[call.programme.slug, call.number]
    )
    assert template_url in client.get(page_url).content.decode()
    response = client.get(template_url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Budget"]
    headings = [c.value for c in sheet[1]]
    assert headings[:2] == ["Catégorie", "Description"]
    assert headings[2:] == [fy.label for fy in editor_years(draft)]


def given(rows: list[BudgetRow]) -> list[tuple[str, str, dict[int, Decimal]]]:
    """Rows with their non-zero amounts (a year left empty reads back as zero)."""
    return [(r.category, r.description, {k: v for k, v in r.amounts.items() if v}) for r in rows]


def test_editor_template_comes_back_filled_and_imports_unchanged(client, draft, people):
    fys = editor_years(draft)
    proposal_update_draft(
        proposal=draft,
        actor=None,
        budget=[
            BudgetRow("salaries", "Animatrice", {fys[0].pk: Decimal("1200000.00")}),
            BudgetRow("travel", "Autobus", {fys[1].pk: Decimal("12.50")}),
        ],
    )
    before = given(proposal_budget_rows(draft))
    english(client, people["owner"])
    editor = client.get(edit_url(draft)).content.decode()
    assert reverse("applications:budget_template", args=[draft.pk]) in editor
    content = client.get(reverse("applications:budget_template", args=[draft.pk])).content
    assert given(budget_read(content, fiscal_years=fys)) == before
    response = import_budget(client, draft, content)
    assert response.status_code == 302
    assert given(proposal_budget_rows(draft)) == before


def test_filled_template_replaces_the_budget_and_nothing_else(client, draft, people):
    fys = editor_years(draft)
    english(client, people["owner"])
    draft.refresh_from_db()
    title, updated = draft.title, draft.updated_at
    content = filled(
        fys,
        [
            ["Salaires et avantages sociaux", "Animatrice", "1 200 000,00 $", 1200000],
            [None, None, None, None],
            ["travel", "Autobus", 12.5, None],
        ],
    )
    response = import_budget(client, draft, content)
    assert response.status_code == 302 and response["Location"].endswith("#budget")
    rows = proposal_budget_rows(draft)
    assert [(r.category, r.description) for r in rows] == [
        ("salaries", "Animatrice"),
        ("travel", "Autobus"),
    ]
    assert rows[0].amounts[fys[1].pk] == Decimal("1200000.00")
    assert rows[1].amounts[fys[0].pk] == Decimal("12.50")
    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.title == title and saved.updated_at > updated


@pytest.mark.parametrize(
    ("rows", "extra", "sheet", "expected"),
    [
        (
            [["Travel", "Autobus", "beaucoup", 10]],
            None,
            "Budget",
            "Sheet “Budget”, row 2, column C: “beaucoup” is not an amount.",
        ),
        (
            [["Travel", "Autobus", -5, 10]],
            None,
            "Budget",
            "Sheet “Budget”, row 2, column C: An amount cannot be negative.",
        ),
        (
            [["Travel", "Autobus", 10, 10]],
            ["2049-2050"],
            "Budget",
            "Sheet “Budget”, row 1, column {extra}: “2049-2050” is not a fiscal year of this proposal",
        ),
        (
            [["Travel", "Autobus", 10, 10]],
            None,
            "Feuil1",
            "Sheet “Budget”: this sheet is missing",
        ),
        (
            [["Voyages dans l'espace", "Fusée", 10, 10]],
            None,
            "Budget",
            "Sheet “Budget”, row 2, column A: “Voyages dans l'espace” is not a category",
        ),
    ],
)
def test_wrong_template_cells_are_reported_by_sheet_row_and_column_and_nothing_changes(
    client, draft, people, rows, extra, sheet, expected
):
    fys = editor_years(draft)
    proposal_update_draft(
        proposal=draft,
        actor=None,
        budget=[BudgetRow("rent", "Local", {fys[0].pk: Decimal("100.00")})],
    )
    draft.refresh_from_db()
    before, updated = saved_lines(draft), draft.updated_at
    english(client, people["owner"])
    padded = [row[:2] + row[2:] + [None] * (len(fys) - 2) for row in rows]
    response = import_budget(client, draft, filled(fys, padded, sheet=sheet, extra=extra))
    assert response.status_code == 400
    page = response.content.decode()
    from openpyxl.utils import get_column_letter

    message = expected.format(extra=get_column_letter(3 + len(fys)))
    assert message.replace("“", "&ldquo;") in page or message in page.replace("&#x27;", "'")
    assert "The file was not used; the budget did not change" in page
    assert saved_lines(draft) == before
    assert Proposal.objects.get(pk=draft.pk).updated_at == updated


def test_every_wrong_cell_is_listed_not_only_the_first(draft):
    fys = editor_years(draft)
    content = filled(fys, [["Travel", "", "abc", -1], ["", "", 5, None]])
    with pytest.raises(Exception) as refused:
        budget_read(content, fiscal_years=fys)
    cells = [(e.row, e.column) for e in refused.value.cell_errors]  # type: ignore[attr-defined]
    assert cells == [(2, "C"), (2, "D"), (3, "A")]


@pytest.mark.parametrize(
    ("content", "name"),
    [(files.pdf(), "budget.xlsx"), (b"MZ\x90\x00 not a workbook", "budget.xlsx")],
)
def test_a_file_that_is_not_a_workbook_is_refused_by_the_upload_checks(
    client, draft, people, content, name
):
    english(client, people["owner"])
    response = import_budget(client, draft, content, name)
    assert response.status_code == 400
    assert "was refused" in response.content.decode()
    assert not BudgetLine.objects.filter(proposal=draft).exists()


def test_budget_import_keeps_other_answers_even_started_the_same_day(draft):
    # The import service writes lines only: the dates of the draft stay.
    fys = editor_years(draft)
    proposal_update_draft(
        proposal=draft,
        actor=None,
        fields={"starts_on": date(2021, 4, 1), "ends_on": date(2022, 3, 31)},
    )
    from solidaire.applications.services import proposal_import_budget

    upload = SimpleUploadedFile(
        "b.xlsx", filled(fys, [["rent", "", 10] + [None] * (len(fys) - 1)]), content_type=XLSX_TYPE
    )
    proposal_import_budget(proposal=draft, file=upload, fiscal_years=fys, actor=None)
    saved = Proposal.objects.get(pk=draft.pk)
    assert (saved.starts_on, saved.ends_on) == (date(2021, 4, 1), date(2022, 3, 31))
    assert len(proposal_budget_rows(saved)) == 1
