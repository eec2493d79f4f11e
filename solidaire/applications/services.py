"""Drafting and submitting proposals.

Drafts are never lost: saving a draft stores whatever was given, complete or
not. Completeness is checked only at submission, which the server refuses
after the call's closing instant whatever the browser shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.budget import BudgetRow, budget_read
from solidaire.applications.cycle import CycleRefused, cycle_check, cycle_require
from solidaire.applications.deadlines import call_status_for, deadline_for
from solidaire.applications.models import (
    Attachment,
    BudgetLine,
    Organisation,
    OtherFunding,
    Proposal,
    ProposalVersion,
    RequestedAmount,
)
from solidaire.applications.tasks import receipt_send
from solidaire.applications.versions import content_sha256, proposal_snapshot
from solidaire.applications.workflow import proposal_transition
from solidaire.audit.services import audit_record
from solidaire.calls.models import Call, RequiredDocument, Stream
from solidaire.common.money import ZERO, floor_cents, format_money, format_number, to_money
from solidaire.common.templatetags.solidaire import date as date_filter
from solidaire.documents.validation import XLSX, validate_upload
from solidaire.programmes.models import FiscalYear, Priority, Territory

S = Proposal.Status

# The fields an applicant edits on a draft; everything else (status,
# reference, receipt, commitment) belongs to the services.
DRAFT_FIELDS = frozenset(
    {
        "title",
        "summary",
        "scope",
        "stream",
        "poverty_participation",
        "partners",
        "starts_on",
        "ends_on",
        "total_cost",
    }
)


class SubmissionClosed(ValidationError):
    """The call no longer accepts submissions."""


class DraftChanged(ValidationError):
    """The draft was saved by someone else since the person loaded it."""


# Other funding of a proposal: (source, amount, confirmed).
FundingRow = tuple[str, Decimal, bool]


def _next_reference(call: Call) -> str:
    count = Proposal.objects.filter(call=call).count()
    return f"P{call.pk:02d}-{count + 1:03d}"


def _apply_fields(proposal: Proposal, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    for name, value in fields.items():
        if name == "total_cost":
            value = to_money(value if value is not None else 0)
            if value < ZERO:
                raise ValidationError({"total_cost": [_("An amount cannot be negative.")]})
        if name == "stream" and value is not None and value.call_id != proposal.call_id:
            raise ValidationError({"stream": [_("This stream belongs to another call.")]})
        setattr(proposal, name, value)
    # The database refuses reversed dates; say so in words instead.
    if proposal.starts_on and proposal.ends_on and proposal.ends_on <= proposal.starts_on:
        raise ValidationError({"ends_on": [_("The end date must come after the start date.")]})


def _save_related(
    proposal: Proposal,
    *,
    requested: Mapping[FiscalYear, Decimal] | None,
    territories: Iterable[Territory] | None,
    priorities: Iterable[Priority] | None,
    other_funding: Sequence[FundingRow] | None = None,
    budget: Sequence[BudgetRow] | None = None,
) -> None:
    if requested is not None:
        rows = []
        for fy, amount in requested.items():
            if fy.programme_id != proposal.call.programme_id:
                raise ValidationError(
                    {"requested": [_("That fiscal year belongs to another programme.")]}
                )
            value = to_money(amount)
            if value < ZERO:
                raise ValidationError({"requested": [_("An amount cannot be negative.")]})
            if value > ZERO:
                rows.append(RequestedAmount(proposal=proposal, fiscal_year=fy, amount=value))
        RequestedAmount.objects.filter(proposal=proposal).delete()
        RequestedAmount.objects.bulk_create(rows)
    if territories is not None:
        proposal.territories.set(list(territories))
    if priorities is not None:
        proposal.priorities.set(list(priorities))
    if other_funding is not None:
        funding = []
        for source, amount, confirmed in other_funding:
            value = to_money(amount)
            if value < ZERO:
                raise ValidationError({"other_funding": [_("An amount cannot be negative.")]})
            funding.append(
                OtherFunding(proposal=proposal, source=source, amount=value, confirmed=confirmed)
            )
        OtherFunding.objects.filter(proposal=proposal).delete()
        OtherFunding.objects.bulk_create(funding)
    if budget is not None:
        _save_budget(proposal, budget)


def _save_budget(proposal: Proposal, budget: Sequence[BudgetRow]) -> None:
    """Replace the budget's lines: one delete and one insert whatever the
    number of lines, so that an autosave costs the same for 10 lines or 120."""
    years = {fy.pk: fy for fy in FiscalYear.objects.filter(programme_id=proposal.call.programme_id)}
    categories = set(BudgetLine.Category.values)
    lines = []
    for row in budget:
        if row.category not in categories:
            raise ValidationError({"budget": [_("Choose the category of each budget line.")]})
        for fy_id, amount in row.amounts.items():
            if fy_id not in years:
                raise ValidationError(
                    {"budget": [_("That fiscal year belongs to another programme.")]}
                )
            value = to_money(amount)
            if value < ZERO:
                raise ValidationError({"budget": [_("An amount cannot be negative.")]})
            lines.append(
                BudgetLine(
                    proposal=proposal,
                    fiscal_year=years[fy_id],
                    category=row.category,
                    description=row.description[:300],
                    amount=value,
                )
            )
    BudgetLine.objects.filter(proposal=proposal).delete()
    BudgetLine.objects.bulk_create(lines)


def proposal_create_draft(
    *,
    call: Call,
    organisation: Organisation,
    actor: User | None,
    fields: Mapping[str, Any] | None = None,
    requested: Mapping[FiscalYear, Decimal] | None = None,
    territories: Iterable[Territory] | None = None,
    priorities: Iterable[Priority] | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Start a draft proposal of ``organisation`` to ``call`` while the call
    is open; nothing is required yet."""
    cycle_require("proposal.start", call=call.status_at(now or timezone.now()))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                proposal = Proposal(
                    call=call,
                    organisation=organisation,
                    reference=_next_reference(call),
                    created_by=actor,
                )
                _apply_fields(proposal, fields or {})
                proposal.save()
                _save_related(
                    proposal, requested=requested, territories=territories, priorities=priorities
                )
                audit_record(actor=actor, event_type="proposal.created", target=proposal)
                return proposal
        except IntegrityError:
            # Two drafts started at the same instant drew the same reference;
            # the loser simply draws the next one.
            continue
    raise ValidationError(_("The proposal could not be numbered; please try again."))


