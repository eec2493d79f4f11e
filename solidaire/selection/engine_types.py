"""Plain data of the selection engine: instances and results.

Money is held in integer cents, fractions and scores as ``Decimal``; nothing
here knows of Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Objective = Literal["merit_order", "total_score", "score_dollars"]
Method = Literal["optimal", "rank"]
Status = Literal["optimal", "infeasible", "time_limit"]

OBJECTIVES: tuple[Objective, ...] = ("merit_order", "total_score", "score_dollars")
METHODS: tuple[Method, ...] = ("optimal", "rank")


class InstanceError(ValueError):
    """Invalid instance; ``field`` is a path such as ``proposals[3].score``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Pool:
    """A stream or territorial sub-envelope; ``amounts`` in cents per fiscal year.

    A fiscal year the pool does not declare holds no money (amount 0).
    """

    id: str
    amounts: tuple[int, ...]


@dataclass(frozen=True)
class Proposal:
    id: str
    organisation: str
    score: Decimal
    pools: tuple[str, ...]
    requested: tuple[int, ...]  # cents per fiscal year of the instance
    min_fraction: Decimal
    territories: tuple[str, ...]
    priorities: tuple[str, ...]
    lock: Literal["in", "out"] | None


@dataclass(frozen=True)
class Rules:
    max_per_organisation: int | None = None
    min_per_territory: tuple[tuple[str, int], ...] = ()
    min_per_priority: tuple[tuple[str, int], ...] = ()
    min_score: Decimal | None = None


@dataclass(frozen=True)
class Instance:
    fiscal_years: tuple[str, ...]
    pools: tuple[Pool, ...]
    proposals: tuple[Proposal, ...]
    rules: Rules
    objective: Objective = "merit_order"


@dataclass(frozen=True)
class FundedProposal:
    id: str
    fraction: Decimal
    amounts: tuple[int, ...]  # cents per fiscal year of the instance
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotFundedProposal:
    id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    status: Status
    method: Method
    objective_function: Objective
    objective: float
    bound: float | None
    gap: float | None
    funded: tuple[FundedProposal, ...]
    not_funded: tuple[NotFundedProposal, ...]
    infeasibility: tuple[str, ...]
    seconds: float
    solver_seconds: float
    fiscal_years: tuple[str, ...]
