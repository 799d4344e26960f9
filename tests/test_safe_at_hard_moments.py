"""Safe at the hard moments: when someone may have been harmed the hub leads with safety, and the
decision tool sends every serious case down the right route, walked as a reader walks it."""

import html
import re
import shutil
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from core.workplace import WORKPLACE_COOKIE
from decisions.models import DecisionTree
from resources.models import Guide, GuideGloss, ResourceGloss, ScriptGloss

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"
TOOL = "/decide/formal-action/"
RADIO = re.compile(
    r'<input type="radio" name="a" id="[^"]+" value="([^"]+)"(?: checked)?>\s*([^<]+)</label>'
)
TITLE = re.compile(r"<h1[^>]*>([^<]+)</h1>")

NOT_AT_RISK = "No"
BEHAVIOUR = "How they behave, or a rule they broke"
SKILL = "How well they do the job"
CARE_MISTAKE = "A mistake in someone's care, such as with medicines"
ABSENCE = "Time off sick, or how often they are off"
PROBATION = "They are new and still on probation"
BOTH = "A bit of both, or not sure"
CARRIED_ON = "Yes, and the problem has carried on"

MAKE_SAFE = "Make people safe now"
INVESTIGATE = "Look into it under your disciplinary procedure"
DISCIPLINARY = "Start your disciplinary procedure"
CAPABILITY = "Start your formal capability procedure"
INFORMAL = "Have an informal conversation first"
ILL_HEALTH = "Use your sickness or ill-health route, not discipline"

SCENARIOS = {
    "suspected abuse of a resident": (["Yes"], MAKE_SAFE),
    "a worry that someone may be at risk": (["Not sure"], MAKE_SAFE),
    "gross misconduct with nobody at risk now (timesheet fraud found later)": (
        [NOT_AT_RISK, BEHAVIOUR, "Yes"],
        INVESTIGATE,
    ),
    "it might be gross misconduct, the manager is not sure": (
        [NOT_AT_RISK, BEHAVIOUR, "Not sure"],
        INVESTIGATE,
    ),
    "a medicine chart signed for a dose never given": (
        [NOT_AT_RISK, CARE_MISTAKE, "Yes"],
        INVESTIGATE,
    ),
    "a medication error with no harm": (
        [NOT_AT_RISK, CARE_MISTAKE, "No"],
        "Put the person first, then learn from the mistake",
    ),
    "a health-related decline after support": (
        [NOT_AT_RISK, SKILL, "Yes", CARRIED_ON, "Yes"],
        ILL_HEALTH,
    ),
    "a health-related decline with no support yet": (
        [NOT_AT_RISK, SKILL, "Yes", "No support is in place yet"],
        "Put support in place first",
    ),
    "short-term absence hitting a trigger": (
        [NOT_AT_RISK, ABSENCE, "Lots of short spells off sick", "Yes", "No"],
        "Hold an absence review meeting",
    ),
    "short-term absence below any trigger": (
        [NOT_AT_RISK, ABSENCE, "Lots of short spells off sick", "No, or we have no trigger points"],
        "Keep holding return-to-work talks",
    ),
    "pregnancy-related absence": (
        [NOT_AT_RISK, ABSENCE, "Lots of short spells off sick", "Yes", "Pregnancy"],
        "Don't count pregnancy-related sickness",
    ),
    "disability-related absence before occupational health": (
        [
            NOT_AT_RISK,
            ABSENCE,
            "Lots of short spells off sick",
            "Yes",
            "A disability or a long-term condition",
            "Not yet",
        ],
        "Get health advice before any formal step",
    ),
    "disability-related absence that carries on after advice": (
        [
            NOT_AT_RISK,
            ABSENCE,
            "Lots of short spells off sick",
            "Yes",
            "A disability or a long-term condition",
            "Yes, and the absence has carried on",
        ],
        ILL_HEALTH,
    ),
    "a long spell off sick": (
        [NOT_AT_RISK, ABSENCE, "One long spell off sick"],
        "Support them through a long absence",
    ),
    "often off without telling anyone, again after a talk": (
        [NOT_AT_RISK, ABSENCE, "Off without telling anyone, or often late", "Yes", "No", "Yes"],
        DISCIPLINARY,
    ),
    "failing probation": (
        [NOT_AT_RISK, PROBATION, "Yes", "No", "Yes, it is still there"],
        "Decide fairly whether to end their probation",
    ),
    "nearly passing probation": (
        [NOT_AT_RISK, PROBATION, "Yes", "No", "They are close, but need a little more time"],
        "Extend their probation, in writing, before it ends",
    ),
    "probation with no clear goals set": (
        [NOT_AT_RISK, PROBATION, "No"],
        "Set clear goals and review probation often",
    ),
    "a bit of both: health supported, behaviour, first time": (
        [
            NOT_AT_RISK,
            BOTH,
            "Yes",
            CARRIED_ON,
            "Yes",
            "No",
            "Yes",
            "No",
            "No, this is the first time",
        ],
        INFORMAL,
    ),
    "a bit of both: skills that stay poor after training": (
        [NOT_AT_RISK, BOTH, "No", "No, it is about skills or knowledge", "Yes", "Yes"]
        + ["Yes, it has carried on"],
        CAPABILITY,
    ),
    "behaviour that carries on after support for a health problem": (
        [NOT_AT_RISK, BEHAVIOUR, "No", "Yes", "Yes", CARRIED_ON, "Yes"],
        DISCIPLINARY,
    ),
    "behaviour getting better with support": (
        [NOT_AT_RISK, BEHAVIOUR, "No", "Yes", "Yes", "Yes, and things are getting better"],
        "Keep the support going and review it",
    ),
    "a skill gap with no training yet": (
        [NOT_AT_RISK, SKILL, "No", "Yes", "No"],
        "Arrange training and support first",
    ),
    "skills still poor after a talk, training and fair time": (
        [NOT_AT_RISK, SKILL, "No", "Yes", "Yes", "Yes, it has carried on"],
        CAPABILITY,
    ),
}


