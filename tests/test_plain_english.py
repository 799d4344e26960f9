"""Editors see where their text gets hard, and which HR words need a plainer alternative."""

import json
from io import StringIO

import pytest
import textstat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from reversion.models import Version

from core.rendering import markdown_to_text
from plain_english.checker import JargonEntry, check_text
from resources.models import Guide, Script
from tests import factories

JARGON = [
    JargonEntry("utilise", "use"),
    JargonEntry("commence", "start"),
    JargonEntry("performance management", "managing performance"),
    JargonEntry("capability procedure"),
    JargonEntry("occupational health"),
]

PLAIN = "Talk to your team each week. Ask how they are. Listen well and thank them for good work."
HARD = (
    "Notwithstanding the organisational imperatives articulated previously, managerial "
    "practitioners should systematically operationalise comprehensive developmental "
    "interventions, utilising evidence-informed methodologies to facilitate sustainable "
    "organisational transformation and institutional capability enhancement."
)


def kinds(report):
    return [finding.kind for finding in report.findings]


def test_a_short_plain_paragraph_passes():
    report = check_text(PLAIN, jargon=JARGON)
    assert report.reading_ease >= 80
    assert report.reading_age <= 11
    assert report.findings == []
    assert report.passes()


def test_a_hard_text_scores_low():
    report = check_text(HARD, jargon=JARGON)
    assert report.reading_ease < 30
    assert not report.passes()


def test_each_cell_of_a_table_is_read_on_its_own():
    rows = "\n".join(
        ["| who | when | why |", "|---|---|---|"]
        + [f"| the team {n} | today, if you can | they need to know now |" for n in range(8)]
    )
    assert kinds(check_text(f"{PLAIN}\n\n{rows}", jargon=JARGON)) == []
    long_cell = "| " + " ".join(["you talk to them"] * 7) + " | now |"
    assert kinds(check_text(f"{PLAIN}\n\n{rows}\n{long_cell}", jargon=JARGON)) == ["long-sentence"]


def test_a_long_sentence_is_flagged():
    long = " ".join(["You"] + ["and then you talk"] * 7) + "."
    report = check_text(f"{PLAIN}\n\n{long}", jargon=JARGON)
    assert kinds(report) == ["long-sentence"]
    assert report.findings[0].sentence == long
    assert "29 words" in report.findings[0].message


def test_a_long_paragraph_is_flagged():
    report = check_text(" ".join(["You talk to them."] * 6), jargon=JARGON)
    assert "long-paragraph" in kinds(report)


def test_likely_passive_voice_is_flagged():
    report = check_text("The form was signed. You sign the form.", jargon=JARGON)
    assert kinds(report) == ["passive"]
    assert report.findings[0].sentence == "The form was signed."


@pytest.mark.parametrize(
    ("text", "term", "advice"),
    [
        ("You can utilise the rota.", "utilise", "say “use” instead"),
        ("We will commence the meeting.", "commence", "say “start” instead"),
        ("Good performance management helps.", "performance management", "managing performance"),
        (
            "Start the capability procedure now.",
            "capability procedure",
            "explain it the first time",
        ),
    ],
)
def test_each_kind_of_jargon_is_flagged_with_its_alternative(text, term, advice):
    report = check_text(text, jargon=JARGON)
    [finding] = [f for f in report.findings if f.kind == "jargon"]
    assert term in finding.message and advice in finding.message
    assert finding.sentence == text
    assert not report.passes()


def test_a_glossary_linked_term_is_not_flagged():
    for text in [
        "Ask [[occupational health]] for advice.",
        "Ask [[the health team at work|occupational health]] for advice.",
        "Ask [occupational health](/glossary/#occupational-health) for advice.",
    ]:
        assert "jargon" not in kinds(check_text(text, jargon=JARGON)), text


def test_a_term_explained_in_the_same_sentence_is_not_flagged():
    text = "Occupational health means doctors and nurses who advise on health at work."
    assert "jargon" not in kinds(check_text(text, jargon=JARGON))
    text = "Ask occupational health (doctors who advise on work and health) for help."
    assert "jargon" not in kinds(check_text(text, jargon=JARGON))


def test_only_the_first_unexplained_use_is_flagged():
    text = "Use occupational health. Then use occupational health again."
    findings = [f for f in check_text(text, jargon=JARGON).findings if f.kind == "jargon"]
    assert len(findings) == 1 and findings[0].sentence == "Use occupational health."


