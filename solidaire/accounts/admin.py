from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Solidaire"),
            {
                "fields": (
                    "is_ministry_observer",
                    "preferred_language",
                    "notify_messages",
                    "notify_deadlines",
                    "notify_decisions",
                )
            },
        ),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_ministry_observer",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_ministry_observer", "is_staff", "is_superuser", "is_active")