@pytest.fixture
def hub(starter_content):
    return DecisionTree.objects.published().get(slug="formal-action")


def walk(client, labels, **cookies) -> str:
    """Answer the tool's questions by their labels through its public pages; the last page."""
    for name, value in cookies.items():
        client.cookies[name] = value
    codes: list[str] = []
    for label in labels:
        page = client.get(f"{TOOL}?{urlencode([('a', c) for c in codes])}").content.decode()
        choices = {html.unescape(text.strip()): code for code, text in RADIO.findall(page)}
        assert label in choices, f"after {codes}: no answer {label!r} in {sorted(choices)}"
        codes.append(choices[label])
    response = client.get(f"{TOOL}?{urlencode([('a', c) for c in codes])}")
    assert response.status_code == 200
    return response.content.decode()


def outcome_title(page: str) -> str:
    assert '<p class="kind">What to do next</p>' in page, "the walk did not reach an outcome"
    return html.unescape(TITLE.search(page).group(1))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_named_scenario_reaches_the_right_outcome(client, hub, scenario):
    labels, expected = SCENARIOS[scenario]
    assert outcome_title(walk(client, labels)) == expected


def test_the_scenarios_cover_every_branch_of_the_first_two_questions(hub):
    first_answers = {labels[0] for labels, _ in SCENARIOS.values()}
    kinds = {labels[1] for labels, _ in SCENARIOS.values() if len(labels) > 1}
    assert first_answers == set(hub.start_question.answers.values_list("label", flat=True))
    what_kind = hub.questions.get(slug="what-kind")
    assert kinds == set(what_kind.answers.values_list("label", flat=True))


