"""A decision is taken once its call has closed: the call of these tests
closed in 2020, before the instant the decisions are dated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solidaire.testing import factories as f


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    return f.CallFactory(
        programme=programme,
        opens_at=datetime(2019, 10, 1, 13, tzinfo=UTC),
        closes_at=datetime(2019, 11, 29, 21, tzinfo=UTC),
    )
