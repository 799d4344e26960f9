"""'Is it time for formal action?': editors build trees that always lead somewhere, and managers
walk them one question per page, with every step its own address and nothing stored."""

import html
import re
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.models import Status
from decisions.models import DecisionTree
from decisions.validation import AnswerShape, TreeShape, problems_in
from tests import factories

pytestmark = pytest.mark.django_db

STARTER_TREE = "formal-action"
MAX_PATH = 10


# --- The validator names each kind of fault ----------------------------------------------------


def yes_no(yes=None, no=None, *, yes_to=None, no_to=None):
    return [AnswerShape("Yes", yes, yes_to), AnswerShape("No", no, no_to)]


GOOD = TreeShape(
    start="what-kind",
    questions={
        "what-kind": yes_no("told-clearly", yes_to=None, no=None, no_to="quiet-word"),
        "told-clearly": yes_no(yes_to="formal", no_to="quiet-word"),
    },
    outcomes={"quiet-word": True, "formal": True},
)

BROKEN = {
    "no start question": (
        TreeShape(start=None, questions={"a": yes_no(yes_to="o", no_to="o")}, outcomes={"o": True}),
        "The tree has no start question.",
    ),
    "a start question that does not exist": (
        TreeShape(start="zz", questions={"a": yes_no(yes_to="o", no_to="o")}, outcomes={"o": True}),
        "The start question 'zz' does not exist.",
    ),
    "a question with no answers": (
        TreeShape(start="a", questions={"a": []}, outcomes={"o": True}),
        "Question 'a' has no answers.",
    ),
    "an answer that leads nowhere": (
        TreeShape(
            start="a",
            questions={"a": [AnswerShape("Yes", None, "o"), AnswerShape("Not sure")]},
            outcomes={"o": True},
        ),
        "Answer 'Not sure' on question 'a' leads nowhere.",
    ),
    "an answer that leads to both": (
        TreeShape(
            start="a",
            questions={"a": [AnswerShape("Yes", "b", "o")], "b": yes_no(yes_to="o", no_to="o")},
            outcomes={"o": True},
        ),
        "Answer 'Yes' on question 'a' leads to both a question and an outcome.",
    ),
    "an answer to a missing question": (
        TreeShape(start="a", questions={"a": yes_no("gone", no_to="o")}, outcomes={"o": True}),
        "Answer 'Yes' on question 'a' leads to question 'gone', which does not exist.",
    ),
    "an answer to a missing outcome": (
        TreeShape(
            start="a", questions={"a": yes_no(yes_to="o", no_to="gone")}, outcomes={"o": True}
        ),
        "Answer 'No' on question 'a' leads to outcome 'gone', which does not exist.",
    ),
    "a loop": (
        TreeShape(
            start="a",
            questions={"a": yes_no("b", no_to="o"), "b": yes_no("a", no_to="o")},
            outcomes={"o": True},
        ),
        "Answer 'Yes' on question 'b' leads back to question 'a', making a loop.",
    ),
    "a question nobody reaches": (
        TreeShape(
            start="a",
            questions={"a": yes_no(yes_to="o", no_to="o"), "lost": yes_no(yes_to="o", no_to="o")},
            outcomes={"o": True},
        ),
        "Question 'lost' cannot be reached from the start question.",
    ),
    "an outcome with nothing to read": (
        TreeShape(
            start="a",
            questions={"a": yes_no(yes_to="o", no_to="p")},
            outcomes={"o": True, "p": False},
        ),
        "Outcome 'p' links to no guide or script.",
    ),
}


def test_a_sound_tree_has_no_problems():
    assert problems_in(GOOD) == []


@pytest.mark.parametrize("fault", BROKEN)
def test_the_validator_rejects_each_kind_of_broken_tree_naming_the_fault(fault):
    shape, message = BROKEN[fault]
    assert message in [str(fault) for fault in problems_in(shape)]


# --- Editors: content files and admin ---------------------------------------------------------

TREE_FILE = """\
title: A small tool
status: published
last_reviewed: 2026-06-01
start: first
questions:
  - slug: first
    prompt: Have you told them what you expect?
    answers:
      - label: "Yes"
        next: second
      - label: "No"
        outcome: tell-them
  - slug: second
    prompt: Has it happened before?
    answers:
      - label: "Yes"
        next: first
      - label: "No"
        outcome: tell-them
outcomes:
  - slug: tell-them
    title: Tell them clearly
    body: Say what good work looks like.
    guides: [a-guide]
"""


