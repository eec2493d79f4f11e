from django.contrib import admin

from solidaire.exchanges.models import Message, MessageReceipt


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
