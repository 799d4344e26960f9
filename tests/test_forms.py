"""Forms and letters: each renders, fills in and downloads for Word; nothing typed is kept."""

import io
import logging
import shutil
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.debug import ExceptionReporter
from docx import Document

from hub.middleware import AnonymousPageCacheMiddleware
from paperwork.models import Form, FormField
from paperwork.word import DOCX_TYPE

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"
# Text that a template engine or a browser would act on, and letters from beyond ASCII.
TRICKY = (
    '<script>alert("typed")</script> {{ request.user }} {% csrf_token %} ((employee)) Zoë – 日本語'
)
SECRET = "Private note 7f3a about a named person"


def copy_content(tmp_path: Path, *extra: str) -> Path:
    """The taxonomies, glossary and forms: everything the forms need, and nothing slower."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in ("workplaces.yaml", "topics.yaml", "stages.yaml", "glossary.yaml"):
        shutil.copy(CONTENT / name, folder / name)
    shutil.copytree(CONTENT / "forms", folder / "forms")
    for name in extra:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CONTENT / name, folder / name)
    return folder


def load(*paths) -> str:
    out = StringIO()
    call_command("load_content", *[str(p) for p in paths], stdout=out, stderr=out)
    return out.getvalue()


def load_failing(*paths) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_content", *[str(p) for p in paths], stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def forms(starter_content):
    """The shipped forms, in the starter content loaded once for this file's reading tests."""
    return list(Form.objects.published().order_by("slug"))


def answer_for(field: FormField, text: str) -> dict[str, str]:
    """A reader's answer to one field, as the browser would post it."""
    if field.kind == FormField.Kind.DATE:
        return {field.name: "2027-03-05"}
    if field.kind == FormField.Kind.CHOICE:
        return {field.name: field.choice_list[-1]}
    if field.kind == FormField.Kind.YES_NO:
        return {field.name: "Yes"}
    if field.kind == FormField.Kind.TABLE:
        return {f"{field.name}-1-{c}": f"{text} {c}" for c in range(1, len(field.column_list) + 1)}
    return {field.name: text}


def filled_in(form: Form, text: str = SECRET) -> dict[str, str]:
    data = {}
    for field in form.fields.all():
        data.update(answer_for(field, text))
    return data


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def every_row_count() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_the_starter_set_has_at_least_18_published_forms_each_with_all_four_workplaces(forms):
    assert len(forms) >= 18
    for form in forms:
        places = {gloss.workplace.slug for gloss in form.glosses.all()}
        assert places == {"nhs", "residential-care", "home-care", "small-organisation"}, form.slug


def test_every_form_renders_fills_in_and_downloads_for_word(client, forms):
    for form in forms:
        page = client.get(form.get_absolute_url())
        assert page.status_code == 200, form.slug
        html = page.content.decode()
        assert form.title in html
        assert 'method="post"' in html and "Download for Word" in html
        assert "Nothing you type is kept" in html

        filled = client.post(form.get_absolute_url(), filled_in(form))
        assert filled.status_code == 200, form.slug
        assert SECRET in filled.content.decode(), form.slug
        assert "no-store" in filled["Cache-Control"]

        word = client.post(form.get_word_url(), filled_in(form))
        assert word.status_code == 200, form.slug
        assert word["Content-Type"] == DOCX_TYPE
        assert word["Content-Disposition"] == f'attachment; filename="{form.slug}.docx"'
        assert "no-store" in word["Cache-Control"]
        assert SECRET in docx_text(word.content), form.slug

        blank = client.get(form.get_word_url())
        assert blank["Content-Type"] == DOCX_TYPE
        assert "attachment" in blank["Content-Disposition"]
        text = docx_text(blank.content)
        assert SECRET not in text
        if form.has_letter:  # a letter goes out as it is: its own text, no title or web address
            plain_line = next(x for x in form.letter.splitlines() if x and "((" not in x)
            assert plain_line.removeprefix("## ") in text, form.slug
            assert form.get_absolute_url() not in text
        else:
            assert form.title in text and form.get_absolute_url() in text


