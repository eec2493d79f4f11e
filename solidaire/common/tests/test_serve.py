"""``manage.py serve`` is the production stack; it refuses to run with
DEBUG on, where ``make run`` is the way."""

from __future__ import annotations

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
