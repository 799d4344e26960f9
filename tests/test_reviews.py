"""Reviews that record something (issue #18): every page has an owner, a review is a short form
whose notes and ticks are kept in the page's history, a review is refused while a link is broken
or a source changed unread (unless the editor says why), and the weekly reminder goes to owners."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command, execute_from_command_line
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from core import drafts
from core.models import Status, add_months
from links.models import CheckedLink
from resources.models import Guide
from tests import factories
from tests.test_admin import guide_form

pytestmark = pytest.mark.django_db

GONE = "https://www.acas.org.uk/gone-page"
SOURCE = "https://www.gov.uk/statutory-sick-pay"


@pytest.fixture
def editor():
    return factories.editor(first_name="Eve", last_name="Editor", email="eve@example.org")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def review_url(item) -> str:
    return reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_review", args=[item.pk])


def change_url(item) -> str:
    return reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk])


def latest_comment(item) -> str:
    return Version.objects.get_for_object(item).first().revision.comment


def today() -> datetime.date:
    return timezone.localdate()


# --- Owners -----------------------------------------------------------------------------------


def test_a_new_page_is_owned_by_the_editor_who_adds_it_and_the_owner_is_shown(
    editor_client, editor
):
    add = editor_client.get(reverse("admin:resources_guide_add")).content.decode()
    assert f'<option value="{editor.pk}" selected>' in add, "the owner starts as you"

    response = editor_client.post(
        reverse("admin:resources_guide_add"), guide_form(owner=str(editor.pk))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    guide = Guide.objects.get(slug="giving-feedback")
    assert guide.owner == editor

    changelist = editor_client.get(reverse("admin:resources_guide_changelist")).content.decode()
    assert '<td class="field-owner nowrap">editor</td>' in changelist
    mine = editor_client.get(reverse("admin:resources_guide_changelist"), {"owner": "mine"})
    assert "Giving feedback" in mine.content.decode()
    unowned = editor_client.get(reverse("admin:resources_guide_changelist"), {"owner": "none"})
    assert "Giving feedback" not in unowned.content.decode()


def test_a_publisher_chooses_the_owner(editor_client):
    guide = factories.guide("Rotas", status=Status.DRAFT)
    colleague = factories.editor("sam")
    data = guide_form(title="Rotas", slug=guide.slug, status="draft", owner=str(colleague.pk))

    response = editor_client.post(change_url(guide), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    guide.refresh_from_db()
    assert guide.owner == colleague
    page = editor_client.get(change_url(guide)).content.decode()
    assert f'<option value="{colleague.pk}" selected>sam</option>' in page


def test_an_authors_new_page_is_theirs_and_only_publishers_choose_owners(client):
    author = factories.author()
    client.force_login(author)

    add = client.get(reverse("admin:resources_guide_add")).content.decode()
    assert 'name="owner"' not in add, "shown, not chosen"
    response = client.post(reverse("admin:resources_guide_add"), guide_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Guide.objects.get().owner == author


# --- The review form --------------------------------------------------------------------------


def test_the_change_page_links_to_the_review_form(editor_client):
    guide = factories.guide("Rotas")

    page = editor_client.get(change_url(guide)).content.decode()

    assert review_url(guide) in page
    assert "Record a review" in page


def test_a_review_records_the_dates_the_reviewer_and_the_notes_in_the_history(
    editor_client, editor
):
    guide = factories.guide("Rotas", last_reviewed=datetime.date(2025, 3, 1))
    form = editor_client.get(review_url(guide)).content.decode()
    assert "Nothing stands in the way" in form
    assert "I checked the links" in form

    response = editor_client.post(
        review_url(guide),
        {
            "notes": "Checked the rota rules against the new working time guidance.",
            "checked_links": "on",
            "plain_english": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == change_url(guide)
    guide.refresh_from_db()
    assert guide.last_reviewed == today()
    assert guide.next_review_due == add_months(today(), 12)
    assert guide.reviewed_by == editor
    assert guide.review_notes == "Checked the rota rules against the new working time guidance."
    comment = latest_comment(guide)
    assert "Checked the rota rules against the new working time guidance." in comment
    assert "Ticked: I checked the links; It passes the plain-English check." in comment
    assert "Not ticked: I looked at changes to the sources." in comment
    history = editor_client.get(
        reverse("admin:resources_guide_history", args=[guide.pk])
    ).content.decode()
    assert "Checked the rota rules" in history


def paperwork_form():
    from paperwork.models import Form

    return Form.objects.create(
        title="Return to work", slug="return-to-work", body="You fill it in."
    )


@pytest.mark.parametrize(
    "make", [factories.script, factories.resource, factories.decision_tree, paperwork_form]
)
def test_every_kind_of_reviewed_content_has_the_review_form(editor_client, make):
    item = make()
    assert review_url(item) in editor_client.get(change_url(item)).content.decode()

    response = editor_client.post(review_url(item), {"notes": "Still right.", "reason": "Test."})

    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert (item.last_reviewed, item.review_notes) == (today(), "Still right.")


def test_a_review_needs_notes(editor_client):
    guide = factories.guide("Rotas", last_reviewed=datetime.date(2025, 3, 1))

    response = editor_client.post(review_url(guide), {"notes": " ", "checked_links": "on"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    guide.refresh_from_db()
    assert guide.last_reviewed == datetime.date(2025, 3, 1)


def test_a_page_with_a_broken_link_is_not_marked_reviewed_unless_you_say_why(editor_client):
    guide = factories.guide(
        "Bullying",
        body=f"You act fast. Read [the Acas advice]({GONE}).",
        last_reviewed=datetime.date(2025, 3, 1),
    )
    CheckedLink.objects.create(url=GONE, outcome="broken", consecutive_failures=2, status_code=404)
    versions = Version.objects.get_for_object(guide).count()

    form = editor_client.get(review_url(guide)).content.decode()
    assert "What stands in the way" in form
    assert f"Broken link: {GONE}" in form
    assert "Why record it anyway?" in form

    refused = editor_client.post(
        review_url(guide), {"notes": "Looked at it.", "checked_links": "on"}
    )

    assert refused.status_code == 200
    assert "say why you are recording the review anyway" in refused.content.decode()
    guide.refresh_from_db()
    assert (guide.last_reviewed, guide.reviewed_by) == (datetime.date(2025, 3, 1), None)
    assert Version.objects.get_for_object(guide).count() == versions

    recorded = editor_client.post(
        review_url(guide),
        {
            "notes": "Looked at it.",
            "reason": "Acas are moving the page; the new one is not up yet.",
        },
    )

    assert recorded.status_code == 302
    guide.refresh_from_db()
    assert guide.last_reviewed == today()
    comment = latest_comment(guide)
    assert f"Recorded despite: Broken link: {GONE}" in comment
    assert "Reason: Acas are moving the page; the new one is not up yet." in comment


def test_a_link_that_works_does_not_stand_in_the_way(editor_client):
    guide = factories.guide("Bullying", body=f"You act fast. Read [the advice]({GONE}).")
    CheckedLink.objects.create(url=GONE, outcome="ok")

    assert "Nothing stands in the way" in editor_client.get(review_url(guide)).content.decode()


def test_a_source_that_changed_since_the_last_review_must_be_read_first(editor_client):
    resource = factories.resource(
        "Sick pay",
        url=SOURCE,
        body="You pay them. You check the rules.",
        last_reviewed=today() - datetime.timedelta(days=60),
    )
    changed = timezone.now() - datetime.timedelta(days=3)
    CheckedLink.objects.create(url=SOURCE, outcome="ok", content_changed_at=changed)

    form = editor_client.get(review_url(resource)).content.decode()
    assert f"The page at {SOURCE} changed on" in form

    refused = editor_client.post(review_url(resource), {"notes": "Fine.", "checked_links": "on"})
    assert refused.status_code == 200
    resource.refresh_from_db()
    assert resource.last_reviewed == today() - datetime.timedelta(days=60)

    recorded = editor_client.post(
        review_url(resource),
        {
            "notes": "Read the new page: only the rates table moved.",
            "checked_sources": "on",
            "reason": "The change is to the page's layout, not the rules.",
        },
    )
    assert recorded.status_code == 302
    resource.refresh_from_db()
    assert resource.last_reviewed == today()
    assert "Reason: The change is to the page's layout" in latest_comment(resource)
    # Now read: the same change no longer stands in the way.
    assert "Nothing stands in the way" in editor_client.get(review_url(resource)).content.decode()


def test_a_source_change_before_the_last_review_was_read_then(editor_client):
    resource = factories.resource(
        "Sick pay", url=SOURCE, body="You pay them. You check the rules.", last_reviewed=today()
    )
    CheckedLink.objects.create(
        url=SOURCE, outcome="ok", content_changed_at=timezone.now() - datetime.timedelta(days=30)
    )

    response = editor_client.post(review_url(resource), {"notes": "All still right."})

    assert response.status_code == 302


def test_a_page_that_fails_the_plain_english_check_is_not_marked_reviewed_unless_you_say_why(
    editor_client,
):
    guide = factories.guide(
        "Sickness",
        body=(
            "Notwithstanding the aforementioned organisational considerations, line managers "
            "should endeavour to facilitate comprehensive consultative engagement "
            "methodologies, utilising appropriate documentation, prior to commencing any "
            "formal capability investigation procedures whatsoever."
        ),
        last_reviewed=datetime.date(2025, 3, 1),
    )

    form = editor_client.get(review_url(guide)).content.decode()
    assert "Plain English:" in form
    refused = editor_client.post(review_url(guide), {"notes": "Fine.", "plain_english": "on"})
    assert refused.status_code == 200
    recorded = editor_client.post(
        review_url(guide), {"notes": "Fine.", "reason": "A rewrite is booked for next week."}
    )
    assert recorded.status_code == 302
    assert "Recorded despite: Plain English:" in latest_comment(guide)


def test_the_list_action_leads_to_the_form_for_one_item_only(editor_client):
    first, second = factories.guide("Rotas"), factories.guide("Sickness")
    changelist = reverse("admin:resources_guide_changelist")

    one = editor_client.post(
        changelist, {"action": "record_review", "_selected_action": [first.pk]}
    )
    two = editor_client.post(
        changelist,
        {"action": "record_review", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert (one.status_code, one.url) == (302, review_url(first))
    assert "Choose one item to record a review of" in two.content.decode()


def test_a_review_of_a_page_with_a_draft_is_kept_when_the_draft_goes_live(editor_client, editor):
    guide = factories.guide("Rotas", last_reviewed=datetime.date(2025, 3, 1))
    data = guide_form(title="Rotas", slug=guide.slug, body="You plan the rota early.")
    data["_save_draft"] = "Save as draft"
    assert editor_client.post(change_url(guide), data).status_code == 302
    assert drafts.draft_for(guide) is not None

    editor_client.post(review_url(guide), {"notes": "Checked the live page and the draft."})
    draft = drafts.draft_for(guide)
    editor_client.post(reverse("admin:resources_guide_draft_publish", args=[guide.pk]))

    guide.refresh_from_db()
    assert draft is not None and drafts.draft_for(guide) is None
    assert guide.body == "You plan the rota early."
    assert (guide.last_reviewed, guide.reviewed_by) == (today(), editor)


def test_an_authors_review_is_recorded_too(client):
    author = factories.author()
    client.force_login(author)
    guide = factories.guide("Rotas", last_reviewed=datetime.date(2025, 3, 1))

    response = client.post(review_url(guide), {"notes": "Still right."})

    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.reviewed_by == author


# --- The weekly reminder: by owner ------------------------------------------------------------


def due(title, in_days, owner=None):
    return factories.guide(
        title,
        last_reviewed=today() - datetime.timedelta(days=365),
        next_review_due=today() + datetime.timedelta(days=in_days),
        owner=owner,
    )


def test_review_due_groups_by_owner_not_by_who_reviewed_last(editor):
    sam = User.objects.create_user("sam", is_staff=True)
    item = due("Rotas", -3, owner=sam)
    item.reviewed_by = editor
    item.save()
    due("Sickness", 5)

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("review_due", "--json", stdout=out, stderr=io.StringIO())

    assert exit.value.code == 1
    report = json.loads(out.getvalue())
    groups = {group["reviewer"]: group for group in report["groups"]}
    assert list(groups) == ["sam", "No owner"]
    assert groups["sam"]["owner"] == "sam" and groups["No owner"]["owner"] is None
    assert [(i["title"], i["owner"]) for i in groups["sam"]["items"]] == [("Rotas", "sam")]
    assert [(i["title"], i["owner"]) for i in groups["No owner"]["items"]] == [("Sickness", None)]


def test_items_nobody_owns_are_named_under_no_owner():
    due("Sickness", -2)

    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("review_due", stdout=out)

    summary = out.getvalue().strip()
    assert summary == "1 overdue for review and 0 due in the next 30 days, 1 with no owner."
    assert "reviewer" not in summary


def test_review_due_as_cron_runs_it_prints_its_summary_and_exits_1(capsys, monkeypatch, editor):
    """Through manage.py's own entry point, as cron runs it: no "CommandError:" on stderr."""
    # The command closes database connections when it ends; the test's transaction needs its own.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    due("Rotas", -1, owner=editor)
    due("Sickness", 10)

    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "review_due"])

    captured = capsys.readouterr()
    assert exit.value.code == 1
    assert captured.out == (
        "1 overdue for review and 1 due in the next 30 days, for 1 owner and 1 with no owner.\n"
    )
    assert "CommandError" not in captured.out + captured.err
    assert captured.err == ""


