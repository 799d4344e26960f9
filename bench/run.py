"""`make bench`: server times, queries per page, and a guide page's throughput against a static file.

Seeds 1,000 guides, 300 scripts and 5,000 resources times the scale (`--scale`, default 10, or
the BENCH_SCALE environment variable), serves them with gunicorn in production mode, and writes
bench/results/latest.md.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from common import (
    BASE_DIR,
    RESULTS,
    bench_database,
    gunicorn,
    manage,
    percentile,
    prod_env,
    redis_available,
    time_requests,
    wrk,
)

REQUESTS_PER_PAGE = 300
WRK_SECONDS = 5
WRK_CONNECTIONS = 16
ROUNDS = 3
STATIC_PATH = "/static/bench-guide.html"
PAGES = {
    "home page": "/",
    "a guide": "/guides/bench-guide-7/",
    "resources list with filters": "/resources/?topic=absence&setting=nhs&kind=advice",
    "search": "/search/?q=sick+rota",
    "search, a sentence with a typo": "/search/?q=my+carer+keeps+being+off+sicknes",
}
TARGET_MS = {
    "home page": 25,
    "a guide": 25,
    "resources list with filters": 25,
    "search": 50,
    "search, a sentence with a typo": 50,
}
TARGET_RATIO = 0.8

QUERY_COUNT_SCRIPT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
pages = json.loads('''{pages}''')
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
counts = {{}}
for name, path in pages.items():
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    counts[name] = len(queries)
print("QUERIES", json.dumps(counts))
"""


def measure_pages(base: str) -> dict:
    results = {}
    for name, path in PAGES.items():
        time_requests(base, path, 5)  # warm up: caches, connections, imports
        timings = time_requests(base, path, REQUESTS_PER_PAGE)
        results[name] = {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95)}
    return results


