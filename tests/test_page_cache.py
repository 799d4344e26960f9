"""Cached pages follow the content generation: an edit shows at once on every worker and server,
and a cached page costs no round trip to the shared cache."""

import pytest
from django.db import transaction

from core.cache import RedisGeneration, content_generation
from hub.middleware import LocalPages
from tests import factories
from tests.servers import BASE_DIR, manage, prod_env
from tests.services import require_redis, scratch_redis_database


@pytest.mark.both_databases
@pytest.mark.django_db(transaction=True)
def test_an_edit_changes_the_generation_only_once_it_is_committed():
    before = content_generation()
    with transaction.atomic():
        factories.guide()
        # Another request rendering now would still read the old content from the database.
        assert content_generation() == before
    assert content_generation() != before


@pytest.fixture
def redis_database():
    require_redis()
    with scratch_redis_database() as (client, url):
        client.url = url
        yield client


def test_workers_following_redis_see_a_bump_at_once(redis_database):
    editor_worker = RedisGeneration(redis_database.url, recheck_seconds=3600)
    reader_worker = RedisGeneration(redis_database.url, recheck_seconds=3600)
    before = reader_worker.current()
    assert editor_worker.current() == before

    editor_worker.bump()

    assert reader_worker.current() == editor_worker.current() != before


def test_a_known_generation_costs_no_round_trip(redis_database, monkeypatch):
    import redis

    worker = RedisGeneration(redis_database.url, recheck_seconds=3600)
    worker.current()
    sent = []
    send = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *args, **kw: sent.append(args) or send(self, *args, **kw),
    )
    for _ in range(100):
        worker.current()
    assert sent == []


def test_a_lost_subscription_is_noticed_and_the_generation_read_again(redis_database):
    editor_worker = RedisGeneration(redis_database.url, recheck_seconds=3600)
    reader_worker = RedisGeneration(redis_database.url, recheck_seconds=3600)
    before = reader_worker.current()
    database = redis_database.url.rsplit("/", 1)[1]
    for client in redis_database.client_list():
        if "subscribe" in client.get("cmd", "") and client.get("db") == database:
            redis_database.client_kill_filter(_id=client["id"])

    editor_worker.bump()  # published while the reader was not listening

    assert reader_worker.current() == editor_worker.current() != before


def test_the_generation_is_read_again_after_the_recheck_interval(redis_database):
    worker = RedisGeneration(redis_database.url, recheck_seconds=0)
    worker.current()
    redis_database.set("hub:content-generation", "changed-behind-its-back")
    assert worker.current() == "changed-behind-its-back"


def test_a_worker_keeps_pages_of_the_current_generation_only():
    pages = LocalPages(size=10)
    assert pages.get("/guides/", "one") is None
    pages.put("/guides/", {"generation": "one", "content": b"old"})
    assert pages.get("/guides/", "one")["content"] == b"old"
    assert pages.get("/guides/", "two") is None
    pages.put("/guides/", {"generation": "one", "content": b"rendered before the edit"})
    assert pages.get("/guides/", "two") is None


def test_a_worker_keeps_at_most_its_share_of_pages():
    pages = LocalPages(size=2)
    pages.get("/", "one")
    for path in ("/a/", "/b/", "/c/"):
        pages.put(path, {"generation": "one", "content": path.encode()})
    assert pages.get("/a/", "one") is None
    assert pages.get("/c/", "one")["content"] == b"/c/"


def test_production_workers_without_redis_share_a_cache_folder():
    env = prod_env()
    del env["HUB_CACHE_DIR"]
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print('CACHE', c['BACKEND'], c['LOCATION'])",
        env=env,
    )
    backend, location = result.stdout.split("CACHE", 1)[1].split()
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert location == str(BASE_DIR / "var" / "cache")