def test_every_question_is_reached_and_every_path_ends_in_an_outcome(client, hub):
    asked, endings, waiting = set(), set(), [[]]
    while waiting:
        codes = waiting.pop()
        page = client.get(f"{TOOL}?{urlencode([('a', c) for c in codes])}").content.decode()
        if '<p class="kind">What to do next</p>' in page:
            endings.add(outcome_title(page))
            continue
        question = re.search(r'<input type="hidden" name="q" value="([^"]+)">', page)
        assert question, f"after {codes} the page is neither a question nor an outcome"
        asked.add(question.group(1))
        choices = RADIO.findall(page)
        assert choices, f"a question with no answers after {codes}"
        waiting += [[*codes, code] for code, _ in choices]
    assert asked == set(hub.questions.values_list("slug", flat=True))
    assert endings == set(hub.outcomes.values_list("title", flat=True))


def test_the_make_safe_outcome_leads_with_safety_and_the_urgent_route(client, hub):
    page = walk(client, ["Yes"])
    body = page.split('<p class="kind">What to do next</p>')[1]
    assert 'href="/urgent/"' in body
    assert body.index("999") < body.index("disciplinary procedure")
    assert "safeguarding" in body and "police" in body and "barring referral" in body.lower()
    assert "Talk to HR before you act" not in page, "safety must never wait for HR"


def test_formal_outcomes_state_the_acas_code_steps_and_link_the_formal_process_guide(client, hub):
    page = walk(client, [NOT_AT_RISK, BEHAVIOUR, "Yes"])
    for step in ["what could happen", "in writing", "appeal", "right to be accompanied"]:
        assert step in page, step
    assert "0300 123 1100" in page
    assert "Labour Relations Agency" in page
    assert 'href="/guides/a-guide-to-the-formal-process/"' in page


def test_an_outcome_carries_the_readers_workplace_gloss_and_asks_if_it_was_useful(client, hub):
    page = walk(client, ["Yes"], **{WORKPLACE_COOKIE: "home-care"})
    mine = page.split('class="panel gloss-mine"')[1].split("</div>")[0]
    assert "Change the rota at once" in mine
    assert "Was this page useful?" in page


# --- The urgent route -------------------------------------------------------------------------


def test_the_urgent_route_answers_and_is_linked_from_the_home_page_above_the_situations(
    client, starter_content
):
    response = client.get("/urgent/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone may have been harmed, or is at risk" in page
    home = client.get("/").content.decode()
    assert 'href="/urgent/"' in home
    assert home.index('href="/urgent/"') < home.index("What is happening?")


def test_the_urgent_steps_come_in_the_order_that_keeps_people_safe(client, starter_content):
    page = html.unescape(client.get("/urgent/").content.decode())
    headings = [h.strip() for h in re.findall(r"<h2[^>]*>([^<]+)</h2>", page)]
    steps = [h for h in headings if re.match(r"\d\. ", h)]
    assert [step.split(". ", 1)[1].split()[0:2] for step in steps] == [
        ["Make", "people"],
        ["Tell", "the"],
        ["Call", "the"],
        ["Tell", "the"],
        ["Keep", "records"],
        ["Don't", "question"],
        ["Decide", "what"],
        ["Write", "it"],
    ]
    assert "safeguarding team" in steps[1] and "police" in steps[2] and "regulator" in steps[3]
    after = page.split(steps[-1])[1]
    assert "Barring referral" in after and "resign" in after
    for body in ["Disclosure Scotland", "NMC", "HCPC", "Social Work England", "SSSC", "NISCC"]:
        assert body in after, body


def test_the_urgent_route_shows_the_readers_workplace_before_the_steps(client, starter_content):
    client.cookies[WORKPLACE_COOKIE] = "nhs"
    page = client.get("/urgent/").content.decode()
    mine = page.index('class="panel gloss-mine"')
    assert mine < page.index("Make people safe")
    assert "GP practice" in page[mine:]


def test_the_old_guide_address_of_the_urgent_route_sends_readers_to_it(client, starter_content):
    response = client.get("/guides/someone-may-have-been-harmed/")
    assert response.status_code == 302 and response["Location"] == "/urgent/"


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "words",
    ["abuse", "allegation", "safeguarding", "suspend", "DBS", "hit a resident"]
    + ["shouted at a resident"],
)
def test_the_urgent_route_is_the_first_search_result(client, starter_content, words):
    page = client.get("/search/", {"q": words}).content.decode()
    first = re.search(r'<li class="card">.*?<a href="([^"]+)">', page, re.S)
    assert first and first.group(1) == "/urgent/", words


