from pathlib import Path

from django.core.management.base import BaseCommand

from core import content_files


class Command(BaseCommand):
    help = "Write every item in the database to DIR in the content file format."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        content_files.export(directory)
        self.stdout.write(self.style.SUCCESS(f"Exported the hub's content to {directory}."))
