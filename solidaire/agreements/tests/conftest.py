"""Agreements follow a decision: the call of these tests is decided."""

from __future__ import annotations

import pytest

from solidaire.testing import factories as f


@pytest.fixture
def call(programme):  # type: ignore[no-untyped-def]
    return f.decided_call(programme)
