"""Shared pytest fixtures: a programme with a five-year envelope and the three
users of every access test (owner, member of another organisation, stranger)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from solidaire.common.fiscal import fiscal_today
from solidaire.testing import factories as f


@pytest.fixture(autouse=True)
def reference_data(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Regions and territories come from a data migration; a transactional
    test (browser, concurrency) flushes every table when it ends, so put
    them back before any test that uses the database."""
    uses_db = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        from solidaire.programmes.reference import reference_ensure

        with django_db_blocker.unblock():
            reference_ensure()


@pytest.fixture(autouse=True)
def fresh_rate_limits():  # type: ignore[no-untyped-def]
    # The login and sign-up rate limits count in the cache, which outlives a
    # test: each test starts with no attempts recorded, so that one test's
    # requests never throttle the next one's.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Tests create many users; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The tests' present: autumn 2020, when the factories' programmes (2020-2025)
# have every fiscal year still open. Tests of ended years set their own date.
TESTS_TODAY = date(2020, 10, 15)


@pytest.fixture(autouse=True)
def fiscal_present():  # type: ignore[no-untyped-def]
    with fiscal_today(TESTS_TODAY):
        yield TESTS_TODAY


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Uploaded documents go to a folder of the test's own, never into the
    project's ``var/private``."""
    root = tmp_path_factory.mktemp("private")
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "solidaire.documents.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


@pytest.fixture
def programme(db):  # type: ignore[no-untyped-def]
    return f.ProgrammeFactory(years=[Decimal("840000.00")] * 5)


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    return f.CallFactory(programme=programme)
