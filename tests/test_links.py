"""Cron checks every external link against a real server, and editors hear only what matters.

A real HTTP server runs on 127.0.0.1 in a thread (tests/linkserver.py); nothing is mocked.
Timeouts, backoff and deadlines are cut to fractions of a second so the module runs quickly.
"""

import asyncio
import datetime
import io
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import httpx
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from links import linkcheck
from links.fetch import CheckConfig, Clock, HostGate, Target, is_public_address, run_checks
from links.locking import advisory_key
from links.models import CheckedLink, LinkCheckResult, RunLock
from links.pages import main_text, read_limited
from links.usage import gather_usages, replace_url_in_text, urls_in_text
from resources.models import Resource
from tests import factories
from tests.linkserver import LinkServer, running

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    with running(LinkServer()) as server:
        yield server


@pytest.fixture
def web(server):
    """The test server, with what it saw and its changing page reset for each test."""
    with server.lock:
        server.hits.clear()
        server.most_in_flight = 0
        server.endless_bytes_sent = 0
        server.connections = 0
    server.page_version = 1
    server.slow_seconds = 3.0
    server.clock = time.monotonic
    return server


@pytest.fixture(autouse=True)
def quick_checker(settings):
    """Private addresses allowed (the server is on 127.0.0.1); everything else made short."""
    settings.LINKCHECK_ALLOW_PRIVATE = True
    settings.LINKCHECK_TIMEOUT = 0.5
    settings.LINKCHECK_DEADLINE = 20
    settings.LINKCHECK_RETRIES = 2
    settings.LINKCHECK_BACKOFF = 0.1
    settings.LINKCHECK_RETRY_CAP = 2
    settings.LINKCHECK_HOST_DELAY = 0
    settings.LINKCHECK_PER_HOST = 2
    settings.LINKCHECK_CONCURRENCY = 16
    settings.EDITOR_EMAILS = []
    return settings


def check_links(*args, stdout=None):
    """Runs the command as cron would; returns (exit status, stdout, stderr)."""
    stdout = stdout if stdout is not None else io.StringIO()
    stderr = io.StringIO()
    try:
        call_command("check_links", *args, stdout=stdout, stderr=stderr)
    except CommandError as error:
        stderr.write(str(error))
        return error.returncode, stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


def check_links_json(*args):
    status, out, err = check_links("--json", *args)
    return status, json.loads(out)


def by_path(report: dict, server: LinkServer) -> dict:
    return {result["url"].removeprefix(server.url("")): result for result in report["results"]}


def guide_linking(server, *paths, **fields):
    body = "\n".join(f"- [{path}]({server.url(path)})" for path in paths)
    return factories.guide(body=f"Read these:\n\n{body}\n", **fields)


def watched_resource(server, path, **fields):
    fields.setdefault("last_reviewed", timezone.localdate() - datetime.timedelta(days=60))
    return factories.resource(url=server.url(path), **fields)


# --- What each kind of answer means ---------------------------------------------------------

PLAIN_LINKS = {
    "/ok": ("ok", 200),
    "/moved-1": ("redirected", 200),
    "/temporary": ("redirected", 200),
    "/loop-a": ("broken", None),
    "/missing": ("broken", 404),
    "/gone": ("broken", 410),
    "/error": ("broken", 500),
    "/no-head": ("ok", 200),
    "/busy": ("uncertain", 429),
    "/unavailable": ("uncertain", 503),
    "/slow": ("uncertain", None),
    "/reset": ("broken", None),
    "/to-ftp": ("broken", None),
    "/hop-2": ("redirected", 200),
    "/hop-1": ("broken", None),
}
WATCHED_PAGES = {"/changing": ("ok", 200), "/endless": ("ok", 200), "/bomb": ("ok", 200)}


def test_every_kind_of_answer_is_classified_and_the_run_ends_within_its_deadline(web, settings):
    guide_linking(web, *PLAIN_LINKS)
    for path in WATCHED_PAGES:
        watched_resource(web, path)

    started = time.monotonic()
    status, report = check_links_json()
    elapsed = time.monotonic() - started

    assert elapsed < settings.LINKCHECK_DEADLINE
    assert elapsed < 15
    results = by_path(report, web)
    found = {path: (result["outcome"], result["status_code"]) for path, result in results.items()}
    assert found == {**PLAIN_LINKS, **WATCHED_PAGES}
    assert status == 0, "broken once is not yet reported: exit 1 waits for a second run"

    moved = CheckedLink.objects.get(url=web.url("/moved-1"))
    assert moved.redirect_kind == "permanent"
    assert moved.suggested_url == web.url("/new-home")
    assert moved.redirect_chain == [
        {"url": web.url("/moved-1"), "status": 301},
        {"url": web.url("/moved-2"), "status": 301},
        {"url": web.url("/moved-3"), "status": 308},
    ]
    temporary = CheckedLink.objects.get(url=web.url("/temporary"))
    assert (temporary.redirect_kind, temporary.suggested_url) == ("temporary", "")
    assert "loop" in results["/loop-a"]["error"]
    assert "more than 10 redirects" in results["/hop-1"]["error"]
    assert "ftp" in results["/to-ftp"]["error"]
    assert "0.5 s" in results["/slow"]["error"]
    assert "reset" in results["/reset"]["error"]


