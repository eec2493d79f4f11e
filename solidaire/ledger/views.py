"""The carry-over page: what each ended fiscal year left uncommitted, the
carry-overs recorded, and (for the coordination) the form to record one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidaire.accounts.models import User
from solidaire.accounts.permissions import allowed
from solidaire.common.money import format_money
from solidaire.ledger.forms import CarryOverForm
from solidaire.ledger.selectors import (
    balance_totals,
    carry_overs_for_programme,
    programme_balances,
)
from solidaire.ledger.services import LedgerError, carry_over_record
from solidaire.programmes.access import programme_for_user, programme_roles_for

# Status of a page re-rendered with a refusal: the input was not accepted.
REFUSED = 400


@login_required
@require_http_methods(["GET", "POST"])
def carry_overs(request: HttpRequest, slug: str) -> HttpResponse:
    """Lapsed and carried amounts per fiscal year, the carry-overs recorded,
    and the coordinator's form. Whoever sees the programme's figures sees
    this page (404 for anyone else); only the coordination posts to it."""
    programme = programme_for_user(request.user, slug)
    may_record = allowed(
        programme_roles_for(request.user), "ledger.carry_over", programme_id=programme.pk
    )
    if request.method == "POST" and not may_record:
        raise PermissionDenied(_("Only the programme's coordination records a carry-over."))
    balances = programme_balances(programme)
    form = CarryOverForm(request.POST or None, programme=programme, balances=balances)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            assert isinstance(request.user, User)  # login_required
            data = form.cleaned_data
            try:
                carry_over = carry_over_record(
                    programme=programme,
                    source=data["source"],
                    target=data["target"],
                    amount=data["amount"],
                    reason=data["reason"],
                    authorisation=data["authorisation"],
                    actor=request.user,
                )
            except LedgerError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Carry-over recorded: %(amount)s from %(source)s to %(target)s.")
                    % {
                        "amount": format_money(carry_over.amount),
                        "source": carry_over.source.label,
                        "target": carry_over.target.label,
                    },
                )
                return redirect("ledger:carry_overs", slug=programme.slug)
        status = REFUSED
    return render(
        request,
        "ledger/carry_overs.html",
        {
            "programme": programme,
            "balances": balances,
            "totals": balance_totals(balances),
            "carry_overs": list(carry_overs_for_programme(programme)[:200]),
            "form": form if may_record else None,
            "may_view_ledger": allowed(
                programme_roles_for(request.user), "ledger.view", programme_id=programme.pk
            ),
            "header_programme": programme,
        },
        status=status,
    )