@pytest.mark.django_db
def test_the_admin_report_shows_on_a_guides_change_form(client):
    guide = factories.guide(
        body="You can utilise the rota. The form was signed by the manager.",
    )
    call_command("load_content", "content/jargon.yaml", stdout=StringIO())
    client.force_login(factories.editor())
    html = client.get(reverse("admin:resources_guide_change", args=[guide.pk])).content.decode()
    assert "Reading ease" in html
    assert "“utilise”: say “use” instead" in html
    assert "“You can utilise the rota.”" in html
    assert "may be passive" in html


@pytest.mark.django_db
def test_reading_ease_is_a_column_and_hard_pages_can_be_filtered(client):
    factories.guide("Easy one", body=PLAIN)
    factories.guide("Hard one", body=HARD)
    client.force_login(factories.editor())
    url = reverse("admin:resources_guide_changelist")
    html = client.get(url).content.decode()
    assert "Reading ease" in html
    hard = client.get(url, {"reading": "hard"}).content.decode()
    assert "Hard one" in hard and "Easy one" not in hard


@pytest.mark.django_db
def test_a_scripts_reading_ease_includes_its_parts():
    script = factories.script(parts={"opening": f"- {HARD}"})
    script.refresh_from_db()
    assert script.reading_ease < 30


@pytest.mark.django_db
def test_check_plain_english_fails_on_a_deliberately_hard_page():
    factories.guide("Plain", body=PLAIN)
    factories.guide("Hard", slug="hard-guide", body=HARD)
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("check_plain_english", stdout=out)
    assert error.value.returncode == 1
    assert "hard-guide" in out.getvalue()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_plain_english", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["failed"] == 1 and data["checked"] == 2


@pytest.mark.django_db
def test_check_plain_english_passes_the_shipped_content(starter_content):
    out = StringIO()
    call_command("check_plain_english", stdout=out)
    assert "0 need plainer English" in out.getvalue()


@pytest.mark.django_db
def test_published_guides_and_scripts_are_easy_to_read(starter_content):
    scores = {}
    for model in (Guide, Script):
        for item in model.objects.published():
            scores[item.slug] = textstat.flesch_reading_ease(markdown_to_text(item.readable_text()))
    assert len(scores) >= 18
    assert min(scores.values()) >= 60, {k: v for k, v in scores.items() if v < 60}
    assert sum(scores.values()) / len(scores) >= 65


@pytest.mark.django_db
def test_the_jargon_list_is_seeded_and_editable(starter_content, client):
    from plain_english.models import JargonTerm

    assert JargonTerm.objects.count() >= 60
    client.force_login(factories.editor())
    assert client.get(reverse("admin:plain_english_jargonterm_add")).status_code == 200


# --- Every sentence, every field, word families (issue 19) ------------------------------------

SHIPPED_STYLE_JARGON = [
    JargonEntry("utilise", "use"),
    JargonEntry("utilisation", "use"),
    JargonEntry("facilitate", "help, run"),
    JargonEntry("ameliorate", "improve"),
    JargonEntry("going forward", "from now on"),
    JargonEntry("touch base", "talk, check in"),
    JargonEntry("stakeholders", "the people involved"),
    JargonEntry("initiate", "start"),
    JargonEntry("capability"),
]
SIXTY_EIGHT_WORDS = (
    "Going forward, line managers should utilise the appropriate organisational frameworks "
    "and facilitate robust conversations with stakeholders in order to ensure that any "
    "concerns relating to attendance, conduct or capability are addressed in a timely and "
    "proportionate manner, in accordance with policies and procedures, so that "
    "outcomes for staff, service users and the wider organisation are optimised and risks to "
    "the service are mitigated as far as reasonably practicable."
)


def test_a_68_word_sentence_fails_even_when_the_page_reads_easily_on_average():
    assert len(SIXTY_EIGHT_WORDS.split()) == 68
    page = "\n\n".join([PLAIN] * 12 + [SIXTY_EIGHT_WORDS] + [PLAIN] * 12)
    report = check_text(page, jargon=[], label="Body", key="body")
    assert report.reading_ease >= 60, "the page's average alone would pass"
    [long] = [f for f in report.findings if f.kind == "long-sentence"]
    assert long.message.startswith("68 words")
    assert long.sentence == SIXTY_EIGHT_WORDS
    assert long.field == "Body" and long.fails
    assert not report.passes()


