"""One run at a time, even with cron on several app servers sharing one database.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock). It needs no table, and
PostgreSQL releases it by itself if the process holding it dies.
Other databases (SQLite): a row in RunLock. A process that dies cannot delete its row, so a
row older than `stale_after` is taken over.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import socket
import uuid
from collections.abc import Iterator

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from .models import RunLock


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock, from the lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive_run(name: str, *, stale_after: datetime.timedelta) -> Iterator[bool]:
    """Yields True when this process holds the lock `name`, False when another one does."""
    if connection.vendor == "postgresql":
        with _advisory_lock(name) as acquired:
            yield acquired
    else:
        with _row_lock(name, stale_after=stale_after) as acquired:
            yield acquired


@contextlib.contextmanager
def _advisory_lock(name: str) -> Iterator[bool]:
    key = advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            # If the connection was lost during the run, PostgreSQL has already let go.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextlib.contextmanager
def _row_lock(name: str, *, stale_after: datetime.timedelta) -> Iterator[bool]:
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    try:
        with transaction.atomic():
            RunLock.objects.create(name=name, holder=holder, acquired_at=now)
        acquired = True
    except IntegrityError:
        # Only one of several processes finding the same stale row can win this update.
        acquired = bool(
            RunLock.objects.filter(name=name, acquired_at__lt=now - stale_after).update(
                holder=holder, acquired_at=now
            )
        )
    try:
        yield acquired
    finally:
        if acquired:
            RunLock.objects.filter(name=name, holder=holder).delete()
