"""Link checker benchmark: 1,000 links across 20 local hosts, each answering after 200 ms.

The hosts are 127.0.0.2 to 127.0.0.21 (Linux routes all of 127.0.0.0/8 to loopback), each a
threaded HTTP server that counts the requests it has in flight. 500 links are resources (the
checker reads and fingerprints those pages with GET) and 500 are Markdown links in guides
(HEAD). `manage.py check_links` runs with the default settings (2 per host, 40 in all, 0.1 s
between starts on one host) against a scratch SQLite database.

With 2 in flight per host the floor is 1,000 x 0.2 s / (20 x 2) = 5 s. Target: under 10 s,
never more than 2 in flight per host. Writes bench/results/linkcheck.md.

    .venv/bin/python bench/linkcheck.py
"""

import contextlib
import datetime
import io
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.linkserver import Hit, RecordingServer, running  # noqa: E402

HOSTS = [f"127.0.0.{n}" for n in range(2, 22)]
LINKS = 1000
ANSWER_SECONDS = 0.2
PER_HOST_LIMIT = 2
TARGET_SECONDS = 10
FLOOR_SECONDS = LINKS * ANSWER_SECONDS / (len(HOSTS) * PER_HOST_LIMIT)
DJANGO_LINKCHECK_SECONDS = 206  # django-linkcheck 2.4.0 on this workload (one request at a time)
RESULT = BASE_DIR / "bench" / "results" / "linkcheck.md"


class SlowPage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b"<!doctype html><html><body><main><p>A page worth linking to.</p></main></body></html>"

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self.answer()

    def do_GET(self):
        self.answer()

    def answer(self):
        self.server.record(Hit(self.command, self.path, {}, time.monotonic()))
        with self.server.busy():
            time.sleep(ANSWER_SECONDS)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(self.body)


