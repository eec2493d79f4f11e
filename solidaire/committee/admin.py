from django.contrib import admin

from solidaire.committee.models import (
    Attendance,
    Consensus,
    Meeting,
    PanelAnswer,
    PanelAssignment,
    PanelConsent,
    PanelQuestion,
)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("call", "held_on", "reviews_due_on", "panel_weight")
    search_fields = ("call__title", "tie_break_rule")
    list_select_related = ("call",)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "person", "present")
    search_fields = ("person__username", "person__last_name")
    list_select_related = ("meeting__call", "person")


@admin.register(Consensus)
class ConsensusAdmin(admin.ModelAdmin):
    list_display = ("proposal", "score", "recommendation", "recorded_by", "recorded_at")
    list_filter = ("recommendation",)
    search_fields = ("proposal__reference", "rationale")
    list_select_related = ("proposal", "recorded_by")


@admin.register(PanelConsent)
class PanelConsentAdmin(admin.ModelAdmin):
    list_display = ("person", "programme", "given_at", "withdrawn_at")
    search_fields = ("person__username", "person__last_name")
    list_select_related = ("person", "programme")


@admin.register(PanelQuestion)
class PanelQuestionAdmin(admin.ModelAdmin):
    list_display = ("call", "position", "text")
    search_fields = ("text", "text_en")
    list_select_related = ("call",)


@admin.register(PanelAssignment)
class PanelAssignmentAdmin(admin.ModelAdmin):
    list_display = ("panellist", "proposal", "completed_at")
    search_fields = ("proposal__reference", "panellist__username")
    list_select_related = ("panellist", "proposal")


@admin.register(PanelAnswer)
class PanelAnswerAdmin(admin.ModelAdmin):
    list_display = ("assignment", "question", "value")
    search_fields = ("assignment__proposal__reference",)
    list_select_related = ("assignment__proposal", "question")
