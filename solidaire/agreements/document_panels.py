"""What the trustee's agreement page shows of the document and its
signatures (a module of its own: ``views`` and ``document_views`` both use it)."""

from __future__ import annotations

from typing import Any

from solidaire.accounts.permissions import Roles, allowed
from solidaire.agreements.document_forms import CountersignForm
from solidaire.agreements.documents import LANGUAGES, signing_state
from solidaire.agreements.models import Agreement


def signing_context(
    agreement: Agreement, roles: Roles, countersign: CountersignForm | None = None
) -> dict[str, Any]:
    """What the trustee's agreement page shows about the document and its
    signatures, and the countersignature form when it is the trustee's turn."""
    state = signing_state(agreement)
    programme_id = agreement.proposal.call.programme_id
    can_countersign = (
        allowed(roles, "agreement.countersign", programme_id=programme_id)
        and state.organisation is not None
        and state.trustee is None
    )
    if countersign is None and can_countersign:
        countersign = CountersignForm(prefix="sign")
    return {
        "signing": state,
        "countersign_form": countersign,
        "languages": LANGUAGES,
        "can_amend": allowed(roles, "amendment.propose", programme_id=programme_id)
        or allowed(roles, "amendment.approve", programme_id=programme_id),
    }