def test_every_address_gets_one_get_and_a_reset_connection_is_not_asked_again(web):
    guide_linking(web, "/ok", "/no-head", "/reset")

    check_links("--url", web.url("/ok"))
    check_links("--url", web.url("/no-head"))
    # On its own, so its request goes on a new connection: only a request on a connection
    # kept from an earlier answer is sent again (see the next test).
    _, report = check_links_json("--url", web.url("/reset"))

    for path in ("/ok", "/no-head", "/reset"):
        assert [hit.method for hit in web.hits_for(path)] == ["GET"], path
    assert report["results"][0]["error"] == "the server reset the connection"


def test_the_checker_names_the_hub_and_a_contact_address(web, settings):
    settings.CONTACT_URL = "https://hub.example.org/about/"
    guide_linking(web, "/ok")

    check_links()

    agent = web.hits_for("/ok")[0].headers["User-Agent"]
    assert "HubLinkChecker" in agent
    assert "https://hub.example.org/about/" in agent


def test_a_busy_server_is_retried_after_the_time_it_asks_for_then_called_uncertain(web):
    guide_linking(web, "/busy", "/busy-once")

    _, report = check_links_json()

    results = by_path(report, web)
    assert results["/busy"]["outcome"] == "uncertain"
    assert results["/busy-once"]["outcome"] == "ok"
    times = [hit.at for hit in web.hits_for("/busy")]
    assert len(times) == 3, "the first try and two retries"
    assert all(later - earlier >= 0.95 for earlier, later in zip(times, times[1:], strict=False))


def test_a_retry_after_given_as_a_date_is_waited_for(web):
    guide_linking(web, "/busy-until")

    _, report = check_links_json()

    assert by_path(report, web)["/busy-until"]["outcome"] == "ok"
    first, second = [hit.at for hit in web.hits_for("/busy-until")]
    assert second - first >= 1.0, "waited until the date it asked for (about 2 s)"


def test_a_retry_after_longer_than_the_cap_is_not_waited_for(web, settings):
    settings.LINKCHECK_RETRY_CAP = 0.5  # the server asks for 1 s
    guide_linking(web, "/busy")

    _, report = check_links_json()

    assert report["results"][0]["outcome"] == "uncertain"
    assert "asked us to wait" in report["results"][0]["error"]
    assert len(web.hits_for("/busy")) == 1


def test_an_endless_body_and_a_gzip_bomb_are_cut_off_at_two_megabytes(web):
    config = CheckConfig(timeout=5, deadline=20, host_delay=0, address_allowed=None)
    targets = [Target(url=web.url(path), read_body=True) for path in ("/endless", "/bomb")]

    results = run_checks(targets, config=config)

    for target in targets:
        assert results[target.url].outcome == "ok"
        assert results[target.url].body_truncated
        assert results[target.url].fingerprint
    # The server stops when we hang up; the socket buffers hold a few megabytes at most.
    assert web.endless_bytes_sent < 20 * 1024 * 1024


def test_a_gzip_bomb_never_decompresses_past_the_limit_even_within_one_chunk():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(compressor.compress(b"\0" * 1024 * 1024) for _ in range(200))
    bomb += compressor.flush()
    assert len(bomb) < 300 * 1024, "200 MB of zeros, compressed"

    async def one_big_chunk():
        yield bomb

    response = httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=one_big_chunk())
    body, truncated = asyncio.run(read_limited(response, limit=2 * 1024 * 1024))

    assert truncated
    assert len(body) == 2 * 1024 * 1024


def test_a_compressed_page_is_read_and_fingerprinted(web):
    config = CheckConfig(address_allowed=None, host_delay=0)
    url = web.url("/gzipped")

    result = run_checks([Target(url=url, read_body=True)], config=config)[url]

    assert (result.outcome, result.body_truncated) == ("ok", False)
    assert result.fingerprint


def test_no_more_than_two_requests_are_in_flight_to_one_host(web, settings):
    settings.LINKCHECK_CONCURRENCY = 32
    guide_linking(web, *(f"/pause?n={n}" for n in range(12)))

    started = time.monotonic()
    status, _, _ = check_links()

    assert status == 0
    assert web.most_in_flight == 2
    assert time.monotonic() - started >= 6 * 0.2


class VirtualClock(Clock):
    """Time that moves only when the checker waits: each wait is exact and takes no time,
    so a test can check the waits without timing a busy machine."""

    def __init__(self):
        self.time = 0.0
        self.waits: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.time += seconds
        await asyncio.sleep(0)


def test_a_host_s_connections_are_kept_open_for_its_next_links(web):
    guide_linking(web, *(f"/ok?n={n}" for n in range(10)))

    _, report = check_links_json()

    assert report["ok"] == 10
    assert len(web.hits) == 10
    assert web.connections <= 2, "ten requests over at most two connections"


def test_a_connection_the_server_closed_while_idle_is_not_taken_for_a_broken_link(web, settings):
    settings.LINKCHECK_PER_HOST = 1
    guide_linking(web, "/closes-when-reused?n=1", "/closes-when-reused?n=2")

    _, report = check_links_json()

    assert [result["outcome"] for result in report["results"]] == ["ok", "ok"]
    assert len(web.hits) == 3, "the request that got no answer was sent again, once"
    assert web.connections == 2


def test_each_of_many_hosts_sees_at_most_two_requests_at_once(settings):
    """Three hosts (127.0.0.2 to .4 are loopback too), each counting what it has in flight."""
    settings.LINKCHECK_CONCURRENCY = 40
    hosts = [LinkServer(f"127.0.0.{n}") for n in (2, 3, 4)]
    with running(hosts[0]), running(hosts[1]), running(hosts[2]):
        for host in hosts:
            guide_linking(host, *(f"/pause?n={n}" for n in range(8)))

        started = time.monotonic()
        status, report = check_links_json()
        elapsed = time.monotonic() - started

    assert status == 0 and report["ok"] == 24
    assert [host.most_in_flight for host in hosts] == [2, 2, 2]
    assert elapsed >= 8 / 2 * 0.2, "no host answered more than two at a time"


