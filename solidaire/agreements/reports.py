"""Reports written by the funded organisation in its space and reviewed by
the coordination.

A report is a draft (saved as often as the organisation likes, autosaved
by its page) until it is submitted; the coordination then approves it or
asks for changes with a comment. Approval records the report as received
on that day, which meets the condition of the payment it releases. An
approved report is never edited again.

The financial statement gives, for each line of the initiative's budget
(the proposal's budget lines of the report's fiscal year, every year for
the final report), what was spent; the lines must add up to the total
declared, to the cent, before the report is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.agreements.models import (
    Agreement,
    Report,
    ReportDocument,
    ReportSpending,
    ReportState,
)
from solidaire.applications.models import BudgetLine
from solidaire.audit.services import audit_record
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import ZERO, format_money
from solidaire.documents.storage import discard, store
from solidaire.documents.validation import validate_upload

FOLDER = "reports"
EDITABLE = (ReportState.OPEN, ReportState.CHANGES_REQUESTED)
INDICATORS = (
    "people_reached",
    "poverty_planning",
    "poverty_action",
    "poverty_evaluation",
    "partners_mobilised",
    "activities_held",
)


@dataclass
class ReportDraft:
    """What the organisation typed: indicators, narrative, total spent, and
    the amount spent per budget line (by budget line id)."""

    indicators: dict[str, int | None] = field(default_factory=dict)
    narrative: str = ""
    spent: Decimal | None = None
    lines: dict[int, Decimal | None] = field(default_factory=dict)


def report_budget_lines(report: Report) -> QuerySet[BudgetLine]:
    """The budget lines a report accounts for: its fiscal year's, or every
    year's for the final report."""
    lines = BudgetLine.objects.filter(proposal_id=report.agreement.proposal_id)
    if report.kind == Report.Kind.PROGRESS:
        lines = lines.filter(fiscal_year_id=report.fiscal_year_id)
    return lines.select_related("fiscal_year").order_by("fiscal_year__starts_on", "id")


def _refuse_unless_editable(report: Report) -> None:
    if report.state == ReportState.APPROVED:
        raise ValidationError(_("This report is approved: it can no longer be changed."))
    if report.state == ReportState.SUBMITTED:
        raise ValidationError(
            _(
                "This report is submitted and awaits the coordination's review: it cannot be changed."
            )
        )


def _validate_draft(report: Report, draft: ReportDraft) -> dict[int, Decimal]:
    errors: dict[str, list[str]] = {}
    for name, value in draft.indicators.items():
        if name not in INDICATORS:
            raise ValueError(name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("A count cannot be negative."))
    if draft.spent is not None and draft.spent < ZERO:
        errors.setdefault("spent", []).append(_("An amount cannot be negative."))
    allowed = set(report_budget_lines(report).values_list("pk", flat=True))
    lines: dict[int, Decimal] = {}
    for line_id, amount in draft.lines.items():
        if line_id not in allowed:
            raise ValidationError(_("This budget line is not one of the initiative's."))
        if amount is None:
            continue
        if amount < ZERO:
            errors.setdefault(f"line_{line_id}", []).append(_("An amount cannot be negative."))
        lines[line_id] = amount
    if errors:
        raise ValidationError(errors)
    return lines


def report_save_draft(
    *, report: Report, actor: User | None, draft: ReportDraft, now: Any = None
) -> Report:
    """Save what the organisation typed, all or nothing; refused once the
    report is submitted or approved. Drafts need not add up yet."""
    with transaction.atomic():
        # Locked: an autosave arriving while the report is being submitted
        # or approved waits, then finds it no longer editable.
        locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        locked.agreement = report.agreement
        _refuse_unless_editable(locked)
        lines = _validate_draft(locked, draft)
        for name, value in draft.indicators.items():
            setattr(locked, name, value)
        locked.narrative = draft.narrative
        locked.spent = draft.spent
        locked.draft_saved_at = now or timezone.now()
        locked.save()
        ReportSpending.objects.filter(report=locked).exclude(budget_line__in=lines).delete()
        for line_id, amount in lines.items():
            ReportSpending.objects.update_or_create(
                report=locked, budget_line_id=line_id, defaults={"spent": amount}
            )
    return locked


