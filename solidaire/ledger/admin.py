from django.contrib import admin
from django.http import HttpRequest

from solidaire.ledger.models import CarryOver, Commitment, LedgerEntry


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "fiscal_year", "amount", "effective_on", "at", "actor", "memo")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    """Commitments are created by the ledger services (which check the
    envelope); the admin only shows them."""

    list_display = ("reference", "label", "programme", "call", "stream", "territory", "created_at")
    list_filter = ("programme", "call")
    search_fields = ("reference", "label")
    list_select_related = ("programme", "call", "stream", "territory")
    inlines = [LedgerEntryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are append-only and written by the ledger services,
    which hold the lock that keeps money from being committed twice."""

    list_display = ("at", "kind", "amount", "fiscal_year", "commitment", "effective_on", "actor")
    list_filter = ("kind", "fiscal_year__programme", "fiscal_year__label")
    search_fields = ("commitment__reference", "commitment__label", "memo")
    date_hierarchy = "at"
    list_select_related = ("fiscal_year", "commitment", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CarryOver)
class CarryOverAdmin(admin.ModelAdmin):
    """Read-only: carry-overs are append-only and recorded by the coordinator
    on the carry-over page, through the service that locks both years."""

    list_display = ("at", "programme", "source", "target", "amount", "authorisation", "actor")
    list_filter = ("programme",)
    search_fields = ("reason", "authorisation")
    date_hierarchy = "at"
    list_select_related = ("programme", "source", "target", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
