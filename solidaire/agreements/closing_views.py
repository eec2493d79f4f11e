"""Pages that bring money back: the trustee reverses a payment or records
money owed as repaid; the coordination closes an initiative after its final
report. Each is a POST from the agreement's page, answered there."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from solidaire.accounts.permissions import Roles, allowed
from solidaire.agreements.closing import initiative_close, payment_reverse, repayment_receive
from solidaire.agreements.models import Agreement, Payment, Repayment, Report
from solidaire.agreements.views import agreement_for_user
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import format_money


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this payment reversed?"),
        max_length=500,
        error_messages={"required": gettext_lazy("Say why the payment is reversed.")},
    )


@dataclass(frozen=True)
class ClosingContext:
    """What the agreement's page shows about closing and money owed."""

    may_close: bool
    close_refusal: str | None
    may_reverse: bool
    may_record_repayment: bool
    repayments: list[Repayment]


def closing_context(agreement: Agreement, roles: Roles) -> ClosingContext:
    programme_id = agreement.proposal.call.programme_id
    may_close = allowed(roles, "initiative.close", programme_id=programme_id)
    refusal = None
    if agreement.status != Agreement.Status.SIGNED:
        refusal = _("Only an initiative under a signed agreement is closed.")
    elif not Report.objects.filter(
        agreement=agreement, kind=Report.Kind.FINAL, received_on__isnull=False
    ).exists():
        refusal = _("An initiative is closed after its final report is in.")
    return ClosingContext(
        may_close=may_close,
        close_refusal=refusal,
        may_reverse=allowed(roles, "payment.record", programme_id=programme_id),
        may_record_repayment=allowed(roles, "payment.record", programme_id=programme_id),
        repayments=list(
            Repayment.objects.filter(agreement=agreement).select_related("fiscal_year")
        ),
    )


def _back(agreement: Agreement, anchor: str) -> HttpResponse:
    return redirect(reverse("agreements:detail", args=[agreement.number]) + anchor)


def _require(roles: Roles, action: str, programme_id: int) -> None:
    if not allowed(roles, action, programme_id=programme_id):
        raise PermissionDenied


@login_required
@require_POST
def payment_reverse_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "payment.record", agreement.proposal.call.programme_id)
    payment = Payment.objects.filter(pk=pk, agreement=agreement).first()
    if payment is None:
        raise Http404
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the payment is reversed."))
        return _back(agreement, f"#payment-{payment.pk}")
    try:
        payment_reverse(
            payment=payment,
            actor=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            on=quebec_today(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Payment %(n)s is reversed: its money is returned in the ledger and it is due again.")
            % {"n": payment.sequence},
        )
    return _back(agreement, f"#payment-{payment.pk}")


@login_required
@require_POST
def initiative_close_view(request: HttpRequest, key: str) -> HttpResponse:
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "initiative.close", agreement.proposal.call.programme_id)
    try:
        owed = initiative_close(agreement=agreement, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        total = sum((r.amount for r in owed), start=0)
        messages.success(
            request,
            _("The initiative is closed; its unpaid money is released.")
            + (
                " "
                + _("The organisation owes %(amount)s of unspent money.")
                % {"amount": format_money(total)}
                if owed
                else ""
            ),
        )
    return _back(agreement, "#closing")


@login_required
@require_POST
def repayment_receive_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "payment.record", agreement.proposal.call.programme_id)
    repayment = Repayment.objects.filter(pk=pk, agreement=agreement).first()
    if repayment is None:
        raise Http404
    try:
        repayment_receive(
            repayment=repayment,
            actor=request.user,  # type: ignore[arg-type]
            repaid_on=quebec_today(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(amount)s repaid: the money is back in the envelope of %(fy)s.")
            % {"amount": format_money(repayment.amount), "fy": repayment.fiscal_year.label},
        )
    return _back(agreement, "#closing")
