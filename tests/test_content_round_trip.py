"""Issue #18: content goes from the admin to files and back without losing or garbling anything,
and a load never quietly writes over what editors changed in admin."""

from io import StringIO
from pathlib import Path

import pytest
import reversion
import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from reversion.models import Version

from core.content_files import dump_yaml
from decisions.models import Outcome
from resources.models import GlossaryTerm, Guide
from tests import factories
from tests.test_content_files import CONTENT, load, load_failing, small_content, tree

pytestmark = pytest.mark.django_db

REFUSED = (
    "changed in admin since it was last loaded; use --force to overwrite "
    "(the admin version stays in its history)"
)


def export(folder: Path) -> dict[str, bytes]:
    call_command("export_content", str(folder), stdout=StringIO())
    return tree(folder)


# --- Line endings and blocks ------------------------------------------------------------------


def test_text_of_several_lines_is_always_written_as_a_block_never_an_escaped_string():
    awkward = "A line ending in a space \r\nA\ttab\rand the end\n"
    text = dump_yaml({"body": awkward, "glosses": {"nhs": "One\r\ntwo \n"}})
    assert "\r" not in text and '"' not in text
    assert text.startswith("body: |")
    assert yaml.safe_load(text) == {
        "body": "A line ending in a space \nA\ttab\nand the end\n",
        "glosses": {"nhs": "One\ntwo \n"},
    }


