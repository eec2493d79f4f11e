from typing import Any

from django.contrib import admin

from solidaire.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
    Amendment,
    AmendmentDueDate,
    AmendmentLine,
    CancellationRequest,
    Payment,
    PaymentReversal,
    ReminderSent,
    Repayment,
    Report,
    ReportDocument,
    ReportSpending,
)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    # A payment is made through the ledger service, which records the entry.
    readonly_fields = ("status", "paid_on", "ledger_entry")


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("number", "proposal", "status", "issued_on", "signed_on", "ends_on")
    list_filter = ("status", "proposal__call")
    search_fields = ("number", "proposal__reference", "proposal__organisation__legal_name")
    list_select_related = ("proposal",)
    inlines = [PaymentInline, ReportInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "fiscal_year", "due_on", "amount", "condition", "status", "paid_on")
    list_filter = ("status", "condition", "fiscal_year__label")
    search_fields = ("agreement__number", "agreement__proposal__organisation__legal_name")
    list_select_related = ("agreement", "fiscal_year")
    date_hierarchy = "due_on"
    readonly_fields = ("status", "paid_on", "ledger_entry")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("agreement", "kind", "fiscal_year", "due_on", "received_on")
    list_filter = ("kind", "fiscal_year__label")
    search_fields = ("agreement__number",)
    list_select_related = ("agreement", "fiscal_year")


@admin.register(CancellationRequest)
class CancellationRequestAdmin(admin.ModelAdmin):
    list_display = ("proposal", "requested_by", "requested_at", "handled_at")
    list_filter = ("handled_at",)
    search_fields = ("proposal__reference", "proposal__organisation__legal_name")
    list_select_related = ("proposal", "requested_by")
    # Handled by the coordination's cancellation, which releases the money.
    readonly_fields = ("handled_at", "handled_by")


# ----------------------------------------------------------------------------- follow-up
# Read-only: each of these is written by a service beside the ledger entries
# it explains; editing one here would contradict the ledger.


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PaymentReversal)
class PaymentReversalAdmin(_ReadOnly):
    list_display = ("payment", "at", "actor", "reason")
    list_select_related = ("payment__agreement", "actor")


@admin.register(Repayment)
class RepaymentAdmin(_ReadOnly):
    list_display = ("agreement", "fiscal_year", "amount", "recorded_on", "repaid_on")
    list_select_related = ("agreement", "fiscal_year")


@admin.register(ReportSpending)
class ReportSpendingAdmin(_ReadOnly):
    list_display = ("report", "budget_line", "spent")
    list_select_related = ("report__agreement", "report__fiscal_year", "budget_line")


@admin.register(ReportDocument)
class ReportDocumentAdmin(_ReadOnly):
    list_display = ("report", "name", "size", "uploaded_at")
    list_select_related = ("report__agreement", "report__fiscal_year")


@admin.register(ReminderSent)
class ReminderSentAdmin(_ReadOnly):
    list_display = ("key", "recipient", "sent_on")
    search_fields = ("key", "recipient")


# Agreements as issued, their signatures and amendments are written only by
# the product's pages (each with its ledger entries and audit); the admin reads.
@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(_ReadOnly):
    list_display = ("programme", "updated_at")


@admin.register(AgreementVersion)
class AgreementVersionAdmin(_ReadOnly):
    list_display = ("agreement", "number", "created_at")
    list_select_related = ("agreement",)


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(_ReadOnly):
    list_display = ("version", "language", "sha256", "issued_at")


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(_ReadOnly):
    list_display = ("version", "party", "method", "signer_name", "signed_at")


class AmendmentLineInline(admin.TabularInline):
    model = AmendmentLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Amendment)
class AmendmentAdmin(_ReadOnly):
    list_display = ("agreement", "status", "proposed_at", "decided_at")
    inlines = [AmendmentLineInline]


@admin.register(AmendmentLine)
class AmendmentLineAdmin(_ReadOnly):
    list_display = ("amendment", "fiscal_year", "previous", "amount")


@admin.register(AmendmentDueDate)
class AmendmentDueDateAdmin(_ReadOnly):
    list_display = ("amendment", "payment", "previous", "due_on")
