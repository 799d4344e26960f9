"""Shared set-up for the benchmarks: a scratch database, seeding, gunicorn, and timing."""

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.servers import HttpSession, gunicorn, manage, prod_env  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001
        return False


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379", socket_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


@contextlib.contextmanager
def bench_database():
    """PostgreSQL (as in production) when it answers, else a SQLite file."""
    if postgres_available():
        from tests.services import scratch_postgres_database

        with scratch_postgres_database() as url:
            yield url, "PostgreSQL"
    else:
        path = BASE_DIR / "bench" / "bench.sqlite3"
        path.unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}", "SQLite"
        finally:
            path.unlink(missing_ok=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_requests(base: str, path: str, count: int) -> list[float]:
    """Milliseconds per request, one keep-alive connection, as seen over loopback."""
    import http.client

    host = base.split("://", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=30)
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": host})
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
    connection.close()
    return timings


def wrk(url: str, *, seconds: int, connections: int, threads: int = 2, script: str | None = None):
    """Runs wrk; returns (requests per second, non-2xx/3xx count, socket errors, raw output)."""
    import re

    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "-H",
        "X-Forwarded-Proto: https",
    ]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(n) for n in errors.groups()) if errors else 0
    return rate, int(non_2xx.group(1)) if non_2xx else 0, socket_errors, output


__all__ = [
    "BASE_DIR", "RESULTS", "HttpSession", "bench_database", "gunicorn", "manage", "percentile",
    "prod_env", "redis_available", "statistics", "time_requests", "wrk", "os", "socket",
]  # fmt: skip
