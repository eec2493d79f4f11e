from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "solidaire.common"
    verbose_name = "Solidaire"

    def ready(self) -> None:
        from django.tasks.signals import task_finished, task_started

        from solidaire.common.logs import task_finished_log, task_started_log

        task_started.connect(task_started_log, dispatch_uid="solidaire.task_started_log")
        task_finished.connect(task_finished_log, dispatch_uid="solidaire.task_finished_log")
