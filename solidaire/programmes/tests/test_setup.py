"""Programme set-up pages: creating a programme, its fiscal years and
envelope, its work plan, and who may do it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.programmes.models import FiscalYear, Priority, Programme, Region, WorkPlan
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_programme_data(**overrides: str) -> dict[str, str]:
    """A valid new programme: five fiscal years of 840 000 $ from 2020."""
    data = {
        "programme-region": str(Region.objects.get(code="01").pk),
        "programme-name": "Alliance pour la solidarité — Bas-Saint-Laurent",
        "programme-slug": "bas-saint-laurent",
        "programme-trustee": "MRC de Rimouski-Neigette",
        "programme-funder": "Fonds québécois d'initiatives sociales",
        "programme-starts_on": "2020-04-01",
        "programme-ends_on": "2025-03-31",
        "programme-envelope_total": "4 200 000",
        "years-TOTAL_FORMS": "5",
        "years-INITIAL_FORMS": "0",
        "plan-title": "Plan de travail 2020-2025",
        "plan-starts_on": "",
        "plan-ends_on": "",
        "plan-summary": "",
        "priorities-TOTAL_FORMS": "3",
        "priorities-INITIAL_FORMS": "0",
        "priorities-0-name": "Conditions de vie",
        "priorities-1-name": "Inclusion sociale",
        "invite-coordinator_email": "Coord@Example.org",
    }
    for k in range(5):
        data[f"years-{k}-label"] = f"{2020 + k}-{2021 + k}"
        data[f"years-{k}-envelope"] = "840 000,00"
    data.update(overrides)
    return data


@pytest.fixture
def admin_user() -> Any:
    return f.UserFactory(username="admin", is_superuser=True, is_staff=True)


def test_ministry_creates_a_programme_with_its_years_plan_and_coordinator(mailoutbox):
    ministry = f.UserFactory(username="ministere", is_ministry_observer=True)
    response = signed_in(ministry).post(reverse("programmes:create"), new_programme_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(slug="bas-saint-laurent")
    years = list(programme.fiscal_years.order_by("starts_on"))
    assert [y.label for y in years] == [f"{2020 + k}-{2021 + k}" for k in range(5)]
    assert sum(y.envelope for y in years) == Decimal("4200000.00")
    assert str(years[0].starts_on) == "2020-04-01" and str(years[0].ends_on) == "2021-03-31"
    plan = WorkPlan.objects.get(programme=programme)
    assert (plan.starts_on, plan.ends_on) == (programme.starts_on, programme.ends_on)
    assert list(plan.priorities.values_list("code", "order")) == [
        ("conditions-de-vie", 0),
        ("inclusion-sociale", 1),
    ]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["coord@example.org"]
    assert "/programmes/invitation/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(event_type="programme.created").count() == 1


def test_creation_page_renders_for_the_administrator(admin_user):
    response = signed_in(admin_user).get(reverse("programmes:create"))
    assert response.status_code == 200
    assert 'name="years-4-label"' in response.content.decode()


def _errors(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def ministry() -> Any:
    return f.UserFactory(username="ministere", is_ministry_observer=True)


def _refused(response: Any) -> str:
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    # The rest of what was typed is kept.
    assert "Alliance pour la solidarité — Bas-Saint-Laurent" in page
    assert not Programme.objects.filter(slug="bas-saint-laurent").exists()
    return page


def test_envelopes_that_do_not_add_up_to_the_total_are_refused(ministry, mailoutbox):
    data = new_programme_data(**{"programme-envelope_total": "4 000 000"})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "totalisent 4\xa0200\xa0000,00\xa0$, et non 4\xa0000\xa0000,00\xa0$" in page
    assert 'value="840 000,00"' in page
    assert mailoutbox == []
    assert FiscalYear.objects.count() == 0 and WorkPlan.objects.count() == 0


def test_overlapping_fiscal_years_are_refused(ministry):
    data = new_programme_data(**{"years-4-label": "2021-2022"})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "2021-2022 figure deux fois" in page


def test_fiscal_years_with_a_gap_are_refused(ministry):
    data = new_programme_data(**{"years-2-label": "", "years-2-envelope": ""})
    data["programme-envelope_total"] = "3 360 000"
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "il manque 2022-2023 entre 2021-2022 et 2023-2024" in page


def test_a_fiscal_year_outside_the_programme_dates_is_refused(ministry):
    data = new_programme_data(**{"programme-ends_on": "2024-03-31"})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "2024-2025" in page and "n’est pas compris dans les dates du programme" in page


def test_a_label_that_is_not_a_quebec_fiscal_year_is_refused(ministry):
    data = new_programme_data(**{"years-0-label": "2020-2022"})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "deux années qui se suivent" in page


def test_end_before_start_is_refused(ministry):
    data = new_programme_data(**{"programme-ends_on": "2019-03-31"})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "Le programme doit se terminer après son début." in page


def test_a_negative_or_garbled_envelope_is_refused(ministry):
    data = new_programme_data(**{"years-0-envelope": "-5", "years-1-envelope": "beaucoup"})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "Un montant ne peut pas être négatif." in page
    assert 'value="beaucoup"' in page


def test_a_taken_or_reserved_short_name_is_refused(ministry):
    f.ProgrammeFactory(slug="bas-saint-laurent")
    data = new_programme_data()
    response = signed_in(ministry).post(reverse("programmes:create"), data)
    assert response.status_code == 400
    assert "Un autre programme porte déjà ce nom court." in response.content.decode()
    data = new_programme_data(**{"programme-slug": "nouveau"})
    response = signed_in(ministry).post(reverse("programmes:create"), data)
    assert "Ce nom court est réservé" in response.content.decode()


def test_priorities_without_a_work_plan_title_are_refused(ministry):
    data = new_programme_data(**{"plan-title": ""})
    page = _refused(signed_in(ministry).post(reverse("programmes:create"), data))
    assert "les priorités en font partie" in page


@pytest.mark.parametrize("who", ["coordinator", "applicant", "evaluator"])
def test_only_the_ministry_or_the_administrator_create_a_programme(who):
    if who == "applicant":
        user = f.OrganisationMemberFactory().user
    else:
        user = f.ProgrammeRoleFactory(role=who).user
    client = signed_in(user)
    assert client.get(reverse("programmes:create")).status_code == 403
    assert client.post(reverse("programmes:create"), new_programme_data()).status_code == 403
    assert not Programme.objects.filter(slug="bas-saint-laurent").exists()
    anonymous = Client().post(reverse("programmes:create"), new_programme_data())
    assert anonymous.status_code == 302


def test_nouveau_is_not_taken_for_a_programme_by_the_figures_page(ministry):
    assert signed_in(ministry).get("/programmes/nouveau/").status_code == 200
    programme = f.ProgrammeFactory(years=[Decimal("1000.00")])
    assert signed_in(ministry).get(f"/programmes/{programme.slug}/").status_code == 200


# --- Changing a programme -----------------------------------------------------------


def edit_data(programme: Programme, **overrides: str) -> dict[str, str]:
    """The edit form of ``programme`` as its page shows it, unchanged."""
    years = list(programme.fiscal_years.order_by("starts_on"))
    data = {
        "programme-region": str(programme.region_id),
        "programme-name": programme.name,
        "programme-slug": programme.slug,
        "programme-trustee": programme.trustee,
        "programme-funder": programme.funder,
        "programme-starts_on": programme.starts_on.isoformat(),
        "programme-ends_on": programme.ends_on.isoformat(),
        "programme-envelope_total": str(sum(y.envelope for y in years)),
        "years-TOTAL_FORMS": str(len(years) + 1),
        "years-INITIAL_FORMS": str(len(years)),
        "plan-title": "",
        "priorities-TOTAL_FORMS": "0",
        "priorities-INITIAL_FORMS": "0",
    }
    for k, year in enumerate(years):
        data[f"years-{k}-id"] = str(year.pk)
        data[f"years-{k}-programme"] = str(programme.pk)
        data[f"years-{k}-label"] = year.label
        data[f"years-{k}-envelope"] = str(year.envelope)
    data.update(overrides)
    return data


@pytest.fixture
def coordinated(programme: Programme) -> tuple[Programme, Any]:
    role = f.ProgrammeRoleFactory(programme=programme, role="coordinator")
    return programme, role.user


def test_coordinator_changes_an_envelope_and_the_total_follows(coordinated):
    programme, coordinator = coordinated
    url = reverse("programmes:edit", args=[programme.slug])
    assert signed_in(coordinator).get(url).status_code == 200
    data = edit_data(
        programme, **{"years-4-envelope": "900 000", "programme-envelope_total": "4 260 000"}
    )
    response = signed_in(coordinator).post(url, data)
    assert response.status_code == 302, _errors(response)[:2000]
    last = programme.fiscal_years.order_by("starts_on").last()
    assert last is not None and last.envelope == Decimal("900000.00")
    assert AuditEvent.objects.filter(event_type="programme.changed").count() == 1


def test_a_fiscal_year_holding_money_cannot_be_removed_or_lowered(coordinated):
    programme, coordinator = coordinated
    f.funded_proposal(call=f.decided_call(programme), amount=Decimal("1000.00"))
    url = reverse("programmes:edit", args=[programme.slug])
    lowered = edit_data(
        programme, **{"years-0-envelope": "800 000", "programme-envelope_total": "4 160 000"}
    )
    response = signed_in(coordinator).post(url, lowered)
    assert response.status_code == 400
    assert "pas réduite sous 840\xa0000,00\xa0$" in response.content.decode()
    removed = edit_data(
        programme, **{"years-0-DELETE": "on", "programme-envelope_total": "3 360 000"}
    )
    response = signed_in(coordinator).post(url, removed)
    assert response.status_code == 400
    assert "ne peut pas être retiré" in response.content.decode()
    assert programme.fiscal_years.count() == 5
    first = programme.fiscal_years.order_by("starts_on").first()
    assert first is not None and first.envelope == Decimal("840000.00")


def test_coordinator_of_another_programme_gets_404(coordinated):
    programme, _coordinator = coordinated
    stranger = f.ProgrammeRoleFactory(role="coordinator").user
    url = reverse("programmes:edit", args=[programme.slug])
    client = signed_in(stranger)
    assert client.get(url).status_code == 404
    response = client.post(url, edit_data(programme, **{"programme-name": "Pris"}))
    assert response.status_code == 404
    programme.refresh_from_db()
    assert programme.name != "Pris"
    for name in ("programmes:invite",):
        assert client.post(reverse(name, args=[programme.slug]), {}).status_code == 404
    role = programme.roles.get()
    assert (
        client.post(
            reverse("programmes:role", args=[programme.slug, role.pk]), {"remove": "1"}
        ).status_code
        == 404
    )
    # A committee member of the programme itself does not change its set-up.
    member = f.ProgrammeRoleFactory(programme=programme, role="committee").user
    assert signed_in(member).get(url).status_code == 404


def test_work_plan_and_priorities_are_edited_and_a_priority_in_use_stays(coordinated):
    programme, coordinator = coordinated
    plan = f.WorkPlanFactory(
        programme=programme, starts_on=programme.starts_on, ends_on=programme.ends_on
    )
    used = f.PriorityFactory(work_plan=plan, code="vivre", name="Conditions de vie")
    spare = f.PriorityFactory(work_plan=plan, code="libre", name="Libre", order=1)
    proposal = f.ProposalFactory(call=f.CallFactory(programme=programme))
    proposal.priorities.add(used)
    url = reverse("programmes:edit", args=[programme.slug])
    data = edit_data(
        programme,
        **{
            "plan-title": "Plan révisé",
            "plan-starts_on": programme.starts_on.isoformat(),
            "plan-ends_on": programme.ends_on.isoformat(),
            "priorities-TOTAL_FORMS": "3",
            "priorities-INITIAL_FORMS": "2",
            "priorities-0-id": str(used.pk),
            "priorities-0-work_plan": str(plan.pk),
            "priorities-0-name": "Conditions de vie (révisé)",
            "priorities-0-code": "vivre",
            "priorities-1-id": str(spare.pk),
            "priorities-1-work_plan": str(plan.pk),
            "priorities-1-name": "Libre",
            "priorities-1-code": "libre",
            "priorities-1-DELETE": "on",
            "priorities-2-name": "Pouvoir d'agir",
        },
    )
    response = signed_in(coordinator).post(url, data)
    assert response.status_code == 302, _errors(response)[:3000]
    plan.refresh_from_db()
    assert plan.title == "Plan révisé"
    assert list(Priority.objects.filter(work_plan=plan).values_list("code", flat=True)) == [
        "vivre",
        "pouvoir-dagir",
    ]


def test_a_priority_that_proposals_declared_cannot_be_removed(coordinated):
    programme, coordinator = coordinated
    plan = f.WorkPlanFactory(
        programme=programme, starts_on=programme.starts_on, ends_on=programme.ends_on
    )
    used = f.PriorityFactory(work_plan=plan, code="vivre", name="Conditions de vie")
    f.ProposalFactory(call=f.CallFactory(programme=programme)).priorities.add(used)
    data = edit_data(
        programme,
        **{
            "plan-title": plan.title,
            "priorities-TOTAL_FORMS": "1",
            "priorities-INITIAL_FORMS": "1",
            "priorities-0-id": str(used.pk),
            "priorities-0-work_plan": str(plan.pk),
            "priorities-0-name": used.name,
            "priorities-0-code": used.code,
            "priorities-0-DELETE": "on",
        },
    )
    response = signed_in(coordinator).post(reverse("programmes:edit", args=[programme.slug]), data)
    assert response.status_code == 400
    assert "cette priorité ne peut pas être retirée" in response.content.decode()
    assert Priority.objects.filter(pk=used.pk).exists()


@pytest.mark.parametrize("junk", ["", "abc", "-1", "9" * 40, "2026-02-30", "<script>x</script>"])
def test_junk_in_every_field_is_refused_without_a_server_error(ministry, junk):
    data = {key: junk for key in new_programme_data() if not key.endswith("_FORMS")}
    data.update({"years-TOTAL_FORMS": "5", "years-INITIAL_FORMS": "0"})
    data.update({"priorities-TOTAL_FORMS": "3", "priorities-INITIAL_FORMS": "0"})
    response = signed_in(ministry).post(reverse("programmes:create"), data)
    assert response.status_code == 400
    assert Programme.objects.count() == 0


def test_money_committed_while_editing_stops_a_lowered_envelope(coordinated):
    """The form was checked before the year held money; the service checks
    again under the ledger's lock and refuses, writing nothing."""
    from solidaire.programmes.services import SetupRefused, programme_setup_save
    from solidaire.programmes.views import _setup_forms

    programme, coordinator = coordinated
    data = edit_data(
        programme, **{"years-0-envelope": "800 000", "programme-envelope_total": "4 160 000"}
    )
    request = type("R", (), {"POST": data})()
    forms = _setup_forms(request, programme, bound=True, creating=False)  # type: ignore[arg-type]
    assert forms.is_valid()
    f.funded_proposal(call=f.decided_call(programme), amount=Decimal("1000.00"))
    with pytest.raises(SetupRefused):
        programme_setup_save(actor=coordinator, forms=forms)
    first = programme.fiscal_years.order_by("starts_on").first()
    assert first is not None and first.envelope == Decimal("840000.00")


def test_programme_page_links_to_its_set_up_for_the_coordination_only(coordinated):
    programme, coordinator = coordinated
    url = reverse("programme_detail", args=[programme.slug])
    edit = reverse("programmes:edit", args=[programme.slug])
    assert edit in signed_in(coordinator).get(url).content.decode()
    observer = f.UserFactory(username="obs", is_ministry_observer=True)
    assert edit not in signed_in(observer).get(url).content.decode()
    assert signed_in(observer).get(edit).status_code == 404