def test_requests_to_one_host_start_a_small_delay_apart(web, settings):
    """The server notes each request at the checker's own clock's time."""
    settings.LINKCHECK_HOST_DELAY = 0.15
    settings.LINKCHECK_PER_HOST = 1
    guide_linking(web, *(f"/ok?n={n}" for n in range(4)))
    clock = VirtualClock()
    web.clock = clock.now

    linkcheck.check_links(clock=clock)

    starts = sorted(hit.at for hit in web.hits)
    assert starts == pytest.approx([0, 0.15, 0.30, 0.45])
    assert clock.waits == pytest.approx([0.15, 0.15, 0.15])


def test_with_two_in_flight_to_a_host_each_start_still_waits_its_turn():
    clock = VirtualClock()
    gate = HostGate(slots=2, delay=0.15, clock=clock)
    starts = []

    async def request():
        async with gate.turn():
            starts.append(clock.now())
            await asyncio.sleep(0)

    async def many():
        await asyncio.gather(*(request() for _ in range(5)))

    asyncio.run(many())

    assert starts == pytest.approx([0, 0.15, 0.30, 0.45, 0.60])


def test_a_host_that_asks_us_to_retry_after_a_time_gets_nothing_sooner():
    clock = VirtualClock()
    gate = HostGate(slots=2, delay=0.1, clock=clock)
    starts = []

    async def run():
        async with gate.turn():
            starts.append(clock.now())
        gate.hold_off(5)
        async with gate.turn():
            starts.append(clock.now())

    asyncio.run(run())

    assert starts == pytest.approx([0, 5])


def test_the_run_stops_at_its_deadline_and_leaves_unfinished_links_for_next_time(web, settings):
    settings.LINKCHECK_DEADLINE = 1
    settings.LINKCHECK_TIMEOUT = 5
    web.slow_seconds = 10
    guide_linking(web, "/slow", "/ok")

    started = time.monotonic()
    _, report = check_links_json()

    assert time.monotonic() - started < 2.5
    results = by_path(report, web)
    assert results["/ok"]["outcome"] == "ok"
    assert results["/slow"]["outcome"] == "uncertain"
    assert "deadline" in results["/slow"]["error"]
    assert CheckedLink.objects.get(url=web.url("/slow")).checked_at is None


# --- No link skipped without a word ------------------------------------------------------------


def test_a_link_to_an_ipv6_host_is_found_and_checked():
    with running(LinkServer("::1")) as ipv6:
        guide = guide_linking(ipv6, "/ok")

        _, report = check_links_json()

    assert ipv6.url("/ok").startswith("http://[::1]:")
    [result] = report["results"]
    assert (result["url"], result["outcome"]) == (ipv6.url("/ok"), "ok")
    assert result["used_in"][0]["object"] == guide.title
    assert [hit.method for hit in ipv6.hits_for("/ok")] == ["GET"]


def test_links_that_are_not_checked_are_listed_with_the_reason(web):
    too_long = web.url("/ok?q=" + "a" * 2100)
    factories.guide(
        title="Contacts",
        body=(
            f"- [Working]({web.url('/ok')})\n- [Very long]({too_long})\n"
            "- Email [the team](mailto:team@example.org)\n"
            "- Old files at <ftp://files.example.org/pay.pdf>\n"
        ),
    )

    status, report = check_links_json()
    _, summary, _ = check_links()

    assert status == 0
    assert report["checked"] == 1
    assert report["skipped"] == 3
    assert report["skipped_by_reason"] == {"too_long": 1, "unsupported_scheme": 2}
    skipped = {link["url"]: link for link in report["skipped_links"]}
    assert set(skipped) == {too_long, "mailto:team@example.org", "ftp://files.example.org/pay.pdf"}
    assert skipped[too_long]["reason"] == "too_long"
    assert "2,000" in skipped[too_long]["message"]
    assert "mailto" in skipped["mailto:team@example.org"]["message"]
    assert skipped[too_long]["used_in"][0]["object"] == "Contacts"
    assert len(web.hits_for("/ok")) == 2, "the long address was never requested"
    assert "Not checked: 3 (1 too long, 2 not http or https)." in summary

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    check_links(stdout=terminal)
    listed = [line for line in terminal.getvalue().splitlines() if "SKIPPED" in line]
    assert len(listed) == 3
    assert any(
        "mailto:team@example.org" in line and "only http and https" in line for line in listed
    )


# --- Parts of pages and pages that are gone -----------------------------------------------------


def test_a_fragment_that_names_no_part_of_the_page_is_its_own_outcome(web):
    page = web.url("/with-parts")
    factories.guide(
        body=(
            f"[Who can get it]({page}#eligibility), [how to claim]({page}#how-to-claim), "
            f"[a part that went]({page}#missing-part) and [the top]({page}#top)."
        )
    )
    factories.guide(body=f"[Who can get it]({web.url('/ok')}) has no parts to miss.")

    status, report = check_links_json()

    results = by_path(report, web)
    assert results["/with-parts"]["outcome"] == "part_not_found"
    assert results["/with-parts"]["error"] == "no part of the page is called #missing-part"
    assert results["/with-parts"]["status_code"] == 200
    assert results["/ok"]["outcome"] == "ok"
    assert report["part_not_found"] == 1 and report["broken"] == 0
    assert status == 0, "a missing part is not a broken link"
    assert len(web.hits_for("/with-parts")) == 1, "one request for every part linked to"


def test_every_part_that_is_there_is_found(web):
    page = web.url("/with-parts")
    factories.guide(body=f"[Who]({page}#eligibility) and [how]({page}#how-to-claim).")

    _, report = check_links_json()

    assert report["results"][0]["outcome"] == "ok"


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/soft-404-title", "the page's title says “Page not found - Example”"),
        ("/soft-404-heading", "the page's main heading says “Sorry, we can't find that page”"),
    ],
)
def test_a_page_that_answers_200_but_says_it_was_not_found_is_probably_gone(web, path, reason):
    guide_linking(web, path)
    watched_resource(web, path, title="Statutory sick pay")

    _, report = check_links_json()

    [result] = report["results"]
    assert (result["outcome"], result["status_code"]) == ("probably_gone", 200)
    assert result["error"] == reason
    assert report["probably_gone"] == 1


@pytest.mark.parametrize("path", ["/guidance/old/sick-pay", "/guidance/retired"])
def test_a_deep_link_sent_to_the_home_page_is_probably_gone(web, path):
    guide_linking(web, path)

    _, report = check_links_json()

    [result] = report["results"]
    assert result["outcome"] == "probably_gone"
    assert result["error"].startswith("this deep link now leads to the site's home page")
    link = CheckedLink.objects.get(url=web.url(path))
    assert (link.redirect_kind, link.suggested_url) == ("", ""), "no offer to link the home page"


def test_a_redirect_to_a_page_that_is_not_the_home_page_is_only_redirected(web):
    guide_linking(web, "/moved-1", "/temporary")

    _, report = check_links_json()

    assert {result["outcome"] for result in report["results"]} == {"redirected"}


def test_a_probably_gone_link_reaches_editors_after_two_runs_like_a_broken_one(
    web, settings, client
):
    settings.EDITOR_EMAILS = ["lead@example.org"]
    resource = watched_resource(web, "/soft-404-title", title="Statutory sick pay")

    first, _, _ = check_links("--email")
    resource.refresh_from_db()
    assert (first, mail.outbox, resource.link_state) == (0, [], "uncertain")

    second, _, err = check_links("--email")

    assert second == 1
    assert "1 probably gone (1 two runs in a row)" in err
    [message] = mail.outbox
    assert "Probably gone on two runs in a row (1)" in message.subject + message.body
    assert "the page's title says “Page not found - Example”" in message.body
    assert "Statutory sick pay" in message.body
    assert "1 probably gone" in message.subject
    resource.refresh_from_db()
    assert resource.link_state == "broken"
    client.force_login(factories.superuser())
    report_page = client.get("/admin/links/checkedlink/").content.decode()
    assert "Probably gone 2 runs in a row" in report_page


# --- Exact messages for answers that are not HTTP -----------------------------------------------

PROTOCOL_ERRORS = {
    "/huge-header": "the server's answer has more than 100 KB of headers, so we read no further",
    "/huge-location": "redirect to an address of 100,001 characters; we follow addresses of up "
    "to 2,000",
    "/long-location": "redirect to an address of 5,001 characters; we follow addresses of up "
    "to 2,000",
    "/bad-location": "redirect to something that is not an address: 'http://[nope/'",
    "/not-http": "the server's answer is not HTTP: its first line is not a status line",
    "/bad-header-line": "the server's answer is not valid HTTP: a header line is malformed",
    "/hang-up": "the server closed the connection without answering",
}


def test_answers_that_are_not_proper_http_get_exact_messages_and_no_second_request(web):
    guide_linking(web, *PROTOCOL_ERRORS)

    _, report = check_links_json()

    results = by_path(report, web)
    assert {path: results[path]["error"] for path in PROTOCOL_ERRORS} == PROTOCOL_ERRORS
    assert {results[path]["outcome"] for path in PROTOCOL_ERRORS} == {"broken"}
    for path in PROTOCOL_ERRORS:
        assert len(web.hits_for(path)) == 1, path


def test_a_page_cut_short_says_so(web):
    url = web.url("/short-body")

    result = run_checks([Target(url=url, read_body=True)], config=CheckConfig(address_allowed=None))

    assert result[url].error == "the server closed the connection before the end of its answer"


# --- Safety ---------------------------------------------------------------------------------


def test_private_and_loopback_addresses_are_refused_unless_allowed(web, settings):
    settings.LINKCHECK_ALLOW_PRIVATE = False
    guide_linking(web, "/ok")

    status, report = check_links_json()

    assert status == 0
    assert report["results"][0]["outcome"] == "broken"
    assert "private" in report["results"][0]["error"]
    assert web.hits_for("/ok") == [], "no request reached the server"


def test_every_redirect_hop_is_checked_against_private_addresses(web):
    # Allow only the server's own address, so the redirect to 127.0.0.2 stands for a public
    # page that redirects into a private network.
    config = CheckConfig(host_delay=0, address_allowed=lambda address: str(address) == "127.0.0.1")
    url = web.url("/to-other-host")

    result = run_checks([Target(url=url)], config=config)[url]

    assert result.outcome == "broken"
    assert "127.0.0.2" in result.error and "refused" in result.error
    assert [hop["status"] for hop in result.redirect_chain] == [302]


