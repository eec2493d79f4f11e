"""programme_for_user and the programmes a person sees figures of."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from solidaire.applications.access import roles_for
from solidaire.programmes.access import programme_for_user
from solidaire.programmes.selectors import programmes_with_figures_for
from solidaire.testing import factories as f

# Users are created with a fast password hasher (autouse fixture).
from solidaire.tests.conftest import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "committee", "trustee_finance"])
def test_programme_people_see_its_figures(programme, role):
    user = f.ProgrammeRoleFactory(programme=programme, role=role).user
    assert programme_for_user(user, programme.slug) == programme
    assert list(programmes_with_figures_for(roles_for(user))) == [programme]


def test_ministry_observer_sees_every_programme(programme):
    other = f.ProgrammeFactory(years=[Decimal("1.00")])
    observer = f.UserFactory(is_ministry_observer=True)
    assert programme_for_user(observer, other.slug) == other
    assert set(programmes_with_figures_for(roles_for(observer))) == {programme, other}


@pytest.mark.parametrize("who", ["evaluator", "applicant", "other_coordinator", "anonymous"])
def test_strangers_get_404(programme, who):
    user = {
        "evaluator": lambda: f.ProgrammeRoleFactory(programme=programme, role="evaluator").user,
        "applicant": lambda: f.OrganisationMemberFactory().user,
        "other_coordinator": lambda: f.ProgrammeRoleFactory().user,
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(Http404):
        programme_for_user(user, programme.slug)
    assert programme not in programmes_with_figures_for(roles_for(user))


def test_unknown_programme_is_404(programme):
    observer = f.UserFactory(is_ministry_observer=True)
    with pytest.raises(Http404):
        programme_for_user(observer, "nowhere")
