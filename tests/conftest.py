"""Shared fixtures. Fixtures cost what they prove: the starter content is loaded once per test
process (once per module on PostgreSQL) for the tests that only read it, and the browser tests
of a module share one loaded live server."""

import contextlib
import os

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

STARTER = "starter_content"


def pytest_configure(config):
    _keep_migration_data_after_a_flush()


# The migration data of each test database, by alias, as serialised when it was made.
_MIGRATION_DATA: dict[str, str] = {}


def _keep_migration_data_after_a_flush():
    """A transactional test empties the database when it ends, the groups and permissions
    that migrations made included. Django's own runner copes by running such tests last; with
    tests spread over workers by file they may run first, so put that data back at once.

    The data is also kept here, not only on the connection: while Playwright's event loop runs
    (browser tests), Django hands out other connection objects, which lack it."""
    import django.test.utils
    from django.db import connections
    from django.test import TransactionTestCase

    if getattr(TransactionTestCase, "_hub_restores_migration_data", False):
        return
    setup_databases = django.test.utils.setup_databases

    def setup_and_remember(*args, aliases=None, **kwargs):
        config = setup_databases(*args, aliases=aliases, **kwargs)
        for alias in aliases or ():
            connection = connections[alias]
            data = getattr(connection, "_test_serialized_contents", None)
            # Serialised even when no test asked for it: `loaded_site` restores it too.
            _MIGRATION_DATA[alias] = data or connection.creation.serialize_db_to_string()
        return config

    flush_then_forget = TransactionTestCase._fixture_teardown

    def flush_then_restore(self):
        names = self._databases_names(include_mirrors=False)
        for alias in names:  # so that the flush leaves migration data to restore, as usual
            if alias in _MIGRATION_DATA:
                connections[alias]._test_serialized_contents = _MIGRATION_DATA[alias]
        flush_then_forget(self)
        for alias in names:
            restore_migration_data(connections[alias])

    django.test.utils.setup_databases = setup_and_remember
    TransactionTestCase._fixture_teardown = flush_then_restore
    TransactionTestCase._hub_restores_migration_data = True


def restore_migration_data(connection) -> None:
    data = getattr(connection, "_test_serialized_contents", None) or _MIGRATION_DATA.get(
        connection.alias
    )
    if data:
        connection.creation.deserialize_db_from_string(data)


def _is_transactional(item) -> bool:
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))


def pytest_collection_modifyitems(items):
    """Runs after pytest-django has put database tests in Django's order. Two changes:

    - every transactional test asks for the migration data to be kept (see above), so the test
      database is serialised once when it is made;
    - within each file, the tests that read the file's shared starter content run last, so the
      content (loaded in a transaction that ends with the file) is never seen by a test that
      expects an empty database. Files stay whole, as `pytest -n 2 --dist loadfile` runs them."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        wanted = marker is not None and _is_transactional(item)
        if wanted and not marker.kwargs.get("serialized_rollback"):
            kwargs = {**marker.kwargs, "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)

    def shares_starter(item) -> bool:
        return STARTER in getattr(item, "fixturenames", ())

    for item in items:
        if shares_starter(item) and _is_transactional(item):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test cannot share the starter content, which "
                "lives in a transaction; use the `loaded_site` fixture (committed content and a "
                "live server) or load what the test needs itself."
            )

    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    items[:] = [
        item
        for group in by_file.values()
        for item in sorted(group, key=shares_starter)  # stable: the rest keep their order
    ]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so cached pages never leak between tests: nor do
    cached content types, nor does
    the content generation's source (a test may have pointed it at Redis), nor what search
    keeps for the current generation."""
    from django.contrib.contenttypes.models import ContentType

    from core import cache as generations
    from resources import search

    def forget():
        # A test that flushes the database makes content types anew; their ids must not leak.
        ContentType.objects.clear_cache()
        cache.clear()
        generations._generation = None
        search._per_generation.clear()

    forget()
    yield
    forget()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole test session."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    yield page
    context.close()


def load_starter_content() -> None:
    """The shipped content/ folder, loaded as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_content", verbosity=0)


@contextlib.contextmanager
def _starter_content_committed():
    """The starter content, committed, for one module; the empty database again after it. On
    in-memory SQLite the loaded database is copied once per process and put back after that
    (tests/snapshots.py); elsewhere it is loaded, then flushed away."""
    from django.core.management import call_command
    from django.db import connection, connections

    from tests import snapshots

    if snapshots.usable(connection):
        if not snapshots.has("empty"):
            snapshots.save(connection, "empty")
        if not snapshots.restore(connection, "starter"):
            load_starter_content()
            snapshots.save(connection, "starter")
        try:
            yield
        finally:
            snapshots.restore(connection, "empty")
        return
    load_starter_content()
    try:
        yield
    finally:
        # The migration data is put back as it was, so post_migrate must not remake it.
        call_command("flush", "--noinput", verbosity=0, inhibit_post_migrate=True)
        for each in connections.all():
            restore_migration_data(each)


@pytest.fixture(scope="module")
def _starter_content_for_the_module(django_db_setup, django_db_blocker):
    """Loaded once for the module. On SQLite it is committed and the empty database is put back
    when the module ends; elsewhere it is loaded inside a transaction rolled back then. Each
    test runs in a transaction (or savepoint) of its own, so nothing a test changes leaks out."""
    from django.db import connection, transaction

    from tests import snapshots

    with django_db_blocker.unblock():
        if snapshots.usable(connection):
            with _starter_content_committed():
                yield
            return
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_starter_content()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def starter_content(_starter_content_for_the_module, db):
    """The starter content, shared by the tests of one file that only read it (each test's own
    changes are rolled back). Browser tests use `loaded_site` instead."""


@pytest.fixture(scope="module")
def loaded_site(django_db_setup, django_db_blocker):
    """One live server over the committed starter content, shared by a module's browser tests.
    Mark such tests `django_db` (not transactional): each runs in a transaction rolled back at
    its end, while the content, loaded before it, stays until the module ends. Read what a test
    needs from the database through `loaded_site.query`."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock(), _starter_content_committed():
        server = LiveServer("localhost")
        try:
            yield LoadedSite(server.url, django_db_blocker)
        finally:
            server.stop()


class LoadedSite:
    def __init__(self, url: str, blocker):
        self.url = url
        self._blocker = blocker

    def query(self, function):
        """Run `function()` with database access and return its result."""
        with self._blocker.unblock():
            return function()
