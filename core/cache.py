"""Which generation of the content is current: every cached page asks, so the answer is cheap.

Saving anything readers can see bumps the content generation once the change is committed
(core.signals). A cached page remembers the generation it was rendered in and is served only
while that generation is current, so an edit shows at once on every app server.

- With Redis (REDIS_URL) the generation is a Redis key, and each bump is also published on a
  Redis channel. A process reads the key once and subscribes to the channel; after that it only
  looks for a waiting message on its subscription, a non-blocking read of a socket rather than
  a round trip. Redis queues the message for every subscriber before it replies to the bump, so
  a request that follows an editor's save never sees the old generation. As a safety net against
  a connection that dies silently, the key is read again every few seconds anyway.
- Otherwise the generation is an entry in Django's cache, read on every request: local memory
  in development, a file cache shared by every worker of one server in production.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "hub:content-generation"
CHANNEL = "hub:content-generation"


def _new_generation() -> str:
    return uuid.uuid4().hex


class CacheGeneration:
    """The generation as an entry in Django's cache."""

    def current(self) -> str:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, _new_generation(), timeout=None)
            generation = cache.get(GENERATION_KEY)
        return generation

    def bump(self) -> None:
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)


class RedisGeneration:
    """The generation in Redis, followed through a subscription to its changes."""

    def __init__(self, url: str, *, recheck_seconds: float):
        import redis

        self._redis = redis
        self._url = url
        # Redis delivers a message to subscribers of every database, so the channel names the
        # database: hubs (or test runs) sharing one Redis on different databases stay apart.
        database = redis.connection.parse_url(url).get("db", 0)
        self._channel = f"{CHANNEL}:{database}"
        self._recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._forget_connections()

    def current(self) -> str:
        with self._lock:
            if self._pid != os.getpid():
                self._forget_connections()  # a forked worker must not use its parent's sockets
            try:
                return self._current()
            except (self._redis.RedisError, OSError):
                # A lost subscription may have missed a bump: start again from nothing, once.
                self._close()
                return self._current()

    def _current(self) -> str:
        if self._known is not None and self._may_have_changed():
            self._known = None
        if self._known is None:
            self._known = self._read()
            self._known_at = time.monotonic()
        return self._known

    def bump(self) -> None:
        with self._lock:
            if self._pid != os.getpid():
                self._forget_connections()
            client = self._client or self._redis.Redis.from_url(self._url)
            generation = _new_generation()
            with client.pipeline(transaction=True) as pipe:
                pipe.set(GENERATION_KEY, generation).publish(self._channel, generation).execute()
            self._known = None

    def _may_have_changed(self) -> bool:
        if time.monotonic() - self._known_at > self._recheck_seconds:
            return True
        changed = False
        while self._subscription.get_message(timeout=0) is not None:
            changed = True
        return changed

    def _read(self) -> str:
        if self._subscription is None:
            self._client = self._redis.Redis.from_url(
                self._url, socket_timeout=5, socket_connect_timeout=5
            )
            subscription = self._client.pubsub()
            subscription.subscribe(self._channel)
            confirmed = subscription.get_message(timeout=5)
            if not confirmed or confirmed["type"] != "subscribe":
                subscription.close()
                raise self._redis.ConnectionError(f"could not subscribe to {self._channel}")
            self._subscription = subscription
        # Read only once subscribed, so that no bump can fall between the two.
        self._client.set(GENERATION_KEY, _new_generation(), nx=True)
        return self._client.get(GENERATION_KEY).decode()

    def _close(self) -> None:
        if self._subscription is not None:
            with contextlib.suppress(self._redis.RedisError, OSError):
                self._subscription.close()
        self._forget_connections()

    def _forget_connections(self) -> None:
        self._pid = os.getpid()
        self._client = None
        self._subscription = None
        self._known: str | None = None
        self._known_at = 0.0


_generation: CacheGeneration | RedisGeneration | None = None


def _source() -> CacheGeneration | RedisGeneration:
    global _generation
    if _generation is None:
        if settings.REDIS_URL:
            _generation = RedisGeneration(
                settings.REDIS_URL, recheck_seconds=settings.HUB_GENERATION_RECHECK_SECONDS
            )
        else:
            _generation = CacheGeneration()
    return _generation


def content_generation() -> str:
    return _source().current()


def bump_content_generation() -> None:
    _source().bump()
