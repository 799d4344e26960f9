"""Editors change live advice safely: drafts of live pages, approval, no lost edits, a schedule."""

import datetime
import json
import threading

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Draft, Status, TakeDown
from decisions.models import Answer, Question
from tests import factories
from tests.admin_pages import change_form

pytestmark = pytest.mark.django_db


def author(username="author") -> User:
    """Can edit guides and decision tools, but not publish them."""
    user = User.objects.create_user(
        username=username, password="a-long-test-password-1", is_staff=True
    )
    user.email = f"{username}@example.org"
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_guide",
                "change_guide",
                "view_decisiontree",
                "change_decisiontree",
                "view_question",
                "change_question",
                "view_answer",
                "change_answer",
                "add_answer",
            ]
        )
    )
    return user


def publisher(username="publisher") -> User:
    user = User.objects.create_superuser(
        username=username, password="a-long-test-password-1", email=f"{username}@example.org"
    )
    return user


class EditorsBrowser(Client):
    """An editor's browser. Each request's work is committed, as on a real server, so work
    waiting for the commit (the public pages' cache being cleared) runs at its end."""

    capture = None

    def request(self, **request):
        with EditorsBrowser.capture(execute=True):
            return super().request(**request)


@pytest.fixture(autouse=True)
def _commits_run(django_capture_on_commit_callbacks):
    EditorsBrowser.capture = staticmethod(django_capture_on_commit_callbacks)


def logged_in(user) -> Client:
    client = EditorsBrowser()
    client.force_login(user)
    return client


def guide_url(guide) -> str:
    return reverse("admin:resources_guide_change", args=[guide.pk])


