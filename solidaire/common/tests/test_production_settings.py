"""Production's task queue, private files and logs come from the
environment, read strictly; private files never get a public address. Each
case starts a fresh interpreter, since settings are read once per process."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "solidaire.example.org",
}
_READ = "import django; django.setup(); from django.conf import settings; "


def _run(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRIVATE_", "TASKS_", "LOG_", "EMAIL_", "DATABASE_URL", "DEBUG"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "solidaire.settings"
    return subprocess.run(
        [sys.executable, "-c", _READ + code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_queues_tasks_in_the_database_and_development_runs_them_at_once():
    code = "print(settings.TASKS['default']['BACKEND'])"

    assert _run(PRODUCTION, code).stdout.strip() == "django_tasks_db.DatabaseBackend"
    assert _run({}, code).stdout.strip() == "django.tasks.backends.immediate.ImmediateBackend"


def test_an_unknown_task_backend_refuses_to_start():
    run = _run({"TASKS_BACKEND": "celery"}, "")

    assert run.returncode != 0
    assert "TASKS_BACKEND='celery' is not one of database, dummy, immediate" in run.stderr


def test_private_files_stay_on_disk_by_default_without_any_address(tmp_path):
    code = (
        "from django.core.files.storage import storages; s = storages['private'];"
        "print(s.location);\n"
        "try:\n    s.url('a.pdf')\nexcept NotImplementedError:\n    print('no url')"
    )
    run = _run({"PRIVATE_MEDIA_ROOT": str(tmp_path)}, code)

    assert run.stdout.split() == [str(tmp_path), "no", "url"]


def test_private_files_on_an_s3_store_are_written_private_and_only_given_signed_links():
    env = {
        "PRIVATE_STORAGE": "s3",
        "PRIVATE_S3_BUCKET": "solidaire-documents",
        "PRIVATE_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "PRIVATE_S3_REGION": "ca-central-1",
        "PRIVATE_S3_ACCESS_KEY_ID": "key",
        "PRIVATE_S3_SECRET_ACCESS_KEY": "secret",
    }
    code = (
        "import json; from django.core.files.storage import storages; s = storages['private'];"
        "print(json.dumps({'class': type(s).__name__, 'bucket': s.bucket_name,"
        " 'acl': s.default_acl, 'prefix': s.location, 'url': s.url('proposals/a.pdf')}))"
    )
    run = _run(env, code)

    described = json.loads(run.stdout)
    assert described["class"] == "S3Storage"
    assert (described["bucket"], described["acl"], described["prefix"]) == (
        "solidaire-documents",
        "private",
        "private",
    )
    # Signed (and short-lived): the object itself is never public.
    assert "X-Amz-Signature=" in described["url"]
    assert "X-Amz-Expires=60" in described["url"]


def test_an_s3_store_without_a_bucket_refuses_to_start():
    run = _run({"PRIVATE_STORAGE": "s3"}, "")

    assert run.returncode != 0
    assert "PRIVATE_STORAGE=s3 needs PRIVATE_S3_BUCKET" in run.stderr


def test_an_unknown_private_store_refuses_to_start():
    run = _run({"PRIVATE_STORAGE": "ftp"}, "")

    assert run.returncode != 0
    assert "PRIVATE_STORAGE='ftp' is not filesystem or s3" in run.stderr


def test_production_logs_are_json_lines_and_a_bad_format_refuses_to_start():
    code = "print(settings.LOGGING['handlers']['console']['formatter'])"

    assert _run(PRODUCTION, code).stdout.strip() == "json"
    assert "LOG_FORMAT='xml' is not json or text" in _run({"LOG_FORMAT": "xml"}, "").stderr