def test_utilising_and_facilitation_are_caught_as_families_of_listed_words():
    report = check_text(
        "We are utilising the rota.\n\nThe facilitation of the meeting matters.",
        jargon=SHIPPED_STYLE_JARGON,
    )
    messages = [f.message for f in report.findings if f.kind == "jargon"]
    assert messages == ["“utilise”: say “use” instead", "“facilitate”: say “help, run” instead"]


def test_jargon_phrases_are_caught_in_any_form():
    report = check_text(
        "We will be touching base with you. Going forward, ask first.",
        jargon=SHIPPED_STYLE_JARGON,
    )
    terms = [f.message.split("”")[0] for f in report.findings if f.kind == "jargon"]
    assert terms == ["“touch base", "“going forward"]


def test_a_word_with_a_plainer_alternative_is_flagged_even_in_a_sentence_that_explains():
    report = check_text(
        "We will utilise this going forward, as it is the best way.", jargon=SHIPPED_STYLE_JARGON
    )
    terms = [f.message.split(":")[0] for f in report.findings if f.kind == "jargon"]
    assert terms == ["“utilise”", "“going forward”"]


def test_a_word_the_page_links_to_the_glossary_may_stand_in_its_title_and_notes():
    from plain_english.checker import ReaderText, check_texts

    page = [
        ReaderText("title", "Title", "Capability at work", markdown=False),
        ReaderText("body", "Body", "Read about [[capability]] first."),
    ]
    assert check_texts(page, jargon=SHIPPED_STYLE_JARGON).failures == []
    [finding] = check_texts(page[:1], jargon=SHIPPED_STYLE_JARGON).failures
    assert finding.field == "Title" and "explain it the first time" in finding.message


def test_everyday_words_that_share_a_stem_with_jargon_are_left_alone():
    report = check_text(
        "Your initial chat matters. If you go forward with it, you are capable.",
        jargon=SHIPPED_STYLE_JARGON,
    )
    assert [f for f in report.findings if f.kind == "jargon"] == []


def test_each_sentence_is_quoted_once_with_all_its_problems():
    report = check_text(SIXTY_EIGHT_WORDS, jargon=SHIPPED_STYLE_JARGON, label="Summary")
    [group] = report.by_sentence()
    assert group.field == "Summary" and group.sentence == SIXTY_EIGHT_WORDS
    kinds_found = sorted({finding.kind for finding in group.findings})
    assert kinds_found == ["jargon", "long-sentence", "passive"]
    assert len(group.findings) >= 4  # the length, "going forward", "utilise", "facilitate", ...


@pytest.fixture
def hr_jargon(db):
    from plain_english.models import JargonTerm

    for entry in SHIPPED_STYLE_JARGON:
        JargonTerm.objects.create(term=entry.term, alternative=entry.alternative)


@pytest.fixture
def nhs(db):
    return factories.workplace("nhs", name="NHS", short_name="NHS")


NHS_GLOSS_46_WORDS = (
    "In an NHS trust, managers should utilise the occupational health pathway and facilitate "
    "a timely referral for the staff member, ensuring that all relevant "
    "stakeholders are engaged going forward and that the outcome is recorded in line with "
    "local policy and the national terms and conditions."
)


@pytest.mark.django_db
def test_jargon_in_a_gloss_and_in_a_summary_is_caught(hr_jargon, nhs):
    from plain_english.services import check_item

    assert len(NHS_GLOSS_46_WORDS.split()) == 46
    guide = factories.guide(
        summary="We utilise this to ameliorate absence going forward.",
        body=PLAIN,
        glosses={nhs: NHS_GLOSS_46_WORDS},
    )
    report = check_item(guide)
    by_field = {(g.field, g.sentence): g for g in report.by_sentence()}
    summary = by_field["Summary", "We utilise this to ameliorate absence going forward."]
    assert sorted(f.message.split(":")[0] for f in summary.findings) == [
        "“ameliorate”",
        "“going forward”",
        "“utilise”",
    ]
    gloss = by_field["What it means in NHS: what it means here", NHS_GLOSS_46_WORDS]
    assert gloss.fails
    assert "46 words: split it (aim for under 20)" in [f.message for f in gloss.findings]
    assert "“utilise”: say “use” instead" in [f.message for f in gloss.findings]
    assert not report.passes()


