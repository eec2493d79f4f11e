"""``manage.py serve`` is the production stack; it refuses to run with
DEBUG on, where ``make run`` is the way."""

from __future__ import annotations

import sys

import pytest
from django.core.management import CommandError, call_command


def test_serve_refuses_to_run_the_production_stack_with_debug_on(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="DEBUG=false"):
        call_command("serve")


def test_serve_refuses_a_stack_without_web_workers(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--web-workers must be 1 or more"):
        call_command("serve", web_workers=0)


def test_serve_starts_gunicorn_with_the_deploy_settings_by_default(settings):
    from solidaire.common.management.commands.serve import Command

    command = Command().web_command({"bind": "127.0.0.1:8123", "web_workers": 3})

    assert command == [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"),
        "--bind",
        "127.0.0.1:8123",
        "--workers",
        "3",
        "solidaire.wsgi:application",
    ]


def test_serve_web_command_replaces_gunicorn_with_its_placeholders_filled():
    from solidaire.common.management.commands.serve import Command

    command = Command().web_command(
        {
            "bind": "127.0.0.1:8123",
            "web_workers": 2,
            "web_command": "{python} -m granian --interface wsgi --host {host} "
            "--port {port} --workers {workers} --blocking-threads 4 "
            "'solidaire.wsgi:application'",
        }
    )

    assert command == [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        "8123",
        "--workers",
        "2",
        "--blocking-threads",
        "4",
        "solidaire.wsgi:application",
    ]


def test_serve_web_command_names_the_placeholders_when_one_is_unknown(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match=r"\{python\}, \{bind\}"):
        call_command("serve", web_command="{python} -m waitress --listen={address}")
