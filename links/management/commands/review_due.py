import json
import sys

from django.core.management.base import BaseCommand, CommandError

from links.digest import editor_addresses, send_to_editors
from links.reviews import review_due


class Command(BaseCommand):
    help = (
        "List guides, scripts, resources and anything else with a review date that is overdue "
        "or due within --days days, grouped by owner. Prints one summary line (the list too "
        "on a terminal; with --json, the summary goes to stderr). Exit status: 0 nothing "
        "overdue, 1 something overdue, 2 usage or configuration error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="How far ahead to look (default 30)."
        )
        parser.add_argument(
            "--email", action="store_true", help="Email editors the list, when there is one."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the list as JSON."
        )

    def handle(self, *args, days, email, as_json, verbosity, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.", returncode=2)
        recipients = editor_addresses() if email else []
        if email and not recipients:
            raise CommandError(
                "--email: nobody to send to. Set HUB_EDITOR_EMAILS, or give editors an email "
                "address.",
                returncode=2,
            )
        report = review_due(days=days)
        summary = report.summary()
        digest = report.digest() if email else None
        if digest:
            sent = send_to_editors(subject=digest[0], body=digest[1], recipients=recipients)
            summary += f" Emailed the list to {sent} {'editor' if sent == 1 else 'editors'}."
        if as_json:
            self.stdout.write(json.dumps(report.as_json(), indent=2))
        elif self.stdout.isatty():
            for line in report.lines():
                self.stdout.write(line)
        style = self.style.WARNING if report.overdue else self.style.SUCCESS
        if as_json:
            # stdout holds only the JSON, for scripts that read it.
            if report.overdue and verbosity:
                self.stderr.write(summary, style_func=style)
        elif verbosity:
            self.stdout.write(summary, style_func=style)
        if report.overdue:
            # The summary is news, not an error; the exit status tells cron something is overdue.
            self.stdout.flush()
            sys.exit(1)
