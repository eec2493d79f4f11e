from django.contrib import admin

from solidaire.agreements.models import Agreement, CancellationRequest, Payment, Report


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
