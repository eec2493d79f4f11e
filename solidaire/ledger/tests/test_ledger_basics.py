from decimal import Decimal

import pytest

from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import LedgerError, commitment_create, ledger_commit, ledger_pay
from solidaire.testing import factories as f


@pytest.mark.django_db
def test_commit_within_stream_then_refuse_over_commit(programme):
    call = f.CallFactory(programme=programme)
    stream = f.StreamFactory(call=call)
    fy = programme.fiscal_years.first()
    f.AllocationFactory(stream=stream, fiscal_year=fy, amount=Decimal("100000.00"))
    c1 = commitment_create(programme=programme, reference="a", label="A", stream=stream)
    ledger_commit(commitment=c1, amounts={fy: Decimal("60000.00")}, actor=None)
    c2 = commitment_create(programme=programme, reference="b", label="B", stream=stream)
    with pytest.raises(LedgerError, match="40"):
        ledger_commit(commitment=c2, amounts={fy: Decimal("40000.01")}, actor=None)
    ledger_pay(commitment=c1, fiscal_year=fy, amount=Decimal("10000"), actor=None)
    balances = programme_balances(programme)
    assert balances[0].committed == Decimal("60000.00")
    assert balances[0].paid == Decimal("10000.00")
    assert balances[0].available == Decimal("780000.00")
    figures = calls_figures([call])[call.pk]
    assert figures.committed == Decimal("60000.00")
    assert figures.available == Decimal("40000.00")
