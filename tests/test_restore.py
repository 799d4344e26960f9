"""Editors restore an older version of anything, and recover what was deleted, through the admin.

Versions are made as the admin makes them: by saving inside `reversion.create_revision()`."""

import datetime

import pytest
import reversion
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion.models import Version

from core.models import Status
from decisions.models import Answer, DecisionTree, Outcome, Question
from paperwork.models import Form, FormField
from resources.models import GlossaryTerm, Guide
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(factories.editor())
    return client


def kept(build):
    """Run `build` inside a revision, as an admin save does, and return what it returns."""
    with reversion.create_revision():
        item = build()
        reversion.add_to_revision(item)
    return item


def restore(client, item, version):
    """Open the restore page of `version`, as an editor does from the history, then confirm."""
    opts = type(item)._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_revision", args=[item.pk, version.pk])
    page = client.get(url)
    assert page.status_code == 200, page.content.decode()[:3000]
    assert "Changes you type on this page are not kept" in page.content.decode()
    return client.post(url, {"_save": "Save"})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def oldest_version(item) -> Version:
    return Version.objects.get_for_object(item).order_by("pk").first()


# --- Restoring an older version of each kind of content -----------------------------------------


def _form(**fields):
    item = Form.objects.create(
        title="Return to work form",
        slug="return-to-work",
        status=Status.PUBLISHED,
        summary="A short plain summary.",
        body=fields.pop("body", "Use it when they come back."),
        last_reviewed=datetime.date(2026, 6, 1),
        **fields,
    )
    FormField.objects.create(form=item, position=0, name="name", label="Their name")
    return item


def _change_guide(guide):
    guide.body = "Newer words that replaced the old ones."
    guide.save()
    return guide


def _change_script(script):
    script.body = "Newer words that replaced the old ones."
    script.save()
    part = script.parts.get()
    part.body = "- Newer words in the opening line."
    part.save()
    return script


def _change_resource(resource):
    resource.summary = "Newer words that replaced the old ones."
    resource.save()
    return resource


def _change_form(form):
    form.body = "Newer words that replaced the old ones."
    form.save()
    form.fields.all().delete()
    FormField.objects.create(form=form, position=0, name="date", label="The date")
    return form


def _change_term(term):
    term.definition = "Newer words that replaced the old ones."
    term.save()
    return term


CONTENT = {
    "guide": (
        lambda: factories.guide(body="The old advice you trusted."),
        _change_guide,
        lambda guide: guide.get_absolute_url(),
    ),
    "script": (
        lambda: factories.script(body="The old advice you trusted.", parts={"opening": "- Hi."}),
        _change_script,
        lambda script: script.get_absolute_url(),
    ),
    "resource": (
        lambda: factories.resource(summary="The old advice you trusted."),
        _change_resource,
        lambda resource: resource.get_absolute_url(),
    ),
    "form": (
        lambda: _form(body="The old advice you trusted."),
        _change_form,
        lambda form: form.get_absolute_url(),
    ),
    "glossary term": (
        lambda: factories.glossary_term("Rota", definition="The old advice you trusted."),
        _change_term,
        lambda term: reverse("glossary"),
    ),
}


