import json

from django.core.management.base import BaseCommand, CommandError

from plain_english.checker import DEFAULT_MIN_SCORE
from plain_english.services import check_published


class Command(BaseCommand):
    help = (
        "Check every text readers see on every published page (titles, summaries, bodies, "
        "glosses, notes, decision-tool steps...) for plain English: reading ease at or above "
        "--min-score, no sentence over 25 words and no unexplained HR jargon. Passive voice and "
        "long paragraphs are reported as warnings. Exit status 1 when any page fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, min_score, as_json, verbosity, **options):
        pages = check_published(min_score=min_score)
        failing = [page for page in pages if not page.passes(min_score)]
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "checked": len(pages),
                        "failed": len(failing),
                        "min_score": min_score,
                        "results": [
                            {
                                "kind": page.kind,
                                "slug": page.slug,
                                "title": page.title,
                                "passes": page.passes(min_score),
                                **page.report.as_dict(),
                            }
                            for page in pages
                        ],
                    },
                    indent=2,
                )
            )
        else:
            for page in failing:
                self.stdout.write(
                    f"{page.kind} {page.slug}: reading ease {page.report.reading_ease}"
                    f" (at least {min_score:g} needed)"
                )
                for group in page.report.by_sentence():
                    problems = "; ".join(f.message for f in group.findings if f.fails)
                    if problems:
                        self.stdout.write(f"  - {group.field}: {problems}, in: {group.sentence}")
            if verbosity >= 2:
                for page in pages:
                    for finding in page.report.findings:
                        if not finding.fails:
                            self.stdout.write(f"  {page.slug}, {finding.field}: {finding.message}")
            self.stdout.write(
                f"{len(pages)} published pages checked, {len(failing)} need plainer English."
            )
        if failing:
            raise CommandError(f"{len(failing)} page(s) need plainer English.", returncode=1)
