"""Editors see where their text gets hard, and which HR words need a plainer alternative."""

import json
from io import StringIO

import pytest
import textstat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from hub.rendering import markdown_to_text
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
