"""Two workers on one queue never run the same task: each takes a row with
``SELECT … FOR UPDATE SKIP LOCKED`` and marks it running in the same
transaction. Real worker processes on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import task
from django_tasks_db.models import DBTaskResult

ROOT = Path(__file__).resolve().parents[3]
TASKS = 60


@task
def append_line(path: str, label: str) -> None:
    # Long enough that the second worker starts before the first is done.
    time.sleep(0.1)
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{label}\n")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_from_the_same_queue_run_each_task_once(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    runs = tmp_path / "runs.txt"
    for number in range(TASKS):
        append_line.enqueue(str(runs), f"task-{number}")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "solidaire.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "TASKS_BACKEND": "database",
    }
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--queue-name=*",
        "--interval=0",
    ]
    workers = [subprocess.Popen([*command, f"--worker-id=w{n}"], cwd=ROOT, env=env) for n in (1, 2)]
    for worker in workers:
        assert worker.wait(timeout=240) == 0

    lines = Counter(runs.read_text(encoding="utf-8").split())
    claims = list(DBTaskResult.objects.values_list("worker_ids", flat=True))
    assert len(lines) == TASKS
    assert set(lines.values()) == {1}
    assert all(len(ids) == 1 for ids in claims)
    # Both took part: the test would prove nothing with one worker doing all.
    assert {ids[0] for ids in claims} == {"w1", "w2"}
