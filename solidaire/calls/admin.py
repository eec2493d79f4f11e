from django.contrib import admin

from solidaire.calls.models import (
    Allocation,
    Call,
    CallNotice,
    Criterion,
    EligibilityRule,
    RequiredDocument,
    ScaleLevel,
    Stream,
)


class StreamInline(admin.TabularInline):
    model = Stream
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class ScaleLevelInline(admin.TabularInline):
    model = ScaleLevel
    extra = 0


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("__str__", "programme", "published", "opens_at", "closes_at", "decided_at")
    list_filter = ("programme", "published")
    search_fields = ("title", "description")
    list_select_related = ("programme",)
    date_hierarchy = "opens_at"
    inlines = [
        StreamInline,
        CriterionInline,
        ScaleLevelInline,
        EligibilityRuleInline,
        RequiredDocumentInline,
    ]


@admin.register(Stream)
class StreamAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "call", "scope", "territorial")
    list_filter = ("call__programme", "scope", "territorial")
    search_fields = ("name", "code")
    list_select_related = ("call",)


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ("stream", "territory", "fiscal_year", "amount")
    list_filter = ("stream__call", "fiscal_year__label")
    search_fields = ("stream__name", "territory__name")
    list_select_related = ("stream__call", "territory", "fiscal_year")


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "call", "weight", "order")
    list_filter = ("call",)
    search_fields = ("name", "code")
    list_select_related = ("call",)


@admin.register(ScaleLevel)
class ScaleLevelAdmin(admin.ModelAdmin):
    list_display = ("call", "value", "label")
    list_filter = ("call",)
    search_fields = ("label",)
    list_select_related = ("call",)


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = ("description", "code", "kind", "call", "order")
    list_filter = ("call", "kind")
    search_fields = ("description", "code")
    list_select_related = ("call",)


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "call", "mandatory")
    list_filter = ("call", "mandatory")
    search_fields = ("name", "code")
    list_select_related = ("call",)


@admin.register(CallNotice)
class CallNoticeAdmin(admin.ModelAdmin):
    list_display = ("call", "kind", "posted_at", "new_closes_at")
    list_filter = ("kind",)
    search_fields = ("reason", "call__title")
    list_select_related = ("call",)