@pytest.mark.both_databases
def test_a_broken_tree_file_is_reported_with_its_line_and_nothing_is_loaded(tmp_path):
    factories.guide(slug="a-guide")
    path = tmp_path / "decisions" / "small.yaml"
    path.parent.mkdir()
    path.write_text(TREE_FILE)
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("load_content", str(tmp_path), stdout=StringIO(), stderr=errors)
    lines = TREE_FILE.splitlines()
    second = lines.index("  - slug: second")
    looping_answer = lines.index('      - label: "Yes"', second) + 1
    assert (
        f"{path}:{looping_answer}: Answer 'Yes' on question 'second' leads back to question "
        "'first', making a loop." in errors.getvalue()
    )
    assert not DecisionTree.objects.exists()


def tree_form(tree: DecisionTree, **values) -> dict:
    """The admin change form for a tree as an editor's browser would post it."""
    data = {
        "title": tree.title,
        "slug": tree.slug,
        "status": tree.status,
        "summary": tree.summary,
        "introduction": tree.introduction,
        "start_question": tree.start_question_id or "",
        "last_reviewed": tree.last_reviewed.isoformat(),
        "next_review_due": tree.next_review_due.isoformat(),
        "reviewed_by": "",
        "review_notes": "",
        "_save": "Save",
    }
    questions, outcomes = list(tree.questions.all()), list(tree.outcomes.all())
    for prefix, rows in (("questions", questions), ("outcomes", outcomes), ("nation_notes", [])):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for n, question in enumerate(questions):
        data |= {
            f"questions-{n}-id": question.pk,
            f"questions-{n}-tree": tree.pk,
            f"questions-{n}-position": question.position,
            f"questions-{n}-slug": question.slug,
            f"questions-{n}-prompt": question.prompt,
        }
    for n, outcome in enumerate(outcomes):
        data |= {
            f"outcomes-{n}-id": outcome.pk,
            f"outcomes-{n}-tree": tree.pk,
            f"outcomes-{n}-slug": outcome.slug,
            f"outcomes-{n}-title": outcome.title,
            f"outcomes-{n}-body": outcome.body,
            f"outcomes-{n}-guides": [g.pk for g in outcome.guides.all()],
        }
    return data | values