def test_review_due_with_nothing_overdue_exits_0(capsys, monkeypatch, editor):
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    due("Rotas", 10, owner=editor)

    execute_from_command_line(["manage.py", "review_due"])

    assert capsys.readouterr().out == (
        "0 overdue for review and 1 due in the next 30 days, for 1 owner.\n"
    )


def test_the_email_goes_out_grouped_by_owner(settings, editor):
    settings.EDITOR_EMAILS = ["lead@example.org"]
    due("Rotas", -1, owner=editor)
    due("Sickness", 4)

    with pytest.raises(SystemExit):
        call_command("review_due", "--email", stdout=io.StringIO())

    from django.core import mail

    [message] = mail.outbox
    assert "Eve Editor <eve@example.org>:" in message.body
    assert "No owner:" in message.body
    assert "Record a review" in message.body


# --- Content files carry the owner -------------------------------------------------------------


def test_a_content_file_names_the_owner_and_an_export_keeps_it(tmp_path, editor):
    from tests.test_content_files import small_content

    content = small_content(tmp_path / "content")
    guide_file = content / "guides" / "off-sick.md"
    guide_file.write_text(
        guide_file.read_text().replace("status: published\n", "status: published\nowner: editor\n")
    )
    form_file = content / "forms" / "return-to-work.md"
    form_file.parent.mkdir()
    form_file.write_text(
        "---\ntype: form\ntitle: Return to work\nkind: form\nstatus: draft\nowner: editor\n"
        "last_reviewed: 2026-05-01\nfields:\n- name: name\n  label: Your name\n  kind: short-text\n"
        "---\nYou fill this in.\n"
    )
    err = io.StringIO()
    call_command("load_content", str(content), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""
    assert Guide.objects.get(slug="off-sick").owner == editor
    from paperwork.models import Form

    assert Form.objects.get(slug="return-to-work").owner == editor

    call_command("export_content", str(tmp_path / "out"), stdout=io.StringIO())
    assert "\nowner: editor\n" in (tmp_path / "out" / "guides" / "off-sick.md").read_text()
    assert "\nowner: editor\n" in (tmp_path / "out" / "forms" / "return-to-work.md").read_text()
    assert "owner:" not in (tmp_path / "out" / "scripts" / "back-at-work.md").read_text()


def test_an_owner_with_no_user_is_noted_and_the_item_loads_with_no_owner(tmp_path):
    from tests.test_content_files import small_content

    content = small_content(tmp_path / "content")
    guide_file = content / "guides" / "off-sick.md"
    guide_file.write_text(
        guide_file.read_text().replace("status: published\n", "status: published\nowner: nobody\n")
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("load_content", str(content), stdout=out, stderr=err)

    assert Guide.objects.get(slug="off-sick").owner is None
    assert "off-sick.md:5: owner: no user called 'nobody'" in err.getvalue()
    assert "created" in out.getvalue()