def throughput_ratio(env: dict, guide_bytes: bytes) -> tuple[float, float, int]:
    """Requests per second for the guide page and for the same bytes as a static file.

    The two are measured in turn, ROUNDS times, and the medians kept, so that a burst of other
    work on the machine during one run does not decide the ratio.
    """
    static_copy = BASE_DIR / "staticfiles" / "bench-guide.html"
    static_copy.write_bytes(guide_bytes)
    page_rates, static_rates, failures = [], [], 0
    try:
        with gunicorn(env) as base:
            wrk(base + PAGES["a guide"], seconds=2, connections=WRK_CONNECTIONS)  # warm up
            for _ in range(ROUNDS):
                for path, rates in ((PAGES["a guide"], page_rates), (STATIC_PATH, static_rates)):
                    rate, bad, errors, _ = wrk(
                        base + path, seconds=WRK_SECONDS, connections=WRK_CONNECTIONS
                    )
                    rates.append(rate)
                    failures += bad + errors
    finally:
        static_copy.unlink(missing_ok=True)
    return statistics.median(page_rates), statistics.median(static_rates), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale",
        type=int,
        default=int(os.environ.get("BENCH_SCALE") or 10),
        help="how many times 1,000 guides, 300 scripts and 5,000 resources (default 10)",
    )
    scale = parser.parse_args().scale
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.time()
    load_before = os.getloadavg()
    with bench_database() as (database_url, engine):
        env = prod_env(DATABASE_URL=database_url, GUNICORN_WORKERS="2", GUNICORN_ACCESS_LOG="")
        if redis_available():
            env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
            import redis

            redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        print(f"Database: {engine}; cache: {'Redis' if 'REDIS_URL' in env else 'a folder'}")
        manage("migrate", "--noinput", "-v0", env=env)
        manage("load_content", "-v0", env=env)
        print(subprocess.run([sys.executable, "bench/seed.py", str(scale)], cwd=BASE_DIR, env=env,
                             capture_output=True, text=True, check=True).stdout.strip())  # fmt: skip
        manage("collectstatic", "--noinput", "-v0", env=env)

        output = manage(
            "shell", "-c", QUERY_COUNT_SCRIPT.format(pages=json.dumps(PAGES)), env=env
        ).stdout
        queries = json.loads(output.split("QUERIES", 1)[1])

        with gunicorn(env) as base:
            cached = measure_pages(base)
            import urllib.request

            request = urllib.request.Request(
                base + PAGES["a guide"], headers={"X-Forwarded-Proto": "https"}
            )
            guide_bytes = urllib.request.urlopen(request).read()  # noqa: S310 (our own server)
        with gunicorn({**env, "HUB_PAGE_CACHE_SECONDS": "0"}) as base:
            uncached = measure_pages(base)

        throughput = {
            "one server, a cache folder shared by its workers": throughput_ratio(
                {k: v for k, v in env.items() if k != "REDIS_URL"}, guide_bytes
            )
        }
        if "REDIS_URL" in env:
            throughput["several servers, shared Redis cache"] = throughput_ratio(env, guide_bytes)

    lines = [
        "# Benchmark results",
        "",
        f"Run by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {__import__('os').cpu_count()} CPUs, Python {platform.python_version()}.",
        f"Database: {engine}, seeded with {1000 * scale:,} guides, {300 * scale:,} scripts and "
        f"{5000 * scale:,} resources (scale {scale}, plus the starter content). "
        f"Cache: {'Redis' if 'REDIS_URL' in env else 'a folder'}. "
        "gunicorn with 2 workers, production settings.",
        f"Load average (1, 5, 15 minutes) when the bench started: "
        f"{', '.join(f'{n:.1f}' for n in load_before)}; when it ended: "
        f"{', '.join(f'{n:.1f}' for n in os.getloadavg())}. Above the number of CPUs, other work "
        "on the machine slows every page, so compare rows run together rather than runs.",
        "",
        "## Server time per page",
        "",
        f"{REQUESTS_PER_PAGE} requests per page, one after another on one keep-alive connection over "
        "loopback, so the time is the server's plus well under a millisecond of network. "
        "*Cached* is what readers usually get (anonymous pages come from the shared page cache); "
        "*uncached* has the page cache turned off, so every request renders the page from the database. "
        "Search pages are never served from the page cache, because every search is counted in "
        "the query log (one upsert per request): both search columns are real searches.",
        "",
        "| page | queries | cached p50 | cached p95 | uncached p50 | uncached p95 | target p95 | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    all_met = True
    for name in PAGES:
        worst = max(cached[name]["p95"], uncached[name]["p95"])
        met = worst <= TARGET_MS[name]
        all_met &= met
        lines.append(
            f"| {name} | {queries[name]} | {cached[name]['p50']:.1f} ms | {cached[name]['p95']:.1f} ms "
            f"| {uncached[name]['p50']:.1f} ms | {uncached[name]['p95']:.1f} ms | {TARGET_MS[name]} ms "
            f"| {'yes' if met else 'NO'} |"
        )
    lines += [
        "",
        "The target is checked against the slower of the two columns.",
        "",
        "## Throughput: a guide page against the same bytes as a static file",
        "",
        f"wrk, {WRK_CONNECTIONS} connections, the same gunicorn and whitenoise, measured in one run: "
        f"{ROUNDS} rounds of {WRK_SECONDS} s on the page then {WRK_SECONDS} s on the file, medians shown. "
        f"The static file is the guide page's own HTML ({len(guide_bytes):,} bytes) served from "
        "`staticfiles/` by whitenoise.",
        "",
        "| deployment | guide page requests/s | static file requests/s | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for mode, (page_rate, static_rate, bad) in throughput.items():
        ratio = page_rate / static_rate
        met = ratio >= TARGET_RATIO and bad == 0
        all_met &= met
        lines.append(
            f"| {mode} | {page_rate:,.0f} | {static_rate:,.0f} | {ratio:.2f} | {TARGET_RATIO} "
            f"| {'yes' if met else 'NO'} |"
        )
    lines += [
        "",
        "No request failed or answered other than 2xx in any run."
        if all(bad == 0 for _, _, bad in throughput.values())
        else "Some requests failed: see the raw wrk output.",
        "",
        "A cached page is served from the worker's own memory once the worker knows the content "
        "generation is still current. With Redis, each worker learns of an editor's change from a "
        "Redis subscription, checked without a round trip (see core/cache.py); with a cache folder, "
        "it reads one small file. So neither deployment pays a network round trip per page.",
        "",
        f"## Verdict\n\n{'Every target is met.' if all_met else 'Not every target is met: see the rows marked NO above.'}",
        "",
        f"Total bench time: {time.time() - started:.0f} s.",
    ]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
