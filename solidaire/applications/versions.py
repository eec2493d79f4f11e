"""Frozen versions of a proposal: what was submitted, and its fingerprint.

At each submission the proposal's whole content is copied into a
:class:`~solidaire.applications.models.ProposalVersion`: every answer, amount
requested, budget line, other funding, territory, priority and document (its
name and SHA-256, the file itself staying in the private store). The
snapshot's canonical JSON (keys sorted, no spaces, UTF-8) is hashed with
SHA-256; that hash is printed on the receipt, so the organisation and the
programme can both show later exactly what was received.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.http import Http404

from solidaire.accounts.permissions import COORDINATOR, Roles
from solidaire.applications.models import Proposal, ProposalVersion

# Bumped when the snapshot's shape changes, so that an old version's hash is
# always recomputed from the shape it was made with.
SNAPSHOT_FORMAT = 1


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def proposal_snapshot(proposal: Proposal) -> dict[str, Any]:
    """Everything the organisation submits, as plain JSON values (amounts as
    decimal strings, dates ISO 8601), each list in a stable order."""
    stream = proposal.stream
    return {
        "format": SNAPSHOT_FORMAT,
        "reference": proposal.reference,
        "call": {"id": proposal.call_id, "number": proposal.call.number},
        "organisation": {
            "id": proposal.organisation_id,
            "legal_name": proposal.organisation.legal_name,
            "neq": proposal.organisation.neq,
        },
        "title": proposal.title,
        "summary": proposal.summary,
        "scope": proposal.scope,
        "stream": {"code": stream.code, "name": stream.name} if stream else None,
        "poverty_participation": proposal.poverty_participation,
        "partners": proposal.partners,
        "starts_on": proposal.starts_on.isoformat() if proposal.starts_on else None,
        "ends_on": proposal.ends_on.isoformat() if proposal.ends_on else None,
        "total_cost": _money(proposal.total_cost),
        "territories": [
            {"code": t.code, "name": t.name} for t in proposal.territories.order_by("code")
        ],
        "priorities": [
            {"code": p.code, "name": p.name} for p in proposal.priorities.order_by("code", "pk")
        ],
        "requested": [
            {"fiscal_year": r.fiscal_year.label, "amount": _money(r.amount)}
            for r in proposal.requested_amounts.select_related("fiscal_year").order_by(
                "fiscal_year__starts_on"
            )
        ],
        "budget_lines": [
            {
                "fiscal_year": line.fiscal_year.label,
                "category": line.category,
                "description": line.description,
                "amount": _money(line.amount),
            }
            for line in proposal.budget_lines.select_related("fiscal_year").order_by(
                "fiscal_year__starts_on", "category", "pk"
            )
        ],
        "other_funding": [
            {"source": f.source, "amount": _money(f.amount), "confirmed": f.confirmed}
            for f in proposal.other_funding.order_by("pk")
        ],
        "documents": [
            {
                "document": a.document.code if a.document else None,
                "name": a.name,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in proposal.attachments.select_related("document").order_by("document_id", "pk")
        ],
    }


def canonical_json(content: dict[str, Any]) -> bytes:
    """The one byte form of a snapshot that its hash is computed on."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def may_see_versions(roles: Roles, *, programme_id: int, organisation_id: int) -> bool:
    """The submitted versions: the organisation that wrote them and the
    programme's coordination (not evaluators, who read the proposal as it
    stands)."""
    return (
        roles.superuser
        or organisation_id in roles.organisation_ids
        or roles.has_role(programme_id, COORDINATOR)
    )


def versions_of(proposal: Proposal) -> list[ProposalVersion]:
    """The proposal's submitted versions, oldest first, with who submitted (one query)."""
    return list(
        ProposalVersion.objects.filter(proposal=proposal)
        .select_related("submitted_by")
        .order_by("number")
    )


def latest_version(proposal: Proposal) -> ProposalVersion | None:
    return ProposalVersion.objects.filter(proposal=proposal).order_by("-number").first()


def version_of(proposal: Proposal, number: int) -> ProposalVersion:
    """Version ``number`` of a proposal the caller may already see, or 404."""
    version = (
        ProposalVersion.objects.filter(proposal=proposal, number=number)
        .select_related("submitted_by")
        .first()
    )
    if version is None:
        raise Http404
    return version
