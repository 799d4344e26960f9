"""Editors act on the link report: they filter it, and fix a moved link everywhere in one click."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from links.models import CheckedLink, LinkCheckResult
from resources.models import Guide, Resource, ScriptPart
from tests import factories

pytestmark = pytest.mark.django_db

OLD = "https://old.example.org/absence"
NEW = "https://www.example.org/guidance/absence"
CHANGELIST = "admin:links_checkedlink_changelist"


@pytest.fixture
def editor(db):
    return factories.editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def moved_link(old=OLD, new=NEW, **fields) -> CheckedLink:
    return CheckedLink.objects.create(
        url=old,
        outcome="redirected",
        redirect_kind="permanent",
        suggested_url=new,
        final_url=new,
        status_code=200,
        redirect_chain=[{"url": old, "status": 301}],
        checked_at=timezone.now(),
        **fields,
    )


def test_editors_can_read_the_link_report_and_filter_it(editor_client):
    now = timezone.now()
    twice = CheckedLink.objects.create(
        url="https://a.example.org/", outcome="broken", consecutive_failures=2, error="404"
    )
    once = CheckedLink.objects.create(
        url="https://b.example.org/", outcome="broken", consecutive_failures=1
    )
    changed = CheckedLink.objects.create(
        url="https://c.example.org/", outcome="ok", content_changed_at=now
    )
    moved = moved_link()
    LinkCheckResult.objects.create(link=twice, checked_at=now, outcome="broken", status_code=404)
    changelist = reverse(CHANGELIST)

    def listed(query=""):
        page = editor_client.get(f"{changelist}{query}")
        assert page.status_code == 200
        return {link.url for link in (twice, once, changed, moved) if link.url in page.text}

    assert listed() == {twice.url, once.url, changed.url, moved.url}
    assert listed("?reported=yes") == {twice.url}
    assert listed("?reported=once") == {once.url}
    assert listed("?outcome=broken") == {twice.url, once.url}
    assert listed("?changed=ever") == {changed.url}
    assert listed("?redirect_kind=permanent") == {moved.url}
    detail = editor_client.get(reverse("admin:links_checkedlink_change", args=[twice.pk])).text
    assert "Broken 2 runs in a row" in detail
    assert "last checks" in detail.lower()


@pytest.mark.both_databases
def test_replace_this_url_everywhere_rewrites_every_use_and_keeps_history(editor_client, editor):
    resource = factories.resource(url=OLD, link_state="redirected")
    guide = factories.guide(
        body=f"See [absence]({OLD}#pay) but not [this one]({OLD}-two).", title="Sick pay"
    )
    script = factories.script(parts={"before": f"- Read {OLD}."})
    link = moved_link()

    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": "replace_everywhere", "_selected_action": [link.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "in 3 places" in response.text
    resource.refresh_from_db()
    assert (resource.url, resource.link_state) == (NEW, "unchecked")
    guide.refresh_from_db()
    assert guide.body == f"See [absence]({NEW}#pay) but not [this one]({OLD}-two)."
    assert f'href="{NEW}#pay"' in guide.body_html, "saved through the model, so re-rendered"
    assert ScriptPart.objects.get(script=script).body == f"- Read {NEW}."
    for changed in (resource, guide, script):
        [version] = Version.objects.get_for_object(changed)
        assert version.revision.user == editor
        assert f"replaced {OLD} with {NEW}" in version.revision.comment
    assert not CheckedLink.objects.filter(url=OLD).exists(), "no longer used anywhere"


def test_a_moved_link_has_a_one_click_button_to_replace_it_everywhere(editor_client, editor):
    resource = factories.resource(url=OLD)
    link = moved_link()
    replace_url = reverse("admin:links_checkedlink_replace", args=[link.pk])

    page = editor_client.get(reverse("admin:links_checkedlink_change", args=[link.pk])).text
    assert f'formaction="{replace_url}"' in page
    assert "Replace this URL everywhere" in page
    assert editor_client.get(replace_url).status_code == 405

    response = editor_client.post(replace_url)

    assert response.status_code == 302
    assert Resource.objects.get(pk=resource.pk).url == NEW
    [version] = Version.objects.get_for_object(resource)
    assert version.revision.user == editor


def test_a_link_that_only_redirects_for_now_is_left_alone(editor_client):
    guide = factories.guide(body=f"See {OLD}.")
    link = CheckedLink.objects.create(
        url=OLD, outcome="redirected", redirect_kind="temporary", final_url=NEW
    )

    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": "replace_everywhere", "_selected_action": [link.pk]},
        follow=True,
    )

    assert "has not moved permanently" in response.text
    assert Guide.objects.get(pk=guide.pk).body == f"See {OLD}."


def test_only_content_the_user_may_change_is_rewritten(client):
    resource = factories.resource(url=OLD)
    link = moved_link()
    user = User.objects.create_user("reporter", password="a-long-test-password-1", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="links", codename__in=["view_checkedlink", "change_checkedlink"]
        )
    )
    client.force_login(user)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "replace_everywhere", "_selected_action": [link.pk]},
        follow=True,
    )

    assert "you may not change it" in response.text
    assert Resource.objects.get(pk=resource.pk).url == OLD
    assert CheckedLink.objects.filter(url=OLD).exists()


def test_the_resource_list_shows_the_link_state_and_when_to_re_review(editor_client):
    factories.resource(
        title="Return to work",
        link_state="ok",
        last_reviewed=timezone.localdate() - datetime.timedelta(days=30),
        page_changed_at=timezone.now(),
    )

    page = editor_client.get(reverse("admin:resources_resource_changelist")).text

    assert "Working; the page we point to has changed: re-review" in page