@pytest.mark.both_databases
def test_a_search_with_nothing_to_do_with_harm_does_not_show_the_urgent_route_first(
    client, starter_content
):
    page = client.get("/search/", {"q": "appraisal"}).content.decode()
    first = re.search(r'<li class="card">.*?<a href="([^"]+)">', page, re.S)
    assert first and first.group(1) != "/urgent/"


@pytest.mark.parametrize(
    "address",
    [
        "/guides/conduct-problems/",
        "/guides/first-conversation-about-poor-performance/",
        "/scripts/informal-conduct-conversation/",
        "/scripts/first-performance-conversation/",
        "/decide/",
        TOOL,
        f"{TOOL}?a=anyone-at-risk:1",
        f"{TOOL}overview/",
    ],
)
def test_conduct_capability_and_decision_pages_link_to_the_urgent_route(
    client, starter_content, address
):
    assert 'href="/urgent/"' in client.get(address).content.decode()


def test_only_one_guide_can_be_the_urgent_route(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    second = content / "guides" / "another-urgent.md"
    second.write_text("---\ntype: guide\ntitle: Another\nurgent_route: true\n---\nBody.\n")
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("load_content", str(content), stdout=StringIO(), stderr=errors)
    assert "urgent_route: only one guide can be the urgent route" in errors.getvalue()
    assert not Guide.objects.exists()


# --- The advice itself --------------------------------------------------------------------------


def test_nhs_glosses_write_for_trusts_health_boards_and_gp_practices(starter_content):
    for model in (GuideGloss, ScriptGloss, ResourceGloss):
        for body in model.objects.filter(workplace__slug="nhs").values_list("body", flat=True):
            # "Your trust, health board or GP practice" is fine; "your trust" alone leaves most out.
            assert not re.search(r"\byour trust\b(?!, health board)|\btrust's\b", body, re.I), body


def test_home_care_glosses_treat_travel_and_meeting_time_as_paid_work(starter_content):
    for model in (GuideGloss, ScriptGloss, ResourceGloss):
        for body in model.objects.filter(workplace__slug="home-care").values_list(
            "body", flat=True
        ):
            assert "policy on paying" not in body, body


def test_the_glossary_gives_the_legal_meaning_of_disability(client, starter_content):
    page = html.unescape(client.get("/glossary/").content.decode())
    assert "more than minor or trivial" in page
    assert "12 months" in page
    assert "big, long-term" not in page


def test_an_editor_edits_an_outcomes_workplace_glosses_in_admin_with_history(client):
    from reversion.models import Version

    from decisions.models import Outcome, OutcomeGloss
    from resources.models import Workplace
    from tests import factories

    tree = factories.decision_tree("a-tool")
    outcome = tree.outcomes.first()
    home_care = Workplace.objects.create(slug="home-care", name="Home care")
    client.force_login(factories.editor())
    url = f"/{settings.ADMIN_PATH}decisions/outcome/{outcome.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200 and "glosses-TOTAL_FORMS" in form.content.decode()
    response = client.post(
        url,
        {
            "tree": tree.pk,
            "slug": outcome.slug,
            "title": outcome.title,
            "body": outcome.body,
            "guides": [g.pk for g in outcome.guides.all()],
            "glosses-TOTAL_FORMS": "1",
            "glosses-INITIAL_FORMS": "0",
            "glosses-MIN_NUM_FORMS": "0",
            "glosses-MAX_NUM_FORMS": "1000",
            "glosses-0-workplace": home_care.pk,
            "glosses-0-body": "Change the rota first.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    gloss = OutcomeGloss.objects.get(outcome=outcome)
    assert gloss.body == "Change the rota first."
    assert Version.objects.get_for_object(Outcome.objects.get(pk=outcome.pk)).exists()
