from django.contrib import admin

from solidaire.reviews.models import (
    AssignmentSettings,
    ConflictDeclaration,
    EligibilityResult,
    EvaluatorCapacity,
    EvaluatorKnowledge,
    Review,
    Score,
    Tie,
)


@admin.register(EligibilityResult)
class EligibilityResultAdmin(admin.ModelAdmin):
    list_display = ("proposal", "rule", "passed", "reason", "checked_by", "checked_at")
    list_filter = ("passed", "rule__call")
    search_fields = ("proposal__reference", "reason")
    list_select_related = ("proposal", "rule", "checked_by")


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ("user", "proposal", "reason", "declared_at")
    list_filter = ("proposal__call",)
    search_fields = ("user__username", "user__last_name", "proposal__reference", "reason")
    list_select_related = ("user", "proposal")
    autocomplete_fields = ("user",)


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("proposal", "evaluator", "status", "assigned_at", "submitted_at")
    list_filter = ("status", "proposal__call")
    search_fields = ("proposal__reference", "evaluator__username", "evaluator__last_name")
    list_select_related = ("proposal", "evaluator")
    autocomplete_fields = ("evaluator",)
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("review", "criterion", "value")
    list_filter = ("criterion__call", "criterion")
    search_fields = ("review__proposal__reference", "comment")
    list_select_related = ("review__proposal", "criterion")


@admin.register(Tie)
class TieAdmin(admin.ModelAdmin):
    list_display = ("person", "programme", "organisation_name", "kind", "starts_on", "ends_on")
    list_filter = ("programme", "kind")
    search_fields = ("person__username", "person__last_name", "organisation_name", "neq")
    list_select_related = ("person", "programme")


@admin.register(EvaluatorKnowledge)
class EvaluatorKnowledgeAdmin(admin.ModelAdmin):
    list_display = ("person", "programme")
    list_select_related = ("person", "programme")


@admin.register(AssignmentSettings)
class AssignmentSettingsAdmin(admin.ModelAdmin):
    list_display = ("call", "reviews_per_proposal", "due_on")


@admin.register(EvaluatorCapacity)
class EvaluatorCapacityAdmin(admin.ModelAdmin):
    list_display = ("call", "evaluator", "capacity")
