"""Settings are read strictly from the environment, and production refuses
to start with an unsafe configuration. Each case starts a fresh interpreter,
since settings are read once per process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READ_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
)
# Variables the settings read, plus one the browser tests set in this process
# (Playwright's event loop) that a deployment must not have.
_OURS = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "EMAIL_BACKEND",
    "EMAIL_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "EMAIL_FILE_PATH",
    "DEFAULT_FROM_EMAIL",
    "CACHE_TABLE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
GOOD_KEY = secrets.token_urlsafe(64)  # 86 characters


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _OURS and not k.startswith("SECURE_")}
    clean["DJANGO_SETTINGS_MODULE"] = "solidaire.settings"
    return subprocess.run(
        [sys.executable, *(args or ("-c", READ_SETTINGS))],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refused(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert message in run.stderr


def test_production_without_secret_key_refuses_to_start():
    run = _run({"DEBUG": "false", "ALLOWED_HOSTS": "solidaire.example.org"})

    _refused(run, "SECRET_KEY must be set to a random value of at least 50 characters")


@pytest.mark.parametrize(
    "key", ["short-key", "solidaire-development-key-not-for-production"], ids=["short", "dev"]
)
def test_production_with_a_weak_secret_key_refuses_to_start(key):
    run = _run({"DEBUG": "false", "SECRET_KEY": key, "ALLOWED_HOSTS": "solidaire.example.org"})

    _refused(run, "SECRET_KEY must be set")


def test_production_without_allowed_hosts_refuses_to_start():
    run = _run({"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": ""})

    _refused(run, "ALLOWED_HOSTS must name the site's host")


def test_production_with_allowed_hosts_unset_refuses_to_start():
    # The development hosts (localhost, testserver) are no default in production.
    run = _run({"DEBUG": "false", "SECRET_KEY": GOOD_KEY})

    _refused(run, "ALLOWED_HOSTS must name the site's host")


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(GOOD_KEY + "\n", encoding="utf-8")
    script = f"{READ_SETTINGS}; print(settings.SECRET_KEY == {GOOD_KEY!r})"

    run = _run(
        {"DEBUG": "false", "SECRET_KEY_FILE": str(key_file), "ALLOWED_HOSTS": "a.example.org"},
        "-c",
        script,
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("value", ["maybe", "2", "vrai", "False "])
def test_a_boolean_that_cannot_be_read_is_an_error(value):
    run = _run({"DEBUG": value})

    _refused(run, f"DEBUG={value!r} is not a boolean")


@pytest.mark.parametrize(("value", "expected"), [("TRUE", "True"), ("off", "False"), ("", "True")])
def test_booleans_are_read_in_any_case(value, expected):
    env = {"DEBUG": value}
    if expected == "False":
        env |= {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example.org"}

    run = _run(env)

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected


def test_an_integer_that_cannot_be_read_is_an_error():
    run = _run({"SECURE_HSTS_SECONDS": "one year"})

    _refused(run, "SECURE_HSTS_SECONDS='one year' is not an integer")


def test_production_like_configuration_passes_the_deployment_checklist():
    run = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "solidaire.example.org",
            "DATABASE_URL": "postgres://solidaire@127.0.0.1:5432/solidaire",
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_defaults_run_the_demo_on_sqlite_in_quebec_time():
    run = _run(
        {},
        "-c",
        READ_SETTINGS
        + "; db = settings.DATABASES['default']"
        + "; print(db['ENGINE'], db['OPTIONS']['transaction_mode'], db['OPTIONS']['timeout'])"
        + "; print(settings.TIME_ZONE, settings.USE_TZ, settings.LANGUAGE_CODE)",
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "True",
        "django.db.backends.sqlite3 IMMEDIATE 20",
        "America/Toronto True fr",
    ]


def test_database_url_selects_postgresql():
    run = _run(
        {"DATABASE_URL": "postgres://u@db.example.org:5432/solidaire"},
        "-c",
        READ_SETTINGS + "; print(settings.DATABASES['default']['ENGINE'])",
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "django.db.backends.postgresql"


# --- E-mail -------------------------------------------------------------------

PRINT_MAILER = READ_SETTINGS + (
    "; m = settings.MAILERS['default']; o = m['OPTIONS']"
    "; print(m['BACKEND']); print(sorted(o.items()))"
)
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example.org"}


def _mailer(env: dict[str, str]) -> tuple[str, str]:
    run = _run(env, "-c", PRINT_MAILER)
    assert run.returncode == 0, run.stderr
    _debug, backend, options = run.stdout.splitlines()
    return backend, options


def test_development_mail_is_printed_and_written_under_var_mail():
    backend, options = _mailer({})

    assert backend == "solidaire.common.mail.ConsoleAndFileEmailBackend"
    assert options == f"[('file_path', '{ROOT / 'var' / 'mail'}')]"


def test_production_mail_goes_by_smtp_from_email_url():
    backend, options = _mailer(
        PRODUCTION | {"EMAIL_URL": "smtp+tls://solidaire%40example.org:p%40ss@smtp.example.org"}
    )

    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert options == str(
        sorted(
            {
                "host": "smtp.example.org",
                "port": 587,
                "username": "solidaire@example.org",
                "password": "p@ss",
                "use_tls": True,
                "use_ssl": False,
                "timeout": 10,
            }.items()
        )
    )


def test_production_mail_goes_by_smtp_from_separate_variables():
    backend, options = _mailer(
        PRODUCTION
        | {
            "EMAIL_HOST": "smtp.example.org",
            "EMAIL_PORT": "2525",
            "EMAIL_HOST_USER": "solidaire",
            "EMAIL_HOST_PASSWORD": "secret",
            "EMAIL_USE_SSL": "true",
        }
    )

    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert "('host', 'smtp.example.org')" in options
    assert "('port', 2525)" in options
    assert "('use_ssl', True)" in options and "('use_tls', False)" in options


def test_an_smtp_server_configured_while_developing_is_used():
    backend, options = _mailer({"EMAIL_URL": "smtps://mail.example.org"})

    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert "('port', 465)" in options


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_URL": "http://smtp.example.org"}, "EMAIL_URL must start with smtp://"),
        (
            {"EMAIL_URL": "smtp://smtp.example.org:port"},
            "EMAIL_URL has a port that is not a number",
        ),
        ({"EMAIL_URL": "smtp://"}, "EMAIL_URL must name the SMTP host"),
        ({"EMAIL_URL": "smtp://h.example.org?tls=1"}, "EMAIL_URL accepts only the timeout"),
        ({"EMAIL_HOST": "h.example.org", "EMAIL_PORT": "vingt-cinq"}, "EMAIL_PORT='vingt-cinq'"),
        (
            {"EMAIL_HOST": "h", "EMAIL_USE_TLS": "yes", "EMAIL_USE_SSL": "yes"},
            "cannot both be true",
        ),
        ({"EMAIL_HOST": "h", "EMAIL_USE_TLS": "peut-être"}, "EMAIL_USE_TLS='peut-être'"),
    ],
    ids=["scheme", "port", "host", "parameter", "port-variable", "tls-and-ssl", "boolean"],
)
def test_mail_settings_that_cannot_be_read_are_an_error(env, message):
    run = _run(env)

    _refused(run, message)


def test_rate_limits_count_in_a_shared_cache_when_asked():
    script = READ_SETTINGS + "; print(settings.CACHES['default'])"

    local = _run({}, "-c", script)
    shared = _run({"CACHE_TABLE": "solidaire_cache"}, "-c", script)

    assert "LocMemCache" in local.stdout
    assert "DatabaseCache" in shared.stdout and "solidaire_cache" in shared.stdout