def proposal_update_draft(
    *,
    proposal: Proposal,
    actor: User | None,
    fields: Mapping[str, Any] | None = None,
    requested: Mapping[FiscalYear, Decimal] | None = None,
    territories: Iterable[Territory] | None = None,
    priorities: Iterable[Priority] | None = None,
    other_funding: Sequence[FundingRow] | None = None,
    budget: Sequence[BudgetRow] | None = None,
    expected_version: datetime | None = None,
) -> Proposal:
    """Save whatever is given on a draft, complete or not (``None`` leaves a part unchanged).

    Saving is allowed even after the call closed: the applicant keeps their
    text; only submission is refused. With ``expected_version`` (the
    ``updated_at`` the person's page was built from), the save is refused
    with :class:`DraftChanged` when someone else saved the draft in between.
    """
    cycle_require("proposal.save_draft", proposal=proposal.status)
    with transaction.atomic():
        if expected_version is not None:
            # The row lock makes "check the version, then write" one step:
            # without it two tabs could both pass the check and the second
            # would silently overwrite the first.
            current = (
                Proposal.objects.select_for_update()
                .filter(pk=proposal.pk)
                .values_list("updated_at", flat=True)
                .get()
            )
            if current != expected_version:
                raise DraftChanged(
                    _(
                        "Someone else saved this draft after you opened it; "
                        "your changes were not saved."
                    )
                )
        _apply_fields(proposal, fields or {})
        proposal.save()
        _save_related(
            proposal,
            requested=requested,
            territories=territories,
            priorities=priorities,
            other_funding=other_funding,
            budget=budget,
        )
    return proposal


