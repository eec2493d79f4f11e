"""``/readyz`` answers 200 only when the database answers, every migration
is applied and a task worker was seen in the last minute; every request and
every task run leaves one log line, with the request's id."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.tasks import task
from django.utils import timezone

from solidaire.common import health
from solidaire.common.logs import JsonFormatter
from solidaire.common.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[3]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task
def noted(value: int) -> int:
    return value * 2


def _beat(seconds_ago: int) -> None:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(
        worker_id=f"w{seconds_ago}", hostname="h", pid=1, started_at=seen, seen_at=seen
    )


@pytest.mark.django_db
def test_readyz_is_ok_with_the_database_migrated_and_a_worker_seen_recently(client, settings):
    settings.TASKS = DATABASE_QUEUE
    _beat(seconds_ago=20)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }


@pytest.mark.django_db
def test_readyz_fails_when_no_worker_was_seen_in_the_last_minute(client, settings):
    settings.TASKS = DATABASE_QUEUE
    _beat(seconds_ago=90)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "not seen in the last minute"


@pytest.mark.django_db
def test_readyz_fails_while_migrations_are_pending(client, settings, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    _beat(seconds_ago=1)
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("pending", False)]
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"


@pytest.mark.django_db
def test_readyz_needs_no_worker_when_tasks_run_in_the_request(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert "worker" not in response.json()["checks"]


def test_readyz_fails_when_the_database_does_not_answer():
    # A real connection to a closed port, in a fresh interpreter.
    code = (
        "import django; django.setup(); from django.test import Client;"
        "r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "solidaire.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/closed",
        "TASKS_BACKEND": "database",
    }
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    status, body = run.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"]["database"] == "does not answer"


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_the_request_id_it_sends_back(client, caplog):
    caplog.set_level(logging.INFO, logger="solidaire.request")

    response = client.get("/healthz")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [record] = [r for r in caplog.records if r.name == "solidaire.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0


@pytest.mark.django_db
def test_a_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client, caplog):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-1234.abc")
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="a b\nfake log line")

    assert kept["X-Request-ID"] == "proxy-1234.abc"
    assert forged["X-Request-ID"] != "a b\nfake log line"
    assert len(forged["X-Request-ID"]) == 32


def test_a_json_line_carries_the_request_id_of_the_request_being_served():
    from solidaire.common.requestlog import _request_id

    token = _request_id.set("req-42")
    try:
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "slow %s", ("page",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        _request_id.reset(token)

    assert (line["message"], line["level"], line["request_id"]) == (
        "slow page",
        "WARNING",
        "req-42",
    )


@pytest.mark.django_db
def test_each_task_run_logs_one_json_line(caplog):
    caplog.set_level(logging.INFO, logger="solidaire.task")

    noted.enqueue(21)

    [record] = [r for r in caplog.records if r.name == "solidaire.task"]
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "task"
    assert line["task"].endswith("test_readiness_and_logs.noted")
    assert line["status"] == "SUCCESSFUL"
    assert "duration_ms" in line
