"""Safe by default: strict headers on every page, and admin logins that lock out."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    nhs = factories.workplace("nhs")
    factories.topic("absence")
    factories.stage("absence")
    guide = factories.guide(slug="a-guide", glosses={nhs: "Here."})
    script = factories.script(slug="a-script")
    resource = factories.resource(slug="a-resource")
    factories.glossary_term("Fit note", slug="fit-note")
    factories.decision_tree("a-tool")
    return {"guide": guide, "script": script, "resource": resource}


PUBLIC_PAGES = [
    "/",
    "/guides/",
    "/guides/a-guide/",
    "/scripts/",
    "/scripts/a-script/",
    "/scripts/a-script/print/",
    "/resources/",
    "/resources/?topic=absence",
    "/resources/a-resource/",
    "/topics/absence/",
    "/stages/absence/",
    "/glossary/",
    "/search/?q=fit",
    "/search/?q=zzzz",
    "/feedback/?page=/&useful=yes",
    "/about/",
    "/decide/",
    "/decide/a-tool/",
    "/decide/a-tool/?a=first:1",
    "/decide/a-tool/?a=first:2",
    "/decide/a-tool/overview/",
    "/feed/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/where-you-work/?workplace=nhs&next=/",
    "/no-such-page/",
]


def assert_strict_headers(response, url):
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, url
    assert "default-src 'self'" in csp, url
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, url
    assert "frame-ancestors 'none'" in csp, url
    assert "object-src 'none'" in csp, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert "camera=()" in response["Permissions-Policy"], url
    assert response["X-Frame-Options"] == "DENY", url


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_type_sends_strict_security_headers(client, site, url):
    response = client.get(url)
    assert response.status_code in {200, 302, 404}
    assert_strict_headers(response, url)
    # Served again from the page cache, the headers must still be there.
    assert_strict_headers(client.get(url), url)


def test_the_admin_login_sends_strict_security_headers(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_strict_headers(response, "admin login")


def test_public_pages_have_no_inline_scripts_or_styles(client, site):
    import re

    for url in PUBLIC_PAGES:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "<style" not in html, url
        assert not re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", html), url


def test_the_admin_path_is_configurable():
    script = (
        "from django.urls import Resolver404, resolve, reverse\n"
        "def name(path):\n"
        "    try:\n"
        "        return resolve(path).url_name\n"
        "    except Resolver404:\n"
        "        return 'nothing'\n"
        "print('FOUND', reverse('admin:login'), name('/editors-desk/login/'),"
        "      name('/admin/login/'))"
    )
    env = {
        **os.environ,
        "HUB_ADMIN_PATH": "editors-desk",
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    found = result.stdout.split("FOUND", 1)[1].split()
    assert found == ["/editors-desk/login/", "login", "nothing"]


def test_production_sends_hsts_on_pages_and_the_admin_login(tmp_path):
    from tests.servers import get, gunicorn, manage, prod_env

    env = prod_env(DATABASE_URL=f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    manage("collectstatic", "--noinput", "-v0", env=env)  # as the Dockerfile does
    manage("migrate", "--noinput", "-v0", env=env)
    with gunicorn(env) as base:
        for path in ("/", "/glossary/", "/admin/login/"):
            status, headers, _ = get(base + path)
            assert status == 200, path
            assert "max-age=31536000" in headers["Strict-Transport-Security"], path
            assert "includeSubDomains" in headers["Strict-Transport-Security"], path


@pytest.mark.both_databases
def test_repeated_failed_admin_logins_lock_the_account_out(client, settings):
    factories.superuser("boss", "the-right-password-123")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post(url, {"username": "boss", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert_strict_headers(response, url)
    # Even the right password is refused while locked out.
    response = client.post(url, {"username": "boss", "password": "the-right-password-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_still_works_before_the_limit(client):
    factories.superuser("boss", "the-right-password-123")
    url = reverse("admin:login")
    client.post(url, {"username": "boss", "password": "wrong"})
    response = client.post(
        url, {"username": "boss", "password": "the-right-password-123", "next": "/admin/"}
    )
    assert response.status_code == 302


def test_production_cookies_are_secure_httponly_and_samesite():
    from tests.servers import manage, prod_env

    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS,"
        " s.HUB_WORKPLACE_COOKIE_SECURE)"
    )
    result = manage("shell", "-c", script, env=prod_env())
    assert result.stdout.split()[-7:] == ["True", "True", "True", "Lax", "Lax", "31536000", "True"]


def test_feedback_answers_send_strict_security_headers_too(client, site, settings):
    settings.HUB_FEEDBACK_RATE = 1
    thanks = client.post("/feedback/", {"page": "/", "useful": "yes"})
    too_many = client.post("/feedback/", {"page": "/", "useful": "yes"})
    assert (thanks.status_code, too_many.status_code) == (200, 429)
    assert_strict_headers(thanks, "feedback thanks")
    assert_strict_headers(too_many, "feedback limit")


def test_behind_a_proxy_one_readers_failed_logins_do_not_lock_out_another(client, settings):
    settings.BEHIND_TLS_PROXY = True
    factories.superuser("boss", "the-right-password-123")
    url = reverse("admin:login")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            url,
            {"username": "boss", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        )
    locked = client.post(
        url, {"username": "boss", "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        url,
        {"username": "boss", "password": "the-right-password-123"},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        **proxy,
    )
    assert elsewhere.status_code == 302, "the real owner, at another address, can still sign in"