@pytest.mark.both_databases
@pytest.mark.parametrize("kind", CONTENT)
def test_restoring_an_older_version_puts_its_words_back_on_the_public_page(
    editor_client, client, django_capture_on_commit_callbacks, kind
):
    build, change, public_url = CONTENT[kind]
    item = kept(build)
    old = oldest_version(item)
    kept(lambda: change(item))
    assert "Newer words" in client.get(public_url(item)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the page cache is cleared
        response = restore(editor_client, item, old)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert any("Restored the version from" in m for m in messages_of(response))
    page = client.get(public_url(item)).content.decode()
    assert "The old advice you trusted." in page
    assert "Newer words" not in page
    newest = Version.objects.get_for_object(item).first()
    assert newest.revision.comment.startswith("Restored the version from")
    assert newest.revision.user.username == "editor"


@pytest.mark.both_databases
def test_restoring_a_form_puts_back_its_old_fields(editor_client):
    form = kept(_form)
    old = oldest_version(form)
    kept(lambda: _change_form(form))
    assert restore(editor_client, form, old).status_code == 302
    assert list(form.fields.values_list("name", flat=True)) == ["name"]


# --- The decision tool ---------------------------------------------------------------------------


def _grow(tree: DecisionTree) -> DecisionTree:
    """Changes since the first version: a new question and a new outcome between the two old
    questions, an outcome and the introduction reworded."""
    outcome = tree.outcomes.get(slug="tell-them")
    outcome.title = "Tell them today"
    outcome.save()
    written = Outcome.objects.create(tree=tree, slug="write", title="Write it down", body="Do.")
    written.guides.add(factories.guide())
    third = Question.objects.create(tree=tree, slug="third", prompt="Written down?", position=9)
    Answer.objects.create(question=third, label="Yes", outcome=outcome, position=0)
    Answer.objects.create(question=third, label="No", outcome=written, position=1)
    yes = tree.questions.get(slug="second").answers.get(label="Yes")
    yes.outcome, yes.next_question = None, third
    yes.save()
    tree.introduction = "A newer introduction."
    tree.save()
    assert not tree.problems()
    return tree


@pytest.mark.both_databases
def test_restoring_an_older_decision_tool_puts_back_its_questions_answers_and_outcomes(
    editor_client, client, django_capture_on_commit_callbacks
):
    tree = kept(lambda: factories.decision_tree(status=Status.PUBLISHED))
    tree.introduction = "The first introduction."
    kept(lambda: tree.save() or tree)
    old = Version.objects.get_for_object(tree).first()
    kept(lambda: _grow(tree))
    assert "Written down?" in client.get(tree.get_overview_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = restore(editor_client, tree, old)

    assert response.status_code == 302, response.content.decode()[:3000]
    tree.refresh_from_db()
    assert tree.status == Status.PUBLISHED
    assert tree.problems() == []
    assert sorted(tree.questions.values_list("slug", flat=True)) == ["first", "second"]
    assert list(tree.outcomes.values_list("title", flat=True)) == ["Tell them"]
    second_yes = Answer.objects.get(question__slug="second", label="Yes")
    assert second_yes.outcome.slug == "tell-them" and second_yes.next_question is None
    assert tree.outcomes.get().guides.count() == 1
    overview = client.get(tree.get_overview_url()).content.decode()
    assert "Written down?" not in overview and "Tell them today" not in overview
    assert "Told them?" in overview and "Tell them" in overview
    first_page = client.get(tree.get_absolute_url())
    assert first_page.status_code == 200
    assert "The first introduction." in first_page.content.decode()


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "fault, problem",
    [
        ("loop", "Answer &#x27;Yes&#x27; on question &#x27;second&#x27; leads back to question"),
        ("dead end", "Question &#x27;second&#x27; has no answers."),
    ],
)
def test_restoring_a_faulty_decision_tool_is_refused_and_the_live_tool_keeps_working(
    editor_client, client, fault, problem
):
    def faulty():
        tree = factories.decision_tree(status=Status.PUBLISHED, loop=fault == "loop")
        if fault == "dead end":
            Answer.objects.filter(question__slug="second").delete()
        return tree

    tree = kept(faulty)
    assert tree.problems()
    old = oldest_version(tree)

    def fixed():
        second = tree.questions.get(slug="second")
        outcome = tree.outcomes.get()
        second.answers.all().delete()
        Answer.objects.create(question=second, label="Yes", outcome=outcome, position=0)
        Answer.objects.create(question=second, label="No", outcome=outcome, position=1)
        tree.introduction = "The tool as it works now."
        tree.save()
        return tree

    kept(fixed)
    assert tree.problems() == []
    answers_before = sorted(Answer.objects.values_list("pk", "next_question", "outcome"))

    opts = DecisionTree._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_revision", args=[tree.pk, old.pk])
    response = editor_client.post(url, {"_save": "Save"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "not restored" in page
    assert problem in page
    tree.refresh_from_db()
    assert tree.status == Status.PUBLISHED
    assert tree.introduction == "The tool as it works now."
    assert sorted(Answer.objects.values_list("pk", "next_question", "outcome")) == answers_before
    assert tree.problems() == []
    live = client.get(tree.get_absolute_url())
    assert live.status_code == 200
    assert "The tool as it works now." in live.content.decode()
    assert client.get(tree.get_overview_url()).status_code == 200


# --- Recovering deleted items ---------------------------------------------------------------------


def guide_form(title, slug, related=(), **values):
    data = {
        "title": title,
        "slug": slug,
        "status": "published",
        "summary": "A short plain summary.",
        "body": f"You read {title} first. Then you talk.",
        "check_policy_first": "on",
        "policy_note": "",
        "tags": "",
        "related_guides": [guide.pk for guide in related],
        "last_reviewed": "2026-06-01",
        "next_review_due": "",
        "reviewed_by": "",
        "review_notes": "",
        "_save": "Save",
    }
    for prefix in ("glosses", "nation_notes"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | values


@pytest.mark.both_databases
def test_recovering_two_deleted_guides_that_link_to_each_other_puts_back_both_and_their_links(
    editor_client, client
):
    add = reverse("admin:resources_guide_add")
    assert editor_client.post(add, guide_form("Sickness", "sickness")).status_code == 302
    sickness = Guide.objects.get(slug="sickness")
    response = editor_client.post(add, guide_form("Return", "return", related=[sickness]))
    assert response.status_code == 302
    back = Guide.objects.get(slug="return")
    change = reverse("admin:resources_guide_change", args=[sickness.pk])
    assert editor_client.post(change, guide_form("Sickness", "sickness", [back])).status_code == 302
    for guide in (sickness, back):
        delete = reverse("admin:resources_guide_delete", args=[guide.pk])
        # Each lists the other: deleting one in use needs the extra tick (core.admin_mixins).
        confirmed = {"post": "yes", "_delete_although_used": "yes"}
        assert editor_client.post(delete, confirmed).status_code == 302
    assert not Guide.objects.exists()

    recover_list = editor_client.get(reverse("admin:resources_guide_recoverlist"))
    assert recover_list.status_code == 200
    said = []
    for guide in (sickness, back):
        version = Version.objects.get_deleted(Guide).get(object_id=str(guide.pk))
        url = reverse("admin:resources_guide_recover", args=[version.pk])
        assert editor_client.get(url).status_code == 200
        response = editor_client.post(url, {"_save": "Save"})
        assert response.status_code == 302, response.content.decode()[:3000]
        said.append(" ".join(messages_of(response)))
    assert "“Return”" in said[0]  # left out: it was still deleted
    assert "Links to it were put back on: “Sickness”" in said[1]

    sickness, back = Guide.objects.get(slug="sickness"), Guide.objects.get(slug="return")
    assert list(sickness.related_guides.all()) == [back]
    assert list(back.related_guides.all()) == [sickness]
    assert back.get_absolute_url() in client.get(sickness.get_absolute_url()).content.decode()
    assert sickness.get_absolute_url() in client.get(back.get_absolute_url()).content.decode()


@pytest.mark.both_databases
def test_recovering_a_guide_whose_related_guide_is_gone_says_which_link_was_left_out(
    editor_client,
):
    gone = kept(lambda: factories.guide("Gone for good"))
    guide = kept(lambda: factories.guide("Still wanted"))
    kept(lambda: guide.related_guides.add(gone) or guide)
    guide_id = guide.pk
    guide.delete()
    gone.delete()

    version = Version.objects.get_deleted(Guide).get(object_id=str(guide_id))
    url = reverse("admin:resources_guide_recover", args=[version.pk])
    response = editor_client.post(url, {"_save": "Save"})

    assert response.status_code == 302
    recovered = Guide.objects.get(title="Still wanted")
    assert not recovered.related_guides.exists()
    assert any("Gone for good" in m for m in messages_of(response))


@pytest.mark.both_databases
def test_a_version_of_another_kind_of_content_cannot_be_restored_through_this_page(editor_client):
    guide = kept(lambda: factories.guide())
    term = kept(lambda: GlossaryTerm.objects.create(pk=guide.pk, term="Rota", slug="rota"))
    term_version = oldest_version(term)
    url = reverse("admin:resources_guide_revision", args=[guide.pk, term_version.pk])
    assert editor_client.get(url).status_code == 404
    assert editor_client.post(url, {"_save": "Save"}).status_code == 404
