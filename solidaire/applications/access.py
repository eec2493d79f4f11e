"""Access to proposals: every page that shows a proposal fetches it here, so
an applicant never reaches another organisation's file."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from solidaire.accounts.permissions import ANONYMOUS, Person, Roles, check
from solidaire.applications.models import OrganisationMember, Proposal, RequestedAmount
from solidaire.ledger.models import LedgerEntry
from solidaire.programmes.access import programme_roles_of

_CACHE = "_solidaire_roles"
_MONEY = DecimalField(max_digits=14, decimal_places=2)
FUNDED_STATUSES = (Proposal.Status.FUNDED, Proposal.Status.ACTIVE, Proposal.Status.CLOSED)


def roles_for(user: Person) -> Roles:
    """Everything permissions need to know about ``user``, read once per request."""
    if not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = Roles(
            user_id=user.pk,
            superuser=user.is_superuser,
            ministry_observer=user.is_ministry_observer,
            programme_roles=programme_roles_of(user),
            organisation_ids=frozenset(
                OrganisationMember.objects.filter(user=user).values_list(
                    "organisation_id", flat=True
                )
            ),
        )
        setattr(user, _CACHE, cached)
    return cached


def requested_amount_expression(proposal: str = "pk") -> Coalesce:
    """Total amount a proposal asks for, over all its fiscal years.
    ``proposal`` names the outer field holding the proposal's id."""
    # A correlated subquery rather than Sum over a join: two Sums over two
    # joins (amounts requested and ledger entries) would multiply each other.
    rows = RequestedAmount.objects.filter(proposal=OuterRef(proposal)).values("proposal")
    return Coalesce(
        Subquery(rows.annotate(total=Sum("amount")).values("total")[:1], output_field=_MONEY),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )


def awarded_amount_expression(commitment: str = "commitment") -> Coalesce:
    """Money committed to a proposal, net of releases: the ledger is the truth.
    ``commitment`` names the outer field holding the proposal's commitment id."""
    rows = LedgerEntry.objects.filter(commitment=OuterRef(commitment)).values("commitment")
    net = Coalesce(
        Sum("amount", filter=Q(kind=LedgerEntry.Kind.COMMIT)), Value(Decimal("0.00"))
    ) - Coalesce(Sum("amount", filter=Q(kind=LedgerEntry.Kind.RELEASE)), Value(Decimal("0.00")))
    return Coalesce(
        Subquery(rows.annotate(total=net).values("total")[:1], output_field=_MONEY),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )


def proposals_for_user(user: Person) -> QuerySet[Proposal]:
    """The proposals of the organisations ``user`` belongs to, with the
    amounts requested and awarded, newest call first."""
    roles = roles_for(user)
    return (
        Proposal.objects.filter(organisation__in=roles.organisation_ids)
        .select_related("call__programme", "organisation")
        .annotate(requested=requested_amount_expression(), awarded=awarded_amount_expression())
        .order_by("-call__opens_at", "reference")
    )


def proposal_for_user(user: Person, pk: int) -> Proposal:
    """Proposal ``pk`` with what its page shows, or 404 when ``user`` may not
    see it (another organisation's applicant learns nothing, not even that
    it exists)."""
    proposal = (
        Proposal.objects.select_related(
            "call__programme__region", "organisation__territory", "stream"
        )
        .prefetch_related("requested_amounts__fiscal_year", "territories", "priorities")
        .annotate(requested=requested_amount_expression(), awarded=awarded_amount_expression())
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404
    allowed, _reason = check(
        roles_for(user),
        "proposal.view",
        programme_id=proposal.call.programme_id,
        organisation_id=proposal.organisation_id,
    )
    if not allowed:
        raise Http404
    return proposal