@pytest.mark.django_db
def test_titles_relevance_lines_and_decision_tool_steps_are_checked(hr_jargon, nhs):
    from decisions.models import Answer, Outcome, Question
    from plain_english.services import check_item

    resource = factories.resource(
        "Utilisation of leave", relevance={nhs: "Use it to touch base with staff."}
    )
    fields = {f.field for f in check_item(resource).failures}
    assert fields == {"Title", "Why it matters in NHS: note"}

    tree = factories.decision_tree()
    Question.objects.filter(slug="first").update(help_text="Initiate a chat first.")
    Answer.objects.filter(question__slug="second", label="Yes").update(label="Yes, going forward")
    Outcome.objects.filter(slug="tell-them").update(title="Facilitate a talk")
    fields = {f.field for f in check_item(tree).failures}
    assert fields == {
        "Question 1 (first): help text",
        "Question 2 (second) › Answer 1: label",
        "Outcome 1 (tell-them): title",
    }


@pytest.mark.django_db
def test_another_kind_of_content_joins_the_check_with_one_registration(hr_jargon):
    from plain_english.reader_fields import _registry, register_reader_fields, texts_of
    from plain_english.services import check_item
    from resources.models import GlossaryTerm

    term = factories.glossary_term("Leave", definition="You utilise your leave.")
    assert texts_of(term) == []
    register_reader_fields(GlossaryTerm, "term", "definition")
    try:
        [finding] = check_item(term).failures
        assert finding.field == "Definition" and "utilise" in finding.message
    finally:
        del _registry[GlossaryTerm]


# --- In admin: the report at the top, beside each field, without saving ------------------------


