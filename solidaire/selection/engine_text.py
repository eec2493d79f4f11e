"""French wording of the engine's explanations (Québec money format)."""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"


def money(cents: int) -> str:
    """``1234500`` -> ``12 345,00 $`` (no-break spaces)."""
    if cents < 0:
        return "-" + money(-cents)
    dollars, rest = divmod(cents, 100)
    if dollars < 1000:  # nothing to group (most shortfalls are larger: one replace)
        return f"{dollars},{rest:02d}{NBSP}$"
    return f"{dollars:,}".replace(",", NBSP) + f",{rest:02d}{NBSP}$"


def number(value: Decimal) -> str:
    """``Decimal("82.50")`` -> ``82,5``; ``Decimal("60")`` -> ``60``."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def proposal_label(pid: str) -> str:
    return f"l'initiative {pid}"


def pool_year_label(pool: str, year: str) -> str:
    return f"le volet {pool} {year}"


def group_label(kind: str, key: str, need: int) -> str:
    what = "le territoire" if kind == "territory" else "la priorité"
    plural = "s" if need > 1 else ""
    return f"le minimum de {need} initiative{plural} pour {what} {key}"
