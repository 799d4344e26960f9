import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.accounts import create_editor
from core.roles import AUTHOR, PUBLISHER, ROLE_GROUPS, ROLE_HELP


class Command(BaseCommand):
    help = (
        "Create an editor account: a staff user who can curate content but cannot manage users. "
        f"An author {ROLE_HELP[AUTHOR]}. A publisher {ROLE_HELP[PUBLISHER]}. "
        "Asks for a password (or reads HUB_EDITOR_PASSWORD with --no-input)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Their email address, to reset a password.")
        parser.add_argument(
            "--role",
            choices=list(ROLE_GROUPS),
            default=PUBLISHER,
            help=(f"author: {ROLE_HELP[AUTHOR]}. publisher (the default): {ROLE_HELP[PUBLISHER]}."),
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Take the password from the HUB_EDITOR_PASSWORD environment variable.",
        )

    def handle(self, *args, username, email, role, interactive, **options):
        if interactive:
            if not _stdin_is_a_terminal():
                raise CommandError(
                    "There is no terminal to type a password into. Use --no-input, and set "
                    "the HUB_EDITOR_PASSWORD environment variable to the password.",
                    returncode=2,
                )
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords were different.", returncode=2)
        else:
            password = os.environ.get("HUB_EDITOR_PASSWORD", "")
            if not password:
                raise CommandError("Set HUB_EDITOR_PASSWORD to use --no-input.", returncode=2)
        try:
            create_editor(username=username, password=password, email=email, role=role)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self.stdout.write(self.style.SUCCESS(f"{role.title()} {username!r} created."))


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # closed or replaced by something without isatty
        return False
