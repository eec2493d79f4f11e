"""The deadline rush: N organisations submit in the last minute, against the
production stack (`manage.py serve`: gunicorn and the task worker) on
PostgreSQL, driven from this separate process over loopback.

    .venv/bin/python bench/rush.py                # 300 organisations, then the same with a kill
    .venv/bin/python bench/rush.py --n 50 --no-kill
    .venv/bin/python bench/rush.py --n 3 --no-kill --check   # CI: fails unless every figure is right

Each organisation has a complete draft (made beforehand, not timed) and a
session; in the rush it opens its draft's page, then posts it with the
required document attached and "submit" (the request timed: p50/p95/p99).
Arrivals are spread over the window (60 s by default). A client whose request
fails (connection refused while the server is down, a 5xx) tries again after
a second, as a person would, until it holds a receipt.

In the kill run, once half the organisations have started, the supervisor,
gunicorn and the task worker are all killed with SIGKILL (by the process ids
the stack recorded), and the stack is started again.

At the end it counts, from the database: proposals submitted, lost (a client
holds a receipt the database does not have) and half written (submitted
without receipt number or document); duplicated receipt numbers; and the
receipt e-mails, received by an SMTP server this script runs: every
organisation whose proposal is submitted must have received exactly one.
Last, `manage.py ledger_verify` runs against the same database and its
result line is printed; with `--check`, a non-zero exit fails the run.
Which task sends receipts is whatever the code queues on submission
(`--receipt-subject` says how to recognise one; "" counts every message).
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/solidaire_rush"
# The draft page's button that submits ("submit"), or that leads to the
# confirmation step where versions have one ("review").
SUBMIT_BUTTONS = ("submit", "review")


# --------------------------------------------------------------------------- database side


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(database_url: str, n: int, out: Path) -> None:
    """The demo (its two programmes' ledgers, for ledger_verify to check
    after the rush), then a programme of this year, an open call with one
    required document, and N organisations, each with a member, a session and
    a complete draft."""
    # The demo's own letters and receipts are sent here, in memory, before
    # the stack starts: the rush's queue and mail sink see only the rush's.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["TASKS_BACKEND"] = "immediate"
    _django(database_url)
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    from datetime import date, timedelta
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from solidaire.testing import factories as f
    from solidaire.testing.moments import complete_draft

    today = timezone.localdate()
    first = today.year if today.month >= 4 else today.year - 1
    programme = f.ProgrammeFactory(
        starts_on=date(first, 4, 1),
        ends_on=date(first + 5, 3, 31),
        years=[Decimal("840000.00")] * 5,
    )
    now = timezone.now()
    call = f.CallFactory(
        programme=programme, opens_at=now - timedelta(days=30), closes_at=now + timedelta(hours=3)
    )
    f.RequiredDocumentFactory(call=call, name="Lettre d'appui")
    drafts = []
    for number in range(n):
        organisation = f.OrganisationFactory(legal_name=f"Organisme de la ruée {number}")
        user = f.UserFactory(email=f"rush-{number}@example.org")
        f.OrganisationMemberFactory(organisation=organisation, user=user)
        proposal = complete_draft(call, organisation)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        drafts.append(
            {"proposal": proposal.pk, "session": session.session_key, "email": user.email}
        )
    out.write_text(json.dumps(drafts))


def verify(database_url: str, drafts_file: Path, out: Path) -> None:
    """What the database holds after the rush."""
    _django(database_url)
    from django.apps import apps
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from solidaire.applications.models import Proposal

    drafts = json.loads(drafts_file.read_text())
    ours = Proposal.objects.filter(pk__in=[d["proposal"] for d in drafts])
    submitted = ours.exclude(status=Proposal.Status.DRAFT)
    half = submitted.filter(receipt_number="") | submitted.filter(submitted_at__isnull=True)
    without_document = submitted.annotate(files=Count("attachments")).filter(files=0)
    receipts = Counter(submitted.values_list("receipt_number", flat=True))
    recorded_emails = None
    if apps.is_installed("solidaire.applications"):
        try:
            model = apps.get_model("applications", "ReceiptEmail")
            recorded_emails = model.objects.filter(version__proposal__in=ours).count()
        except LookupError:
            pass
    out.write_text(
        json.dumps(
            {
                "submitted": sorted(submitted.values_list("pk", flat=True)),
                "drafts": ours.filter(status=Proposal.Status.DRAFT).count(),
                "half_written": half.distinct().count() + without_document.count(),
                "duplicated_receipts": sum(c - 1 for c in receipts.values() if c > 1),
                "tasks": dict(Counter(DBTaskResult.objects.values_list("status", flat=True))),
                "task_paths": sorted(set(DBTaskResult.objects.values_list("task_path", flat=True))),
                "recorded_receipt_emails": recorded_emails,
            }
        )
    )


def queue_pending(database_url: str) -> None:
    _django(database_url)
    from django_tasks_db.models import DBTaskResult

    print(DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count())


# --------------------------------------------------------------------------- mail


class MailSink:
    """An SMTP server on loopback that keeps who received what."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        from email import message_from_bytes

        subject = str(message_from_bytes(envelope.content).get("Subject", ""))
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, subject))
        return "250 OK"

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- the stack


