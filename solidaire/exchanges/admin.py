from django.contrib import admin

from solidaire.exchanges.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("proposal", "side", "author", "sent_at")
    list_filter = ("side",)
    search_fields = ("proposal__reference", "body")
    raw_id_fields = ("proposal", "author")
