import json
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from links.digest import editor_addresses, send_to_editors
from links.fetch import CheckConfig
from links.linkcheck import AnotherRunIsChecking, LinkReport, NoInternet, check_links
from links.models import FAILURES, MAX_URL_LENGTH, Outcome
from links.usage import internal_report

PROGRESS_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Check every external link in resources and Markdown fields, store the results for the "
        "admin link report, and notice when a resource's page changes. Links that are not "
        "checked (too long, or not http or https) are listed with the reason. Prints one "
        "summary line "
        "(a progress bar and the problems on a terminal). Links to the hub's own pages are "
        "reported too (`internal_links` in the JSON, each with an outcome: ok, missing or "
        "not_live); they do not change the exit status. Exit status: 0 nothing broken, "
        "1 something broken, 2 usage or configuration error, or the internet cannot be reached "
        "(none of HUB_LINKCHECK_CANARY_URLS answers: nothing is recorded and no email sent). "
        "Exits 0 without checking when another run holds the lock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the results as JSON."
        )
        parser.add_argument(
            "--only-due",
            action="store_true",
            help=(
                "Check only links that are due: never checked, not working last time, last "
                "checked more than LINKCHECK_RECHECK_DAYS days ago, or used by a resource "
                "due for review within 30 days."
            ),
        )
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            dest="urls",
            metavar="URL",
            help="Check only this address (may be given more than once).",
        )
        parser.add_argument(
            "--email",
            action="store_true",
            help="Email editors a digest: links broken two runs in a row, moved, or changed.",
        )

    def handle(self, *args, as_json, only_due, urls, email, verbosity, **options):
        if urls and only_due:
            raise CommandError("Give --url or --only-due, not both.", returncode=2)
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise CommandError(
                    f"--url {url!r}: only http:// and https:// addresses can be checked.",
                    returncode=2,
                )
            if len(url) > MAX_URL_LENGTH:
                raise CommandError(
                    f"--url: addresses longer than {MAX_URL_LENGTH} characters are not checked.",
                    returncode=2,
                )
        config = CheckConfig.from_settings()
        if problems := config.problems():
            raise CommandError(" ".join(problems), returncode=2)
        recipients = editor_addresses() if email else []
        if email and not recipients:
            raise CommandError(
                "--email: nobody to send to. Set HUB_EDITOR_EMAILS, or give editors an email "
                "address.",
                returncode=2,
            )
        on_terminal = self.stdout.isatty() and not as_json
        try:
            report = check_links(
                urls=urls,
                only_due=only_due,
                config=config,
                progress=self.draw_progress if on_terminal else None,
            )
        except AnotherRunIsChecking:
            message = "Another check_links run holds the lock, so this one checked nothing."
            if as_json:
                self.stderr.write(message)
                self.stdout.write(json.dumps(LinkReport().as_json()))
            else:
                self.stdout.write(message)
            return
        except NoInternet as offline:
            if as_json:
                self.stdout.write(
                    json.dumps({**LinkReport().as_json(), "internet": False, "tried": offline.urls})
                )
            raise CommandError(str(offline), returncode=2) from None

        summary = report.summary()
        digest = report.digest() if email else None
        if digest:
            sent = send_to_editors(subject=digest[0], body=digest[1], recipients=recipients)
            summary += f" Emailed the digest to {sent} {'editor' if sent == 1 else 'editors'}."
        internal = None if urls else internal_report()
        if as_json:
            output = report.as_json()
            if internal is not None:
                output["internal_links"] = internal
            self.stdout.write(json.dumps(output, indent=2))
        elif on_terminal:
            self.stdout.write("")
            self.write_problems(report, everything=verbosity >= 2)
            if internal is not None:
                self.write_internal_problems(internal)
        if report.needs_editors:
            raise CommandError(summary, returncode=1)
        if not as_json and verbosity:
            self.stdout.write(self.style.SUCCESS(summary))

    def draw_progress(self, done: int, total: int) -> None:
        filled = PROGRESS_WIDTH * done // total if total else PROGRESS_WIDTH
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        self.stdout.write(f"\rChecking links [{bar}] {done}/{total}", ending="")
        self.stdout.flush()

    def write_problems(self, report: LinkReport, *, everything: bool) -> None:
        for result in report.results:
            if result.outcome == Outcome.OK and not result.content_changed and not everything:
                continue
            line = f"{result.outcome.upper():10} {result.url}"
            if result.moved_permanently:
                line += f" -> now at {result.suggested_url}"
            elif result.outcome == Outcome.REDIRECTED:
                line += f" -> for now {result.final_url}"
            if result.error:
                line += f"  ({result.error})"
            if result.content_changed:
                line += "  [page changed]"
            style = self.style.ERROR if result.outcome in FAILURES else self.style.WARNING
            self.stdout.write(style(line) if result.outcome != Outcome.OK else line)
        for link in report.skipped:
            shown = link.url if len(link.url) <= 100 else f"{link.url[:100]}..."
            self.stdout.write(self.style.WARNING(f"{'SKIPPED':10} {shown}  ({link.message})"))

    def write_internal_problems(self, internal: dict) -> None:
        labels = {"missing": "NO PAGE", "not_live": "NOT LIVE"}
        for result in internal["results"]:
            if result["outcome"] in labels:
                places = ", ".join(usage["object"] for usage in result["used_in"])
                line = f"{labels[result['outcome']]:10} {result['url']}  (in {places})"
                self.stdout.write(self.style.WARNING(line))
