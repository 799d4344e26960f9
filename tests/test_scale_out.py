"""Two app servers on one PostgreSQL and one Redis behave as one hub."""

import re
import textwrap

import pytest

from tests.servers import BASE_DIR, PYTHON, HttpSession, gunicorn, manage, prod_env
from tests.services import (
    require_postgres,
    require_redis,
    scratch_postgres_database,
    scratch_redis_url,
)

EDITOR_PASSWORD = "two-servers-one-hub-passphrase"

CONTENT = {
    "workplaces.yaml": "- slug: nhs\n  name: NHS\n",
    "guides/already-public.md": textwrap.dedent(
        """\
        ---
        type: guide
        title: Already public
        status: published
        last_reviewed: 2026-05-01
        ---
        You can read this.
        """
    ),
    "guides/about-to-publish.md": textwrap.dedent(
        """\
        ---
        type: guide
        title: Brand new advice on rotas
        status: draft
        last_reviewed: 2026-05-01
        ---
        Soon you can read this.
        """
    ),
}


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    require_postgres()
    require_redis()
    content = tmp_path_factory.mktemp("content")
    for name, text in CONTENT.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text)
    with scratch_postgres_database() as database_url, scratch_redis_url() as redis_url:
        env = prod_env(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            GUNICORN_WORKERS="2",
            HUB_EDITOR_PASSWORD=EDITOR_PASSWORD,
        )
        manage("collectstatic", "--noinput", "-v0", env=env)
        manage("migrate", "--noinput", "-v0", env=env)
        manage("load_content", str(content), env=env)
        manage("create_editor", "casey", "--no-input", env=env)
        with gunicorn(env) as first, gunicorn(env) as second:
            yield {"env": env, "first": first, "second": second}


def publish_draft_through(base: str, title: str) -> None:
    """An editor signs in on this server and publishes the draft guide with this title."""
    editor = HttpSession(base)
    token = editor.csrf_token("/admin/login/")
    status, _, _ = editor.post(
        "/admin/login/",
        {
            "username": "casey",
            "password": EDITOR_PASSWORD,
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
    )
    assert status == 302, "the editor could not sign in"
    status, _, changelist = editor.get("/admin/resources/guide/")
    assert status == 200
    guide_id = re.search(
        rf"/admin/resources/guide/(\d+)/change/[^>]*>{re.escape(title)}", changelist
    ).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist).group(1)
    status, _, _ = editor.post(
        "/admin/resources/guide/",
        {
            "action": "publish",
            "_selected_action": guide_id,
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    assert status == 302


def guide_list_seen_by_every_worker(base: str, times: int = 12) -> list[str]:
    """The guide list as readers see it, asked often enough to reach every worker."""
    pages = []
    for _ in range(times):
        status, _, html = HttpSession(base).get("/guides/")
        assert status == 200
        pages.append(html)
    return pages


def test_a_change_published_through_one_server_shows_at_once_on_the_other(two_servers):
    before = guide_list_seen_by_every_worker(two_servers["second"])
    assert all("Already public" in html for html in before)
    assert not any("Brand new advice on rotas" in html for html in before)

    publish_draft_through(two_servers["first"], "Brand new advice on rotas")

    after = guide_list_seen_by_every_worker(two_servers["second"])
    assert all("Brand new advice on rotas" in html for html in after)
    assert HttpSession(two_servers["second"]).get("/guides/about-to-publish/")[0] == 200


@pytest.fixture(scope="module")
def one_server_without_redis(tmp_path_factory):
    require_postgres()
    content = tmp_path_factory.mktemp("content")
    for name, text in CONTENT.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text)
    with scratch_postgres_database() as database_url:
        env = prod_env(
            DATABASE_URL=database_url, GUNICORN_WORKERS="3", HUB_EDITOR_PASSWORD=EDITOR_PASSWORD
        )
        env.pop("REDIS_URL", None)
        manage("collectstatic", "--noinput", "-v0", env=env)
        manage("migrate", "--noinput", "-v0", env=env)
        manage("load_content", str(content), env=env)
        manage("create_editor", "casey", "--no-input", env=env)
        with gunicorn(env) as base:
            yield base


def test_every_worker_of_one_server_without_redis_shows_a_change_at_once(
    one_server_without_redis,
):
    before = guide_list_seen_by_every_worker(one_server_without_redis)
    assert not any("Brand new advice on rotas" in html for html in before)

    publish_draft_through(one_server_without_redis, "Brand new advice on rotas")

    after = guide_list_seen_by_every_worker(one_server_without_redis)
    assert all("Brand new advice on rotas" in html for html in after)


def test_both_servers_share_one_cache(two_servers):
    import redis

    keys = redis.Redis.from_url(two_servers["env"]["REDIS_URL"]).keys("hub:*")
    assert any(b"hub:content-generation" in key for key in keys)


def test_check_links_started_on_two_servers_at_once_checks_only_once(two_servers, tmp_path):
    import subprocess
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class SlowPage(BaseHTTPRequestHandler):
        def do_HEAD(self):
            hits.append(self.path)
            time.sleep(2)  # long enough for the two runs to overlap
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/advice"
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "slow-advice.md").write_text(
        f"---\ntype: resource\ntitle: Slow advice\nstatus: published\nurl: {url}\n"
        "last_reviewed: 2026-09-01\n---\nAbout it.\n"
    )
    env = {**two_servers["env"], "LINKCHECK_ALLOW_PRIVATE": "1"}
    manage("load_content", str(tmp_path), env=env)
    try:
        runs = [
            subprocess.Popen(
                [PYTHON, "manage.py", "check_links", "--url", url],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
    finally:
        server.shutdown()
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(hits) == 1, (hits, outputs)
    assert sum("another" in output.lower() for output in outputs) == 1, outputs
