from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from solidaire.applications.models import (
    Attachment,
    BudgetLine,
    DeadlineExtension,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    OtherFunding,
    Proposal,
    ProposalVersion,
    ReceiptEmail,
    RequestedAmount,
)


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "neq", "org_type", "territory")
    list_filter = ("org_type", "territory")
    search_fields = ("legal_name", "neq", "email")
    list_select_related = ("territory",)
    inlines = [OrganisationMemberInline]


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__last_name", "organisation__legal_name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("user", "organisation")


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent from the organisation's page, which
    alone knows the link (only its hash is stored)."""

    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__legal_name")
    list_select_related = ("organisation",)
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RequestedAmountInline(admin.TabularInline):
    model = RequestedAmount
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class OtherFundingInline(admin.TabularInline):
    model = OtherFunding
    extra = 0


class AttachmentInline(admin.TabularInline):
    # Files arrive only through the applicant's pages, which validate them.
    model = Attachment
    extra = 0
    fields = ("document", "name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "organisation", "call", "stream", "scope", "status")
    list_filter = ("call__programme", "call", "status", "scope", "stream")
    search_fields = ("reference", "title", "organisation__legal_name", "receipt_number")
    list_select_related = ("organisation", "call", "stream")
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("territories", "priorities")
    # The status moves only through the workflow service (which audits every
    # change); the commitment only through the ledger.
    readonly_fields = ("status", "submitted_at", "receipt_number", "commitment", "created_by")
    inlines = [RequestedAmountInline, BudgetLineInline, OtherFundingInline, AttachmentInline]


@admin.register(RequestedAmount)
class RequestedAmountAdmin(admin.ModelAdmin):
    list_display = ("proposal", "fiscal_year", "amount")
    list_filter = ("fiscal_year__label",)
    search_fields = ("proposal__reference", "proposal__title")
    list_select_related = ("proposal", "fiscal_year")


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ("proposal", "fiscal_year", "category", "amount")
    list_filter = ("fiscal_year__label", "category")
    search_fields = ("proposal__reference", "category", "description")
    list_select_related = ("proposal", "fiscal_year")


@admin.register(OtherFunding)
class OtherFundingAdmin(admin.ModelAdmin):
    list_display = ("proposal", "source", "amount", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("proposal__reference", "source")
    list_select_related = ("proposal",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "proposal", "document", "size", "uploaded_at")
    list_filter = ("document",)
    search_fields = ("name", "proposal__reference", "sha256")
    list_select_related = ("proposal", "document")
    readonly_fields = (
        "proposal",
        "document",
        "stored_name",
        "name",
        "size",
        "content_type",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    """Read-only: extensions are granted, with their reason and audit event,
    from the proposal's page."""

    list_display = ("organisation", "call", "closes_at", "granted_by", "granted_at")
    search_fields = ("organisation__legal_name", "reason")
    list_select_related = ("organisation", "call", "granted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class _ReadOnly(admin.ModelAdmin):
    """Written once by the services, never changed afterwards."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProposalVersion)
class ProposalVersionAdmin(_ReadOnly):
    """Submitted versions are frozen: what was received stays as received."""

    list_display = ("proposal", "number", "submitted_at", "submitted_by", "sha256")
    search_fields = ("proposal__reference", "receipt_number", "sha256")
    list_select_related = ("proposal", "submitted_by")


@admin.register(ReceiptEmail)
class ReceiptEmailAdmin(_ReadOnly):
    list_display = ("version", "user", "sent_at")
    list_select_related = ("version__proposal", "user")
    search_fields = ("version__proposal__reference",)
