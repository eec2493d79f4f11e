"""Shared pytest fixtures: a programme with a five-year envelope and the three
users of every access test (owner, member of another organisation, stranger)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from solidaire.testing import factories as f


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Tests create many users; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme(db):  # type: ignore[no-untyped-def]
    return f.ProgrammeFactory(years=[Decimal("840000.00")] * 5)


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    return f.CallFactory(programme=programme)
