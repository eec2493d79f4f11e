"""The task queue's rules that django-tasks-db leaves to its user.

django-tasks-db keeps each task as a row and its worker takes one at a time
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction
on SQLite), so two workers never run the same task. What it does not do, and
this module does:

- a failed attempt goes back to the queue, later, until ``TASKS_MAX_ATTEMPTS``;
- a task left running by a worker that stopped without finishing it (killed,
  machine lost) goes back to the queue too, once its worker is known dead;
- each worker writes a heartbeat, which ``/readyz`` and the recovery read;
- the administrator retries a task that failed for good.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from solidaire.common.models import WorkerHeartbeat

logger = logging.getLogger("solidaire.worker")

READY = "READY"
RUNNING = "RUNNING"
FAILED = "FAILED"
LOST = "solidaire.common.worker.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped before the task finished."""


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt: TASKS_RETRY_DELAY, doubled each time."""
    return timedelta(seconds=settings.TASKS_RETRY_DELAY * 2 ** max(attempts - 1, 0))


def task_retry_if_allowed(*, task_id: UUID | str, now: datetime | None = None) -> bool:
    """Put a task whose attempt just failed back in the queue, unless it has
    used all its attempts; the last error stays on the row until it runs
    again. Returns whether it was put back."""
    now = now or timezone.now()
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=task_id, status=FAILED).first()
        if row is None or len(row.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
            return False
        DBTaskResult.objects.filter(pk=row.pk).update(
            status=READY, finished_at=None, run_after=now + retry_delay(len(row.worker_ids))
        )
    logger.info(
        "task %s goes back to the queue after attempt %d",
        row.task_path,
        len(row.worker_ids),
        extra={"fields": {"event": "task_retry", "task_id": str(row.pk)}},
    )
    return True


def tasks_retry(*, task_ids: Sequence[UUID | str]) -> int:
    """The administrator's retry: failed tasks go back to the queue now, with
    a fresh count of attempts. Tasks in any other state are left alone."""
    return DBTaskResult.objects.filter(pk__in=task_ids, status=FAILED).update(
        status=READY,
        finished_at=None,
        started_at=None,
        worker_ids=[],
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )


def host_identity() -> str:
    """Where this worker's process ids mean something: the host's name and,
    on Linux, its process-id namespace. Two containers sharing the host's
    name (host networking) have different namespaces, so one never takes the
    other's live worker for dead because a process id is unknown to it."""
    name = socket.gethostname()
    with contextlib.suppress(OSError):  # without /proc: the host's name alone
        name = f"{name} {os.readlink('/proc/self/ns/pid')}"
    return name[:255]


def heartbeat_beat(*, worker_id: str, started_at: datetime) -> None:
    """Record that this worker is alive now."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": host_identity(),
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )


def heartbeat_forget(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_seen_since(instant: datetime) -> bool:
    return WorkerHeartbeat.objects.filter(seen_at__gte=instant).exists()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def workers_dead(*, me: str, now: datetime | None = None) -> set[str]:
    """Ids of the workers known to have stopped: silent for longer than
    WORKER_LOST_AFTER, or, on this host, whose process no longer exists (a
    worker killed and started again here need not wait a minute)."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.WORKER_LOST_AFTER)
    here = host_identity()
    dead = set()
    for beat in WorkerHeartbeat.objects.exclude(worker_id=me):
        if beat.seen_at < silent_since or (beat.hostname == here and not _pid_alive(beat.pid)):
            dead.add(beat.worker_id)
    return dead


def tasks_recover_lost(*, me: str, now: datetime | None = None) -> int:
    """Put back in the queue the tasks left running by a dead worker (or
    mark them failed when they have used all their attempts). Returns how
    many were recovered.

    A task runs at least once: one whose worker died after its work but
    before recording success runs again, so tasks that send something record
    what they sent and skip it the next time.
    """
    now = now or timezone.now()
    dead = workers_dead(me=me, now=now)
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    recovered = 0
    with exclusive_transaction():
        running = DBTaskResult.objects.filter(status=RUNNING).select_for_update(skip_locked=True)
        for row in running:
            last = row.worker_ids[-1] if row.worker_ids else ""
            # A worker with no heartbeat at all is dead too, unless it is
            # still starting (its task began after the silence threshold).
            never_seen = (
                last not in known
                and row.started_at is not None
                and (row.started_at < now - timedelta(seconds=settings.WORKER_LOST_AFTER))
            )
            if last == me or not (last in dead or never_seen):
                continue
            if len(row.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
                row.status = FAILED
                row.finished_at = now
                row.exception_class_path = LOST
                row.traceback = f"{LOST}: worker {last} stopped while running this task.\n"
                row.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
            else:
                row.status = READY
                row.run_after = now
                row.save(update_fields=["status", "run_after"])
            recovered += 1
            logger.warning(
                "task %s left running by worker %s: %s",
                row.task_path,
                last,
                row.status,
                extra={"fields": {"event": "task_recovered", "task_id": str(row.pk)}},
            )
    WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    return recovered