def test_typed_text_is_shown_exactly_as_typed_and_never_run(client, forms):
    letter = Form.objects.get(slug="disciplinary-hearing-invitation")
    data = filled_in(letter) | {"employee": TRICKY, "allegations": f"Line one\n{TRICKY}"}

    page = client.post(letter.get_absolute_url(), data).content.decode()
    assert '<script>alert("typed")' not in page
    assert "&lt;script&gt;alert(&quot;typed&quot;)&lt;/script&gt;" in page
    assert "{{ request.user }} {% csrf_token %} ((employee)) Zoë – 日本語" in page

    word = client.post(letter.get_word_url(), data)
    text = docx_text(word.content)
    assert f"Dear {TRICKY}" in text
    assert f"Line one\n{TRICKY}" in text
    assert "[Name of the person]" not in text


def test_a_blank_letter_shows_the_label_of_each_missing_answer(client, forms):
    letter = Form.objects.get(slug="investigation-meeting-invitation")
    text = docx_text(client.get(letter.get_word_url()).content)
    assert "Dear [Name of the person]" in text
    assert "((" not in text


def test_filling_in_a_form_changes_no_row_and_logs_nothing_typed(client, forms, caplog):
    form = Form.objects.get(slug="return-to-work-form")
    before = every_row_count()
    with caplog.at_level(logging.DEBUG), CaptureQueriesContext(connection) as queries:
        client.post(form.get_absolute_url(), filled_in(form))
        client.post(form.get_word_url(), filled_in(form))
        client.post(form.get_absolute_url(), {"reason": SECRET})  # a missing required field
        client.post(form.get_absolute_url(), {"name": SECRET, "first-day-off": "not a date"})
        # Refused requests are logged (with their address only).
        Client(enforce_csrf_checks=True).post(form.get_absolute_url(), filled_in(form))
        client.post("/forms/no-such-form/", filled_in(form))
    assert every_row_count() == before
    assert all(SECRET not in query["sql"] for query in queries.captured_queries)
    assert {"Forbidden (CSRF cookie not set.): /forms/return-to-work-form/"} <= {
        record.getMessage() for record in caplog.records
    }
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.__dict__)


def test_an_error_report_from_a_form_page_holds_nothing_typed(forms, monkeypatch):
    form = Form.objects.get(slug="return-to-work-form")

    def broken(answers):
        raise RuntimeError("Word file could not be made")

    monkeypatch.setattr("paperwork.views.build_docx", broken)
    reports = []

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text() + reporter.get_traceback_html())

    got_request_exception.connect(report)
    try:
        client = Client(raise_request_exception=False)
        response = client.post(form.get_word_url(), filled_in(form))
    finally:
        got_request_exception.disconnect(report)
    assert response.status_code == 500
    assert len(reports) == 1
    assert "Word file could not be made" in reports[0]
    assert SECRET not in reports[0]


def test_the_filled_form_is_never_cached(client, forms, settings):
    settings.HUB_PAGE_CACHE_SECONDS = 600
    from django.core.cache import cache

    form = Form.objects.get(slug="supervision-record")
    filled = client.post(form.get_absolute_url(), filled_in(form))
    assert "no-store" in filled["Cache-Control"]
    blank = client.get(form.get_absolute_url())
    assert "no-store" in blank["Cache-Control"]
    request = RequestFactory().get(form.get_absolute_url())
    assert cache.get(AnonymousPageCacheMiddleware._key(request)) is None
    again = client.get(form.get_absolute_url())
    assert SECRET not in again.content.decode()


def test_posting_a_form_needs_the_csrf_token(forms):
    form = Form.objects.get(slug="supervision-record")
    client = Client(enforce_csrf_checks=True)
    assert client.post(form.get_absolute_url(), filled_in(form)).status_code == 403
    assert client.post(form.get_word_url(), filled_in(form)).status_code == 403
    client.get(form.get_absolute_url())
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    data = filled_in(form) | {"csrfmiddlewaretoken": token}
    assert client.post(form.get_absolute_url(), data).status_code == 200
    assert client.post(form.get_word_url(), data).status_code == 200


