"""The database task queue: a task outlives the request that queued it, a
failed attempt is retried up to the limit, a failure for good shows in the
admin with its error and can be retried, a task left running by a dead worker
goes back to the queue, and a mail server refusing messages fails the task,
not the work that queued it."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from solidaire.common.models import WorkerHeartbeat
from solidaire.common.worker import host_identity, tasks_recover_lost
from solidaire.testing import factories as f

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RUNS: list[str] = []


@task
def record_run(label: str) -> str:
    RUNS.append(label)
    return label.upper()


@task
def always_fails() -> None:
    raise RuntimeError("the service this task calls is down")


@task
def send_note(address: str) -> int:
    return EmailMessage("Note", "Body", "solidaire@localhost", [address]).send()


@task
def count_heartbeats() -> int:
    return WorkerHeartbeat.objects.count()


@pytest.fixture
def queue(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_MAX_ATTEMPTS = 3
    settings.TASKS_RETRY_DELAY = 0
    RUNS.clear()
    return settings


def work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, queue_name="*", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_waits_in_the_database_until_a_worker_runs_it(queue):
    result = record_run.enqueue("receipt")

    assert RUNS == []
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    work()

    row = DBTaskResult.objects.get(pk=result.id)
    assert RUNS == ["receipt"]
    assert (row.status, row.return_value) == ("SUCCESSFUL", "RECEIPT")


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_up_to_the_limit_then_kept_failed_with_its_error(queue):
    result = always_fails.enqueue()

    work()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert len(row.worker_ids) == 3
    assert row.exception_class_path == "builtins.RuntimeError"
    assert "the service this task calls is down" in row.traceback


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_longer_after_each_failed_attempt(queue):
    queue.TASKS_RETRY_DELAY = 30
    result = always_fails.enqueue()

    work()  # one attempt; the retry is not due yet, so the batch ends

    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, len(row.worker_ids)) == ("READY", 1)
    assert timedelta(seconds=25) < row.run_after - timezone.now() <= timedelta(seconds=30)


@pytest.mark.django_db(transaction=True)
def test_the_administrator_sees_a_failed_task_with_its_error_and_retries_it(queue, client):
    admin_user = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    result = always_fails.enqueue()
    work()

    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    listing = client.get(changelist)
    detail = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.id])
    )
    client.post(
        changelist,
        {"action": "retry", "_selected_action": [result.id]},
    )

    assert "builtins.RuntimeError" in listing.content.decode()
    assert "the service this task calls is down" in detail.content.decode()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.worker_ids, row.traceback) == ("READY", [], "")


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_goes_back_to_the_queue_and_runs(queue):
    result = record_run.enqueue("after the crash")
    long_ago = timezone.now() - timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["killed"], started_at=long_ago
    )
    WorkerHeartbeat.objects.create(
        worker_id="killed", hostname="elsewhere", pid=1, started_at=long_ago, seen_at=long_ago
    )

    assert tasks_recover_lost(me="new") == 1
    work()

    assert RUNS == ["after the crash"]
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert not WorkerHeartbeat.objects.filter(worker_id="killed").exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_worker_still_beating_is_left_running(queue):
    result = record_run.enqueue("in progress")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["alive"], started_at=now
    )
    WorkerHeartbeat.objects.create(
        worker_id="alive", hostname="elsewhere", pid=1, started_at=now, seen_at=now
    )

    assert tasks_recover_lost(me="new") == 0
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_a_worker_in_another_process_namespace_of_the_same_host_is_not_taken_for_dead(queue):
    """A container sharing the host's name: its process ids mean nothing
    here, so only its silence can say it died."""
    now = timezone.now()
    result = record_run.enqueue("in another container")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["container"], started_at=now
    )
    unused_pid = 2**22 + 17  # above Linux's largest process id: never alive here
    WorkerHeartbeat.objects.create(
        worker_id="container",
        hostname=f"{socket.gethostname()} pid:[1]",
        pid=unused_pid,
        started_at=now,
        seen_at=now,
    )
    assert tasks_recover_lost(me="new") == 0
    # The same process id under this host's own identity is known dead at once.
    WorkerHeartbeat.objects.filter(worker_id="container").update(hostname=host_identity())
    assert tasks_recover_lost(me="new") == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_task_that_used_all_its_attempts_is_failed_not_run_again(queue):
    result = record_run.enqueue("too many times")
    long_ago = timezone.now() - timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["a", "b", "c"], started_at=long_ago
    )

    tasks_recover_lost(me="new")

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "solidaire.common.worker.WorkerLost"


@pytest.mark.django_db(transaction=True)
def test_the_worker_leaves_a_heartbeat_while_it_runs_and_removes_it_when_it_stops(queue):
    count_heartbeats.enqueue()

    work()

    assert DBTaskResult.objects.get().return_value == 1
    assert WorkerHeartbeat.objects.count() == 0


class RefusingHandler:
    def __init__(self) -> None:
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.attempts += 1
        return "554 Transaction failed: refused by policy"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_refusing_messages_fails_the_task_after_its_attempts_not_the_write(
    queue, django_capture_on_commit_callbacks
):
    handler = RefusingHandler()
    port = _free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    queue.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            organisation = f.OrganisationFactory()
            transaction.on_commit(lambda: send_note.enqueue("marie@example.org"))
        work()
    finally:
        server.stop()

    row = DBTaskResult.objects.get(task_path__endswith="send_note")
    assert organisation.__class__.objects.filter(pk=organisation.pk).exists()
    assert handler.attempts == 3
    assert (row.status, len(row.worker_ids)) == ("FAILED", 3)
    assert row.exception_class_path == f"{smtplib.__name__}.SMTPDataError"
