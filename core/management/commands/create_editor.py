import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.accounts import create_editor


class Command(BaseCommand):
    help = (
        "Create an editor account: a staff user in the Editors group who can curate content "
        "but cannot manage users. Asks for a password "
        "(or reads HUB_EDITOR_PASSWORD with --no-input)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Take the password from the HUB_EDITOR_PASSWORD environment variable.",
        )

    def handle(self, *args, username, email, interactive, **options):
        if interactive:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords were different.", returncode=2)
        else:
            password = os.environ.get("HUB_EDITOR_PASSWORD", "")
            if not password:
                raise CommandError("Set HUB_EDITOR_PASSWORD to use --no-input.", returncode=2)
        try:
            create_editor(username=username, password=password, email=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self.stdout.write(self.style.SUCCESS(f"Editor {username!r} created."))
