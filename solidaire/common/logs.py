"""One JSON object per log line, and one line per task run.

A log collector reads the lines of every process (application servers and
workers) without parsing free text: each line has the time, the level, the
logger, the message and the fields its author attached with
``extra={"fields": {...}}``. The request id of the request being served, if
any, is added to every line, so that one request's lines can be found
together.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from solidaire.common.requestlog import current_request_id

task_logger = logging.getLogger("solidaire.task")

_started: dict[str, float] = {}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def task_started_log(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _started[task_result.id] = time.monotonic()


def task_finished_log(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """One line per run of a task: which, how it ended, how long it took."""
    began = _started.pop(task_result.id, None)
    fields: dict[str, Any] = {
        "event": "task",
        "task_id": task_result.id,
        "task": task_result.task.module_path,
        "status": str(task_result.status),
        "attempt": len(task_result.worker_ids) or 1,
        "backend": task_result.backend,
    }
    if began is not None:
        fields["duration_ms"] = round((time.monotonic() - began) * 1000, 1)
    if task_result.errors:
        fields["error"] = task_result.errors[-1].exception_class_path
    level = logging.INFO if not task_result.errors else logging.WARNING
    task_logger.log(level, "task %s %s", fields["task"], fields["status"], extra={"fields": fields})