@pytest.mark.both_databases
def test_an_editor_cannot_publish_a_tree_with_a_loop_and_is_told_where_it_is(client):
    client.force_login(factories.editor())
    tree = factories.decision_tree(status=Status.DRAFT, loop=True)
    url = reverse("admin:decisions_decisiontree_change", args=[tree.pk])
    response = client.post(url, tree_form(tree, status="published"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Answer &#x27;Yes&#x27; on question &#x27;second&#x27; leads back to question" in page
    tree.refresh_from_db()
    assert tree.status == Status.DRAFT


def test_an_editor_publishes_a_sound_tree_and_sees_no_problems(client):
    client.force_login(factories.editor())
    tree = factories.decision_tree(status=Status.DRAFT)
    url = reverse("admin:decisions_decisiontree_change", args=[tree.pk])
    response = client.post(url, tree_form(tree, status="published"))
    assert response.status_code == 302, response.content.decode()[:3000]
    tree.refresh_from_db()
    assert tree.status == Status.PUBLISHED
    page = client.get(url).content.decode()
    assert "every answer leads somewhere and every path ends" in page


def test_an_editor_previews_a_draft_tree_as_a_flow_chart(client):
    client.force_login(factories.editor())
    tree = factories.decision_tree(status=Status.DRAFT)
    assert client.get(reverse("decide_overview", args=[tree.slug])).status_code == 404
    preview = client.get(reverse("admin:decisions_decisiontree_preview", args=[tree.pk]))
    assert preview.status_code == 200
    assert "Told them?" in preview.content.decode()


# --- Managers: one question per page, every step its own address ------------------------------

RADIO = re.compile(
    r'<input type="radio" name="a" id="[^"]+" value="([^"]+)"(?: checked)?>\s*([^<]+)</label>'
)
HIDDEN = re.compile(r'<input type="hidden" name="a" value="([^"]+)">')


@pytest.fixture
def starter_tree(starter_content):
    return DecisionTree.objects.published().get(slug=STARTER_TREE)


def every_path(client, tree_url):
    """Follow every answer of every question through the public pages, as a reader would."""
    finished, waiting = [], [[]]
    while waiting:
        codes = waiting.pop()
        assert len(codes) <= MAX_PATH, f"more than {MAX_PATH} steps: {codes}"
        response = client.get(f"{tree_url}?{urlencode([('a', c) for c in codes])}")
        assert response.status_code == 200, codes
        page = response.content.decode()
        if '<p class="kind">What to do next</p>' in page:
            title = re.search(r"<h1[^>]*>([^<]+)</h1>", page).group(1)
            finished.append((codes, html.unescape(title)))
            continue
        assert HIDDEN.findall(page) == codes, "the form must carry the answers so far"
        choices = RADIO.findall(page)
        assert choices, f"a question page with no answers after {codes}"
        waiting += [[*codes, code] for code, _ in choices]
    return finished


def test_every_path_of_the_starter_tree_reaches_an_outcome_within_ten_steps(client, starter_tree):
    paths = every_path(client, starter_tree.get_absolute_url())
    reached = {title for _, title in paths}
    assert reached == set(starter_tree.outcomes.values_list("title", flat=True))
    assert max(len(codes) for codes, _ in paths) <= MAX_PATH
    assert len(paths) >= len(reached)


def test_the_starter_tree_asks_the_questions_managers_need(starter_tree):
    prompts = " ".join(starter_tree.questions.values_list("prompt", flat=True)).lower()
    for words in ["harmed", "gross misconduct", "behave", "expect", "training", "health", "time"]:
        assert words in prompts, words
    titles = " ".join(starter_tree.outcomes.values_list("title", flat=True)).lower()
    for words in ["informal", "formal capability", "disciplinary"]:
        assert words in titles, words


def test_a_step_is_a_shareable_address_and_nothing_is_stored(client, starter_tree):
    url = starter_tree.get_absolute_url()
    first = starter_tree.start_question
    code = f"{first.slug}:1"
    response = client.get(f"{url}?a={code}")
    assert response.status_code == 200
    assert not response.cookies, "walking the tool must not set cookies"
    # The same address in another browser shows the same step, with the answer so far.
    again = type(client)().get(f"{url}?a={code}").content.decode()
    assert "Your answers" in again and first.prompt in again


def test_each_answer_so_far_has_a_change_link_back_to_that_step(client, starter_tree):
    url = starter_tree.get_absolute_url()
    paths = every_path(client, url)
    codes, _ = max(paths, key=lambda p: len(p[0]))
    page = client.get(f"{url}?{urlencode([('a', c) for c in codes])}").content.decode()
    changes = re.findall(r'<a class="no-print" href="([^"]+)">Change', page)
    assert len(changes) == len(codes)
    for number, change in enumerate(changes):
        earlier = urlencode([("a", code) for code in codes[:number]] + [("was", codes[number])])
        assert change.replace("&amp;", "&") == f"{url}?{earlier}#step"


def test_change_shows_the_question_again_with_the_earlier_answer_chosen(client, starter_tree):
    url = starter_tree.get_absolute_url()
    codes, _ = max(every_path(client, url), key=lambda p: len(p[0]))
    page = client.get(f"{url}?{urlencode([('a', c) for c in codes])}").content.decode()
    change = re.findall(r'<a class="no-print" href="([^"]+)">Change', page)[2]
    again = client.get(change.replace("&amp;", "&").split("#")[0]).content.decode()
    checked = re.findall(r'<input type="radio" name="a" id="[^"]+" value="([^"]+)" checked>', again)
    assert checked == [codes[2]]
    assert HIDDEN.findall(again) == codes[:2]


def test_each_step_sends_the_reader_to_the_question_so_focus_lands_on_it(client, starter_tree):
    page = client.get(starter_tree.get_absolute_url()).content.decode()
    assert f'action="{starter_tree.get_absolute_url()}#step"' in page
    assert '<h1 id="step" tabindex="-1">' in page


def test_moving_on_without_choosing_says_what_to_do(client, starter_tree):
    first = starter_tree.start_question
    response = client.get(f"{starter_tree.get_absolute_url()}?q={first.slug}")
    assert response.status_code == 400
    assert "Choose one answer to go on." in response.content.decode()


def test_answers_that_do_not_fit_the_tree_ask_the_reader_to_start_again(client, starter_tree):
    response = client.get(f"{starter_tree.get_absolute_url()}?a=nonsense:9")
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()


def test_the_flow_chart_shows_every_question_and_outcome(client, starter_tree):
    page = client.get(starter_tree.get_overview_url()).content.decode()
    for prompt in starter_tree.questions.values_list("prompt", flat=True):
        assert prompt.replace("'", "&#x27;") in page, prompt
    for title in starter_tree.outcomes.values_list("title", flat=True):
        assert title.replace("'", "&#x27;") in page, title


def test_the_tool_is_reached_from_the_home_page(client, starter_tree):
    assert reverse("decide_index") in client.get("/").content.decode()
    assert starter_tree.get_absolute_url() in client.get(reverse("decide_index")).content.decode()


def test_the_starter_tree_file_is_documented():
    readme = (Path(settings.BASE_DIR) / "content" / "README.md").read_text()
    assert "## Decision tools" in readme
    for key in ("start:", "questions:", "answers:", "outcome:", "next:", "outcomes:"):
        assert key in readme, key
