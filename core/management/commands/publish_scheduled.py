import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.dateparse import parse_datetime

from core.publishing import run_schedule


class Command(BaseCommand):
    help = (
        "Publish every draft whose 'go live at' time has come, and take down every page whose "
        "'take down at' time has come. For cron, every few minutes; safe to run on several "
        "servers at once (each change is made once). Exit status: 0 all done, 1 a scheduled "
        "draft could not go live (it stays a draft, with the reasons), 2 usage or configuration "
        "error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print what was done as JSON."
        )
        parser.add_argument(
            "--now",
            default=None,
            help="Act as if it were this time (ISO 8601, with a time zone), to check a schedule.",
        )

    def handle(self, *args, as_json, now, verbosity, **options):
        when = None
        if now is not None:
            when = parse_datetime(now)
            if when is None or when.tzinfo is None:
                raise CommandError(
                    f"--now {now!r}: give a date and time with a time zone, like "
                    "2027-01-01T00:00:00+00:00.",
                    returncode=2,
                )
        try:
            report = run_schedule(when)
        except DatabaseError as error:
            raise CommandError(f"Cannot reach the database: {error}", returncode=2) from None
        summary = (
            f"Published {len(report.published)}, took down {len(report.taken_down)}, "
            f"{len(report.failed)} could not go live."
        )
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "published": report.published,
                        "taken_down": report.taken_down,
                        "failed": report.failed,
                    },
                    indent=2,
                )
            )
        elif verbosity:
            for failure in report.failed:
                self.stdout.write(
                    f"Not published: {failure['item']}: {' '.join(failure['problems'])}"
                )
            self.stdout.write(summary)
        if report.failed:
            sys.exit(1)