def set_up_django(database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["LINKCHECK_ALLOW_PRIVATE"] = "1"  # the hosts are on loopback
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(urls: list[str]) -> None:
    """Half the links as resources, half as Markdown links in guides, 10 to a guide."""
    from django.utils import timezone

    from resources.models import Guide, Resource

    today = timezone.localdate()
    due = today + datetime.timedelta(days=365)
    half = len(urls) // 2
    Resource.objects.bulk_create(
        Resource(
            title=f"Resource {n}",
            slug=f"resource-{n}",
            url=url,
            last_reviewed=today,
            next_review_due=due,
        )
        for n, url in enumerate(urls[:half])
    )
    in_guides = urls[half:]
    Guide.objects.bulk_create(
        Guide(
            title=f"Guide {n}",
            slug=f"guide-{n}",
            body="\n".join(f"- [Link {m}]({url})" for m, url in enumerate(in_guides[n : n + 10])),
            last_reviewed=today,
            next_review_due=due,
        )
        for n in range(0, len(in_guides), 10)
    )


def run_check_links() -> tuple[float, dict, int]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    started = time.monotonic()
    try:
        call_command("check_links", "--json", stdout=out, stderr=io.StringIO())
        status = 0
    except CommandError as error:
        status = error.returncode
    return time.monotonic() - started, json.loads(out.getvalue()), status


def write_results(*, seconds, report, status, seen, settings) -> str:
    requests = sum(len(host["methods"]) for host in seen)
    most = max(host["most_in_flight"] for host in seen)
    per_host = sorted({host["most_in_flight"] for host in seen})
    outcomes = {}
    for result in report["results"]:
        outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    methods = {}
    for host in seen:
        for method in host["methods"]:
            methods[method] = methods.get(method, 0) + 1
    met = seconds < TARGET_SECONDS and most <= PER_HOST_LIMIT
    now = datetime.datetime.now(datetime.UTC)
    lines = [
        "# Link checker benchmark",
        "",
        f"Run by `.venv/bin/python bench/linkcheck.py` on {now:%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        f"{LINKS:,} links across {len(HOSTS)} local hosts ({HOSTS[0]} to {HOSTS[-1]}), each "
        f"answering every request after {ANSWER_SECONDS * 1000:.0f} ms. Half are resources "
        "(read with GET and fingerprinted), half are Markdown links in guides (HEAD). "
        "`manage.py check_links --json` with the default settings: "
        f"{settings.LINKCHECK_PER_HOST} in flight per host, {settings.LINKCHECK_CONCURRENCY} "
        f"in all, {settings.LINKCHECK_HOST_DELAY:g} s between starts on one host; scratch "
        "SQLite database. The time includes gathering the links from the database and storing "
        "every result and its history.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| wall time | **{seconds:.2f} s** | under {TARGET_SECONDS} s "
        f"(floor {FLOOR_SECONDS:.0f} s) |",
        f"| most requests in flight on one host (server-side) | **{most}** "
        f"| at most {PER_HOST_LIMIT} |",
        f"| most in flight, host by host | {', '.join(map(str, per_host))} | |",
        f"| requests the hosts received | {requests:,} "
        f"({', '.join(f'{n:,} {m}' for m, n in sorted(methods.items()))}) | |",
        f"| outcomes | {', '.join(f'{n:,} {o}' for o, n in sorted(outcomes.items()))} "
        f"| {LINKS:,} ok |",
        f"| exit status | {status} | 0 |",
        "",
        f"With {settings.LINKCHECK_CONCURRENCY} in flight in all, the overall cap rather than "
        "the per-host limit sets the floor here: "
        f"{LINKS:,} x {ANSWER_SECONDS:g} s / "
        f"{min(settings.LINKCHECK_CONCURRENCY, len(HOSTS) * PER_HOST_LIMIT)} = "
        f"{LINKS * ANSWER_SECONDS / min(settings.LINKCHECK_CONCURRENCY, len(HOSTS) * PER_HOST_LIMIT):.2f} s.",
        "",
        f"Target {'met' if met else 'NOT met'}. For comparison, django-linkcheck 2.4.0 checks one "
        f"request at a time and takes about {DJANGO_LINKCHECK_SECONDS} s on this same workload; "
        "it is not run here.",
        "",
    ]
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text("\n".join(lines))
    return "\n".join(lines)


def serve_hosts(pipe) -> None:
    """In a process of its own, so the servers' threads never compete with the checker for
    the interpreter: 20 servers; send their addresses, then on request what each one saw."""
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(running(RecordingServer((host, 0), SlowPage))) for host in HOSTS
        ]
        pipe.send([server.server_address for server in servers])
        pipe.recv()
        pipe.send(
            [
                {
                    "most_in_flight": server.most_in_flight,
                    "methods": [h.method for h in server.hits],
                }
                for server in servers
            ]
        )


def main() -> int:
    ours, theirs = multiprocessing.Pipe()
    hosts = multiprocessing.Process(target=serve_hosts, args=(theirs,), daemon=True)
    hosts.start()
    addresses = ours.recv()
    with tempfile.TemporaryDirectory() as folder:
        set_up_django(Path(folder) / "bench.sqlite3")
        from django.conf import settings

        urls = [
            "http://{}:{}/page-{}".format(*addresses[n % len(addresses)], n) for n in range(LINKS)
        ]
        seed(urls)
        seconds, report, status = run_check_links()
    ours.send("stop")
    seen = ours.recv()
    hosts.join(timeout=5)
    most = max(host["most_in_flight"] for host in seen)
    print(
        f"wall time: {seconds:.2f} s (target under {TARGET_SECONDS} s, floor {FLOOR_SECONDS:.0f} s)"
    )
    print(f"most requests in flight on one host: {most} (limit {PER_HOST_LIMIT})")
    print(f"checked {report['checked']}: {report['ok']} ok, {report['broken']} broken")
    write_results(seconds=seconds, report=report, status=status, seen=seen, settings=settings)
    print(f"written to {RESULT.relative_to(BASE_DIR)}")
    ok = seconds < TARGET_SECONDS and most <= PER_HOST_LIMIT and report["ok"] == LINKS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