def proposal_import_budget(
    *, proposal: Proposal, file: Any, fiscal_years: Sequence[FiscalYear], actor: User | None
) -> list[BudgetRow]:
    """Replace the draft's budget lines with those of a filled Excel template.

    The file goes through the one upload validation path (XLSX only); then
    every cell is read before anything is written. Any wrong cell refuses the
    whole file (:class:`~solidaire.applications.budget.BudgetSheetRefused`
    lists them by sheet, row and column) and the draft is left as it was;
    only the budget lines change otherwise.
    """
    cycle_require("proposal.save_draft", proposal=proposal.status)
    upload = validate_upload(file, allowed=[XLSX])
    rows = budget_read(upload.content, fiscal_years=fiscal_years)
    with transaction.atomic():
        # The row lock orders the import with an autosave of the same draft:
        # each replaces the lines whole, one after the other, never mixed.
        Proposal.objects.select_for_update().filter(pk=proposal.pk).values("pk").get()
        _save_budget(proposal, rows)
        proposal.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            event_type="proposal.budget_imported",
            target=proposal,
            new_value=upload.name,
            data={"lines": len(rows), "sha256": upload.sha256},
        )
    return rows


def proposal_completeness_errors(proposal: Proposal) -> dict[str, list[str]]:
    """What a proposal still lacks before it can be submitted (field → messages).

    Each key names the place of the editor (``applications:edit``) where the
    person mends it; the editor gives every key an element whose id is
    ``id_<key>``, so a link reads ``<edit url>#id_<key>``:

    - ``title``, ``summary``, ``poverty_participation``, ``stream``,
      ``starts_on``, ``ends_on``, ``territories``, ``total_cost``: the
      questions of the same names;
    - ``requested``: the amounts requested by fiscal year, as a whole (their
      total, its bounds, its share of the eligible expenses);
    - ``requested_<fiscal year id>``: the amount requested for one year, when
      it is more than that year's budget lines;
    - ``budget``: the table of budget lines;
    - ``document_<required document id>``: the slot of a mandatory document.

    The messages state the figures in the language active when called.
    """
    errors: dict[str, list[str]] = {}

    def need(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not proposal.title.strip():
        need("title", _("Give the initiative a title."))
    if not proposal.summary.strip():
        need("summary", _("Describe the initiative."))
    if not proposal.poverty_participation.strip():
        need(
            "poverty_participation",
            _("Explain how people living in poverty take part at every stage."),
        )
    call = proposal.call
    if proposal.stream_id is None and Stream.objects.filter(call=call).exists():
        need("stream", _("Choose the stream of the call you apply to."))
    if proposal.starts_on is None:
        need("starts_on", _("Give the start date."))
    if proposal.ends_on is None:
        need("ends_on", _("Give the end date."))
    if not proposal.territories.exists():
        need("territories", _("Name at least one territory served."))
    amounts = list(proposal.requested_amounts.values_list("amount", flat=True))
    total = sum(amounts, ZERO)
    if total <= ZERO:
        need("requested", _("Request an amount for at least one fiscal year."))
    elif total < call.min_request or (call.max_request is not None and total > call.max_request):
        need(
            "requested",
            _("The total requested must be between %(min)s and %(max)s.")
            % {
                "min": format_money(call.min_request),
                "max": format_money(call.max_request) if call.max_request else "—",
            },
        )
    if proposal.total_cost <= ZERO:
        need("total_cost", _("Give the total eligible expenses of the initiative."))
    elif total > ZERO:
        share = total * 100 / proposal.total_cost
        if share > call.max_share_of_expenses:
            ceiling = floor_cents(proposal.total_cost * call.max_share_of_expenses / 100)
            need(
                "requested",
                _(
                    "The amount requested, %(total)s, is %(actual)s %% of the eligible "
                    "expenses (%(cost)s); it may be at most %(share)s %%, that is %(max)s."
                )
                % {
                    "total": format_money(total),
                    "actual": format_number(share.quantize(Decimal("0.1"))),
                    "cost": format_money(proposal.total_cost),
                    "share": format_number(call.max_share_of_expenses.normalize()),
                    "max": format_money(ceiling),
                },
            )
    _budget_errors(proposal, need)
    # Each missing mandatory document is its own error, keyed by its slot in
    # the editor ("document_<id>"), so that the message links to it.
    missing_documents = (
        RequiredDocument.objects.filter(call=call, mandatory=True)
        .exclude(
            pk__in=Attachment.objects.filter(proposal=proposal, document__isnull=False).values(
                "document_id"
            )
        )
        .order_by("id")
    )
    for document in missing_documents:
        need(
            f"document_{document.pk}",
            _("Attach the document “%(name)s”.") % {"name": document.text("name")},
        )
    return errors


def _budget_errors(proposal: Proposal, need: Any) -> None:
    """A budget given by lines must agree with the rest: its grand total is
    the total eligible expenses, and no year asks more than that year's
    costs. A proposal without lines gives its expenses as one total."""
    by_year = {
        row["fiscal_year_id"]: row["total"]
        for row in BudgetLine.objects.filter(proposal=proposal)
        .values("fiscal_year_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    if not by_year:
        return
    grand_total = sum(by_year.values(), ZERO)
    if grand_total <= ZERO:
        need("budget", _("Give the amounts of the budget lines."))
        return
    if grand_total != proposal.total_cost:
        need(
            "total_cost",
            _(
                "The budget lines add up to %(budget)s but the total eligible expenses "
                "say %(cost)s; make them agree."
            )
            % {"budget": format_money(grand_total), "cost": format_money(proposal.total_cost)},
        )
    for requested in proposal.requested_amounts.select_related("fiscal_year").order_by(
        "fiscal_year__starts_on"
    ):
        costs = by_year.get(requested.fiscal_year_id, ZERO)
        if requested.amount > costs:
            need(
                f"requested_{requested.fiscal_year_id}",
                _(
                    "For %(year)s, the amount requested, %(requested)s, is more than the "
                    "budget lines of that year, %(costs)s."
                )
                % {
                    "year": requested.fiscal_year.label,
                    "requested": format_money(requested.amount),
                    "costs": format_money(costs),
                },
            )


def _receipt_number(proposal: Proposal, now: datetime, number: int) -> str:
    stamp = f"{proposal.reference}-{timezone.localtime(now):%Y%m%d%H%M%S}"
    # The first version keeps the receipt number's historical form.
    return stamp if number == 1 else f"{stamp}-v{number}"


def attestation_text() -> str:
    """The sentence the person who submits attests, in the active language
    (recorded with the version as it was read)."""
    return _(
        "I attest that the information in this proposal is accurate and complete, and that "
        "I am authorised by the organisation to submit it on its behalf."
    )


def _closed_message(closes_at: datetime) -> str:
    local = timezone.localtime(closes_at)
    return _(
        "The call closed on %(date)s at %(time)s (Québec time); proposals can no longer be "
        "submitted. Your draft is kept."
    ) % {
        "date": date_filter(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }


def proposal_submit(
    *,
    proposal: Proposal,
    actor: User | None,
    attested: bool,
    now: datetime | None = None,
) -> Proposal:
    """Submit a complete draft before the call closes; freeze its content in a
    new :class:`ProposalVersion` and issue its receipt.

    Refused by the server after ``call.closes_at``, or after the later
    instant the coordination granted to the organisation (and before the call
    opens), whatever the page showed; refused without the attestation;
    incomplete drafts get one message per field. The submission instant and
    the receipt number are written in the same row update as the status, so
    a proposal is never "submitted" without them.

    Submitting twice (a double click, two tabs) submits once: the second call
    waits for the first's row lock, then finds the proposal submitted and is
    refused (:class:`CycleRefused`) with no second version, receipt or e-mail. The receipt is e-mailed to the
    organisation's members by a task queued once the transaction commits.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock serialises two submissions of one proposal (a double
        # click, two tabs): the second waits, then reads "submitted" below
        # instead of recording a second version and a second receipt.
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("call__programme", "organisation", "stream")
            .get(pk=proposal.pk)
        )
        if locked.status != S.DRAFT:
            # Already submitted (the first click went through): the table's
            # refusal, which the page turns into the one receipt.
            cycle_require(
                "proposal.submit", call=call_status_for(locked, now), proposal=locked.status
            )
        call = locked.call
        if not call.published or now < call.opens_at:
            raise SubmissionClosed(
                _("This call is not open yet; the proposal was kept as a draft.")
            )
        # The call's closing, or the later instant granted to this organisation.
        deadline = deadline_for(locked)
        if now >= deadline.closes_at or call.decided_at is not None:
            raise SubmissionClosed(_closed_message(deadline.closes_at))
        # The instants above give the applicant a fuller message than the
        # table's; the table still has the last word (the proposal's own state).
        cycle_require(
            "proposal.submit",
            call=call_status_for(locked, now, deadline),
            proposal=locked.status,
        )
        errors = proposal_completeness_errors(locked)
        if not attested:
            errors.setdefault("attestation", []).append(
                _(
                    "Tick the attestation: the proposal is submitted in the organisation's "
                    "name by a person it authorises."
                )
            )
        if errors:
            raise ValidationError(errors)
        number = ProposalVersion.objects.filter(proposal=locked).count() + 1
        content = proposal_snapshot(locked)
        receipt_number = _receipt_number(locked, now, number)
        version = ProposalVersion.objects.create(
            proposal=locked,
            number=number,
            submitted_at=now,
            submitted_by=actor,
            receipt_number=receipt_number,
            attestation=attestation_text(),
            content=content,
            sha256=content_sha256(content),
        )
        proposal_transition(
            proposal=proposal,
            to=S.SUBMITTED,
            actor=actor,
            changes={"submitted_at": now, "receipt_number": receipt_number},
        )
        audit_record(
            actor=actor,
            event_type="proposal.version",
            target=proposal,
            new_value=str(number),
            data={"sha256": version.sha256, "receipt": receipt_number},
        )
        version_id = version.pk
        # Queued after the commit: a submission rolled back e-mails nothing.
        transaction.on_commit(lambda: receipt_send.enqueue(version_id))
    return proposal


def proposal_reopen(
    *, proposal: Proposal, actor: User | None, now: datetime | None = None
) -> Proposal:
    """Take a submitted proposal back to draft to change it, before the
    deadline that applies to its organisation.

    The versions already submitted are kept (the coordination sees them);
    the proposal counts as submitted again only once it is resubmitted, which
    records the next version. Refused after the deadline and once screening
    has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Locked so that a reopening and a screening decision (or a second
        # reopening) cannot both start from "submitted".
        locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
        cycle_require("proposal.reopen", call=call_status_for(locked, now), proposal=locked.status)
        return proposal_transition(
            proposal=proposal,
            to=S.DRAFT,
            actor=actor,
            reason=_("Reopened by the organisation before the deadline."),
            changes={"submitted_at": None, "receipt_number": ""},
        )


def proposal_withdraw(
    *, proposal: Proposal, actor: User | None, reason: str = "", now: datetime | None = None
) -> Proposal:
    """The organisation withdraws its proposal, until the call is decided.

    A funded proposal is not withdrawn this way: its money is committed, so
    the coordination cancels it (``agreements.services.initiative_cancel``),
    releasing the commitment in the same transaction. The reviews of a
    withdrawn proposal close with it: the cycle's rules refuse scoring a
    proposal no longer under review, and the committee's pages count only
    proposals in the running.
    """
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
        allowed, why = cycle_check(
            "proposal.withdraw",
            call=locked.call.status_at(now or timezone.now()),
            proposal=locked.status,
        )
        if not allowed:
            raise CycleRefused("proposal.withdraw", why)
        return proposal_transition(proposal=proposal, to=S.WITHDRAWN, actor=actor, reason=reason)