@pytest.mark.parametrize(
    "address, public",
    [
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b:1::c0a8:1", False),  # local-use NAT64 of 192.168.0.1
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::10.1.2.3", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", False),  # 6to4 of 192.168.1.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo, client 127.0.0.1
        ("::ffff:127.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2002:808:808::1", True),
        ("::ffff:8.8.8.8", True),
        ("2a00:1450:4009:81d::200e", True),
        ("8.8.8.8", True),
    ],
)
def test_private_addresses_are_recognised_in_every_ipv6_disguise(address, public):
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("form", ["64:ff9b::7f00:1", "::127.0.0.1", "2002:7f00:1::"])
def test_an_address_that_is_a_private_one_in_disguise_is_refused_before_connecting(form):
    url = f"http://[{form}]:8080/"

    result = run_checks([Target(url=url)], config=CheckConfig(host_delay=0, timeout=2))[url]

    assert result.outcome == "broken"
    assert result.error.startswith(f"refused: {form} resolves to")


@pytest.mark.parametrize(
    "path, form", [("/to-nat64", "64:ff9b::7f00:1"), ("/to-6to4", "2002:7f00:1::")]
)
def test_a_redirect_to_a_private_address_in_disguise_is_refused(web, path, form):
    def allowed(address):
        return str(address) == "127.0.0.1" or is_public_address(address)

    config = CheckConfig(host_delay=0, timeout=2, address_allowed=allowed)
    url = web.url(path)

    result = run_checks([Target(url=url)], config=config)[url]

    assert result.outcome == "broken"
    assert result.error.startswith(f"refused: {form} resolves to")
    assert [hop["status"] for hop in result.redirect_chain] == [302]


def test_refused_connections_unknown_names_and_bad_certificates_are_broken(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + [
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            tmp_path / "key.pem",
            "-out",
            tmp_path / "cert.pem",
        ],
        check=True,
        capture_output=True,
    )
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    self_signed = LinkServer()
    self_signed.socket = tls.wrap_socket(self_signed.socket, server_side=True)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    urls = {
        "refused": f"http://127.0.0.1:{closed_port}/",
        "unknown name": "http://no-such-host.invalid/",
        "bad certificate": f"https://127.0.0.1:{self_signed.server_address[1]}/ok",
    }
    config = CheckConfig(timeout=5, host_delay=0, address_allowed=None)

    with running(self_signed):
        results = run_checks([Target(url=url) for url in urls.values()], config=config)

    errors = {name: results[url].error for name, url in urls.items()}
    assert {results[url].outcome for url in urls.values()} == {"broken"}
    assert errors["refused"] == "connection refused"
    assert "does not resolve" in errors["unknown name"]
    assert errors["bad certificate"].startswith("TLS error")


def test_only_http_and_https_addresses_can_be_asked_for():
    status, _, err = check_links("--url", "ftp://example.org/file.pdf")

    assert status == 2
    assert "http" in err


# --- Content currency -----------------------------------------------------------------------


def test_a_page_whose_text_changes_is_flagged_for_re_review(web, client):
    resource = watched_resource(web, "/changing")

    _, first = check_links_json()
    _, unchanged = check_links_json()
    web.page_version = 2
    _, changed = check_links_json()

    assert first["results"][0]["content_changed"] is False
    assert unchanged["results"][0]["content_changed"] is False
    assert changed["results"][0]["content_changed"] is True
    statuses = [hit.headers.get("If-None-Match") for hit in web.hits_for("/changing")]
    assert statuses == [None, '"v1"', '"v1"'], "an unchanged page costs a 304"
    resource.refresh_from_db()
    assert resource.page_changed_at is not None
    assert resource.needs_rereview
    link = CheckedLink.objects.get(url=web.url("/changing"))
    assert (link.etag, link.content_changed_at) == ('"v2"', resource.page_changed_at)

    client.force_login(factories.superuser())
    page = client.get("/admin/resources/resource/").content.decode()
    assert "the page we point to has changed: re-review" in page


def test_a_fingerprint_made_the_old_way_is_replaced_without_flagging_a_change(web):
    resource = watched_resource(web, "/changing")
    CheckedLink.objects.create(url=web.url("/changing"), outcome="ok", fingerprint="0" * 64)

    _, report = check_links_json()
    web.page_version = 2
    _, changed = check_links_json()

    assert report["results"][0]["content_changed"] is False
    assert CheckedLink.objects.get(url=web.url("/changing")).fingerprint.startswith("v2:")
    assert changed["results"][0]["content_changed"] is True, "the new way still sees changes"
    resource.refresh_from_db()
    assert resource.page_changed_at is not None


def test_the_main_text_leaves_out_menus_scripts_and_everything_outside_main():
    page = (
        b"<html><head><title>T</title><script>var x = '<main>no</main>';</script></head>"
        b"<body><header>Banner</header><nav><a href='/'>Home</a></nav>"
        b"<main><h1>Sick pay</h1><p>You get it&nbsp;from day <b>four</b>.</p><svg/>"
        b"<noscript>Turn on scripts</noscript></main><footer>Footer</footer></body></html>"
    )

    assert main_text(page) == "Sick pay You get it from day four ."
    assert main_text(b"<body><p>No main here</p></body>") == "No main here"
    assert main_text(b"<p>Not even a body</p>") == "Not even a body"


def test_changes_to_scripts_menus_and_banners_are_not_a_change_of_text(web):
    resource = watched_resource(web, "/noisy")

    check_links()
    _, second = check_links_json()

    assert second["results"][0]["content_changed"] is False
    resource.refresh_from_db()
    assert resource.page_changed_at is None


# --- Reporting ------------------------------------------------------------------------------