def test_a_missing_required_field_shows_an_error_summary_and_keeps_what_was_typed(client, forms):
    form = Form.objects.get(slug="improvement-plan")
    data = filled_in(form, "Kept as typed: <b>bold</b>")
    del data["standard"]
    page = client.post(form.get_absolute_url(), data).content.decode()
    assert "<title>Error: Improvement plan" in page
    assert "There is a problem" in page
    assert '<a href="#field-standard">Enter the standard of work needed</a>' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Kept as typed: &lt;b&gt;bold&lt;/b&gt;"' in page  # short text
    assert ">Kept as typed: &lt;b&gt;bold&lt;/b&gt;</textarea>" in page  # long text
    assert 'id="field-steps-1-1" value="Kept as typed: &lt;b&gt;bold&lt;/b&gt; 1"' in page

    word = client.post(form.get_word_url(), data)
    assert word["Content-Type"].startswith("text/html")
    assert "There is a problem" in word.content.decode()


def test_a_date_that_is_not_a_date_is_an_error(client, forms):
    form = Form.objects.get(slug="supervision-record")
    page = client.post(form.get_absolute_url(), {"name": "Sam", "meeting-date": "soon"})
    assert "Enter date of the meeting as a real date" in page.content.decode()


def test_changing_your_answers_brings_back_the_form_with_them(client, forms):
    form = Form.objects.get(slug="supervision-record")
    page = client.post(form.get_absolute_url(), {"name": "Sam Jones", "action": "change"})
    html = page.content.decode()
    assert 'value="Sam Jones"' in html
    assert "There is a problem" not in html


def test_the_page_says_what_it_is_for_when_to_use_it_and_for_each_workplace(client, forms):
    html = client.get("/forms/return-to-work-form/").content.decode()
    for heading in ("What it is for", "When to use it", "Check against your own policy"):
        assert heading in html
    assert "What this means where you work" in html


def test_northern_ireland_reader_sees_the_labour_relations_agency_on_letters(client, forms):
    html = client.get("/forms/first-written-warning/").content.decode()
    assert "Labour Relations Agency" in html
    text = docx_text(client.get("/forms/first-written-warning/word/").content)
    assert "Your right to appeal" in text


def test_letters_give_the_rights_the_acas_code_expects(forms):
    accompanied = ["disciplinary-hearing-invitation", "capability-review-invitation"]
    appeal = ["first-written-warning", "final-written-warning", "grievance-outcome-letter"]
    for slug in accompanied:
        assert "right to bring a companion" in Form.objects.get(slug=slug).letter, slug
    for slug in appeal:
        assert "right to appeal" in Form.objects.get(slug=slug).letter, slug
    assert "you could be dismissed" in Form.objects.get(slug="final-written-warning").letter
    for form in Form.objects.exclude(kind=Form.Kind.FORM):
        assert form.check_note, f"{form.slug} says what to check against your own policy"


def test_the_list_shows_forms_by_stage_and_by_topic(client, forms):
    html = client.get("/forms/").content.decode()
    assert "By stage" in html and "By topic" in html
    for form in forms:
        assert form.get_absolute_url() in html


def test_forms_are_found_by_search(tmp_path, django_capture_on_commit_callbacks):
    from resources.search import search

    with django_capture_on_commit_callbacks(execute=True):
        load(copy_content(tmp_path))
    hits = search("keeping in touch record").hits
    assert any(hit.kind == "form" and hit.url == "/forms/keeping-in-touch-record/" for hit in hits)
    assert {hit.kind_label for hit in hits if hit.kind == "form"} == {"Form or letter"}


def test_forms_fall_due_for_review_like_everything_else(forms):
    import datetime

    from links.reviews import review_due

    form = forms[0]
    Form.objects.filter(pk=form.pk).update(
        last_reviewed=datetime.date(2020, 1, 1), next_review_due=datetime.date(2021, 1, 1)
    )
    titles = [item.title for item in review_due(days=0).items if item.overdue]
    assert form.title in titles


