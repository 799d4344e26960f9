"""Content lives in content/: it loads, exports and reloads exactly, and bad files are caught."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from reversion.models import Version

from resources.models import GlossaryTerm, Guide, Resource, Script, ScriptPart, Workplace

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"
SHARED_RESOURCES = Path(settings.BASE_DIR).parent / "shared" / "reference" / "resources.md"


def load(*paths, dry_run=False) -> str:
    out = StringIO()
    args = [str(p) for p in paths] + (["--dry-run"] if dry_run else [])
    call_command("load_content", *args, stdout=out, stderr=out)
    return out.getvalue()


def load_failing(*paths) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("load_content", *[str(p) for p in paths], stdout=StringIO(), stderr=err)
    assert error.value.returncode == 1
    return err.getvalue()


def snapshot_of_database() -> tuple:
    return (
        list(Guide.objects.values_list("slug", "title", "body", "updated")),
        list(Script.objects.values_list("slug", "title", "updated")),
        list(Resource.objects.values_list("slug", "url", "updated")),
        list(GlossaryTerm.objects.values_list("slug", "definition")),
        Version.objects.count(),
    )


SMALL_CONTENT = {
    "workplaces.yaml": "- slug: nhs\n  name: NHS\n- slug: home-care\n  name: Home care\n",
    "topics.yaml": "- slug: absence\n  name: Managing absence\n",
    "stages.yaml": "- slug: absence\n  name: Absence\n  situation: Someone is off sick\n",
    "glossary.yaml": "- term: Fit note\n  slug: fit-note\n  definition: A note from a doctor.\n",
    "guides/off-sick.md": (
        "---\ntype: guide\ntitle: When someone is off sick\nstatus: published\n"
        "topics: [absence]\nstages: [absence]\nglosses:\n  nhs: Use your policy.\n"
        "last_reviewed: 2026-05-01\n---\nAsk for a [[fit note]] after seven days.\n"
    ),
    "scripts/back-at-work.md": (
        "---\ntype: script\ntitle: Back at work\nstatus: published\nstages: [absence]\n"
        "last_reviewed: 2026-05-02\n---\nA short talk.\n\n## Before the meeting\n\n"
        "- Read the fit note.\n\n## Opening\n\n- Say welcome back.\n"
    ),
    "resources/absence-advice.md": (
        "---\ntype: resource\ntitle: Absence advice\nstatus: published\n"
        "url: https://www.acas.org.uk/absence-from-work\nrelevance:\n  nhs: Useful.\n"
        "last_reviewed: 2026-05-03\n---\nAdvice on time off.\n"
    ),
}


def small_content(folder: Path) -> Path:
    """A few good files of each kind: enough for a loader rule to be tested on its own."""
    for name, text in SMALL_CONTENT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_the_small_folder_loads_cleanly(tmp_path):
    output = load(small_content(tmp_path / "content"))
    assert re.search(r"[1-9]\d* created", output), output
    assert Guide.objects.published().get(slug="off-sick")
    assert Script.objects.published().get(slug="back-at-work").parts.count() == 2
    assert Resource.objects.published().get(slug="absence-advice")


def tree(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


@pytest.mark.both_databases
def test_loading_twice_changes_nothing_the_second_time(starter_content):
    assert Guide.objects.exists()
    before = snapshot_of_database()
    second = load()
    assert "0 created, 0 updated" in second
    assert snapshot_of_database() == before


@pytest.mark.both_databases
def test_load_export_load_into_an_empty_database_export_again_is_byte_identical(
    tmp_path, starter_content
):
    call_command("export_content", str(tmp_path / "first"), stdout=StringIO())
    connection.check_constraints()  # PostgreSQL empties no table with checks still pending
    call_command("flush", "--noinput", verbosity=0)
    assert not Guide.objects.exists()
    load(tmp_path / "first")
    call_command("export_content", str(tmp_path / "second"), stdout=StringIO())
    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert any(name.startswith("guides/") for name in first)


@pytest.mark.both_databases
def test_a_loaded_change_is_a_new_revision_not_an_overwrite(tmp_path):
    content = small_content(tmp_path / "content")
    load(content)
    guide_file = next((content / "guides").glob("*.md"))
    guide = Guide.objects.get(slug=guide_file.stem)
    versions_before = Version.objects.get_for_object(guide).count()
    guide_file.write_text(
        guide_file.read_text().replace("\n---\n", "\n---\nA new first line.\n\n", 1)
    )
    assert "1 updated" in load(content)
    assert Version.objects.get_for_object(guide).count() == versions_before + 1
    assert Guide.objects.get(pk=guide.pk).body.startswith("A new first line.")


def test_dry_run_reports_but_changes_nothing(tmp_path):
    output = load(small_content(tmp_path / "content"), dry_run=True)
    assert "Dry run" in output
    assert not Guide.objects.exists()


BAD_FILES = {
    "invalid YAML": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: [unclosed\n---\nBody.\n",
        3,
        "invalid YAML",
    ),
    "unknown key": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: Hi\ncolour: red\n---\nBody.\n",
        4,
        "unknown key 'colour'",
    ),
    "unknown topic": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: Hi\ntopics:\n  - knitting\n---\nBody.\n",
        5,
        "unknown topic 'knitting'",
    ),
    "unknown setting": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: Hi\nglosses:\n  nhs: Fine.\n  the-moon: Odd.\n---\nBody.\n",
        6,
        "unknown workplace setting 'the-moon'",
    ),
    "missing title": (
        "guides/bad.md",
        "---\ntype: guide\nsummary: No title here.\n---\nBody.\n",
        2,
        "title is missing",
    ),
    "bad date": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: Hi\nlast_reviewed: 2026-13-45\n---\nBody.\n",
        4,
        "is not a date",
    ),
    "bad URL": (
        "resources/bad.md",
        "---\ntype: resource\ntitle: Hi\nurl: javascript:alert(1)\n---\nBody.\n",
        4,
        "is not a valid http:// or https:// address",
    ),
    "duplicate slug": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: Hi\nslug: DUPLICATE\n---\nBody.\n",
        4,
        "duplicate slug",
    ),
    "glossary link to no entry": (
        "guides/bad.md",
        "---\ntype: guide\ntitle: Hi\n---\nIntro.\n\nA [[flibbertigibbet]] here.\n",
        7,
        "[[flibbertigibbet]] links to no glossary entry",
    ),
    "unknown script part": (
        "scripts/bad.md",
        "---\ntype: script\ntitle: Hi\n---\nIntro.\n\n## Small talk\n\n- Chat.\n",
        7,
        "unknown script part 'Small talk'",
    ),
}


@pytest.mark.both_databases
@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_reported_with_its_path_and_line_and_nothing_changes(tmp_path, kind):
    content = small_content(tmp_path / "content")
    load(content)
    before = snapshot_of_database()
    name, text, line, message = BAD_FILES[kind]
    if kind == "duplicate slug":
        existing = next((content / "guides").glob("*.md")).stem
        text = text.replace("DUPLICATE", existing)
        # A new guide anywhere else with the same slug as an existing file.
        name = "guides/another-name.md"
    (content / name).write_text(text)
    errors = load_failing(content)
    expected = f"{content / name}:{line}: "
    assert expected in errors, errors
    assert message in errors, errors
    assert snapshot_of_database() == before


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    content = small_content(tmp_path / "content")
    bad = content / "guides" / "many-problems.md"
    bad.write_text(
        "---\ntype: guide\ncolour: red\ntopics: [knitting]\nlast_reviewed: someday\n---\nBody.\n"
    )
    errors = load_failing(content)
    for line, message in [
        (2, "title is missing"),
        (3, "unknown key"),
        (4, "unknown topic"),
        (5, "not a date"),
    ]:
        assert f"{bad}:{line}: " in errors and message in errors, errors
    assert not Guide.objects.exists()


@pytest.mark.both_databases
def test_a_file_that_fails_leaves_earlier_good_files_unloaded_too(tmp_path):
    content = small_content(tmp_path / "content")
    (content / "resources" / "zzz-broken.md").write_text(
        "---\ntype: resource\ntitle: No address\n---\n"
    )
    errors = load_failing(content)
    assert "url is missing" in errors
    assert not Guide.objects.exists() and not Workplace.objects.exists()


# --- The starter hub ------------------------------------------------------------------------


def test_the_starter_hub_has_enough_useful_content(starter_content):
    assert Guide.objects.published().count() >= 12
    assert Script.objects.published().count() >= 6
    assert Resource.objects.published().count() >= 20
    assert GlossaryTerm.objects.count() >= 25
    for slug in [
        "induction",
        "supervision",
        "appraisal",
        "absence",
        "poor-performance",
        "poor-conduct",
    ]:
        assert Script.objects.published().filter(stages__slug=slug).exists(), slug
    assert set(Workplace.objects.values_list("slug", flat=True)) >= {
        "nhs",
        "residential-care",
        "home-care",
        "small-organisation",
    }


def test_every_script_has_a_checklist_for_each_part(starter_content):
    for script in Script.objects.published():
        kinds = set(script.parts.values_list("kind", flat=True))
        assert kinds == set(ScriptPart.Kind.values), script.slug


def test_every_script_ends_with_what_to_do_if_the_conversation_gets_hard(starter_content):
    for script in Script.objects.published():
        last = script.parts.order_by("position").last()
        assert last.kind == ScriptPart.Kind.HARD, script.slug
        text = last.body.lower()
        for moment in ["cry", "angry", "bullied", "representative", "off sick"]:
            assert moment in text, (script.slug, moment)


def test_every_resource_is_annotated_for_the_nhs_and_residential_care(starter_content):
    for resource in Resource.objects.published():
        assert resource.summary, resource.slug
        assert resource.relevance.exists(), resource.slug
        glosses = set(resource.glosses.values_list("workplace__slug", flat=True))
        assert {"nhs", "residential-care"} <= glosses, resource.slug


def test_no_title_says_performance_management(starter_content):
    for model in (Guide, Script, Resource):
        for title in model.objects.values_list("title", flat=True):
            assert "performance management" not in title.lower(), title


def test_review_dates_are_spread_out(starter_content):
    from collections import Counter

    weeks = Counter()
    for model in (Guide, Script, Resource):
        for due in model.objects.values_list("next_review_due", flat=True):
            weeks[due.isocalendar()[:2]] += 1
    assert max(weeks.values()) <= 3, weeks.most_common(3)
    # A page can't have been reviewed in the future.
    assert all(
        d <= datetime.date.today()
        for model in (Guide, Script, Resource)
        for d in model.objects.values_list("last_reviewed", flat=True)
    )


def test_every_third_party_url_comes_from_the_shared_reference_list(starter_content):
    if not SHARED_RESOURCES.exists():
        pytest.skip("../shared/reference/resources.md is not beside this checkout")
    allowed = {
        u.rstrip("/") for u in re.findall(r"https?://[^ |)>]+", SHARED_RESOURCES.read_text())
    }
    used = set()
    for path in CONTENT.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".yaml"} and path.name != "README.md":
            used |= {
                u.rstrip("/.,;:") for u in re.findall(r"https?://[^\s)\"'<>]+", path.read_text())
            }
    assert used, "the starter content should link to real resources"
    assert sorted(used - allowed) == []


def test_if_empty_loads_a_new_hub_but_never_writes_over_editors_work(tmp_path):
    content = small_content(tmp_path / "content")
    assert re.search(r"[1-9]\d* created", load(content, "--if-empty"))
    guide = Guide.objects.order_by("slug").first()
    guide.title = "An editor's better title"
    guide.save()
    assert "already has content" in load(content, "--if-empty")
    assert Guide.objects.get(pk=guide.pk).title == "An editor's better title"


def test_a_live_page_linking_to_a_draft_is_refused_and_nothing_loads(tmp_path):
    content = small_content(tmp_path / "content")
    (content / "guides" / "not-ready.md").write_text(
        "---\ntype: guide\ntitle: Not ready\nstatus: draft\nlast_reviewed: 2026-05-01\n---\nSoon.\n"
    )
    guide = content / "guides" / "off-sick.md"
    guide.write_text(guide.read_text() + "\nSee [the next guide](/guides/not-ready/).\n")

    errors = load_failing(content)

    assert "guides/off-sick:1: It links to “Not ready” (/guides/not-ready/), which is not live" in (
        errors
    )
    assert not Guide.objects.exists()
