"""``/readyz``: may this process be sent traffic?

``/healthz`` says the process and its database answer. ``/readyz`` says more:
the database answers, every migration is applied (a server started before
``migrate`` finished must not be sent requests), and, when tasks go through
the database queue, a worker has written a heartbeat in the last minute (a
site whose e-mails pile up unsent is not ready).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.tasks import task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.backend import DatabaseBackend

from solidaire.common.worker import worker_seen_since

logger = logging.getLogger(__name__)

WORKER_SEEN_WITHIN = timedelta(minutes=1)
_migrated = False


def migrations_applied() -> bool:
    """True once every migration is applied; remembered from then on, since
    reading the migration files on every poll would cost more than the poll."""
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def queue_needs_worker() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if migrations_applied() else "pending"
        if queue_needs_worker():
            seen = worker_seen_since(timezone.now() - WORKER_SEEN_WITHIN)
            checks["worker"] = "ok" if seen else "not seen in the last minute"
    except DatabaseError:
        logger.warning("Readiness: the database does not answer.", exc_info=True)
        checks["database"] = "does not answer"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", "checks": checks}, status=200 if ready else 503
    )