def test_a_guide_lists_its_related_forms(client, tmp_path):
    folder = copy_content(tmp_path, "guides/short-term-absence.md")
    guide = folder / "guides" / "short-term-absence.md"
    text = guide.read_text().replace("related_guides:", "related_guides_unused:", 1)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("related_"))
    guide.write_text(text.replace("---\n", "---\nrelated_forms: [absence-record]\n", 1) + "\n")
    load(folder)
    html = client.get("/guides/short-term-absence/").content.decode()
    assert 'href="/forms/absence-record/"' in html


def test_a_related_form_that_does_not_exist_is_reported(tmp_path):
    folder = copy_content(tmp_path, "guides/short-term-absence.md")
    guide = folder / "guides" / "short-term-absence.md"
    lines = [line for line in guide.read_text().splitlines() if not line.startswith("related_")]
    lines.insert(1, "related_forms: [no-such-form]")
    guide.write_text("\n".join(lines) + "\n")
    assert f"{guide}:2: unknown form 'no-such-form' in related_forms" in load_failing(folder)


# --- Loading and exporting -------------------------------------------------------------------

BAD_FORM = """---
type: form
title: A letter with mistakes
kind: letter
status: published
fields:
- name: employee
  label: Name of the person
  kind: short-text
- name: when
  label: When
  kind: calendar
letter: |
  Dear ((employee))

  See you on ((meeting-date)).
---
What it is for.
"""


