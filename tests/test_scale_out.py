"""Two app servers on one PostgreSQL and one Redis behave as one hub."""

import re
import textwrap

import pytest

from tests.servers import BASE_DIR, PYTHON, HttpSession, gunicorn, manage, prod_env
from tests.services import (
    require_postgres,
    require_redis,
    scratch_postgres_database,
    scratch_redis_prefix,
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
    with scratch_postgres_database() as database_url, scratch_redis_prefix() as redis_url:
        env = prod_env(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            GUNICORN_WORKERS="2",
            HUB_EDITOR_PASSWORD=EDITOR_PASSWORD,
        )
        manage("migrate", "--noinput", "-v0", env=env)
        manage("load_content", str(content), env=env)
        manage("create_editor", "casey", "--no-input", env=env)
        with gunicorn(env) as first, gunicorn(env) as second:
            yield {"env": env, "first": first, "second": second}


def test_a_change_published_through_one_server_shows_at_once_on_the_other(two_servers):
    reader = HttpSession(two_servers["second"])
    status, _, html = reader.get("/guides/")
    assert status == 200
    assert "Already public" in html and "Brand new advice on rotas" not in html
    assert reader.get("/guides/")[1]["ETag"]  # now cached in the shared Redis

    editor = HttpSession(two_servers["first"])
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
        r"/admin/resources/guide/(\d+)/change/[^>]*>Brand new advice", changelist
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

    status, _, html = reader.get("/guides/")
    assert "Brand new advice on rotas" in html
    assert reader.get("/guides/about-to-publish/")[0] == 200


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
