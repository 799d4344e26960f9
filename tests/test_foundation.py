"""A newcomer runs the hub; an operator deploys it with gunicorn exactly as the Dockerfile does."""

import gzip
import json
import subprocess

import pytest
from django.db import connection

from tests.servers import PROD_SECRET, gunicorn, manage, prod_env
from tests.servers import get as http_get


@pytest.mark.both_databases
def test_healthz_reports_a_working_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_page_is_plain_english_and_accessible_by_design(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-GB">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "<header" in html and "<main" in html and "<footer" in html and "<nav" in html
    assert "Managing people well" in html
    assert "performance management" not in html.lower()


def test_unknown_page_gets_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Search the hub" in response.content.decode()


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = prod_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env, check=False)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_refuse_to_allow_every_host():
    result = manage("check", env=prod_env(DJANGO_ALLOWED_HOSTS="*"), check=False)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env(), check=False)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """collectstatic and migrate as the Dockerfile and its entrypoint do, then gunicorn."""
    database = tmp_path_factory.mktemp("deploy") / "hub.sqlite3"
    env = prod_env(DATABASE_URL=f"sqlite:///{database}")
    manage("collectstatic", "--noinput", "-v0", env=env)
    manage("migrate", "--noinput", "-v0", env=env)
    with gunicorn(env) as base:
        yield base


def test_gunicorn_serves_the_home_page_and_healthz(deployed):
    status, _, body = http_get(f"{deployed}/")
    assert status == 200 and b"Managing people well" in body
    status, _, body = http_get(f"{deployed}/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"


def test_hashed_static_files_are_cached_for_a_year_and_compressed(deployed):
    from pathlib import Path

    manifest = json.loads((Path("staticfiles") / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/hub.css"]
    assert hashed != "css/hub.css"
    status, headers, body = http_get(f"{deployed}/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert (
        "max-age=315360000" in headers["Cache-Control"]
        or "max-age=31536000" in headers["Cache-Control"]
    )
    assert "immutable" in headers["Cache-Control"]
    assert headers["Content-Encoding"] == "gzip"
    assert b".skip-link" in gzip.decompress(body)


def test_healthz_says_503_when_the_database_does_not_answer():
    env = prod_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing-listens-here")
    with gunicorn(env) as base:
        status, _, body = http_get(f"{base}/healthz", timeout=20)
    assert status == 503
    assert json.loads(body) == {"status": "error", "database": "unavailable"}


def test_the_docker_healthcheck_command_uses_healthz(deployed):
    port = deployed.rsplit(":", 1)[1]
    env = prod_env(PORT=port)
    result = subprocess.run(
        [__import__("sys").executable, "-m", "hub.healthcheck"], env=env, timeout=30
    )
    assert result.returncode == 0


@pytest.mark.both_databases
def test_tests_run_on_the_database_make_test_chose(db):
    import os

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_secret_used_by_tests_is_not_a_development_key():
    assert len(PROD_SECRET) >= 50
