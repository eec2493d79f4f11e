"""Call set-up pages of the programme's coordination: a new call (blank or
copied from a previous one), its one-page set-up form, a preview as
applicants will read it, and publication behind the checklist.

Why a package above ``calls``: the forms, rules and writes live in
``solidaire.calls``, but the pages also need what the ledger has available
(``ledger`` shares the floor of ``calls``) and whether proposals came in
(``applications``, one floor up). They gather those facts here and hand
them to the services as arguments. The package has no models, so it is not
an installed app; its templates are under ``templates/calls/``.
"""

from __future__ import annotations

import logging
import smtplib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mass_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.calls.access import call_for_setup, programme_for_setup
from solidaire.calls.forms import CallForm, CallSetupForms, CopyForm
from solidaire.calls.models import Call, CallNotice
from solidaire.calls.services import (
    CallChangeRefused,
    CallNotReady,
    YearFunds,
    call_copy,
    call_create_draft,
    call_plan,
    call_publish,
    call_update,
    publication_checklist,
)
from solidaire.callsetup.selectors import applicant_addresses, ledger_funds, submissions_received

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _open_limits(funds: dict[int, YearFunds]) -> dict[int, Decimal]:
    """Available amounts of the fiscal years that are still open (an ended
    year takes no new allocation: nothing is available in it)."""
    today = timezone.localdate()
    return {pk: f.available for pk, f in funds.items() if f.ends_on >= today}


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request: HttpRequest, programme: str) -> HttpResponse:
    """A new draft call: blank, or a copy of a previous call."""
    the_programme = programme_for_setup(request.user, programme)
    form = CallForm(prefix="call")
    copy_form = CopyForm(programme=the_programme, prefix="copy")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "copy":
            copy_form = CopyForm(request.POST, programme=the_programme, prefix="copy")
            if copy_form.is_valid():
                call = call_copy(source=copy_form.cleaned_data["source"], actor=_user(request))
                messages.success(
                    request,
                    _("Call %(number)s is a copy of call %(source)s. Change what differs.")
                    % {"number": call.number, "source": copy_form.cleaned_data["source"].number},
                )
                return redirect("callsetup:edit", the_programme.slug, call.number)
        else:
            form = CallForm(request.POST, prefix="call")
            if form.is_valid():
                call = call_create_draft(
                    programme=the_programme, actor=_user(request), fields=form.cleaned_data
                )
                messages.success(
                    request, _("Draft call %(number)s created.") % {"number": call.number}
                )
                return redirect("callsetup:edit", the_programme.slug, call.number)
        status = 400
    return render(
        request,
        "calls/call_new.html",
        {
            "programme": the_programme,
            "header_programme": the_programme,
            "form": form,
            "copy_form": copy_form,
            "has_calls": copy_form.fields["source"].queryset.exists(),  # type: ignore[attr-defined]
        },
        status=status,
    )


