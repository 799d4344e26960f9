from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import content_files
from resources.models import Guide, Resource, Script


class Command(BaseCommand):
    help = (
        "Load guides, scripts, resources and the rest from content files (default: content/). "
        "Updates by slug; all or nothing; prints path:line: message for every problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Files or folders to load.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but change nothing."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a hub with no guides, scripts or resources yet, so that a "
            "restarted server never writes over editors' work.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write over items changed in admin since they were last loaded or exported. "
            "Their admin versions stay in their history.",
        )

    def handle(self, *args, paths, dry_run, if_empty, force, verbosity, **options):
        if if_empty and any(m.objects.exists() for m in (Guide, Script, Resource)):
            self.stdout.write("The hub already has content; nothing loaded.")
            return
        paths = paths or [Path(settings.BASE_DIR) / "content"]
        try:
            counts = content_files.load(paths, dry_run=dry_run, force=force)
        except content_files.ContentError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            noun = "problem" if len(error.problems) == 1 else "problems"
            raise CommandError(
                f"{len(error.problems)} {noun} found; nothing was loaded.", returncode=1
            ) from None
        for warning in counts.warnings:
            self.stderr.write(f"{warning} (warning)")
        if verbosity >= 2:
            for kind, numbers in sorted(counts.by_kind.items()):
                self.stdout.write(
                    f"  {kind}: {numbers['created']} created, {numbers['updated']} updated, "
                    f"{numbers['unchanged']} unchanged"
                )
        prefix = "Dry run, nothing saved: would have " if dry_run else ""
        summary = (
            f"{prefix}{counts.total('created')} created, {counts.total('updated')} updated, "
            f"{counts.total('unchanged')} unchanged."
        )
        self.stdout.write(self.style.SUCCESS(summary) if not dry_run else summary)
