"""Shared pytest fixtures: a programme with a five-year envelope and the three
users of every access test (owner, member of another organisation, stranger)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from solidaire.testing import factories as f


@pytest.fixture
def programme(db):  # type: ignore[no-untyped-def]
    return f.ProgrammeFactory(years=[Decimal("840000.00")] * 5)


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    return f.CallFactory(programme=programme)
