"""One log line per request, with a request id.

The id comes from the ``X-Request-ID`` header when a proxy in front already
set one (so that its logs and ours match), and is made up otherwise; it is
sent back in the answer's ``X-Request-ID`` header, where a person reporting a
problem can read it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("solidaire.request")

HEADER = "X-Request-ID"
# What a proxy may hand us: short, no spaces or control characters, so that
# a forged header cannot break a log line or inject one.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def request_id_for(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    return given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        began = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "fields": {
                        "event": "request",
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - began) * 1000, 1),
                    }
                },
            )
            return response
        finally:
            _request_id.reset(token)
