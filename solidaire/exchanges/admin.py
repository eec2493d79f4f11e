from django.contrib import admin
from django.http import HttpRequest

from solidaire.exchanges.models import Message, MessageAttachment, MessageReceipt


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("proposal", "side", "author", "sent_at")
    list_filter = ("side",)
    search_fields = ("proposal__reference", "body")
    raw_id_fields = ("proposal", "author")
    list_select_related = ("proposal", "author")


@admin.register(MessageReceipt)
class MessageReceiptAdmin(admin.ModelAdmin):
    list_display = ("message", "user", "read_at", "emailed_at")
    raw_id_fields = ("message", "user")
    list_select_related = ("message__proposal", "user")


@admin.register(MessageAttachment)
class MessageAttachmentAdmin(admin.ModelAdmin):
    """Read-only: documents come with their message, through the one upload path."""

    list_display = ("name", "message", "size", "content_type")
    search_fields = ("name", "sha256", "message__proposal__reference")
    list_select_related = ("message__proposal",)
    readonly_fields = ("message", "stored_name", "name", "size", "content_type", "sha256")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
