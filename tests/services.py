"""The shared PostgreSQL and Redis that this project's machines and CI run on 127.0.0.1."""

import contextlib
import os
import uuid

import pytest

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379"


def _require(name: str, check) -> None:
    try:
        check()
    except Exception as error:  # noqa: BLE001 - any failure means the service is not there
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is required on CI but did not answer: {error}")
        pytest.skip(f"{name} did not answer ({error}); CI always runs this test.")


def require_postgres() -> None:
    import psycopg

    _require(
        "PostgreSQL at 127.0.0.1:5432",
        lambda: psycopg.connect(POSTGRES_ADMIN, connect_timeout=3).close(),
    )


def require_redis() -> None:
    import redis

    _require(
        "Redis at 127.0.0.1:6379", lambda: redis.Redis.from_url(REDIS, socket_timeout=3).ping()
    )


@contextlib.contextmanager
def scratch_postgres_database():
    """A new, empty PostgreSQL database for servers started by a test; dropped afterwards."""
    import psycopg

    name = f"hub_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


CLAIM_KEY = "hub-tests:claimed-by"


@contextlib.contextmanager
def scratch_redis_database():
    """A Redis database of its own for a test: the first empty one that this test can claim.
    Tests in parallel (or another project on the same Redis) never share or flush each other's
    databases, and database 0 is never used."""
    import redis

    owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        if client.dbsize() == 0 and client.set(CLAIM_KEY, owner, nx=True, ex=3600):
            break
        client.close()
    else:
        pytest.fail("no empty Redis database (1 to 15) could be claimed for this test")
    try:
        yield client, f"{REDIS}/{number}"
    finally:
        if client.get(CLAIM_KEY) == owner.encode():
            client.flushdb()
        client.close()


@contextlib.contextmanager
def scratch_redis_url():
    with scratch_redis_database() as (_, url):
        yield url