def _announce(call: Call, notices: list[CallNotice]) -> int:
    """Mail the call's applicants about each notice, in the programme's
    language. Returns the number of messages sent."""
    addresses = applicant_addresses(call)
    if not addresses or not notices:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        messages_out = []
        for notice in notices:
            if notice.kind == CallNotice.Kind.EXTENSION and notice.new_closes_at:
                local = timezone.localtime(notice.new_closes_at)
                body = _(
                    "The call “%(title)s” now closes on %(date)s at %(time)s (Québec time).\n\n"
                    "Reason: %(reason)s"
                ) % {
                    "title": call.title,
                    "date": local.strftime("%Y-%m-%d"),
                    "time": local.strftime("%H:%M"),
                    "reason": notice.reason,
                }
                subject = _("Closing extended: %(title)s") % {"title": call.title}
            else:
                body = _("The call “%(title)s” was changed.\n\nReason: %(reason)s") % {
                    "title": call.title,
                    "reason": notice.reason,
                }
                subject = _("Call changed: %(title)s") % {"title": call.title}
            messages_out += [
                (subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses
            ]
    try:
        return send_mass_mail(messages_out)
    except (OSError, smtplib.SMTPException):
        # The change is saved and posted on the call; a mail server that is
        # down must not turn that into an error page.
        logger.exception("Could not mail the applicants of call %s", call.pk)
        return 0


def _funds_rows(funds: dict[int, YearFunds]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {"label": f.label, "available": f.available, "ended": f.ends_on < today}
        for f in funds.values()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The call's whole set-up on one page, saved whole or not at all."""
    call = call_for_setup(request.user, programme, number)
    funds = ledger_funds(call.programme)
    # A published call's allocations are already read by applicants: any
    # change must fit the ledger now. A draft's are checked at publication.
    limits = _open_limits(funds) if call.published and call.decided_at is None else None
    received = submissions_received(call)
    status = 200
    refusal = ""
    if request.method == "POST":
        forms = CallSetupForms(call, request.POST, limits=limits)
        if forms.is_valid():
            try:
                update = call_update(
                    call=call, actor=_user(request), forms=forms, submissions_received=received
                )
            except CallChangeRefused as exc:
                if exc.code == "reason":
                    forms.reason_form.add_error("reason", exc.messages[0])
                else:
                    refusal = exc.messages[0]
            else:
                sent = _announce(call, update.notices)
                messages.success(request, _("The call's set-up is saved."))
                if update.notices:
                    messages.info(
                        request,
                        _(
                            "The change is posted on the call for applicants (%(count)s e-mails sent)."
                        )
                        % {"count": sent},
                    )
                return redirect("callsetup:edit", call.programme.slug, call.number)
        status = 400
        # A refused save wrote nothing: the page shows the call as stored.
        call.refresh_from_db()
    else:
        forms = CallSetupForms(call, limits=limits)
    return render(
        request,
        "calls/call_edit.html",
        {
            "call": call,
            "header_programme": call.programme,
            "forms": forms,
            "refusal": refusal,
            "has_errors": bool(refusal) or (request.method == "POST" and forms.has_errors()),
            "submissions_received": received,
            "funds": _funds_rows(funds),
        },
        status=status,
    )


def _preview(
    request: HttpRequest, call: Call, *, refused: list[str] | None = None, status: int = 200
) -> HttpResponse:
    funds = ledger_funds(call.programme)
    plan = call_plan(call)
    missing = (
        refused
        if refused is not None
        else (
            []
            if call.published
            else publication_checklist(plan, fiscal_years=funds, now=timezone.now())
        )
    )
    streams = list(
        call.streams.order_by("id").prefetch_related(
            "allocations__fiscal_year", "allocations__territory"
        )
    )
    rows = [
        {
            "stream": s,
            "allocations": sorted(
                s.allocations.all(),
                key=lambda a: (a.fiscal_year.starts_on, a.territory.name if a.territory else ""),
            ),
        }
        for s in streams
    ]
    return render(
        request,
        "calls/call_preview.html",
        {
            "call": call,
            "header_programme": call.programme,
            "streams": rows,
            "criteria": list(call.criteria.all()),
            "scale": list(call.scale.all()),
            "rules": list(call.eligibility_rules.all()),
            "documents": list(call.required_documents.all()),
            "notices": list(call.notices.all()),
            "missing": missing,
            "refused": refused is not None,
            "opens_at": timezone.localtime(call.opens_at),
            "closes_at": timezone.localtime(call.closes_at),
        },
        status=status,
    )


@login_required
def call_preview(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The call as applicants will read it, with the publication checklist."""
    return _preview(request, call_for_setup(request.user, programme, number))


@login_required
@require_POST
def call_publish_view(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    call = call_for_setup(request.user, programme, number)
    try:
        call = call_publish(
            call=call, actor=_user(request), fiscal_years=ledger_funds(call.programme)
        )
    except CallNotReady as exc:
        return _preview(request, call, refused=exc.messages, status=400)
    messages.success(
        request,
        _("Call %(number)s is published: applicants see it and can apply from %(opens)s.")
        % {
            "number": call.number,
            "opens": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return redirect("callsetup:preview", call.programme.slug, call.number)