def public_text(guide) -> str:
    response = Client().get(guide.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_authors_edit_to_a_live_guide_waits_for_a_publisher():
    guide = factories.guide("Giving feedback", body="Say what went well.")
    writer, boss = author(), publisher()
    as_author = logged_in(writer)

    form = change_form(as_author, guide_url(guide), body="Say what went well, then one thing.")
    form["_approval_note"] = ["Added one thing to work on."]
    form["_submit_for_approval"] = ["Submit for approval"]
    response = as_author.post(guide_url(guide), form)

    assert response.status_code == 302
    assert "then one thing" not in public_text(guide)
    guide.refresh_from_db()
    assert guide.body == "Say what went well."
    draft = Draft.objects.get()
    assert draft.state == Draft.State.SUBMITTED
    assert [message.to for message in mail.outbox] == [[boss.email]]
    assert "Added one thing to work on." in mail.outbox[0].body

    # The author sees the draft when they open the page again, not the live text.
    page = as_author.get(guide_url(guide)).content.decode()
    assert "then one thing" in page
    assert "Approve and publish" not in page

    # An author cannot approve it.
    as_author.post(reverse("admin:resources_guide_draft_publish", args=[guide.pk]))
    assert "then one thing" not in public_text(guide)

    as_publisher = logged_in(boss)
    home = as_publisher.get(reverse("admin:index")).content.decode()
    assert "Waiting for your approval" in home and "Giving feedback" in home
    preview = as_publisher.get(reverse("admin:resources_guide_preview", args=[guide.pk]))
    assert "then one thing" in preview.content.decode()
    compare = as_publisher.get(reverse("admin:resources_guide_draft_compare", args=[guide.pk]))
    assert "then one thing" in compare.content.decode()

    as_publisher.post(reverse("admin:resources_guide_draft_publish", args=[guide.pk]))

    assert "then one thing" in public_text(guide)
    assert not Draft.objects.exists()
    history = as_publisher.get(reverse("admin:resources_guide_history", args=[guide.pk]))
    assert "Draft submitted for approval" in history.content.decode()
    assert "Approved and published" in history.content.decode()


def test_a_publisher_can_send_a_draft_back_with_a_comment():
    guide = factories.guide("Giving feedback", body="Say what went well.")
    writer = author()
    as_author = logged_in(writer)
    form = change_form(as_author, guide_url(guide), body="Say it all.")
    form["_submit_for_approval"] = ["Submit for approval"]
    as_author.post(guide_url(guide), form)

    as_publisher = logged_in(publisher())
    as_publisher.post(
        reverse("admin:resources_guide_draft_request_changes", args=[guide.pk]),
        {"comment": "Please keep the first sentence."},
    )

    draft = Draft.objects.get()
    assert draft.state == Draft.State.CHANGES_REQUESTED
    assert "Please keep the first sentence." in as_author.get(guide_url(guide)).content.decode()
    assert mail.outbox[-1].to == [writer.email]
    assert "Say it all." not in public_text(guide)


def test_a_second_editors_stale_save_is_refused_and_both_edits_survive():
    guide = factories.guide("Giving feedback", summary="Old summary.", body="Old body.")
    first, second = logged_in(publisher("first")), logged_in(publisher("second"))
    first_form = change_form(first, guide_url(guide), summary="New summary from the first.")
    second_form = change_form(second, guide_url(guide), body="New body from the second.")

    assert first.post(guide_url(guide), first_form).status_code == 302
    refused = second.post(guide_url(guide), second_form)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "first changed this page after you opened it" in page
    assert "New summary from the first." in page  # what the other person changed
    assert "New body from the second." in page  # the second editor's work is still in the form
    guide.refresh_from_db()
    assert (guide.summary, guide.body) == ("New summary from the first.", "Old body.")

    # Opened again, the second editor's change goes in on top of the first's.
    again = change_form(second, guide_url(guide), body="New body from the second.")
    assert second.post(guide_url(guide), again).status_code == 302
    guide.refresh_from_db()
    assert (guide.summary, guide.body) == (
        "New summary from the first.",
        "New body from the second.",
    )


def test_a_draft_scheduled_for_a_time_goes_live_when_publish_scheduled_runs_after_it():
    guide = factories.guide("Sick pay", body="The old rules.")
    as_publisher = logged_in(publisher())
    form = change_form(as_publisher, guide_url(guide), body="The new rules from April.")
    form["_save_draft"] = ["Save as draft"]
    as_publisher.post(guide_url(guide), form)
    go_live = timezone.localtime() + datetime.timedelta(hours=1)
    go_live = go_live.replace(second=0, microsecond=0)
    schedule = reverse("admin:resources_guide_schedule", args=[guide.pk])
    as_publisher.post(schedule, {"go_live_at": go_live.strftime("%Y-%m-%dT%H:%M")})
    assert Draft.objects.get().go_live_at == go_live

    call_command_output(
        "publish_scheduled", now=(go_live - datetime.timedelta(minutes=1)).isoformat()
    )
    assert "The new rules from April." not in public_text(guide)

    out = call_command_output("publish_scheduled", "--json", now=go_live.isoformat())
    assert json.loads(out)["published"] == ["Sick pay"]
    assert "The new rules from April." in public_text(guide)


def test_a_page_set_to_come_down_goes_at_its_time():
    guide = factories.guide("Old law")
    as_publisher = logged_in(publisher())
    soon = timezone.localtime() + datetime.timedelta(minutes=5)
    as_publisher.post(
        reverse("admin:resources_guide_schedule", args=[guide.pk]),
        {"take_down_at": soon.strftime("%Y-%m-%dT%H:%M")},
    )
    assert TakeDown.objects.count() == 1

    call_command_output("publish_scheduled")
    assert Client().get(guide.get_absolute_url()).status_code == 200

    call_command_output("publish_scheduled", now=(soon + datetime.timedelta(minutes=1)).isoformat())
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT
    assert Client().get(guide.get_absolute_url()).status_code == 404


@pytest.mark.both_databases
@pytest.mark.django_db(transaction=True)
def test_two_publish_scheduled_started_together_publish_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; PostgreSQL is where servers race")
    guide = factories.guide("Sick pay", body="The old rules.")
    as_publisher = logged_in(publisher())
    form = change_form(as_publisher, guide_url(guide), body="The new rules.")
    form["_save_draft"] = ["Save as draft"]
    as_publisher.post(guide_url(guide), form)
    Draft.objects.update(go_live_at=timezone.now())
    outputs, start = [], threading.Barrier(2)

    def run():
        start.wait()
        outputs.append(json.loads(call_command_output("publish_scheduled", "--json")))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(len(output["published"]) for output in outputs) == [0, 1]
    from reversion.models import Version

    comments = [v.revision.comment for v in Version.objects.get_for_object(guide)]
    assert comments.count("Published on schedule.") == 1


def test_a_decision_tool_edited_into_a_loop_from_a_question_page_stays_as_it_was_live():
    tree = factories.decision_tree()
    second = Question.objects.get(tree=tree, slug="second")
    first = Question.objects.get(tree=tree, slug="first")
    as_publisher = logged_in(publisher())
    url = reverse("admin:decisions_question_change", args=[second.pk])
    form = change_form(as_publisher, url)
    yes = next(key for key, value in form.items() if key.endswith("-label") and value == ["Yes"])
    prefix = yes.removesuffix("-label")
    form[f"{prefix}-next_question"] = [str(first.pk)]
    form[f"{prefix}-outcome"] = [""]

    response = as_publisher.post(url, form, follow=True)

    page = response.content.decode()
    assert "Readers could get stuck" in page
    tree.refresh_from_db()
    assert tree.status == Status.PUBLISHED
    assert Client().get(tree.get_absolute_url()).status_code == 200
    live_yes = Answer.objects.get(question=second, label="Yes")
    assert live_yes.next_question_id is None  # the last good version is what readers get
    assert Draft.objects.for_object(tree).exists()


def test_a_decision_tool_with_a_loop_published_from_the_list_stays_a_draft():
    tree = factories.decision_tree(loop=True, status=Status.DRAFT)
    as_publisher = logged_in(publisher())
    response = as_publisher.post(
        reverse("admin:decisions_decisiontree_changelist"),
        {"action": "publish", "_selected_action": [tree.pk]},
        follow=True,
    )
    assert "Readers could get stuck" in response.content.decode()
    tree.refresh_from_db()
    assert tree.status == Status.DRAFT


def call_command_output(*args, **kwargs) -> str:
    import io

    out = io.StringIO()
    try:
        with EditorsBrowser.capture(execute=True):  # cron's work commits, as in production
            call_command(*args, stdout=out, **kwargs)
    except SystemExit:
        pass
    return out.getvalue()


def test_an_authors_new_page_goes_live_when_a_publisher_approves_it():
    guide = factories.guide("Night shifts", body="Plan the rota early.", status=Status.DRAFT)
    as_author = logged_in(author())
    form = change_form(as_author, guide_url(guide), body="Plan the rota early. Ask who can help.")
    form["_submit_for_approval"] = ["Submit for approval"]
    as_author.post(guide_url(guide), form)
    assert Client().get(guide.get_absolute_url()).status_code == 404

    as_publisher = logged_in(publisher())
    as_publisher.post(reverse("admin:resources_guide_draft_publish", args=[guide.pk]))

    assert "Ask who can help." in public_text(guide)


def test_a_publisher_takes_a_live_page_off_the_site_from_its_form():
    guide = factories.guide("Old advice", body="Out of date.")
    as_publisher = logged_in(publisher())
    form = change_form(as_publisher, guide_url(guide), status="draft")

    as_publisher.post(guide_url(guide), form)

    guide.refresh_from_db()
    assert guide.status == Status.DRAFT
    assert Client().get(guide.get_absolute_url()).status_code == 404
    assert not Draft.objects.exists()


def test_taking_a_page_that_others_use_off_the_site_needs_a_tick():
    guide = factories.guide("Sick pay", slug="sick-pay", body="The rules.")
    factories.guide("Absence", body="Read [sick pay](/guides/sick-pay/) first.")
    guide.refresh_from_db()
    as_publisher = logged_in(publisher())
    form = change_form(as_publisher, guide_url(guide), status="draft")

    refused = as_publisher.post(guide_url(guide), form)

    assert refused.status_code == 200
    assert "Other pages use “Sick pay”" in refused.content.decode()
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED

    form["_unpublish_although_used"] = ["on"]
    as_publisher.post(guide_url(guide), form)
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT
