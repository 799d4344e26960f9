"""Two kinds of editor: authors write and change content; publishers also put it live, delete it,
restore it, keep the shared lists, and lift login lockouts. All through the admin, as editors
use it."""

import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from core.models import Status
from core.roles import AUTHORS_GROUP, PUBLISHERS_GROUP, can_publish
from resources.models import Guide, Workplace
from tests import factories
from tests.test_admin import guide_form

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def author_client(client):
    client.force_login(factories.author())
    return client


@pytest.fixture
def publisher_client():
    client = Client()  # its own, so a test can hold an author's and a publisher's
    client.force_login(factories.editor("publisher"))
    return client


def form_of(guide, **values):
    fields = ["title", "slug", "status", "summary", "body"]
    return guide_form(**{**{name: getattr(guide, name) for name in fields}, **values})


def action_names(client, model: str) -> set[str]:
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


def publish_from_the_list(client, guide):
    return client.post(
        reverse("admin:resources_guide_changelist"),
        {"action": "publish", "_selected_action": [guide.pk]},
    )


# --- The groups ------------------------------------------------------------------------------


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("codename", flat=True))


@pytest.mark.both_databases
def test_a_migration_makes_authors_and_turns_editors_into_publishers():
    assert not Group.objects.filter(name="Editors").exists()
    authors, publishers = codenames(AUTHORS_GROUP), codenames(PUBLISHERS_GROUP)

    assert {"add_guide", "change_guide", "change_decisiontree", "change_form"} <= authors
    assert {"view_workplace", "view_topic", "view_fact", "view_jargonterm"} <= authors
    assert not {c for c in authors if c.startswith("delete_")}
    assert "publish_content" not in authors
    for shared in ["workplace", "topic", "stage", "fact", "jargonterm", "synonymgroup", "bestbet"]:
        assert f"change_{shared}" not in authors and f"add_{shared}" not in authors
    # Whatever a publisher can see, an author can see.
    assert {c for c in publishers if c.startswith("view_")} - authors <= {
        "view_draft",
        "view_takedown",
        "view_accessattempt",
    }

    assert {"publish_content", "delete_guide", "change_workplace"} <= publishers
    assert {"add_draft", "delete_takedown", "view_accessattempt", "delete_accessattempt"} <= (
        publishers
    )
    assert not {"add_user", "change_user", "view_user", "change_group"} & (publishers | authors)


@pytest.mark.both_databases
def test_everyone_who_was_an_editor_becomes_a_publisher():
    migration = importlib.import_module("core.migrations.0002_authors_and_publishers")
    from django.apps import apps

    sam = factories.editor("sam")
    Group.objects.filter(name=AUTHORS_GROUP).delete()
    Group.objects.filter(name=PUBLISHERS_GROUP).update(name="Editors")  # as before roles

    migration.make_roles(apps, None)

    assert list(sam.groups.values_list("name", flat=True)) == [PUBLISHERS_GROUP]
    assert "delete_guide" in codenames(PUBLISHERS_GROUP)
    assert "change_guide" in codenames(AUTHORS_GROUP)
    sam = User.objects.get(pk=sam.pk)  # no cached permissions
    assert can_publish(sam)


def test_can_publish_follows_the_permission():
    assert can_publish(factories.editor())
    assert not can_publish(factories.author())
    assert can_publish(factories.superuser())


# --- What an author can and cannot do --------------------------------------------------------


def test_an_author_edits_a_draft_guide_but_cannot_publish_it(author_client):
    guide = factories.guide("Giving feedback", status=Status.DRAFT)
    url = reverse("admin:resources_guide_change", args=[guide.pk])

    page = author_client.get(url).content.decode()
    assert 'name="title"' in page
    assert 'name="status"' not in page  # shown, not editable

    response = author_client.post(url, form_of(guide, body="New words.", status="published"))
    assert response.status_code == 302, response.content.decode()[:2000]
    guide.refresh_from_db()
    assert guide.body == "New words."
    assert guide.status == Status.DRAFT

    assert "publish" not in action_names(author_client, "resources_guide")
    assert "record_review" in action_names(author_client, "resources_guide")
    publish_from_the_list(author_client, guide)
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT


def test_a_guide_an_author_adds_is_a_draft(author_client):
    response = author_client.post(reverse("admin:resources_guide_add"), guide_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Guide.objects.get().status == Status.DRAFT


def test_an_author_cannot_delete_a_guide(author_client):
    guide = factories.guide()
    url = reverse("admin:resources_guide_delete", args=[guide.pk])
    assert author_client.get(url).status_code == 403
    assert author_client.post(url, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in action_names(author_client, "resources_guide")
    assert Guide.objects.filter(pk=guide.pk).exists()


def test_an_author_can_see_a_workplace_but_not_change_its_slug(author_client):
    place = factories.workplace("nhs")
    url = reverse("admin:resources_workplace_change", args=[place.pk])
    assert author_client.get(url).status_code == 200  # read-only view
    form = {"name": "NHS", "slug": "the-nhs", "position": "1"}
    assert author_client.post(url, form).status_code == 403
    place.refresh_from_db()
    assert place.slug == "nhs"


def test_an_author_cannot_restore_an_old_version(author_client, publisher_client):
    author_client.post(reverse("admin:resources_guide_add"), guide_form(title="First title"))
    guide = Guide.objects.get()
    change_url = reverse("admin:resources_guide_change", args=[guide.pk])
    author_client.post(change_url, form_of(guide, title="Second title"))
    first = Version.objects.get_for_object(guide).last()

    history = author_client.get(reverse("admin:resources_guide_history", args=[guide.pk]))
    assert history.status_code == 200  # history and compare stay open to authors
    revision = reverse("admin:resources_guide_revision", args=[guide.pk, first.pk])
    assert revision not in history.content.decode()
    as_a_publisher = publisher_client.get(reverse("admin:resources_guide_history", args=[guide.pk]))
    assert revision in as_a_publisher.content.decode()
    assert author_client.get(revision).status_code == 403
    assert author_client.post(revision, guide_form(title="First title")).status_code == 403
    assert author_client.get(reverse("admin:resources_guide_recoverlist")).status_code == 403
    guide.refresh_from_db()
    assert guide.title == "Second title"


@pytest.mark.parametrize(
    "model", ["decisions_decisiontree", "paperwork_form", "resources_script", "resources_resource"]
)
def test_decision_trees_and_forms_follow_the_same_rule(author_client, model):
    assert "publish" not in action_names(author_client, model)


def test_an_author_sees_a_decision_trees_status_but_cannot_change_it(author_client):
    tree = factories.decision_tree(status=Status.DRAFT)
    page = author_client.get(reverse("admin:decisions_decisiontree_change", args=[tree.pk]))
    assert page.status_code == 200
    assert 'name="title"' in page.content.decode()
    assert 'name="status"' not in page.content.decode()


# --- What a publisher can do -----------------------------------------------------------------


def test_a_publisher_publishes_deletes_and_changes_a_workplace(publisher_client):
    guide = factories.guide("Giving feedback", status=Status.DRAFT)
    page = publisher_client.get(reverse("admin:resources_guide_change", args=[guide.pk]))
    assert 'name="status"' in page.content.decode()
    for model in ["resources_guide", "decisions_decisiontree", "paperwork_form"]:
        assert {"publish", "delete_selected"} <= action_names(publisher_client, model)

    assert publish_from_the_list(publisher_client, guide).status_code == 302
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED

    url = reverse("admin:resources_guide_delete", args=[guide.pk])
    assert publisher_client.post(url, {"post": "yes"}).status_code == 302
    assert not Guide.objects.filter(pk=guide.pk).exists()

    place = factories.workplace("nhs")
    url = reverse("admin:resources_workplace_change", args=[place.pk])
    response = publisher_client.post(url, {"name": "NHS", "slug": "the-nhs", "position": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Workplace.objects.get(pk=place.pk).slug == "the-nhs"


def test_a_publisher_sees_lockouts_and_lifts_one(publisher_client, author_client):
    AccessAttempt.objects.create(
        username="locked-out-lee",
        ip_address="203.0.113.9",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/admin/login/",
        failures_since_start=5,
    )
    url = reverse("admin:axes_accessattempt_changelist")
    assert author_client.get(url).status_code == 403

    response = publisher_client.get(url)
    assert response.status_code == 200
    assert "locked-out-lee" in response.content.decode()
    assert "lift_lockout" in action_names(publisher_client, "axes_accessattempt")
    attempt = AccessAttempt.objects.get()
    response = publisher_client.post(
        url, {"action": "lift_lockout", "_selected_action": [attempt.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()


# --- Accounts --------------------------------------------------------------------------------


def test_create_editor_with_the_author_role_makes_an_author(monkeypatch):
    monkeypatch.setenv("HUB_EDITOR_PASSWORD", "a-long-and-unusual-passphrase-42")
    call_command("create_editor", "ali", "--role", "author", "--no-input", stdout=io.StringIO())
    ali = User.objects.get(username="ali")
    assert ali.is_staff and not ali.is_superuser
    assert list(ali.groups.values_list("name", flat=True)) == [AUTHORS_GROUP]
    assert not can_publish(ali)


def test_create_editor_with_no_terminal_says_to_use_no_input(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(CommandError) as error:
        call_command("create_editor", "ali")
    assert error.value.returncode == 2
    assert "--no-input" in str(error.value) and "HUB_EDITOR_PASSWORD" in str(error.value)
    assert not User.objects.filter(username="ali").exists()


@pytest.mark.django_db(False)
def test_create_editor_run_with_no_terminal_exits_without_a_traceback():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings.test"}
    with open(os.devnull) as nothing:
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", "create_editor", "ali"],
            stdin=nothing,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=60,
        )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--no-input" in result.stderr and "HUB_EDITOR_PASSWORD" in result.stderr


def test_create_editor_help_says_what_each_role_can_do(capsys):
    with pytest.raises(SystemExit):
        call_command("create_editor", "--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "--role {author,publisher}" in text
    assert "Cannot publish" in text and "lifts login lockouts" in text


def test_an_editor_resets_a_forgotten_password_by_email(client):
    factories.author("ali", email="ali@example.org")
    login = client.get(reverse("admin:login")).content.decode()
    assert "Forgotten your login credentials?" in login
    assert reverse("admin_password_reset") in login

    page = client.get(reverse("admin_password_reset"))
    assert page.status_code == 200
    assert "Managing people well" in page.content.decode()
    response = client.post(reverse("admin_password_reset"), {"email": "ali@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ali@example.org"]
    assert "Managing people well" in message.subject
    link = re.search(r"https?://testserver(/\S+/reset/\S+/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "a-brand-new-long-passphrase-7"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert done.status_code == 200
    assert reverse("admin:login") in done.content.decode()
    assert User.objects.get(username="ali").check_password(new)


def test_no_email_goes_to_an_address_no_editor_has(client):
    response = client.post(reverse("admin_password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer, so addresses cannot be guessed
    assert mail.outbox == []


def test_the_admin_says_the_hubs_name(publisher_client):
    page = publisher_client.get(reverse("admin:index")).content.decode()
    assert "Managing people well" in page
    assert "Django administration" not in page
