"""``manage.py serve``: the production stack on one machine, in one command.

Starts the application server (gunicorn, with several workers) and the task
worker, writes their process ids to a file, and stops both on Ctrl-C or
SIGTERM: each gets one SIGTERM (gunicorn finishes the requests under way,
the worker its task), then SIGKILL after a grace period. If either stops by
itself, the other is stopped too and the command fails, so that systemd (or
whoever started it) sees it and restarts the whole.

The children run in a process group of their own: Ctrl-C in the terminal
reaches only this command, which then stops each child once, in order. The
pid file names the command, each child and that group, so that a script
can stop exactly these processes (``kill -TERM <supervisor>``) and nothing
else.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

GRACE_SECONDS = 35


class Command(BaseCommand):
    help = (
        "Serve Solidaire for production: gunicorn with several workers plus the task "
        "worker; Ctrl-C or SIGTERM stops both cleanly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", default=os.environ.get("BIND", "127.0.0.1:8000"), help="host:port"
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "4")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 4)",
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=int(os.environ.get("TASK_WORKERS", "1")),
            help="task worker processes (default: TASK_WORKERS or 1)",
        )
        parser.add_argument(
            "--web-command",
            default="",
            help=(
                "another application server's command line, in place of gunicorn's "
                "(to measure it): {python}, {bind}, {host}, {port} and {workers} are "
                "replaced, e.g. '{python} -m waitress --listen={bind} --threads=8 "
                "solidaire.wsgi:application'"
            ),
        )
        parser.add_argument(
            "--pid-file",
            default=str(settings.BASE_DIR / "var" / "run" / "serve.json"),
            help="where the process ids are written (removed on a clean stop)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError(
                "serve is the production stack: set DEBUG=false (make serve does), "
                "or use make run while developing."
            )
        if options["web_workers"] < 1 or options["task_workers"] < 0:
            raise CommandError("--web-workers must be 1 or more, --task-workers 0 or more.")
        self.web_argv = self.web_command(options)
        self.stopping = False
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        pid_file = Path(options["pid_file"])
        signal.signal(signal.SIGINT, self.stop_requested)
        signal.signal(signal.SIGTERM, self.stop_requested)
        signal.signal(signal.SIGHUP, self.stop_requested)
        try:
            self.start(options)
            pid_file.parent.mkdir(parents=True, exist_ok=True)
            pid_file.write_text(
                json.dumps(
                    {
                        "supervisor": os.getpid(),
                        "group": self.group,
                        **{name: child.pid for name, child in self.children.items()},
                    }
                )
            )
            self.stdout.write(self.describe(options, pid_file))
            failed = self.watch()
        finally:
            self.stop_all()
            pid_file.unlink(missing_ok=True)
        if failed:
            raise CommandError(f"{failed} stopped by itself; the whole stack was stopped.")

    def web_command(self, options: dict[str, Any]) -> list[str]:
        """Gunicorn with deploy/gunicorn.conf.py; or, given --web-command,
        that command line with its placeholders replaced."""
        if not options.get("web_command"):
            return [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"),
                "--bind",
                options["bind"],
                "--workers",
                str(options["web_workers"]),
                "solidaire.wsgi:application",
            ]
        host, _, port = options["bind"].rpartition(":")
        values = {
            "python": sys.executable,
            "bind": options["bind"],
            "host": host,
            "port": port,
            "workers": str(options["web_workers"]),
        }
        try:
            return [word.format(**values) for word in shlex.split(options["web_command"])]
        except (KeyError, IndexError, ValueError) as error:
            raise CommandError(
                f"--web-command: {error!r}; the placeholders are "
                "{python}, {bind}, {host}, {port} and {workers}."
            ) from error

    def start(self, options: dict[str, Any]) -> None:
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {"web": self.web_argv}
        for number in range(1, options["task_workers"] + 1):
            commands[f"worker-{number}"] = [
                sys.executable,
                manage,
                "db_worker",
                "--queue-name=*",
                "--no-reload",
                f"--worker-id={os.uname().nodename[:40]}-{os.getpid()}-{number}",
            ]
        self.group = 0
        for name, command in commands.items():
            child = subprocess.Popen(command, process_group=self.group)
            self.children[name] = child
            self.group = self.group or child.pid

    def describe(self, options: dict[str, Any], pid_file: Path) -> str:
        database = settings.DATABASES["default"]
        mail = cast(dict[str, Any], settings.MAILERS["default"])
        private = cast(dict[str, Any], settings.STORAGES["private"])
        lines = [
            f"Solidaire is served at http://{options['bind']}/ "
            f"({options['web_workers']} web workers, {options['task_workers']} task worker(s))",
            f"  web:      {shlex.join(self.web_argv)}",
            f"  database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('NAME', '')}",
            f"  tasks:    {settings.TASKS['default']['BACKEND']}",
            f"  e-mail:   {mail['BACKEND']} {mail.get('OPTIONS', {}).get('file_path', '')}".rstrip(),
            f"  files:    {private['BACKEND']}",
            f"  pids:     {pid_file} — Ctrl-C stops everything",
        ]
        return "\n".join(lines)

    def stop_requested(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def watch(self) -> str:
        """Wait until asked to stop (returns "") or until a child stops by
        itself (returns its name)."""
        while not self.stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    return name
            time.sleep(0.5)
        return ""

    def stop_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        # Whatever the children left behind in their group (a gunicorn worker
        # whose master was killed) goes with them.
        if self.group:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.group, signal.SIGKILL)
