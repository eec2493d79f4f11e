"""Fixtures for the page tests: one programme with people in every role,
and the gate of the browser tests."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from solidaire.accounts.models import User
from solidaire.applications.models import Organisation, Proposal
from solidaire.calls.models import Call
from solidaire.programmes.models import Programme, ProgrammeRole
from solidaire.testing import factories as f

R = ProgrammeRole.Role
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # The default hasher is slow on purpose; the pages tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    programme: Programme
    call: Call  # decided, two funded proposals
    open_call: Call
    org: Organisation
    other_org: Organisation
    coordinator: User
    evaluator: User
    trustee: User
    applicant: User  # member of org
    member: User  # another member of org
    stranger: User  # member of other_org
    observer: User
    funded: Proposal  # org's, 60 000 $
    other_funded: Proposal  # other_org's, 40 000 $
    submitted: Proposal  # org's, in the open call


@pytest.fixture
def world(programme: Programme) -> World:
    call = f.decided_call(programme, title="Premier appel")
    open_call = f.CallFactory(programme=programme, title="Deuxième appel")
    org = f.OrganisationFactory(legal_name="Cuisine collective de Portneuf")
    other_org = f.OrganisationFactory(legal_name="Maison de la famille de Charlevoix")
    people = {
        role: f.ProgrammeRoleFactory(programme=programme, role=role, user__username=role).user
        for role in (R.COORDINATOR, R.EVALUATOR, R.TRUSTEE_FINANCE)
    }
    applicant = f.OrganisationMemberFactory(organisation=org, user__username="applicant").user
    member = f.OrganisationMemberFactory(organisation=org, user__username="member").user
    stranger = f.OrganisationMemberFactory(organisation=other_org, user__username="stranger").user
    observer = f.UserFactory(username="observer", is_ministry_observer=True)
    funded = f.funded_proposal(
        call=call, organisation=org, title="Repas partagés", amount=Decimal("60000.00")
    )
    other_funded = f.funded_proposal(
        call=call, organisation=other_org, title="Halte-répit", amount=Decimal("40000.00")
    )
    f.ProposalFactory(call=call, organisation=other_org, status=Proposal.Status.DECLINED)
    submitted = f.ProposalFactory(
        call=open_call, organisation=org, status=Proposal.Status.SUBMITTED, title="Jardin"
    )
    f.RequestedAmountFactory(proposal=submitted, amount=Decimal("25000.00"))
    return World(
        programme=programme,
        call=call,
        open_call=open_call,
        org=org,
        other_org=other_org,
        coordinator=people[R.COORDINATOR],
        evaluator=people[R.EVALUATOR],
        trustee=people[R.TRUSTEE_FINANCE],
        applicant=applicant,
        member=member,
        stranger=stranger,
        observer=observer,
        funded=funded,
        other_funded=other_funded,
        submitted=submitted,
    )


def chromium_path() -> str:
    return os.environ.get("SOLIDAIRE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_prerequisites() -> tuple[str, Path]:
    """Chromium and axe-core, or a skip with a plain reason; where the
    browser tests are mandatory (CI=true or SOLIDAIRE_REQUIRE_BROWSER=1) a
    missing prerequisite is a failure, so a green CI run always means the
    pages were checked."""
    chromium = chromium_path()
    problem = None
    if not (Path(chromium).exists() or shutil.which(chromium)):
        problem = f"Chromium not found at {chromium}: browser tests skipped"
    elif not AXE_PATH.exists():
        problem = f"axe-core not found at {AXE_PATH} (run npm install): browser tests skipped"
    if problem is not None:
        if os.environ.get("CI") == "true" or os.environ.get("SOLIDAIRE_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    return chromium, AXE_PATH
