"""The task queue in the site administrator's admin: what failed, why, and
a retry; and the workers' last heartbeats."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from solidaire.common.models import WorkerHeartbeat
from solidaire.common.worker import FAILED, tasks_retry

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "attempts",
        "exception_class_path",
        "enqueued_at",
        "started_at",
        "finished_at",
        "queue_name",
    )
    search_fields = ("task_path", "exception_class_path", "id")
    actions = ["retry"]

    @admin.display(description=_("attempts"))
    def attempts(self, obj: DBTaskResult) -> int:
        return len(obj.worker_ids)

    def has_change_permission(self, request: HttpRequest, obj: DBTaskResult | None = None) -> bool:
        # Every field stays read-only (get_readonly_fields); the permission
        # only opens the retry action to those who may change tasks.
        return request.user.has_perm("django_tasks_database.change_dbtaskresult")

    @admin.action(description=_("Retry the selected failed tasks"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        failed = list(queryset.filter(status=FAILED).values_list("pk", flat=True))
        count = tasks_retry(task_ids=failed)
        self.message_user(
            request,
            ngettext(
                "%(count)d task goes back to the queue.",
                "%(count)d tasks go back to the queue.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at")
    readonly_fields = ("worker_id", "hostname", "pid", "started_at", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WorkerHeartbeat | None = None
    ) -> bool:
        return False