def guide_post(guide, **values):
    """The change form as an editor's browser posts it."""
    data = {
        "title": guide.title,
        "slug": guide.slug,
        "status": guide.status,
        "summary": guide.summary,
        "body": guide.body,
        "check_policy_first": "on",
        "policy_note": guide.policy_note,
        "tags": "",
        "last_reviewed": guide.last_reviewed.isoformat(),
        "next_review_due": guide.next_review_due.isoformat(),
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


def with_a_gloss(data, workplace, body):
    return {
        **data,
        "glosses-TOTAL_FORMS": "1",
        "glosses-0-workplace": str(workplace.pk),
        "glosses-0-body": body,
        "glosses-0-id": "",
    }


@pytest.mark.django_db
def test_check_plain_english_reports_beside_each_field_without_saving(client, hr_jargon, nhs):
    from reversion.models import Version

    guide = factories.guide(status="draft", body=PLAIN)
    client.force_login(factories.editor())
    url = reverse("admin:resources_guide_change", args=[guide.pk])
    data = with_a_gloss(
        guide_post(guide, body="You can utilise the rota.", _check_plain_english="1"),
        nhs,
        "Touch base with the ward manager.",
    )
    del data["_save"]
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Please correct" not in html
    # The report comes first in the form, before the first field ...
    assert html.index('id="plain-english-report"') < html.index('name="title"')
    # ... and each field's findings sit under that field.
    body_box = html.split('id="plain-english-body"')[1].split("</div>")[0]
    assert "“You can utilise the rota.”" in body_box and "say “use” instead" in body_box
    gloss_box = html.split('id="plain-english-glosses-0-body"')[1].split("</div>")[0]
    assert "“touch base”: say “talk, check in” instead" in gloss_box
    # What was typed is still in the form, and nothing reached the database.
    assert "You can utilise the rota.</textarea>" in html
    guide.refresh_from_db()
    assert guide.body == PLAIN and not guide.glosses.exists()
    assert not Version.objects.get_for_object(guide).exists()


@pytest.mark.django_db
def test_the_check_as_you_type_answers_with_the_report_and_saves_nothing(client, hr_jargon, nhs):
    guide = factories.guide(status="draft", body=PLAIN)
    client.force_login(factories.editor())
    url = reverse("admin:resources_guide_plain_english", args=[guide.pk])
    data = with_a_gloss(guide_post(guide, summary="We facilitate this."), nhs, "Utilise it.")
    response = client.post(url, data)
    assert response.status_code == 200
    report = response.json()
    assert report["passes"] is False
    assert "facilitate" in report["fields"]["summary"]
    assert "utilise" in report["fields"]["glosses-0-body"]
    assert report["fields"]["body"] == ""
    assert "Summary" in report["summary"]
    guide.refresh_from_db()
    assert guide.summary == "A short plain summary."
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_the_change_form_loads_the_check_as_you_type_from_a_static_file(client):
    guide = factories.guide()
    client.force_login(factories.editor())
    response = client.get(reverse("admin:resources_guide_change", args=[guide.pk]))
    html = response.content.decode()
    assert "js/plain_english.js" in html
    assert f'data-url="/admin/resources/guide/{guide.pk}/plain-english/"' in html
    assert 'name="_check_plain_english"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_decision_tool_question_shows_the_report_for_its_help_and_answers(client, hr_jargon):
    from decisions.models import Answer, Question

    factories.decision_tree()
    question = Question.objects.get(slug="second")
    Answer.objects.filter(question=question).update(label="Yes, going forward")
    client.force_login(factories.editor())
    html = client.get(reverse("admin:decisions_question_change", args=[question.pk])).content
    html = html.decode()
    assert html.index('id="plain-english-report"') < html.index('name="prompt"')
    assert "“going forward”: say “from now on” instead" in html
    answer_box = html.split('id="plain-english-answers-0-label"')[1].split("</div>")[0]
    assert "going forward" in answer_box


@pytest.mark.django_db
def test_a_new_page_can_be_checked_before_it_is_first_saved(client, hr_jargon):
    client.force_login(factories.editor())
    form = {
        "title": "Utilising the rota",
        "slug": "utilising-the-rota",
        "status": "draft",
        "summary": "",
        "body": "You can talk to them.",
        "check_policy_first": "on",
        "last_reviewed": "2026-06-01",
        "glosses-TOTAL_FORMS": "0",
        "glosses-INITIAL_FORMS": "0",
        "_check_plain_english": "1",
    }
    response = client.post(reverse("admin:resources_guide_add"), form)
    assert response.status_code == 200
    title_box = response.content.decode().split('id="plain-english-title"')[1]
    assert "“utilise”: say “use” instead" in title_box.split("</div>")[0]
    live = client.post(reverse("admin:resources_guide_plain_english_add"), form).json()
    assert "utilise" in live["fields"]["title"]
    assert not Guide.objects.exists()


# --- The gate ---------------------------------------------------------------------------------


def publisher():
    from django.contrib.auth.models import Permission

    user = factories.editor("publisher")
    user.user_permissions.add(Permission.objects.get(codename="publish_despite_plain_english"))
    return user


@pytest.mark.django_db
def test_an_editor_cannot_publish_a_page_that_fails(client, hr_jargon):
    guide = factories.guide(status="draft", body="You can utilise the rota.")
    client.force_login(factories.editor())
    url = reverse("admin:resources_guide_change", args=[guide.pk])
    response = client.post(url, guide_post(guide, status="published"))
    assert response.status_code == 200
    assert "fails the plain-English check, so it cannot be published" in response.content.decode()
    assert 'name="plain_english_reason"' not in response.content.decode()
    guide.refresh_from_db()
    assert guide.status == "draft"
    # Saved as a draft, it is kept.
    response = client.post(url, guide_post(guide, status="draft", title="Kept as a draft"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_publisher_publishes_a_failing_page_only_with_a_reason_kept_in_history(client, hr_jargon):
    from plain_english.services import publication_blockers

    guide = factories.guide(status="draft", body="You can utilise the rota.")
    [blocker] = publication_blockers(guide)
    assert blocker.startswith("Body: “utilise”: say “use” instead")
    client.force_login(publisher())
    url = reverse("admin:resources_guide_change", args=[guide.pk])
    response = client.post(url, guide_post(guide, status="published"))
    assert response.status_code == 200
    assert "To publish it anyway, say why." in response.content.decode()
    guide.refresh_from_db()
    assert guide.status == "draft"

    reason = "The Acas page we quote uses this word."
    response = client.post(url, guide_post(guide, status="published", plain_english_reason=reason))
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.status == "published"
    comment = Version.objects.get_for_object(guide).first().revision.comment
    assert f"Published despite the plain-English check. Reason: {reason}" in comment
    history = client.get(reverse("admin:resources_guide_history", args=[guide.pk]))
    assert reason in history.content.decode()


@pytest.mark.django_db
def test_a_page_that_passes_is_published_without_a_reason(client, hr_jargon):
    from plain_english.services import publication_blockers

    guide = factories.guide(status="draft", body=PLAIN)
    assert publication_blockers(guide) == []
    client.force_login(factories.editor())
    url = reverse("admin:resources_guide_change", args=[guide.pk])
    assert client.post(url, guide_post(guide, status="published")).status_code == 302
    guide.refresh_from_db()
    assert guide.status == "published"


@pytest.mark.django_db
def test_the_publish_action_holds_back_failing_drafts_unless_a_publisher_says_why(
    client, hr_jargon
):
    plain = factories.guide("Plain", status="draft", body=PLAIN)
    failing = factories.guide("Failing", status="draft", body="You can utilise the rota.")
    url = reverse("admin:resources_guide_changelist")
    action = {"action": "publish", "_selected_action": [plain.pk, failing.pk], "index": "0"}

    client.force_login(factories.editor())
    response = client.post(url, action, follow=True)
    assert "Not published, because they fail the plain-English check: “Failing”" in (
        response.content.decode()
    )
    plain.refresh_from_db(), failing.refresh_from_db()
    assert (plain.status, failing.status) == ("published", "draft")

    plain.status = "draft"
    plain.save()
    client.force_login(publisher())
    response = client.post(url, action)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Why publish them anyway?" in html and "“utilise”: say “use” instead" in html
    failing.refresh_from_db()
    assert failing.status == "draft"

    reason = "Quoted from the employer's own letter."
    response = client.post(
        url, {**action, "plain_english_reason": reason, "plain_english_confirm": "yes"}
    )
    assert response.status_code == 302
    plain.refresh_from_db(), failing.refresh_from_db()
    assert (plain.status, failing.status) == ("published", "published")
    comment = Version.objects.get_for_object(failing).first().revision.comment
    assert reason in comment and "“Failing”" in comment


@pytest.mark.django_db
def test_check_plain_english_fails_on_jargon_in_a_published_gloss(hr_jargon, nhs):
    factories.guide("Plain", body=PLAIN, glosses={nhs: "Touch base with them weekly."})
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_plain_english", stdout=out)
    assert "touch base" in out.getvalue()


# --- Limits -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_markdown_field_over_100000_characters_is_refused(client):
    from django.core.exceptions import ValidationError

    guide = factories.guide(status="draft")
    guide.body = "You talk to them. " * 5556  # 100,008 characters
    with pytest.raises(ValidationError) as error:
        guide.full_clean()
    assert error.value.message_dict["body"] == [
        "This is 100,008 characters long; a field can hold at most 100,000. "
        "Split it into shorter pages."
    ]

    client.force_login(factories.editor())
    url = reverse("admin:resources_guide_change", args=[guide.pk])
    guide.refresh_from_db()
    response = client.post(url, guide_post(guide, body="You talk to them. " * 5556))
    assert response.status_code == 200
    assert "a field can hold at most 100,000" in response.content.decode()
    guide.refresh_from_db()
    assert guide.body == "You talk to them. You listen well."


def a_long_page(characters: int) -> str:
    """Realistic Markdown: headings, lists, glossary links, jargon and a few long sentences."""
    blocks = [
        "## Before you meet",
        "Talk to them in private. Ask how they are and listen to the answer.",
        "- Book a quiet room.\n- Read their [[fit note]] first.\n- Bring the rota.",
        "If they utilise the [[capability procedure]], explain each step to them.",
        SIXTY_EIGHT_WORDS,
        "Write down what you agree, and give them a copy the same day.",
    ]
    page, index = [], 0
    while sum(len(block) + 2 for block in page) < characters:
        page.append(blocks[index % len(blocks)].replace("Talk", f"Talk ({index})"))
        index += 1
    return "\n\n".join(page)[:characters]


def test_checking_a_100000_character_page_takes_under_a_second():
    import time

    from plain_english.checker import ReaderText, check_texts, warm_up

    warm_up()  # loads the pronouncing dictionary once per process, as each worker does on start
    body = a_long_page(100_000)
    assert len(body) == 100_000
    texts = [
        ReaderText("title", "Title", "Giving feedback", markdown=False),
        ReaderText("summary", "Summary", "How to say what went well.", markdown=False),
        ReaderText("body", "Body", body),
    ]
    started = time.perf_counter()
    report = check_texts(texts, jargon=SHIPPED_STYLE_JARGON * 8)
    took = time.perf_counter() - started
    assert took < 1.0, f"{took:.2f} s"
    assert len([f for f in report.findings if f.kind == "long-sentence"]) > 100
