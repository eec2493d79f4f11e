"""Real faults for tests: a disk that takes no more than a few bytes.

A full disk is played with the process's file-size limit (``RLIMIT_FSIZE``)
rather than a small mounted filesystem: mounting needs privileges a test run
may not have, while any process may lower its own limit, on every Linux. A
write past the limit fails with ``EFBIG`` — one of the errors a full disk or
quota gives (``ENOSPC``, ``EDQUOT``) and answered the same way — once the
``SIGXFSZ`` signal, which would otherwise end the process, is ignored.

The limit holds for every file the process writes while it is lowered, so it
is lowered only around the request under test, and set above the size of
anything else written meanwhile (the test database is in memory or on a
PostgreSQL server, the logs are small), below the size of the file sent.
"""

from __future__ import annotations

import resource
import signal
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

DISK_ROOM_BYTES = 1024 * 1024


@contextmanager
def disk_full(room: int = DISK_ROOM_BYTES) -> Iterator[None]:
    """Writes past ``room`` bytes into any file fail with ``EFBIG``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (room, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def large_png(size: int) -> bytes:
    """A valid PNG of about ``size`` bytes (a one-pixel image and a long comment)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    comment = b"Comment\x00" + b"x" * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", comment)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )
