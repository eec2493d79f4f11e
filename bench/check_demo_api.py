"""Reads /api/v1/programmes/ on standard input and checks the demo's facts:
region 03, 4 200 000,00 $ over 5 fiscal years, call 1 with 69 proposals,
20 funded organisations sharing 1 200 000,00 $, one carry-over from an ended
fiscal year, every year's available = amount + carried_over − committed −
lapsed, and call 2's available amount equal to what the ledger says is left
in the fiscal years still open (an ended year's available is zero)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal


def main() -> int:
    data = json.load(sys.stdin)
    programme = data["results"][0]
    envelope = programme["envelope"]
    years = envelope["fiscal_years"]
    call1 = next(c for c in programme["calls"] if c["number"] == 1)
    call2 = next(c for c in programme["calls"] if c["number"] == 2)
    left = sum((Decimal(y["available"]) for y in years), Decimal(0))
    carried = [Decimal(y["carried_over"]) for y in years]

    def balanced(y: dict[str, str]) -> bool:
        figures = {k: Decimal(y[k]) for k in ("amount", "carried_over", "committed", "lapsed")}
        return (
            Decimal(y["available"])
            == (
                figures["amount"]
                + figures["carried_over"]
                - figures["committed"]
                - figures["lapsed"]
            )
            and figures["lapsed"] >= 0
        )

    checks = {
        "region 03": programme["region"]["code"] == "03",
        "envelope 4200000.00": envelope["total"] == "4200000.00",
        "5 fiscal years": len(years) == 5,
        "call 1: 69 received": call1["proposals_received"] == 69,
        "call 1: 20 funded": call1["proposals_funded"] == 20,
        "call 1: 20 organisations": call1["organisations_funded"] == 20,
        "call 1: 1200000.00 awarded": call1["amount_awarded"] == "1200000.00",
        "one carry-over, sent = received": sum(c < 0 for c in carried) == 1 and sum(carried) == 0,
        "every year: available = amount + carried_over − committed − lapsed": all(
            balanced(y) for y in years
        ),
        "call 2: available = ledger's left": Decimal(call2["available"]) == left,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    print(f"call 2 available: {call2['available']} (ledger: {left})")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