class Stack:
    """`manage.py serve`, started and stopped by the process ids it records."""

    def __init__(
        self,
        *,
        database_url: str,
        port: int,
        mail_port: int,
        workers: int,
        web_command: str = "",
    ) -> None:
        self.port = port
        self.pid_file = ROOT / "var" / "run" / f"rush-{port}.json"
        self.log = open(ROOT / "var" / f"rush-{port}.log", "ab")  # noqa: SIM115
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "TASKS_BACKEND": "database",
            "TASKS_RETRY_DELAY": "5",
            "CACHE_TABLE": "solidaire_cache",
            "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
            "ACCESS_LOG": "false",
        }
        self.workers = workers
        self.web_command = web_command
        self.process: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> None:
        subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True, stdout=self.log
        )

    def ledger_verify(self) -> tuple[int, str]:
        """``manage.py ledger_verify`` on the stack's database: its exit
        status and its result line (the last line it printed)."""
        done = subprocess.run(
            [PY, "manage.py", "ledger_verify"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        return done.returncode, lines[-1] if lines else "(nothing printed)"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                PY,
                "manage.py",
                "serve",
                f"--bind=127.0.0.1:{self.port}",
                f"--web-workers={self.workers}",
                f"--pid-file={self.pid_file}",
                *([f"--web-command={self.web_command}"] if self.web_command else []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if request("GET", self.port, "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"the stack stopped; see var/rush-{self.port}.log")
            time.sleep(0.5)
        raise SystemExit("the stack did not become ready in 120 s")

    def kill(self) -> None:
        """SIGKILL to everything: the supervisor, then the group of its children."""
        pids = json.loads(self.pid_file.read_text())
        os.kill(pids["supervisor"], signal.SIGKILL)
        os.killpg(pids["group"], signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        self.pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


# --------------------------------------------------------------------------- the client


def request(
    method: str,
    port: int,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        headers: dict[str, str] = {}
        for key, value in response.getheaders():
            # Several Set-Cookie headers: keep them all, one a line.
            name = key.lower()
            headers[name] = f"{headers[name]}\n{value}" if name in headers else value
        return response.status, headers, data
    finally:
        connection.close()


class FormReader(html.parser.HTMLParser):
    """The fields of the form that has a "submit" button, as a browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = {
                "id": a.get("id", ""),
                "method": a.get("method", "get").lower(),
                "fields": [],
                "files": [],
                "checkboxes": [],
                "submit": None,
            }
            self.forms.append(self.current)
        if self.current is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                self.current["files"].append(name)
            elif kind == "submit":
                if name in SUBMIT_BUTTONS:
                    self.current["submit"] = (name, a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                if kind == "checkbox" and "checked" not in a:
                    self.current["checkboxes"].append((name, a.get("value", "on")))
                if "checked" in a:
                    self.current["fields"].append((name, a.get("value", "on")))
            else:
                self.current["fields"].append((name, a.get("value", "")))
        elif tag == "button" and name in SUBMIT_BUTTONS:
            self.current["submit"] = (name, a.get("value", ""))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.current["fields"].append((self.select, value))
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = name
            self.current["fields"].append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select and self.current is not None:
            if not self.select_chosen and self.select_first is not None:
                self.current["fields"].append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.textarea and self.current is not None:
            name, text = self.current["fields"][-1]
            self.current["fields"][-1] = (name, text + data)

    def submission_form(self) -> dict:
        for form in self.forms:
            if form["submit"] is not None:
                return form
        raise ValueError("no form with a submit button on the page")

    def confirmation_form(self) -> dict:
        """A step after the draft's page (a review with an attestation): the
        form with id submit-form, or the page's only POST form besides the
        site's own (language, sign-out)."""
        for form in self.forms:
            if form["id"] == "submit-form":
                return form
        posting = [f for f in self.forms if f["method"] == "post" and (f["checkboxes"] or f["id"])]
        if posting:
            return posting[0]
        raise ValueError("no confirmation form on the page")


def multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def letter_pdf() -> bytes:
    sys.path.insert(0, str(ROOT))
    from solidaire.testing.files import pdf

    return pdf()


@dataclass
class Outcome:
    proposal: int
    receipt: str = ""
    submit_seconds: list[float] = field(default_factory=list)
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


def submit_one(port: int, draft: dict, document: bytes, give_up_at: float) -> Outcome:
    """Open the draft, post it whole with the document and "submit"; try again
    on a refused connection or a server error, as a person would."""
    outcome = Outcome(proposal=draft["proposal"])
    edit = f"/demandes/{draft['proposal']}/modifier/"
    while time.monotonic() < give_up_at:
        outcome.attempts += 1
        try:
            cookies = f"sessionid={draft['session']}"
            status, headers, page = request("GET", port, edit, headers={"Cookie": cookies})
            if status == 302 and "accuse-de-reception" in headers.get("location", ""):
                # Submitted by an earlier attempt whose answer was lost.
                outcome.receipt = headers["location"]
                return outcome
            if status != 200:
                raise RuntimeError(f"GET {status}")
            csrf = headers.get("set-cookie", "").split("csrftoken=", 1)
            token = csrf[1].split(";", 1)[0] if len(csrf) == 2 else ""
            reader = FormReader()
            reader.feed(page.decode("utf-8"))
            form = reader.submission_form()
            fields = [*form["fields"], form["submit"]]
            files = [(name, "lettre-appui.pdf", document) for name in form["files"]]
            body, content_type = multipart(fields, files)
            began = time.monotonic()
            status, headers, page = request(
                "POST",
                port,
                edit,
                body=body,
                headers={
                    "Cookie": f"{cookies}; csrftoken={token}",
                    "Content-Type": content_type,
                    "Referer": f"http://127.0.0.1:{port}{edit}",
                    "Origin": f"http://127.0.0.1:{port}",
                },
            )
            outcome.submit_seconds.append(time.monotonic() - began)
            location = urlsplit(headers.get("location", "")).path
            # Later versions confirm on a page of its own (a review with an
            # attestation): follow it, ticking its boxes, as the person would.
            for _step in range(3):
                if status == 302 and "accuse-de-reception" in location:
                    outcome.receipt = location
                    return outcome
                if status != 302 or not location:
                    break
                # The CSRF cookie goes along: without it the page would set
                # a new one, and its form's token would not match the old.
                status, headers, page = request(
                    "GET", port, location, headers={"Cookie": f"{cookies}; csrftoken={token}"}
                )
                if status != 200:
                    break
                reader = FormReader()
                reader.feed(page.decode("utf-8"))
                form = reader.confirmation_form()
                fields = [*form["fields"], *form["checkboxes"]]
                body, content_type = multipart(fields, [])
                began = time.monotonic()
                status, headers, page = request(
                    "POST",
                    port,
                    location,
                    body=body,
                    headers={
                        "Cookie": f"{cookies}; csrftoken={token}",
                        "Content-Type": content_type,
                        "Referer": f"http://127.0.0.1:{port}{location}",
                        "Origin": f"http://127.0.0.1:{port}",
                    },
                )
                outcome.submit_seconds[-1] = time.monotonic() - began
                location = urlsplit(headers.get("location", "")).path
            raise RuntimeError(f"POST {status} {location} {page[:200]!r}")
        except (OSError, http.client.HTTPException, RuntimeError, ValueError) as exc:
            outcome.errors.append(str(exc)[:300])
            time.sleep(1)
    return outcome


# --------------------------------------------------------------------------- one run


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# Sessions are signed with the secret key: the helpers that make them and the
# stack that reads them share one.
SECRET_KEY = secrets.token_urlsafe(64)


def helper(database_url: str, *args: str) -> str:
    return subprocess.run(
        [PY, __file__, "--database-url", database_url, *args],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": SECRET_KEY},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def recreate_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def rush(args: argparse.Namespace, *, kill: bool) -> dict:
    label = "with SIGKILL mid-way" if kill else "normal"
    print(f"\n## Rush {label}: {args.n} organisations within {args.window:.0f} s", flush=True)
    recreate_database(args.database_url)
    work = ROOT / "var" / "rush"
    work.mkdir(parents=True, exist_ok=True)
    drafts_file = work / "drafts.json"
    with MailSink() as sink:
        stack = Stack(
            database_url=args.database_url,
            port=args.port,
            mail_port=sink.port,
            workers=args.workers,
            web_command=args.web_command,
        )
        stack.run("migrate", "--noinput", "--verbosity=0")
        stack.run("createcachetable")
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():
            stack.run("collectstatic", "--noinput", "--verbosity=0")
        helper(args.database_url, "--prepare", str(drafts_file), "--n", str(args.n))
        drafts = json.loads(drafts_file.read_text())
        document = letter_pdf()
        stack.start()
        try:
            started = time.monotonic()
            give_up_at = started + args.window + 60
            spacing = args.spread / max(args.n, 1)
            killed = threading.Event()

            def client(index_draft: tuple[int, dict]) -> Outcome:
                index, draft = index_draft
                time.sleep(max(0.0, started + index * spacing - time.monotonic()))
                if kill and index == args.n // 2 and not killed.is_set():
                    killed.set()
                    stack.kill()
                    print(f"  killed the stack at {time.monotonic() - started:.1f} s", flush=True)
                    stack.start()
                    print(f"  stack back at {time.monotonic() - started:.1f} s", flush=True)
                return submit_one(args.port, draft, document, give_up_at)

            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                outcomes = list(pool.map(client, enumerate(drafts)))
            elapsed = time.monotonic() - started
            # Let the worker send what is queued (a retry waits TASKS_RETRY_DELAY).
            drain_until = time.monotonic() + 180
            while time.monotonic() < drain_until:
                if helper(args.database_url, "--pending").strip() == "0":
                    break
                time.sleep(2)
            time.sleep(1)
        finally:
            # Stopped by the process id recorded at its start, whatever happened.
            stack.stop()
        received = list(sink.received)
        # The money side of the run: every balance recomputed from its entries.
        ledger_exit, ledger_line = stack.ledger_verify()
    verify_file = work / "verify.json"
    helper(args.database_url, "--verify", str(drafts_file), "--out", str(verify_file))
    found = json.loads(verify_file.read_text())

    holding = {o.proposal for o in outcomes if o.receipt}
    submitted = set(found["submitted"])
    receipt_mail = [r for r in received if args.receipt_subject.lower() in r[1].lower()]
    per_address = Counter(address for address, _subject in receipt_mail)
    expected = {d["email"] for d in drafts if d["proposal"] in submitted}
    times = [t for o in outcomes for t in o.submit_seconds]
    figures = {
        "run": label,
        "web_server": args.web_command or f"gunicorn, {args.workers} sync workers",
        "organisations": args.n,
        "seconds": round(elapsed, 1),
        "throughput_per_s": round(len(holding) / elapsed, 2),
        "submit_p50_ms": round(percentile(times, 50) * 1000),
        "submit_p95_ms": round(percentile(times, 95) * 1000),
        "submit_p99_ms": round(percentile(times, 99) * 1000),
        "submit_mean_ms": round(statistics.fmean(times) * 1000) if times else None,
        "clients_with_receipt": len(holding),
        "submitted": len(submitted),
        "lost": len(holding - submitted),
        "half_written": found["half_written"],
        "duplicated_receipts": found["duplicated_receipts"],
        "retried_clients": sum(1 for o in outcomes if o.attempts > 1),
        "receipt_emails": len(receipt_mail),
        "addresses_mailed_once": sum(1 for a in expected if per_address[a] == 1),
        "addresses_mailed_twice_or_more": sum(1 for a in expected if per_address[a] > 1),
        "addresses_not_mailed": sum(1 for a in expected if per_address[a] == 0),
        "tasks": found["tasks"],
        "task_paths": found["task_paths"],
        "ledger_verify_exit": ledger_exit,
        "ledger_verify": ledger_line,
    }
    for key, value in figures.items():
        print(f"  {key:32} {value}")
    errors = Counter(e.split(" ", 2)[0] for o in outcomes for e in o.errors)
    if errors:
        print(f"  {'client errors (retried)':32} {dict(errors)}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("RUSH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--n", type=int, default=300, help="organisations (default 300)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds allowed (default 60)")
    parser.add_argument(
        "--spread", type=float, default=45.0, help="arrivals spread over these seconds (default 45)"
    )
    parser.add_argument("--clients", type=int, default=40, help="concurrent clients (default 40)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--web-command",
        default="",
        help="another application server than gunicorn: passed to `manage.py serve --web-command`",
    )
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--no-kill", action="store_true", help="skip the run with SIGKILL")
    parser.add_argument(
        "--receipt-subject",
        default="",
        help="count only e-mails whose subject contains this (default: every e-mail)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 unless every count is right")
    parser.add_argument(
        "--expect-mail",
        action="store_true",
        help="with --check: every submitting organisation must have received exactly one e-mail",
    )
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--verify", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pending", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.database_url, args.n, args.prepare)
        return 0
    if args.verify:
        verify(args.database_url, args.verify, args.out)
        return 0
    if args.pending:
        queue_pending(args.database_url)
        return 0
    if not args.database_url.startswith("postgres"):
        parser.error("the rush runs on PostgreSQL (--database-url postgres://…)")
    runs = [rush(args, kill=False)]
    if not args.no_kill:
        runs.append(rush(args, kill=True))
    bad = [
        run["run"]
        for run in runs
        if run["lost"]
        or run["half_written"]
        or run["duplicated_receipts"]
        or run["ledger_verify_exit"] != 0
        or run["submitted"] != run["organisations"]
        or run["seconds"] > args.window
        or (
            (run["receipt_emails"] or args.expect_mail)
            and run["addresses_mailed_once"] != run["submitted"]
        )
    ]
    if bad:
        print(f"\nNot every count is right in: {', '.join(bad)}")
    return 1 if (bad and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
