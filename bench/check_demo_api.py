"""Reads /api/v1/programmes/ on standard input and checks the demo's facts:
region 03, 4 200 000,00 $ over 5 fiscal years, call 1 with 69 proposals,
20 funded organisations sharing 1 200 000,00 $, and call 2's available
amount equal to what the ledger says is left."""

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
    checks = {
        "region 03": programme["region"]["code"] == "03",
        "envelope 4200000.00": envelope["total"] == "4200000.00",
        "5 fiscal years": len(years) == 5,
        "call 1: 69 received": call1["proposals_received"] == 69,
        "call 1: 20 funded": call1["proposals_funded"] == 20,
        "call 1: 20 organisations": call1["organisations_funded"] == 20,
        "call 1: 1200000.00 awarded": call1["amount_awarded"] == "1200000.00",
        "call 2: available = ledger's left": Decimal(call2["available"]) == left,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    print(f"call 2 available: {call2['available']} (ledger: {left})")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
