from django.contrib import admin

from solidaire.selection.models import Award, Decision, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "call", "method", "objective", "created_by", "created_at", "solved_at")
    list_filter = ("call", "method", "objective")
    search_fields = ("name",)
    list_select_related = ("call", "created_by")
    readonly_fields = ("result", "solved_at")


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    autocomplete_fields = ("proposal",)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("call", "resolution_number", "scenario", "decided_by", "decided_at")
    list_filter = ("call__programme",)
    search_fields = ("resolution_number",)
    list_select_related = ("call", "scenario", "decided_by")
    inlines = [AwardInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("proposal", "decision", "fraction")
    list_filter = ("decision__call",)
    search_fields = ("proposal__reference", "proposal__title")
    list_select_related = ("proposal", "decision")