def report_submit(
    *, report: Report, actor: User | None, early_closing: str = "", today: date | None = None
) -> Report:
    """Submit a saved draft to the coordination. Refused (nothing changes)
    when its narrative is empty, when no total is given, when the spending
    lines do not add up to it, or before the period it covers has ended
    (a final report comes early only with the reason it closes early)."""
    today = today or quebec_today()
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("fiscal_year", "agreement")
            .get(pk=report.pk)
        )
        _refuse_unless_editable(locked)
        if locked.agreement.status != Agreement.Status.SIGNED:
            raise ValidationError(_("Reports are written under a signed agreement."))
        errors: dict[str, list[str]] = {}
        if not locked.narrative.strip():
            errors["narrative"] = [_("Tell what the initiative did in this period.")]
        spending = list(ReportSpending.objects.filter(report=locked))
        lines_total = sum((s.spent for s in spending), ZERO)
        if locked.spent is None:
            errors["spent"] = [_("Give the total amount spent.")]
        elif lines_total != locked.spent:
            errors["spent"] = [
                _(
                    "The spending lines add up to %(lines)s, not to the %(total)s declared: "
                    "correct a line or the total."
                )
                % {"lines": format_money(lines_total), "total": format_money(locked.spent)}
            ]
        if locked.kind == Report.Kind.PROGRESS:
            if today <= locked.fiscal_year.ends_on:
                errors["__all__"] = [
                    _(
                        "A progress report covers its whole fiscal year: it is submitted after %(date)s."
                    )
                    % {"date": formats.date_format(locked.fiscal_year.ends_on, "DATE_FORMAT")}
                ]
        elif today < locked.agreement.ends_on and not early_closing.strip():
            errors["early_closing"] = [
                _(
                    "The initiative ends on %(date)s: its final report comes after, unless you "
                    "say why it closes early."
                )
                % {"date": formats.date_format(locked.agreement.ends_on, "DATE_FORMAT")}
            ]
        if errors:
            raise ValidationError(errors)
        locked.state = ReportState.SUBMITTED
        locked.submitted_on = today
        if locked.kind == Report.Kind.FINAL and today < locked.agreement.ends_on:
            locked.early_closing = early_closing.strip()[:300]
        locked.save(update_fields=["state", "submitted_on", "early_closing"])
        audit_record(
            actor=actor, event_type="report.submitted", target=locked, new_value=str(today)
        )
    return locked


def report_review(
    *,
    report: Report,
    actor: User | None,
    approve: bool,
    comment: str = "",
    today: date | None = None,
) -> Report:
    """The coordination approves a submitted report (it is then received,
    and the payment it conditions may be made) or asks for changes, with a
    comment saying which."""
    today = today or quebec_today()
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("Say what the organisation should change.")]})
    with transaction.atomic():
        # Locked: two coordinators reviewing at once decide once.
        locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if locked.state != ReportState.SUBMITTED:
            raise ValidationError(_("Only a submitted report is reviewed."))
        locked.review_comment = comment
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = actor
        if approve:
            locked.state = ReportState.APPROVED
            locked.received_on = max(today, locked.submitted_on or today)
        else:
            locked.state = ReportState.CHANGES_REQUESTED
        locked.save(
            update_fields=["state", "received_on", "review_comment", "reviewed_at", "reviewed_by"]
        )
        audit_record(
            actor=actor,
            event_type="report.approved" if approve else "report.changes_requested",
            target=locked,
            reason=comment,
        )
    return locked


def report_due_change(*, report: Report, actor: User | None, due_on: date) -> Report:
    """The coordination moves a report's due date (for this agreement only)."""
    if report.state == ReportState.APPROVED:
        raise ValidationError(_("This report is approved: it can no longer be changed."))
    if due_on < report.fiscal_year.starts_on or due_on > report.fiscal_year.ends_on + timedelta(
        days=365
    ):
        raise ValidationError(
            {
                "due_on": [
                    _(
                        "A report falls due after its fiscal year starts and within a year of its end."
                    )
                ]
            }
        )
    with transaction.atomic():
        old = report.due_on
        report.due_on = due_on
        report.save(update_fields=["due_on"])
        audit_record(
            actor=actor,
            event_type="report.due_changed",
            target=report,
            old_value=str(old),
            new_value=str(due_on),
        )
    return report


def report_document_add(*, report: Report, actor: User | None, file: Any) -> ReportDocument:
    """Validate ``file`` through the one upload path and join it to an
    editable report; a refused file leaves nothing behind."""
    _refuse_unless_editable(report)
    upload = validate_upload(file)
    stored_name = store(upload, folder=FOLDER)
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
            _refuse_unless_editable(locked)
            document = ReportDocument.objects.create(
                report=locked,
                stored_name=stored_name,
                name=upload.name,
                size=upload.size,
                content_type=upload.content_type,
                sha256=upload.sha256,
                uploaded_by=actor,
            )
    except BaseException:
        discard(stored_name)
        raise
    return document
