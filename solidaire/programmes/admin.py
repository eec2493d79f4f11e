from django.contrib import admin
from django.http import HttpRequest

from solidaire.programmes.models import (
    FiscalYear,
    Priority,
    Programme,
    ProgrammeInvitation,
    ProgrammeRole,
    Region,
    Territory,
    WorkPlan,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "region", "kind", "population", "within")
    list_filter = ("region", "kind")
    search_fields = ("name", "code")
    list_select_related = ("region", "within")


class FiscalYearInline(admin.TabularInline):
    model = FiscalYear
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "trustee", "starts_on", "ends_on")
    list_filter = ("region",)
    search_fields = ("name", "slug", "trustee")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("region",)
    inlines = [FiscalYearInline]


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ("label", "programme", "starts_on", "ends_on", "envelope")
    list_filter = ("programme",)
    search_fields = ("label", "programme__name")
    list_select_related = ("programme",)


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "starts_on", "ends_on")
    list_filter = ("programme",)
    search_fields = ("title",)
    list_select_related = ("programme",)
    inlines = [PriorityInline]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "work_plan", "order")
    list_filter = ("work_plan",)
    search_fields = ("name", "code")
    list_select_related = ("work_plan",)


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "programme", "role", "sector", "affiliation")
    list_filter = ("programme", "role", "sector")
    search_fields = ("user__username", "user__first_name", "user__last_name", "affiliation")
    list_select_related = ("user", "programme")
    autocomplete_fields = ("user",)


@admin.register(ProgrammeInvitation)
class ProgrammeInvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from the programme's set-up page, which makes
    their token: here they are only read (or deleted, to withdraw one)."""

    list_display = ("email", "programme", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("programme", "role")
    search_fields = ("email", "programme__name")
    list_select_related = ("programme",)
    readonly_fields = [f.name for f in ProgrammeInvitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
