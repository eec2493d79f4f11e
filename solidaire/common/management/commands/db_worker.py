"""``manage.py db_worker``: django-tasks-db's worker, with Solidaire's rules.

The same options as django-tasks-db's command (``--queue-name``,
``--interval``, ``--batch``, ``--max-tasks``, ``--worker-id``…), plus:
a failed attempt is retried up to ``TASKS_MAX_ATTEMPTS`` times; the worker
writes a heartbeat every ``WORKER_HEARTBEAT`` seconds and, on the same beat,
puts back in the queue the tasks that a dead worker left running; a database
that stops answering for a while makes the worker wait, not exit.
Ctrl-C or SIGTERM lets the running task finish, then stops.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils import timezone
from django_tasks_db.management.commands import db_worker as base
from django_tasks_db.models import DBTaskResult

from solidaire.common.worker import (
    FAILED,
    heartbeat_beat,
    heartbeat_forget,
    task_retry_if_allowed,
    tasks_recover_lost,
)

logger = logging.getLogger("solidaire.worker")


class Heartbeat(threading.Thread):
    """Beats while the worker runs, even during a long task."""

    def __init__(self, *, worker_id: str) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def beat(self) -> None:
        try:
            heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
            tasks_recover_lost(me=self.worker_id)
        except DatabaseError:
            logger.warning("The database does not answer; the heartbeat waits.", exc_info=True)

    def run(self) -> None:
        while not self.stopping.wait(settings.WORKER_HEARTBEAT):
            try:
                self.beat()
            finally:
                # This thread's own connection: not kept between beats.
                connections.close_all()


class Worker(base.Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(worker_id=self.worker_id)
        heartbeat.beat()
        heartbeat.start()
        try:
            while True:
                try:
                    super().run()
                    return
                except (OperationalError, InterfaceError):
                    # The database is away (restarting, a network cut): wait
                    # and try again rather than leave the queue unserved.
                    logger.warning("The database does not answer; the worker waits.", exc_info=True)
                    close_old_connections()
                    if not self.running:
                        return
                    time.sleep(max(self.interval, 1.0))
        finally:
            heartbeat.stopping.set()
            # A beat under way would write the heartbeat back after it is forgotten.
            heartbeat.join(timeout=10)
            with contextlib.suppress(DatabaseError):
                heartbeat_forget(worker_id=self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == FAILED:
            task_retry_if_allowed(task_id=db_task_result.pk)


class Command(base.Command):
    help = (
        "Run the task worker: takes queued tasks from the database one at a time, "
        "retries failed ones up to TASKS_MAX_ATTEMPTS, writes a heartbeat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise base.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        # No reloading here: a worker restarted mid-task would leave it half
        # done. Restart the worker after changing the code.
        worker.configure_signals()
        worker.run()