def test_a_broken_link_is_reported_to_editors_only_after_failing_two_runs_in_a_row(web, settings):
    settings.EDITOR_EMAILS = ["lead@example.org"]
    resource = watched_resource(web, "/missing", title="Sickness absence")

    first_status, _, _ = check_links("--email")

    assert first_status == 0
    assert mail.outbox == []
    link = CheckedLink.objects.get(url=web.url("/missing"))
    assert (link.consecutive_failures, link.is_reported_broken) == (1, False)
    resource.refresh_from_db()
    assert resource.link_state == "uncertain", "one failure is not yet 'broken' to readers"

    second_status, _, _ = check_links("--email")

    assert second_status == 1
    assert len(mail.outbox) == 1
    assert web.url("/missing") in mail.outbox[0].body
    assert "Sickness absence" in mail.outbox[0].body
    assert CheckedLink.objects.reported_broken().get() == link
    resource.refresh_from_db()
    assert resource.link_state == "broken"


def test_a_link_that_recovers_starts_counting_again(web):
    guide_linking(web, "/ok")
    link = CheckedLink.objects.create(url=web.url("/ok"), outcome="broken", consecutive_failures=3)

    check_links()

    link.refresh_from_db()
    assert (link.outcome, link.consecutive_failures) == ("ok", 0)


def test_the_email_digest_goes_to_listed_addresses_and_active_editors(web, settings):
    settings.EDITOR_EMAILS = ["lead@example.org"]
    ann = factories.editor("ann")
    ann.email = "ann@example.org"
    ann.save()
    gone = factories.editor("gone")
    gone.email, gone.is_active = "gone@example.org", False
    gone.save()
    factories.editor("no-email")
    guide_linking(web, "/moved-1", title="Holiday pay")
    CheckedLink.objects.create(
        url=web.url("/moved-1"), outcome="redirected", redirect_kind="permanent"
    )

    status, out, _ = check_links("--email")

    assert status == 0
    assert "Emailed the digest to 2 editors" in out
    message = mail.outbox[0]
    assert sorted(message.to) == ["ann@example.org", "lead@example.org"]
    assert "Moved permanently" in message.body
    assert web.url("/new-home") in message.body
    assert "Holiday pay" in message.body


def test_email_without_anyone_to_send_to_is_a_configuration_error(web):
    guide_linking(web, "/ok")

    status, _, err = check_links("--email")

    assert status == 2
    assert "HUB_EDITOR_EMAILS" in err
    assert web.hits == [], "nothing was checked"


def test_json_output_has_one_object_with_counts_and_a_result_per_link(web):
    guide = guide_linking(web, "/ok", "/gone", title="Managing leave")

    status, report = check_links_json()

    assert status == 0
    assert set(report) == {
        "checked",
        "ok",
        "broken",
        "reported_broken",
        "redirected",
        "uncertain",
        "probably_gone",
        "part_not_found",
        "skipped",
        "skipped_by_reason",
        "results",
        "skipped_links",
        "internal_links",  # links to the hub's own pages, each with an outcome
        "internet",
    }
    assert report["skipped_by_reason"] == {"too_long": 0, "unsupported_scheme": 0}
    assert (report["checked"], report["ok"], report["broken"]) == (2, 1, 1)
    assert report["reported_broken"] == 0, "broken once: not reported to editors yet"
    gone = by_path(report, web)["/gone"]
    assert set(gone) == {
        "url",
        "outcome",
        "status_code",
        "final_url",
        "error",
        "content_changed",
        "reported_broken",
        "used_in",
    }
    assert gone["reported_broken"] is False
    status, report = check_links_json()
    assert status == 1
    assert report["reported_broken"] == 1 and by_path(report, web)["/gone"]["reported_broken"]
    assert gone["error"] == "410 Gone"
    assert by_path(report, web)["/ok"]["error"] is None
    [place] = gone["used_in"]
    assert (place["model"], place["object"], place["field"]) == (
        "resources.guide",
        "Managing leave",
        "body",
    )
    assert place["admin_url"].endswith(f"/admin/resources/guide/{guide.pk}/change/")
    assert place["public_url"].endswith(guide.get_absolute_url())


def test_cron_gets_one_summary_line_and_a_terminal_gets_a_progress_bar(web):
    guide_linking(web, "/ok", "/temporary")

    status, out, _ = check_links()

    assert status == 0
    assert out.strip().count("\n") == 0
    assert out.startswith("Checked 2 links in ")
    assert "1 ok, 1 redirected" in out

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    check_links(stdout=terminal)
    shown = terminal.getvalue()
    assert "\rChecking links [" in shown
    assert "2/2" in shown
    assert "REDIRECTED" in shown


def test_exit_status_is_1_only_once_a_link_is_broken_two_runs_in_a_row(web):
    guide_linking(web, "/ok")
    assert check_links()[0] == 0

    guide_linking(web, "/error")
    status, out, _ = check_links()
    assert status == 0, "one bad night is not yet the editors' problem"
    assert "1 broken (0 broken two runs in a row)" in out
    status, out, err = check_links()
    assert status == 1
    assert out == ""
    assert "1 broken (1 broken two runs in a row)" in err


@pytest.mark.parametrize(
    "arguments",
    [("--url", "https://example.org/", "--only-due"), ("--url", "not a web address")],
)
def test_usage_errors_exit_2(arguments):
    assert check_links(*arguments)[0] == 2


