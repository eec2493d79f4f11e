"""Shapes of the public JSON API (version 1).

Amounts are decimal strings with two places (``"1200000.00"``) so that no
client ever reads money through a binary float; instants are ISO 8601 in
Québec's time zone (America/Toronto) with their UTC offset, dates are ISO.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

Money = Annotated[
    str,
    Field(
        pattern=r"^-?\d+\.\d{2}$",
        examples=["1200000.00"],
        description="Amount in Canadian dollars, as a decimal string with two places.",
    ),
]


class RegionOut(Schema):
    code: str = Field(examples=["03"], description="Official number of Québec's region (01–17).")
    name: str = Field(examples=["Capitale-Nationale"])


class FiscalYearOut(Schema):
    label: str = Field(examples=["2020-2021"], description="Québec fiscal year, 1 April–31 March.")
    start: date
    end: date
    amount: Money = Field(description="Envelope of the fiscal year, as voted.")
    committed: Money = Field(description="Net committed: committed minus released.")
    paid: Money
    carried_over: Money = Field(
        description=(
            "Carried over with the funder's authorisation: negative when sent from this "
            "(ended) year to a later one, positive when received from an earlier one."
        )
    )
    lapsed: Money = Field(
        description=(
            "What this year left uncommitted once it ended and did not carry over; never "
            "negative, zero while the year is open."
        )
    )
    available: Money = Field(
        description="amount + carried_over − committed − lapsed; zero once the year has ended."
    )


class EnvelopeOut(Schema):
    total: Money
    currency: Literal["CAD"] = "CAD"
    fiscal_years: list[FiscalYearOut]


class CallOut(Schema):
    id: int
    number: int
    title: str
    status: Literal["upcoming", "open", "closed", "decided"] = Field(
        description="Status now: upcoming, open, closed (not yet decided) or decided."
    )
    opens_at: datetime
    closes_at: datetime
    available: Money = Field(
        description="What the call may still commit, from the ledger (its streams and "
        "sub-envelopes, capped by what the programme's envelope has left)."
    )
    proposals_received: int = Field(
        description="Proposals that were submitted, including those withdrawn after submission."
    )
    proposals_funded: int = Field(description="Proposals funded, active or closed.")
    organisations_funded: int = Field(description="Distinct organisations of funded proposals.")
    amount_awarded: Money = Field(description="Net money committed to the call's initiatives.")


class ProgrammeOut(Schema):
    id: int
    name: str
    region: RegionOut
    trustee: str
    envelope: EnvelopeOut
    calls: list[CallOut]


class ProgrammeListOut(Schema):
    results: list[ProgrammeOut]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the language asked for (French first).")
    code: str = Field(examples=["not_found"])