def test_load_content_rejects_an_unknown_field_kind_and_a_placeholder_naming_no_field(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "forms" / "bad-letter.md"
    path.write_text(BAD_FORM)
    errors = load_failing(folder)
    assert f"{path}:12: field 'when': unknown kind 'calendar'" in errors
    assert f"{path}:16: the placeholder ((meeting-date)) names no field" in errors
    assert not Form.objects.exists(), "nothing is loaded when a file is wrong"


def test_a_letter_needs_its_text(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "forms" / "no-text.md"
    path.write_text(BAD_FORM.split("letter: |")[0].replace("calendar", "date") + "---\nFor.\n")
    assert f"{path}:4: a letter needs its text under 'letter:'" in load_failing(folder)


def test_export_round_trips_every_form_byte_for_byte(tmp_path):
    load(copy_content(tmp_path))
    call_command("export_content", str(tmp_path / "out"), stdout=StringIO())
    for source in sorted((CONTENT / "forms").glob("*.md")):
        exported = tmp_path / "out" / "forms" / source.name
        assert exported.read_text() == source.read_text(), source.name
    assert "0 created, 0 updated" in load(tmp_path / "out")


def test_a_changed_form_file_is_a_new_revision(tmp_path):
    from reversion.models import Version

    folder = copy_content(tmp_path)
    load(folder)
    path = folder / "forms" / "supervision-record.md"
    path.write_text(path.read_text().replace("label: Your name", "label: Supervisor's name"))
    load(folder)
    form = Form.objects.get(slug="supervision-record")
    assert "Supervisor's name" in [field.label for field in form.fields.all()]
    assert Version.objects.get_for_object(form).count() == 2


def test_an_editor_edits_a_form_in_admin_with_its_history_and_preview(client, forms):
    from reversion.models import Version

    from tests import factories

    client.force_login(factories.editor())
    form = Form.objects.get(slug="supervision-record")
    admin_url = f"/{settings.ADMIN_PATH}paperwork/form/{form.pk}/"
    assert client.get(f"/{settings.ADMIN_PATH}paperwork/form/").status_code == 200
    assert client.get(f"{admin_url}change/").status_code == 200
    preview = client.get(f"{admin_url}preview/")
    assert preview.status_code == 200
    assert "Fill it in" in preview.content.decode()
    assert client.get(f"{admin_url}history/").status_code == 200
    assert Version.objects.get_for_object(form).count() == 1


def test_a_letter_heading_is_a_heading_and_the_text_under_it_a_paragraph(client, forms):
    letter = Form.objects.get(slug="first-written-warning")
    data = filled_in(letter) | {"findings": "You were late five times."}
    html = client.post(letter.get_absolute_url(), data).content.decode()
    assert '<h2 class="paper-heading">What I found</h2>' in html
    assert '<p><span class="paper-filled">You were late five times.</span></p>' in html
    document = Document(io.BytesIO(client.post(letter.get_word_url(), data).content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "What I found" in headings
    assert "You were late five times." in [p.text for p in document.paragraphs]


def test_published_forms_are_in_the_sitemap(client, forms):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/forms/</loc>" in sitemap
    assert "/forms/return-to-work-form/</loc>" in sitemap


def admin_post_data(form: Form, **changes) -> dict:
    """What the admin's change page posts for a form, with its fields and glosses inline."""
    data = {
        "title": form.title,
        "slug": form.slug,
        "kind": form.kind,
        "status": form.status,
        "summary": form.summary,
        "body": form.body,
        "when_to_use": form.when_to_use,
        "check_note": form.check_note,
        "letter": form.letter,
        "topics": [t.pk for t in form.topics.all()],
        "stages": [s.pk for s in form.stages.all()],
        "last_reviewed": form.last_reviewed.isoformat(),
        "next_review_due": form.next_review_due.isoformat(),
        "review_notes": "",
    }
    fields = list(form.fields.all())
    data |= {
        "fields-TOTAL_FORMS": len(fields),
        "fields-INITIAL_FORMS": len(fields),
        "fields-MIN_NUM_FORMS": 0,
        "fields-MAX_NUM_FORMS": 1000,
    }
    for n, field in enumerate(fields):
        for name in ("position", "name", "kind", "label", "help_text", "choices", "columns"):
            data[f"fields-{n}-{name}"] = getattr(field, name)
        data |= {
            f"fields-{n}-rows": field.rows,
            f"fields-{n}-id": field.pk,
            f"fields-{n}-form": form.pk,
        }
        if field.required:
            data[f"fields-{n}-required"] = "on"
    glosses = list(form.glosses.all())
    data |= {
        "glosses-TOTAL_FORMS": len(glosses),
        "glosses-INITIAL_FORMS": len(glosses),
        "glosses-MIN_NUM_FORMS": 0,
        "glosses-MAX_NUM_FORMS": 1000,
    }
    for n, gloss in enumerate(glosses):
        data |= {
            f"glosses-{n}-workplace": gloss.workplace_id,
            f"glosses-{n}-body": gloss.body,
            f"glosses-{n}-id": gloss.pk,
            f"glosses-{n}-form": form.pk,
        }
    notes = list(form.nation_notes.all())
    data |= {
        "nation_notes-TOTAL_FORMS": len(notes),
        "nation_notes-INITIAL_FORMS": len(notes),
        "nation_notes-MIN_NUM_FORMS": 0,
        "nation_notes-MAX_NUM_FORMS": 1000,
    }
    for n, note in enumerate(notes):
        data |= {
            f"nation_notes-{n}-nation": note.nation,
            f"nation_notes-{n}-body": note.body,
            f"nation_notes-{n}-id": note.pk,
            f"nation_notes-{n}-form": form.pk,
        }
    return data | changes


def test_admin_refuses_a_placeholder_that_names_no_field(client, forms):
    from tests import factories

    client.force_login(factories.editor())
    form = Form.objects.get(slug="investigation-meeting-invitation")
    url = f"/{settings.ADMIN_PATH}paperwork/form/{form.pk}/change/"
    bad = client.post(url, admin_post_data(form, letter="Dear ((employee)) and ((nobody))"))
    assert bad.status_code == 200
    assert "uses ((nobody)), but no field has that name" in bad.content.decode()
    good = client.post(url, admin_post_data(form, letter="Dear ((employee))"))
    assert good.status_code == 302, good.content.decode()[:2000]
    assert Form.objects.get(pk=form.pk).letter == "Dear ((employee))"


def test_a_stage_page_lists_its_forms(client, forms):
    html = client.get("/stages/absence/").content.decode()
    assert "<h2>Forms and letters</h2>" in html
    assert 'href="/forms/return-to-work-form/"' in html


def test_after_a_post_the_reader_lands_on_the_error_summary_above_the_form(client, forms):
    html = client.post("/forms/supervision-record/", {}).content.decode()
    section = html[html.index('<section id="fill-in"') :]
    assert section.index("There is a problem") < section.index('<form method="post"')
    assert 'action="/forms/supervision-record/#fill-in"' in html