def test_a_bad_setting_is_a_configuration_error(settings):
    settings.LINKCHECK_PER_HOST = 0

    status, _, err = check_links()

    assert status == 2
    assert "LINKCHECK_PER_HOST" in err


@pytest.mark.parametrize(
    "variable, value",
    [("LINKCHECK_TIMEOUT", "ten"), ("LINKCHECK_PER_HOST", "two"), ("EMAIL_PORT", "smtp")],
)
@pytest.mark.parametrize("command", ["check_links", "review_due"])
def test_a_setting_cron_cannot_read_exits_2_naming_it(command, variable, value):
    env = {**os.environ, variable: value, "DJANGO_SETTINGS_MODULE": "hub.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", command],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert variable in result.stderr and "Traceback" not in result.stderr


def test_cron_sees_one_line_and_an_exit_status_that_means_something(web, tmp_path):
    """The command as cron runs it: its own process, the usual settings and logging."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cron.sqlite3'}",
        "LINKCHECK_ALLOW_PRIVATE": "1",
        "DJANGO_LOG_LEVEL": "INFO",
        # The check that the internet is there asks the test server, never the internet.
        "HUB_LINKCHECK_CANARY_URLS": web.url("/ok?canary"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    working = manage("check_links", "--url", web.url("/ok"))
    broken_once = manage("check_links", "--url", web.url("/missing"))
    broken = manage("check_links", "--url", web.url("/missing"))
    usage = [manage("check_links", "--url", "ftp://example.org/"), manage("check_links", "--nope")]

    assert (working.returncode, working.stderr) == (0, "")
    assert working.stdout.startswith("Checked 1 link in ")
    assert working.stdout.count("\n") == 1, "one line: no request logs, no progress bar"
    assert broken_once.returncode == 0 and broken_once.stdout.count("\n") == 1
    assert (broken.returncode, broken.stdout) == (1, "")
    assert broken.stderr.count("\n") == 1 and "1 broken two runs in a row" in broken.stderr
    assert [process.returncode for process in usage] == [2, 2]


# --- Which links a run checks, and what it keeps ---------------------------------------------


def test_only_due_checks_new_failing_and_stale_links_and_those_of_resources_due_for_review(web):
    now = timezone.now()
    guide_linking(web, "/ok?fresh", "/ok?new", "/ok?stale", "/ok?failing", "/ok?review-soon")
    later = now + datetime.timedelta(days=3)
    CheckedLink.objects.create(url=web.url("/ok?fresh"), outcome="ok", next_check_due=later)
    CheckedLink.objects.create(url=web.url("/ok?stale"), outcome="ok", next_check_due=now)
    CheckedLink.objects.create(url=web.url("/ok?failing"), outcome="broken", next_check_due=now)
    CheckedLink.objects.create(url=web.url("/ok?review-soon"), outcome="ok", next_check_due=later)
    soon = timezone.localdate() + datetime.timedelta(days=10)
    watched_resource(web, "/ok?review-soon", next_review_due=soon)

    _, report = check_links_json("--only-due")

    checked = sorted(by_path(report, web))
    assert checked == ["/ok?failing", "/ok?new", "/ok?review-soon", "/ok?stale"]
    fresh = CheckedLink.objects.get(url=web.url("/ok?fresh"))
    assert fresh.checked_at is None, "not due, not checked"
    stale = CheckedLink.objects.get(url=web.url("/ok?stale"))
    assert stale.next_check_due > now + datetime.timedelta(days=6)


def test_url_checks_just_that_address(web):
    guide_linking(web, "/ok", "/gone")

    status, report = check_links_json("--url", web.url("/ok"))

    assert status == 0
    assert [result["url"] for result in report["results"]] == [web.url("/ok")]
    assert web.hits_for("/gone") == []


@pytest.mark.both_databases
def test_each_address_keeps_its_last_ten_results(web):
    guide_linking(web, "/ok")

    for _ in range(12):
        check_links("--url", web.url("/ok"))

    link = CheckedLink.objects.get(url=web.url("/ok"))
    assert link.history.count() == 10
    assert LinkCheckResult.objects.count() == 10


@pytest.mark.both_databases
def test_addresses_no_longer_used_leave_the_report(web):
    guide = guide_linking(web, "/ok", "/gone")
    check_links()
    guide.body = f"Only [this]({web.url('/ok')}) now."
    guide.save()

    check_links()

    assert list(CheckedLink.objects.values_list("url", flat=True)) == [web.url("/ok")]


# --- Where links are found ------------------------------------------------------------------


def test_links_are_found_in_every_markdown_field_and_in_resource_addresses():
    text = (
        "See [Acas](https://www.acas.org.uk/absence) and <https://www.gov.uk/sick-pay>.\n"
        "Also https://www.nhsemployers.org/pay. And (https://en.wikipedia.org/wiki/Rota_(work)).\n"
        '[ref]: https://www.hse.gov.uk/stress/ "HSE"\n'
        "[Same page, another part](https://www.acas.org.uk/absence#notes)\n"
        "Not a link: mailto:someone@example.org or /guides/local/."
    )
    assert urls_in_text(text) == [
        "https://www.acas.org.uk/absence",
        "https://www.gov.uk/sick-pay",
        "https://www.nhsemployers.org/pay",
        "https://en.wikipedia.org/wiki/Rota_(work)",
        "https://www.hse.gov.uk/stress/",
        "https://www.acas.org.uk/absence#notes",
    ]

    place = factories.workplace("nhs")
    guide = factories.guide(body=text, policy_note="Check https://intranet.example.org/policy")
    script = factories.script(parts={"before": "- Read https://www.cqc.org.uk/guidance."})
    resource = factories.resource(
        url="https://www.skillsforcare.org.uk/induction",
        glosses={place: "In the NHS see https://www.nhsemployers.org/pay."},
    )
    factories.glossary_term(definition="As in https://www.legislation.gov.uk/ukpga/2010/15.")

    usages = gather_usages()

    absence = usages["https://www.acas.org.uk/absence"]
    assert [(use.model, use.field) for use in absence] == [("resources.guide", "body")]
    pay = {
        (use.model, use.object, use.admin_url.split("/admin/")[1])
        for use in usages["https://www.nhsemployers.org/pay"]
    }
    assert pay == {
        ("resources.guide", guide.title, f"resources/guide/{guide.pk}/change/"),
        ("resources.resourcegloss", "In Nhs", f"resources/resource/{resource.pk}/change/"),
    }
    [part] = usages["https://www.cqc.org.uk/guidance"]
    assert (part.model, part.admin_url.split("/admin/")[1]) == (
        "resources.scriptpart",
        f"resources/script/{script.pk}/change/",
    )
    [own] = usages["https://www.skillsforcare.org.uk/induction"]
    assert (own.field, own.is_link_field) == ("url", True)
    assert "https://intranet.example.org/policy" in usages
    assert "https://www.legislation.gov.uk/ukpga/2010/15" in usages


def test_replacing_an_address_in_text_leaves_longer_addresses_alone():
    text = (
        "[A](https://old.example.org/page) [B](https://old.example.org/page#part) "
        "[C](https://old.example.org/page-two) https://OLD.example.org/page."
    )

    replaced = replace_url_in_text(
        text, old_url="https://old.example.org/page", new_url="https://new.example.org/p"
    )

    assert replaced == (
        "[A](https://new.example.org/p) [B](https://new.example.org/p#part) "
        "[C](https://old.example.org/page-two) https://new.example.org/p."
    )


# --- One run at a time ----------------------------------------------------------------------


class LockHeldElsewhere:
    """Another run holding the lock: a PostgreSQL session with the advisory lock, or a fresh
    lock row on other databases."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            import psycopg

            database = connection.settings_dict
            self.other = psycopg.connect(
                dbname=database["NAME"],
                user=database["USER"],
                host=database["HOST"],
                port=database["PORT"] or 5432,
                autocommit=True,
            )
            self.key = advisory_key(linkcheck.LOCK_NAME)
            self.other.execute("SELECT pg_advisory_lock(%s)", [self.key])
        else:
            RunLock.objects.create(
                name=linkcheck.LOCK_NAME, holder="other-host:1", acquired_at=timezone.now()
            )
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            # Unlock before closing: the server ends a closed session a moment later, and a run
            # started at once could still find the lock held.
            self.other.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            self.other.close()
        else:
            RunLock.objects.all().delete()


