"""`make load`: 60 s of wrk at 64 connections on the home page and a guide, with feedback posted
throughout. Passes when no request fails, nothing answers 5xx, and every feedback answer is stored.
Writes bench/results/load.md.
"""

import re
import sys
import threading
import time

from common import (
    BASE_DIR,
    RESULTS,
    HttpSession,
    bench_database,
    gunicorn,
    manage,
    prod_env,
    redis_available,
    wrk,
)

SECONDS = 60
CONNECTIONS = 64


def post_feedback_until(
    base: str, stop: threading.Event, sent: list[int], failed: list[str]
) -> None:
    while not stop.is_set():
        browser = HttpSession(base)
        try:
            token = browser.csrf_token("/feedback/?page=/&useful=yes")
            status, _, _ = browser.post(
                "/feedback/",
                {"page": "/guides/giving-feedback/", "useful": "yes", "comment": "Clear.",
                 "csrfmiddlewaretoken": token},
            )  # fmt: skip
            if status == 200:
                sent.append(1)
            else:
                failed.append(f"status {status}")
        except OSError as error:
            failed.append(str(error))
        time.sleep(0.2)


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with bench_database() as (database_url, engine):
        env = prod_env(
            DATABASE_URL=database_url,
            GUNICORN_WORKERS="3",
            GUNICORN_ACCESS_LOG="",
            HUB_FEEDBACK_PER_HOUR="1000000",
        )
        if redis_available():
            env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
        manage("migrate", "--noinput", "-v0", env=env)
        manage("load_content", "-v0", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        with gunicorn(env) as base:
            stop, sent, failed = threading.Event(), [], []
            poster = threading.Thread(target=post_feedback_until, args=(base, stop, sent, failed))
            poster.start()
            try:
                rate, non_2xx, socket_errors, output = wrk(
                    base,
                    seconds=SECONDS,
                    connections=CONNECTIONS,
                    script=str(BASE_DIR / "bench" / "load.lua"),
                )
            finally:
                stop.set()
                poster.join()
        stored = int(
            manage(
                "shell",
                "-c",
                "from feedback.models import Feedback; print(Feedback.objects.count())",
                env=env,
            ).stdout.split()[-1]
        )
    total = int(re.search(r"(\d+) requests in", output).group(1))
    ok = non_2xx == 0 and socket_errors == 0 and not failed and stored == len(sent)
    report = "\n".join(
        [
            "# Load test",
            "",
            f"`make load` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: wrk for {SECONDS} s at "
            f"{CONNECTIONS} connections against the home page and a guide, gunicorn with 3 workers, "
            f"{engine}, {'Redis' if 'REDIS_URL' in env else 'a cache folder'} as the cache.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| requests | {total:,} |",
            f"| requests per second | {rate:,.0f} |",
            f"| non-2xx or 3xx answers | {non_2xx} |",
            f"| socket errors | {socket_errors} |",
            f"| feedback answers posted during the load | {len(sent)} |",
            f"| feedback posts that failed | {len(failed)} |",
            f"| feedback answers stored | {stored} |",
            "",
            f"Result: **{'passed' if ok else 'FAILED'}**.",
            "",
            "```",
            output.strip(),
            "```",
        ]
    )
    (RESULTS / "load.md").write_text(report + "\n")
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
