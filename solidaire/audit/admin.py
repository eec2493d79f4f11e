from django.contrib import admin
from django.http import HttpRequest

from solidaire.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by services and never edited."""

    list_display = (
        "at",
        "actor",
        "event_type",
        "object_type",
        "object_id",
        "old_value",
        "new_value",
    )
    list_filter = ("event_type", "object_type")
    search_fields = ("object_id", "reason", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
