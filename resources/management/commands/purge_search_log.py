from django.core.management.base import BaseCommand, CommandError

from resources.search import SEARCH_LOG_DAYS, purge_search_log


class Command(BaseCommand):
    help = (
        f"Delete search counts older than {SEARCH_LOG_DAYS} days. Safe to run from cron on "
        "every server, as often as you like: searches also purge old days as they are logged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=SEARCH_LOG_DAYS,
            help=f"Keep this many days, today included (default {SEARCH_LOG_DAYS}, the most).",
        )

    def handle(self, *args, days, verbosity, **options):
        if not 1 <= days <= SEARCH_LOG_DAYS:
            raise CommandError(f"--days must be between 1 and {SEARCH_LOG_DAYS}.", returncode=2)
        deleted = purge_search_log(days=days)
        if verbosity:
            self.stdout.write(f"Deleted {deleted} search count{'s' if deleted != 1 else ''}.")
