"""HR editors curate the hub in Django admin, and never lose work."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from reversion.models import Version

from core.models import Status, add_months
from resources.models import Guide, GuideGloss, Resource
from tests import factories

pytestmark = pytest.mark.django_db


def guide_form(**values):
    data = {
        "title": "Giving feedback",
        "slug": "giving-feedback",
        "status": "published",
        "summary": "How to give feedback.",
        "body": "You tell them what went well.",
        "check_policy_first": "on",
        "policy_note": "",
        "tags": "",
        "last_reviewed": "2026-06-01",
        "next_review_due": "",
        "reviewed_by": "",
        "review_notes": "",
        "glosses-TOTAL_FORMS": "0",
        "glosses-INITIAL_FORMS": "0",
        "glosses-MIN_NUM_FORMS": "0",
        "glosses-MAX_NUM_FORMS": "1000",
        "nation_notes-TOTAL_FORMS": "0",
        "nation_notes-INITIAL_FORMS": "0",
        "nation_notes-MIN_NUM_FORMS": "0",
        "nation_notes-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(values)
    return data


@pytest.fixture
def editor_client(client):
    client.force_login(factories.editor())
    return client


@pytest.mark.both_databases
def test_editor_can_restore_an_earlier_version_through_the_admin(editor_client):
    add_url = reverse("admin:resources_guide_add")
    response = editor_client.post(add_url, guide_form(title="First title"))
    assert response.status_code == 302, response.content.decode()[:2000]
    guide = Guide.objects.get(slug="giving-feedback")

    change_url = reverse("admin:resources_guide_change", args=[guide.pk])
    response = editor_client.post(change_url, guide_form(title="Second title", body="New words."))
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.title == "Second title"

    versions = Version.objects.get_for_object(guide)
    assert versions.count() == 2
    first = versions.last()  # newest first
    history = editor_client.get(reverse("admin:resources_guide_history", args=[guide.pk]))
    assert history.status_code == 200
    revision_url = reverse("admin:resources_guide_revision", args=[guide.pk, first.pk])
    assert editor_client.get(revision_url).status_code == 200
    response = editor_client.post(revision_url, guide_form(title="First title"))
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.title == "First title"
    assert guide.body == "You tell them what went well."
    assert Version.objects.get_for_object(guide).count() == 3


def test_editor_can_compare_two_versions(editor_client):
    editor_client.post(reverse("admin:resources_guide_add"), guide_form(body="Old words here."))
    guide = Guide.objects.get()
    change_url = reverse("admin:resources_guide_change", args=[guide.pk])
    editor_client.post(change_url, guide_form(body="Brand new words here."))
    newer, older = Version.objects.get_for_object(guide)[:2]
    compare = editor_client.get(
        reverse("admin:resources_guide_compare", args=[guide.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )
    assert compare.status_code == 200
    assert "<ins>Brand new</ins> words here." in compare.content.decode()


def test_editors_can_add_and_change_content_but_not_see_users_or_groups(editor_client):
    assert editor_client.get(reverse("admin:resources_guide_add")).status_code == 200
    assert editor_client.get(reverse("admin:resources_resource_add")).status_code == 200
    assert editor_client.get(reverse("admin:resources_script_add")).status_code == 200
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert "Guides" in index
    assert reverse("admin:auth_user_changelist") not in index


@pytest.mark.both_databases
def test_the_publishers_group_is_made_by_a_migration_without_user_permissions():
    group = Group.objects.get(name="Publishers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_guide", "change_guide", "change_resource", "change_script"} <= codenames
    assert not {"add_user", "change_user", "view_user", "change_group"} & codenames


def test_the_record_a_review_action_leads_to_the_review_form_of_one_item(editor_client):
    guide = factories.guide(last_reviewed=datetime.date(2025, 1, 1))
    response = editor_client.post(
        reverse("admin:resources_guide_changelist"),
        {"action": "record_review", "_selected_action": [guide.pk]},
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:resources_guide_review", args=[guide.pk])
    response = editor_client.post(
        response.url, {"notes": "Checked it against the new Acas code.", "checked_links": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    guide.refresh_from_db()
    today = datetime.date.today()
    assert guide.last_reviewed == today
    assert guide.next_review_due == add_months(today, 12)
    assert guide.reviewed_by.username == "editor"


def test_overdue_items_stand_out_and_can_be_filtered(editor_client):
    factories.guide("Old advice", last_reviewed=datetime.date(2024, 1, 1))
    factories.guide("Fresh advice", last_reviewed=datetime.date.today())
    url = reverse("admin:resources_guide_changelist")
    overdue = editor_client.get(url, {"review": "overdue"}).content.decode()
    assert "Old advice" in overdue and "Fresh advice" not in overdue
    assert "hub-overdue" in overdue


def test_drafts_stay_off_the_public_site_but_editors_can_preview_them(editor_client, client):
    draft = factories.guide("Work in progress", status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    preview = editor_client.get(reverse("admin:resources_guide_preview", args=[draft.pk]))
    assert preview.status_code == 200
    assert "Work in progress" in preview.content.decode()
    assert "This is a draft" in preview.content.decode()


def test_next_review_defaults_to_twelve_months_for_guides_and_six_for_resources():
    guide = factories.guide(last_reviewed=datetime.date(2026, 1, 31))
    resource = factories.resource(last_reviewed=datetime.date(2026, 1, 31))
    assert guide.next_review_due == datetime.date(2027, 1, 31)
    assert resource.next_review_due == datetime.date(2026, 7, 31)


@pytest.mark.both_databases
def test_next_review_cannot_be_before_the_last_review():
    guide = factories.guide()
    guide.next_review_due = guide.last_reviewed - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        guide.full_clean()
    assert "next_review_due" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        guide.save()


def test_resource_urls_must_be_web_addresses():
    resource = factories.resource()
    for bad in ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,hi", "/relative"]:
        resource.url = bad
        with pytest.raises(ValidationError) as error:
            resource.full_clean()
        assert "url" in error.value.message_dict


@pytest.mark.both_databases
def test_one_gloss_per_workplace_per_item():
    nhs = factories.workplace("nhs")
    guide = factories.guide(glosses={nhs: "In the NHS."})
    with pytest.raises(IntegrityError), transaction.atomic():
        GuideGloss.objects.create(guide=guide, workplace=nhs, body="Again.")


@pytest.mark.both_databases
def test_slugs_are_unique():
    factories.guide(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.guide(slug="same")


def test_markdown_source_is_stored_beside_its_html_and_the_admin_hides_the_html(editor_client):
    guide = factories.guide(body="Some **bold** advice.")
    assert guide.body_html == "<p>Some <strong>bold</strong> advice.</p>"
    form = editor_client.get(reverse("admin:resources_guide_change", args=[guide.pk]))
    assert 'name="body"' in form.content.decode()
    assert 'name="body_html"' not in form.content.decode()


@pytest.mark.both_databases
def test_resource_admin_list_runs_a_constant_number_of_queries(
    editor_client, django_assert_max_num_queries
):
    nhs = factories.workplace("nhs")
    url = reverse("admin:resources_resource_changelist")
    for _ in range(5):
        factories.resource(relevance={nhs: "Useful"}, glosses={nhs: "In the NHS."})
    with django_assert_max_num_queries(10):
        assert editor_client.get(url).status_code == 200
    for _ in range(195):
        factories.resource(relevance={nhs: "Useful"})
    with django_assert_max_num_queries(10):
        response = editor_client.get(url, {"all": ""})
        assert response.status_code == 200
    assert Resource.objects.count() == 200


def test_create_editor_makes_a_staff_user_in_the_publishers_group(monkeypatch):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    monkeypatch.setenv("HUB_EDITOR_PASSWORD", "a-long-and-unusual-passphrase-42")
    call_command("create_editor", "sam", "--email", "sam@example.org", "--no-input")
    sam = User.objects.get(username="sam")
    assert sam.is_staff and not sam.is_superuser
    assert sam.groups.filter(name="Publishers").exists()


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "model_name, form",
    [
        ("glossaryterm", {"term": "Rota", "slug": "rota", "definition": "Who works when."}),
        ("synonymgroup", {"words": "rota, timetable"}),
        ("workplace", {"name": "Hospice", "slug": "hospice", "position": "5"}),
        ("topic", {"name": "Rotas", "slug": "rotas", "position": "5"}),
        ("stage", {"name": "Leaving", "slug": "leaving", "position": "5"}),
    ],
)
def test_edits_to_the_glossary_synonyms_and_taxonomies_are_kept_as_history(
    editor_client, model_name, form
):
    from django.apps import apps

    response = editor_client.post(reverse(f"admin:resources_{model_name}_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = apps.get_model("resources", model_name).objects.get()
    assert Version.objects.get_for_object(item).count() == 1
    history = reverse(f"admin:resources_{model_name}_history", args=[item.pk])
    assert "compare" in editor_client.get(history).content.decode().lower()


def test_a_glossary_link_to_a_word_not_in_the_glossary_is_refused_in_admin(editor_client):
    factories.glossary_term("Fit note", slug="fit-note")
    response = editor_client.post(
        reverse("admin:resources_guide_add"),
        guide_form(body="Ask for a [[fit note]]. Then see [[occupational helth]]."),
    )
    assert response.status_code == 200
    errors = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert any("[[occupational helth]] links to no glossary entry" in e for e in errors), errors
    assert not any("[[fit note]]" in e for e in errors)
    assert not Guide.objects.exists()
