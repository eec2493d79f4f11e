"""Reads /api/v1/programmes/ on standard input and checks the demo's facts.

Capitale-Nationale, found by its region (03) among the programmes:
4 200 000,00 $ over 5 fiscal years, call 1 with 69 proposals, 20 funded
organisations sharing 1 200 000,00 $, one carry-over from an ended fiscal
year, every year's available = amount + carried_over − committed − lapsed,
and call 2's available amount equal to what the ledger says is left in the
fiscal years still open (an ended year's available is zero).

Chaudière-Appalaches (region 12), the smaller second programme:
1 500 000,00 $ over 5 fiscal years, one call, decided, whose awards are what
its ledger has committed, every year balanced the same way."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any


def _balanced(y: dict[str, str]) -> bool:
    figures = {k: Decimal(y[k]) for k in ("amount", "carried_over", "committed", "lapsed")}
    return (
        Decimal(y["available"])
        == figures["amount"] + figures["carried_over"] - figures["committed"] - figures["lapsed"]
        and figures["lapsed"] >= 0
    )


def _programme(data: dict[str, Any], region: str) -> dict[str, Any]:
    found = [p for p in data["results"] if p["region"]["code"] == region]
    if len(found) != 1:
        raise SystemExit(f"FAIL {len(found)} programmes in region {region}, expected one")
    return found[0]


def main() -> int:
    data = json.load(sys.stdin)
    programme = _programme(data, "03")
    envelope = programme["envelope"]
    years = envelope["fiscal_years"]
    call1 = next(c for c in programme["calls"] if c["number"] == 1)
    call2 = next(c for c in programme["calls"] if c["number"] == 2)
    left = sum((Decimal(y["available"]) for y in years), Decimal(0))
    carried = [Decimal(y["carried_over"]) for y in years]

    second = _programme(data, "12")
    second_years = second["envelope"]["fiscal_years"]
    second_calls = second["calls"]
    second_committed = sum((Decimal(y["committed"]) for y in second_years), Decimal(0))

    checks = {
        "several programmes": len(data["results"]) >= 2,
        "region 03": programme["region"]["code"] == "03",
        "envelope 4200000.00": envelope["total"] == "4200000.00",
        "5 fiscal years": len(years) == 5,
        "call 1: 69 received": call1["proposals_received"] == 69,
        "call 1: 20 funded": call1["proposals_funded"] == 20,
        "call 1: 20 organisations": call1["organisations_funded"] == 20,
        "call 1: 1200000.00 awarded": call1["amount_awarded"] == "1200000.00",
        "one carry-over, sent = received": sum(c < 0 for c in carried) == 1 and sum(carried) == 0,
        "every year: available = amount + carried_over − committed − lapsed": all(
            _balanced(y) for y in years
        ),
        "call 2: available = ledger's left": Decimal(call2["available"]) == left,
        "region 12: envelope 1500000.00 over 5 fiscal years": (
            second["envelope"]["total"] == "1500000.00" and len(second_years) == 5
        ),
        "region 12: one call, decided": (
            len(second_calls) == 1 and second_calls[0]["status"] == "decided"
        ),
        "region 12: call 1 funded some of what it received": (
            0 < second_calls[0]["proposals_funded"] < second_calls[0]["proposals_received"]
        ),
        "region 12: awarded = the ledger's committed": (
            Decimal(second_calls[0]["amount_awarded"]) == second_committed > 0
        ),
        "region 12: every year balanced": all(_balanced(y) for y in second_years),
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    print(f"call 2 available: {call2['available']} (ledger: {left})")
    print(
        f"region 12, call 1: {second_calls[0]['proposals_funded']} funded of "
        f"{second_calls[0]['proposals_received']}, {second_calls[0]['amount_awarded']} awarded"
    )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