def test_text_typed_in_the_admin_is_kept_with_plain_line_endings(client, tmp_path):
    load(small_content(tmp_path / "content"))
    client.force_login(factories.superuser())
    term = GlossaryTerm.objects.get(slug="fit-note")
    response = client.post(
        reverse("admin:resources_glossaryterm_change", args=[term.pk]),
        {"term": "Fit note", "slug": "fit-note", "definition": "A note.\r\nFrom a doctor.\r\n"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert GlossaryTerm.objects.get(pk=term.pk).definition == "A note.\nFrom a doctor."

    glossary = export(tmp_path / "out")["glossary.yaml"]
    assert b"\r" not in glossary
    assert b"  definition: |-\n    A note.\n    From a doctor.\n" in glossary


def test_a_decision_outcome_typed_with_windows_line_endings_exports_as_a_block(
    tmp_path, starter_content
):
    outcome = Outcome.objects.order_by("pk").first()
    outcome.body = "Talk to them soon. \r\n\r\nWrite it down."
    outcome.save()
    assert Outcome.objects.get(pk=outcome.pk).body == "Talk to them soon. \n\nWrite it down."

    files = export(tmp_path / "out")
    text = files[f"decisions/{outcome.tree.slug}.yaml"].decode()
    assert "\r" not in text
    assert "    body: |\n      Talk to them soon. \n\n      Write it down.\n" in text


# --- The shipped content is canonical ---------------------------------------------------------


def test_exporting_the_loaded_starter_content_gives_back_content_byte_for_byte(
    tmp_path, starter_content
):
    exported = export(tmp_path / "out")
    shipped = {name: data for name, data in tree(CONTENT).items() if name != "README.md"}
    assert sorted(exported) == sorted(shipped)
    assert [name for name in shipped if shipped[name] != exported[name]] == []


# --- A reviewer with no account in the hub being loaded into ----------------------------------


def test_a_live_export_loads_into_a_fresh_hub_where_its_reviewer_has_no_account(
    client, tmp_path, request
):
    load(small_content(tmp_path / "content"))
    client.force_login(factories.superuser(username="jsmith"))
    guide = Guide.objects.get(slug="off-sick")
    response = client.post(
        reverse("admin:resources_guide_review", args=[guide.pk]),
        {"notes": "Read it again.", "reason": "Testing the round trip."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Guide.objects.get(pk=guide.pk).reviewed_by.username == "jsmith"
    export(tmp_path / "live")
    assert b"reviewed_by: jsmith\n" in (tmp_path / "live" / "guides" / "off-sick.md").read_bytes()

    connection.check_constraints()
    call_command("flush", "--noinput", verbosity=0)  # a fresh hub: no jsmith in it
    # The flush made content types anew, with new ids, which the rollback at the test's end
    # undoes: forget them then, or later tests (tags) would use ids that are gone.
    request.addfinalizer(ContentType.objects.clear_cache)
    output = load(tmp_path / "live")

    assert "reviewed_by: no user called 'jsmith' here, so it is kept in the review notes" in (
        output
    )
    guide = Guide.objects.get(slug="off-sick")
    assert guide.reviewed_by is None
    assert guide.review_notes == "Read it again.\n\nReviewed by jsmith (no account here)."
    again = export(tmp_path / "again")
    assert b"  Reviewed by jsmith (no account here).\n" in again["guides/off-sick.md"]
    assert "0 created, 0 updated" in load(tmp_path / "again")


# --- Refusing to write over editors' work -----------------------------------------------------


def edit_in_admin(obj, **changes):
    """As the admin saves: with a revision in the item's history."""
    with reversion.create_revision():
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()


def test_a_load_refuses_to_write_over_items_changed_in_admin_and_lists_each(tmp_path):
    content = small_content(tmp_path / "content")
    load(content)
    edit_in_admin(Guide.objects.get(slug="off-sick"), title="An editor's better title")
    edit_in_admin(GlossaryTerm.objects.get(slug="fit-note"), definition="An editor's words.")
    # A file changed while nobody touched its item in admin would load on its own.
    script = content / "scripts" / "back-at-work.md"
    script.write_text(script.read_text().replace("A short talk.", "A short, kind talk."))
    versions = Version.objects.count()

    errors = load_failing(content)

    assert f"{content / 'guides' / 'off-sick.md'}: {REFUSED}" in errors
    assert f"glossary.yaml fit-note: {REFUSED}" in errors
    assert "back-at-work" not in errors
    assert Guide.objects.get(slug="off-sick").title == "An editor's better title"
    assert GlossaryTerm.objects.get(slug="fit-note").definition == "An editor's words."
    assert "A short, kind talk." not in content_of_script()
    assert Version.objects.count() == versions

    dry_run = load_failing(content, "--dry-run")
    assert REFUSED in dry_run


def content_of_script() -> str:
    from resources.models import Script

    return Script.objects.get(slug="back-at-work").body


def test_force_overwrites_and_the_admin_version_stays_in_the_history(tmp_path):
    content = small_content(tmp_path / "content")
    load(content)
    guide = Guide.objects.get(slug="off-sick")
    edit_in_admin(guide, title="An editor's better title")

    assert "1 updated" in load(content, "--force")

    assert Guide.objects.get(pk=guide.pk).title == "When someone is off sick"
    titles = [v.field_dict["title"] for v in Version.objects.get_for_object(guide)]
    assert "An editor's better title" in titles
    # Loaded again, the item is as its file says: nothing to refuse, nothing to change.
    assert "0 created, 0 updated" in load(content)


def test_an_item_changed_in_admin_and_exported_since_loads_its_export_without_force(tmp_path):
    content = small_content(tmp_path / "content")
    load(content)
    edit_in_admin(Guide.objects.get(slug="off-sick"), title="An editor's better title")
    export(tmp_path / "exported")
    (tmp_path / "exported" / "guides" / "off-sick.md").write_text(
        (tmp_path / "exported" / "guides" / "off-sick.md")
        .read_text()
        .replace("An editor's better title", "A title from the files")
    )

    assert "1 updated" in load(tmp_path / "exported")
    assert Guide.objects.get(slug="off-sick").title == "A title from the files"


def test_if_empty_still_loads_only_into_an_empty_hub(tmp_path):
    content = small_content(tmp_path / "content")
    load(content, "--if-empty")
    edit_in_admin(Guide.objects.get(slug="off-sick"), title="An editor's better title")
    assert "already has content" in load(content, "--if-empty")
    assert Guide.objects.get(slug="off-sick").title == "An editor's better title"
