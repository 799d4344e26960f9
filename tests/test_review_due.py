"""Cron reminds editors what is overdue for review or due soon, grouped by who owns it."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from links.reviews import reviewed_models
from resources.models import Guide, Resource, Script
from tests import factories

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def due(factory, title, in_days, owner=None, **fields):
    """An item last reviewed a year ago whose next review is `in_days` from today."""
    return factory(
        title,
        last_reviewed=days(-365),
        next_review_due=days(in_days),
        owner=owner,
        **fields,
    )


def review_due(*args, stdout=None):
    stdout = stdout if stdout is not None else io.StringIO()
    stderr = io.StringIO()
    try:
        call_command("review_due", *args, stdout=stdout, stderr=stderr)
    except CommandError as error:
        return error.returncode, stdout.getvalue(), str(error)
    except SystemExit as exit:
        return exit.code, stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def ann():
    return User.objects.create_user(
        "ann", email="ann@example.org", first_name="Ann", last_name="Able"
    )


@pytest.fixture
def bob():
    return User.objects.create_user("bob")


@pytest.mark.both_databases
def test_overdue_and_soon_due_items_are_grouped_by_who_owns_them(ann, bob):
    due(factories.script, "Return to work meeting", 10, ann)
    due(factories.guide, "Managing sickness", -5, ann)
    due(factories.resource, "Acas absence advice", 20)
    due(factories.resource, "Old CQC guidance", -40, status="draft")
    due(factories.guide, "Rotas", 3, bob)
    due(factories.guide, "Appraisals", 60, ann)

    status, out, _ = review_due("--json")

    report = json.loads(out)
    assert status == 1, "something is overdue"
    assert (report["overdue"], report["due_soon"], report["days"]) == (2, 3, 30)
    grouped = {
        group["reviewer"]: [
            (item["kind"], item["title"], item["overdue"]) for item in group["items"]
        ]
        for group in report["groups"]
    }
    assert list(grouped) == ["Ann Able", "bob", "No owner"]
    assert grouped["Ann Able"] == [
        ("guide", "Managing sickness", True),
        ("script", "Return to work meeting", False),
    ]
    assert grouped["bob"] == [("guide", "Rotas", False)]
    assert grouped["No owner"] == [
        ("resource", "Old CQC guidance", True),
        ("resource", "Acas absence advice", False),
    ]
    first = report["groups"][0]
    assert first["email"] == "ann@example.org"
    assert first["items"][0]["next_review_due"] == days(-5).isoformat()
    assert "/admin/resources/guide/" in first["items"][0]["admin_url"]


def test_nothing_overdue_exits_0_with_one_summary_line(ann):
    due(factories.guide, "Rotas", 3, ann)

    status, out, _ = review_due()

    assert status == 0
    assert out.strip() == "0 overdue for review and 1 due in the next 30 days, for 1 owner."


def test_something_overdue_exits_1_with_the_summary_on_stdout(ann):
    due(factories.guide, "Managing sickness", -1, ann)

    status, out, err = review_due()

    assert status == 1
    assert out == "1 overdue for review and 0 due in the next 30 days, for 1 owner.\n"
    assert err == ""


def test_an_empty_list_says_so():
    assert review_due() == (0, "Nothing is overdue for review or due in the next 30 days.\n", "")


def test_days_sets_how_far_ahead_to_look(ann):
    due(factories.guide, "Rotas", 10, ann)

    _, out, _ = review_due("--json", "--days", "5")

    assert json.loads(out)["groups"] == []


def test_a_terminal_gets_the_whole_list(ann):
    due(factories.guide, "Managing sickness", 4, ann)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    review_due(stdout=terminal)

    shown = terminal.getvalue()
    assert "Ann Able <ann@example.org>:" in shown
    assert "guide 'Managing sickness'" in shown


def test_editors_are_emailed_the_list(ann, settings):
    settings.EDITOR_EMAILS = ["lead@example.org"]
    due(factories.guide, "Managing sickness", -2, ann)
    due(factories.resource, "Acas absence advice", 7)

    status, out, _ = review_due("--email")

    assert status == 1
    assert "Emailed the list to 1 editor" in out
    [message] = mail.outbox
    assert message.to == ["lead@example.org"]
    assert "1 overdue" in message.subject
    assert "Ann Able <ann@example.org>:" in message.body
    assert "No owner:" in message.body
    assert "OVERDUE since" in message.body


def test_nothing_due_sends_no_email(settings):
    settings.EDITOR_EMAILS = ["lead@example.org"]

    assert review_due("--email")[0] == 0
    assert mail.outbox == []


@pytest.mark.parametrize("arguments", [("--days", "-1"), ("--email",)])
def test_usage_and_configuration_errors_exit_2(arguments, settings):
    settings.EDITOR_EMAILS = []

    assert review_due(*arguments)[0] == 2


@pytest.mark.both_databases
def test_every_kind_of_content_with_a_review_date_is_included():
    assert {Guide, Script, Resource} <= set(reviewed_models())
