"""Every step of a call's work is reachable from the coordinator's home, and
each link appears only to those who may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from solidaire.programmes.models import ProgrammeRole
from solidaire.testing import factories as f

R = ProgrammeRole.Role


def _links(call):  # type: ignore[no-untyped-def]
    slug, n = call.programme.slug, call.number
    return {
        "screening": reverse("reviews:screening", args=[slug, n]),
        "assignments": reverse("reviews:assignments", args=[slug, n]),
        "scores": reverse("reviews:scores", args=[slug, n]),
        "selection": reverse("selection:call", args=[slug, n]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (R.COORDINATOR, {"screening", "assignments", "scores", "selection"}),
        (R.COMMITTEE, {"scores", "selection"}),
        (R.TRUSTEE_FINANCE, set()),
    ],
)
def test_call_work_links_follow_the_role(client, call, role, expected):  # type: ignore[no-untyped-def]
    user = f.ProgrammeRoleFactory(programme=call.programme, role=role).user
    client.force_login(user)
    page = client.get("/").content.decode()
    shown = {name for name, url in _links(call).items() if f'href="{url}"' in page}
    assert shown == expected
    for name in shown:
        assert client.get(_links(call)[name]).status_code == 200, name


@pytest.mark.django_db
def test_applicant_home_offers_to_start_a_proposal(client, call):  # type: ignore[no-untyped-def]
    member = f.OrganisationMemberFactory()
    f.ProposalFactory(call=call, organisation=member.organisation)
    client.force_login(member.user)
    assert reverse("applications:start") in client.get("/").content.decode()