@pytest.mark.both_databases
def test_a_second_run_while_one_is_checking_says_so_and_exits_0(web):
    guide_linking(web, "/gone")

    with LockHeldElsewhere():
        status, out, _ = check_links()
        json_status, json_out, json_err = check_links("--json")

    assert status == 0
    assert "Another check_links run holds the lock" in out
    assert web.hits == [], "nothing was checked"
    assert json_status == 0
    assert json.loads(json_out)["checked"] == 0
    assert "holds the lock" in json_err
    assert "Checked 1 link" in check_links()[1], "once the lock is free, the next run checks"


@pytest.mark.both_databases
def test_a_lock_left_by_a_run_that_died_is_taken_over():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL frees an advisory lock itself when its session ends")
    RunLock.objects.create(
        name=linkcheck.LOCK_NAME,
        holder="crashed:1",
        acquired_at=timezone.now() - datetime.timedelta(days=1),
    )

    status, out, _ = check_links()

    assert status == 0
    assert out.startswith("Checked 0 links")
    assert not RunLock.objects.exists(), "released at the end of the run"


@pytest.mark.both_databases
def test_the_lock_is_released_even_when_the_run_fails(web, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(linkcheck, "find_links", fail)
    with pytest.raises(RuntimeError):
        check_links()
    monkeypatch.undo()

    assert check_links()[0] == 0
    assert not RunLock.objects.exists()


@pytest.mark.both_databases
def test_resources_state_follows_each_run(web, client, django_capture_on_commit_callbacks):
    ok = watched_resource(web, "/ok")
    moved = watched_resource(web, "/moved-1")
    assert "not checked this link yet" in client.get(ok.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        check_links()

    assert "We last checked this link on" in client.get(ok.get_absolute_url()).content.decode()

    assert Resource.objects.get(pk=ok.pk).link_state == "ok"
    assert Resource.objects.get(pk=moved.pk).link_state == "redirected"
    assert Resource.objects.get(pk=ok.pk).link_checked_at is not None


@pytest.mark.both_databases
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_never_check_at_the_same_time(web):
    """Two real runs, each with its own database connection, the second starting while the
    first is still checking."""
    guide_linking(web, *(f"/pause?n={n}" for n in range(6)))
    first: dict = {}

    def first_run():
        try:
            first["result"] = check_links()
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    deadline = time.monotonic() + 10
    while not web.hits and time.monotonic() < deadline:
        time.sleep(0.01)
    second = check_links()
    thread.join()

    assert second[0] == 0
    assert "Another check_links run holds the lock" in second[1]
    assert first["result"][0] == 0
    assert first["result"][1].startswith("Checked 6 links")
    assert len(web.hits) == 6, "each address was checked once, by the first run"
