"""Verification of the ledger from its entries alone.

Every balance the pages show is recomputed here by reading each entry once,
in Python, independently of the SQL sums the pages use; then every
invariant the services enforce when they write is checked again on what
the database holds:

* each entry says what it said when written (its fingerprint), has a
  positive amount and a known kind, and lies in a fiscal year of its
  commitment's programme, within the programme's dates;
* per commitment and fiscal year: released + paid ≤ committed, and money
  returned ≤ money paid;
* per fiscal year: net committed ≤ envelope + carried over;
* per stream and territorial sub-envelope of a call that splits its money:
  net committed ≤ its allocation;
* the balances read by the pages (:func:`programmes_balances`) equal the
  recomputed ones.

Used by ``manage.py ledger_verify``; an auditor runs it on a copy of the
database to know that nothing was altered behind the product's back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from solidaire.calls.models import Allocation
from solidaire.common.money import ZERO, format_money
from solidaire.ledger.models import CarryOver, Commitment, LedgerEntry, digest_of
from solidaire.ledger.selectors import programmes_balances
from solidaire.programmes.models import FiscalYear, Programme

K = LedgerEntry.Kind


@dataclass(frozen=True)
class Mismatch:
    """One thing the ledger's entries contradict; ``subject`` names what
    (an entry, a commitment, a fiscal year, a stream)."""

    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


@dataclass
class _Sums:
    committed: Decimal = ZERO
    released: Decimal = ZERO
    paid: Decimal = ZERO
    returned: Decimal = ZERO
    entries: list[int] = field(default_factory=list)

    def add(self, kind: str, amount: Decimal, entry_id: int) -> None:
        if kind == K.COMMIT:
            self.committed += amount
        elif kind == K.RELEASE:
            self.released += amount
        elif kind == K.PAY:
            self.paid += amount
        elif kind == K.REFUND:
            self.returned += amount
        self.entries.append(entry_id)

    @property
    def net_committed(self) -> Decimal:
        return self.committed - self.released

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.returned


@dataclass
class VerifyResult:
    entries: int = 0
    fiscal_years: int = 0
    commitments: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


def _entries_named(ids: list[int]) -> str:
    shown = ", ".join(f"#{pk}" for pk in ids[:20])
    return shown + (" …" if len(ids) > 20 else "")


def ledger_verify(*, programme_ids: Iterable[int] | None = None) -> VerifyResult:
    """Recompute every balance from the entries and check every invariant;
    the result lists each mismatch (none when the ledger is sound)."""
    programmes = Programme.objects.all()
    if programme_ids is not None:
        programmes = programmes.filter(pk__in=list(programme_ids))
    programme_list = list(programmes)
    dates = {p.pk: (p.starts_on, p.ends_on) for p in programme_list}
    slugs = {p.pk: p.slug for p in programme_list}
    years = {fy.pk: fy for fy in FiscalYear.objects.filter(programme__in=dates)}
    commitments = {
        c["pk"]: c
        for c in Commitment.objects.filter(programme__in=dates).values(
            "pk", "reference", "programme", "call", "stream", "territory"
        )
    }
    result = VerifyResult(fiscal_years=len(years), commitments=len(commitments))
    found = result.mismatches

    per_year: dict[int, _Sums] = defaultdict(_Sums)
    per_commitment: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
    per_stream: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
    per_territory: dict[tuple[int, int, int], _Sums] = defaultdict(_Sums)
    kinds = set(K.values)
    entries = (
        LedgerEntry.objects.filter(commitment__programme__in=dates)
        .order_by("pk")
        .values_list(
            "pk", "commitment", "fiscal_year", "kind", "amount", "effective_on", "memo", "digest"
        )
    )
    for pk, commitment_id, fy_id, kind, amount, effective_on, memo, digest in entries.iterator(
        chunk_size=2000
    ):
        result.entries += 1
        subject = _("entry #%(id)s") % {"id": pk}
        expected = digest_of(
            commitment_id=commitment_id,
            fiscal_year_id=fy_id,
            kind=kind,
            amount=amount,
            effective_on=effective_on,
            memo=memo,
        )
        if digest != expected:
            found.append(
                Mismatch(
                    subject, _("its content no longer matches the fingerprint it was written with.")
                )
            )
        if amount <= ZERO:
            found.append(Mismatch(subject, _("its amount is not positive.")))
        if kind not in kinds:
            found.append(Mismatch(subject, _("unknown kind “%(kind)s”.") % {"kind": kind}))
        commitment = commitments[commitment_id]
        fy = years.get(fy_id)
        if fy is None or fy.programme_id != commitment["programme"]:
            found.append(
                Mismatch(
                    subject, _("its fiscal year belongs to another programme than its commitment.")
                )
            )
            continue
        starts_on, ends_on = dates[commitment["programme"]]
        if not starts_on <= effective_on <= ends_on:
            found.append(Mismatch(subject, _("its date lies outside the programme's dates.")))
        per_year[fy_id].add(kind, amount, pk)
        per_commitment[(commitment_id, fy_id)].add(kind, amount, pk)
        if commitment["stream"] is not None:
            per_stream[(commitment["stream"], fy_id)].add(kind, amount, pk)
            if commitment["territory"] is not None:
                per_territory[(commitment["stream"], commitment["territory"], fy_id)].add(
                    kind, amount, pk
                )

    for (commitment_id, fy_id), sums in per_commitment.items():
        subject = _("commitment %(reference)s, %(fy)s") % {
            "reference": commitments[commitment_id]["reference"],
            "fy": years[fy_id].label,
        }
        figures = {
            "committed": format_money(sums.committed),
            "released": format_money(sums.released),
            "paid": format_money(sums.net_paid),
            "entries": _entries_named(sums.entries),
        }
        if sums.released + sums.net_paid > sums.committed:
            found.append(
                Mismatch(
                    subject,
                    _(
                        "released %(released)s and paid %(paid)s exceed the %(committed)s "
                        "committed (entries %(entries)s)."
                    )
                    % figures,
                )
            )
        if sums.returned > sums.paid:
            found.append(
                Mismatch(
                    subject,
                    _("more money returned than was paid (entries %(entries)s).") % figures,
                )
            )

    carried: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for source, target, amount in CarryOver.objects.filter(programme__in=dates).values_list(
        "source", "target", "amount"
    ):
        carried[source] -= amount
        carried[target] += amount
    for fy_id, fy in years.items():
        sums = per_year[fy_id]
        room = fy.envelope + carried[fy_id]
        if sums.net_committed > room:
            found.append(
                Mismatch(
                    _("fiscal year %(fy)s of %(programme)s")
                    % {"fy": fy.label, "programme": slugs[fy.programme_id]},
                    _(
                        "net committed %(committed)s exceeds the envelope with carry-overs, "
                        "%(room)s (entries %(entries)s)."
                    )
                    % {
                        "committed": format_money(sums.net_committed),
                        "room": format_money(room),
                        "entries": _entries_named(sums.entries),
                    },
                )
            )

    found.extend(_pool_mismatches(per_stream, per_territory, years))
    found.extend(_balance_mismatches(programme_list, per_year, years))
    return result


def _pool_mismatches(
    per_stream: dict[tuple[int, int], _Sums],
    per_territory: dict[tuple[int, int, int], _Sums],
    years: dict[int, FiscalYear],
) -> list[Mismatch]:
    stream_ids = {stream for stream, _fy in per_stream}
    allocations = list(
        Allocation.objects.filter(stream__in=stream_ids).values(
            "stream",
            "stream__name",
            "stream__call",
            "territory",
            "territory__name",
            "fiscal_year",
            "amount",
        )
    )
    # A call that splits no money among its streams draws on the envelope only.
    splitting_calls = {a["stream__call"] for a in allocations}
    names = {a["stream"]: a["stream__name"] for a in allocations}
    territory_names = {a["territory"]: a["territory__name"] for a in allocations}
    stream_cap: dict[tuple[int, int], Decimal] = {}
    sub_caps: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for a in allocations:
        key = (a["stream"], a["fiscal_year"])
        if a["territory"] is None:
            stream_cap[key] = a["amount"]
        else:
            sub_caps[key][a["territory"]] = a["amount"]
    calls = {a["stream"]: a["stream__call"] for a in allocations}
    found = []
    for (stream, fy_id), sums in per_stream.items():
        if calls.get(stream) not in splitting_calls:
            continue
        key = (stream, fy_id)
        pool = stream_cap.get(key, sum(sub_caps[key].values(), ZERO))
        if sums.net_committed > pool:
            found.append(
                Mismatch(
                    _("stream “%(stream)s”, %(fy)s")
                    % {"stream": names.get(stream, stream), "fy": years[fy_id].label},
                    _("net committed %(committed)s exceeds its %(pool)s (entries %(entries)s).")
                    % {
                        "committed": format_money(sums.net_committed),
                        "pool": format_money(pool),
                        "entries": _entries_named(sums.entries),
                    },
                )
            )
    for (stream, territory, fy_id), sums in per_territory.items():
        cap = sub_caps[(stream, fy_id)].get(territory)
        if cap is not None and sums.net_committed > cap:
            found.append(
                Mismatch(
                    _("sub-envelope %(territory)s of “%(stream)s”, %(fy)s")
                    % {
                        "territory": territory_names.get(territory, territory),
                        "stream": names.get(stream, stream),
                        "fy": years[fy_id].label,
                    },
                    _("net committed %(committed)s exceeds its %(pool)s (entries %(entries)s).")
                    % {
                        "committed": format_money(sums.net_committed),
                        "pool": format_money(cap),
                        "entries": _entries_named(sums.entries),
                    },
                )
            )
    return found


def _balance_mismatches(
    programmes: list[Programme], per_year: dict[int, _Sums], years: dict[int, FiscalYear]
) -> list[Mismatch]:
    """The figures the pages read (SQL sums) against the recomputed ones."""
    found = []
    by_label = {(fy.programme_id, fy.label): fy.pk for fy in years.values()}
    slugs = {p.pk: p.slug for p in programmes}
    for programme_id, balances in programmes_balances(programmes).items():
        for balance in balances:
            sums = per_year[by_label[(programme_id, balance.label)]]
            shown = (balance.committed, balance.released, balance.paid)
            recomputed = (sums.committed, sums.released, sums.net_paid)
            if shown != recomputed:
                found.append(
                    Mismatch(
                        _("fiscal year %(fy)s of %(programme)s")
                        % {"fy": balance.label, "programme": slugs[programme_id]},
                        _(
                            "the balance shown (committed %(c1)s, released %(r1)s, paid %(p1)s) "
                            "differs from the entries (%(c2)s, %(r2)s, %(p2)s)."
                        )
                        % {
                            "c1": format_money(shown[0]),
                            "r1": format_money(shown[1]),
                            "p1": format_money(shown[2]),
                            "c2": format_money(recomputed[0]),
                            "r2": format_money(recomputed[1]),
                            "p2": format_money(recomputed[2]),
                        },
                    )
                )
    return found
