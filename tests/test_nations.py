"""Where you work, everywhere: the reader's nation and workplace shape every page, facts that
differ between the nations live in one table, and the organisation's own policies come first."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from core.content_files import ContentError, load
from resources.models import Fact, OrganisationPolicy
from tests import factories

pytestmark = pytest.mark.django_db

ACAS = "the Acas helpline on 0300 123 1100"
LRA = "the Labour Relations Agency on 03300 552 220"


def reader(nation=None, workplace=None) -> Client:
    client = Client()
    if nation:
        client.cookies["hub_nation"] = nation
    if workplace:
        client.cookies["hub_workplace"] = workplace
    return client


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def path_to_helpline_outcome(slug: str) -> str:
    """The address of the first outcome (found breadth first) that advises calling the helpline."""
    from decisions.models import DecisionTree

    tree = DecisionTree.objects.get(slug=slug)
    waiting = [(tree.start_question, [])]
    while waiting:
        question, codes = waiting.pop(0)
        for number, answer in enumerate(question.answers.all(), start=1):
            here = [*codes, f"{question.slug}:{number}"]
            if answer.outcome_id and answer.outcome.call_acas_helpline:
                return tree.get_absolute_url() + "?" + "&".join(f"a={c}" for c in here)
            if answer.next_question_id:
                waiting.append((answer.next_question, here))
    raise AssertionError("no outcome advises calling the helpline")


def conduct_guide_and_decision_outcome(client) -> list[str]:
    return [
        main_of(client.get("/guides/conduct-problems/")),
        main_of(client.get(path_to_helpline_outcome("formal-action"))),
    ]


# --- The advice helpline, by nation ----------------------------------------------------------


def test_northern_ireland_reader_sees_the_labour_relations_agency_not_the_acas_helpline(
    starter_content,
):
    for page in conduct_guide_and_decision_outcome(reader("northern-ireland")):
        assert LRA in page
        assert "Acas helpline" not in page
        assert "0300 123 1100" not in page
        assert "{fact:" not in page


def test_england_reader_sees_the_acas_helpline(starter_content):
    for page in conduct_guide_and_decision_outcome(reader("england")):
        assert ACAS in page
        assert LRA not in page


def test_reader_with_no_nation_sees_both_helplines_with_the_nations_they_serve(starter_content):
    for page in conduct_guide_and_decision_outcome(reader()):
        assert f"{ACAS} (England, Scotland and Wales) or {LRA} (Northern Ireland)" in page, page[
            :3000
        ]


def test_a_northern_ireland_readers_note_comes_straight_after_the_summary(starter_content):
    page = main_of(reader("northern-ireland").get("/guides/conduct-problems/"))
    note = page.index('<div class="panel nation-mine">')
    assert page.index('class="lead"') < note < page.index("Check your organisation")
    assert "In Northern Ireland the Acas Code does not apply" in page[note:]
    # The other nations' notes stay on the page, folded, further down.
    assert page.index("In other nations") > page.index("Follow the Acas Code")


# --- Choosing a nation -----------------------------------------------------------------------


def test_choosing_a_nation_keeps_it_in_a_cookie_beside_the_workplace(client):
    factories.workplace("nhs", name="NHS")
    response = client.get(
        "/where-you-work/", {"workplace": "nhs", "nation": "wales", "next": "/glossary/"}
    )
    assert response.status_code == 302 and response["Location"] == "/glossary/"
    assert client.cookies["hub_nation"].value == "wales"
    assert client.cookies["hub_nation"]["httponly"]
    html = client.get("/glossary/").content.decode()
    assert '<option value="wales" selected>Wales</option>' in html
    assert 'Nation: <span class="visually-hidden">now set to </span>Wales' in html
    client.get("/where-you-work/", {"workplace": "nhs", "nation": "", "next": "/"})
    assert client.cookies["hub_nation"].value == ""


def test_an_unknown_nation_is_refused_and_a_hand_made_cookie_is_ignored(client):
    assert client.get("/where-you-work/", {"nation": "mars"}).status_code == 404
    client.cookies["hub_nation"] = "<script>"
    html = client.get("/glossary/").content.decode()
    assert '<option value="" selected>All nations</option>' in html


def test_cached_pages_are_kept_apart_per_nation_and_canonical_links_stay_the_same(db):
    guide = factories.guide(body="Call {fact:advice-helpline}.")
    url = guide.get_absolute_url()
    england, ni = reader("england"), reader("northern-ireland")
    for _ in range(2):  # the second round is served from the page cache
        english, northern = england.get(url), ni.get(url)
        assert ACAS in english.content.decode() and LRA in northern.content.decode()
    canonical = f'<link rel="canonical" href="http://127.0.0.1:8000{url}">'
    assert canonical in english.content.decode() and canonical in northern.content.decode()


# --- Facts in one place ----------------------------------------------------------------------


def test_a_fact_changed_in_admin_shows_at_once_on_every_page_that_uses_it(
    client, django_capture_on_commit_callbacks
):
    guide = factories.guide(body="In a small service, call {fact:advice-helpline}.")
    tree = factories.decision_tree()
    tree.outcomes.update(call_acas_helpline=True)
    pages = [guide.get_absolute_url(), f"{tree.get_absolute_url()}?a=first:2"]
    england = reader("england")
    for url in pages:
        assert ACAS in england.get(url).content.decode()
        assert ACAS in england.get(url).content.decode()  # now cached

    client.force_login(factories.editor())
    fact = Fact.objects.get(name="advice-helpline-number")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:resources_fact_change", args=[fact.pk]),
            {
                "description": fact.description,
                "value": "0300 999 0000",
                "england": "",
                "scotland": "",
                "wales": "",
                "northern_ireland": fact.northern_ireland,
                "_save": "Save",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    for url in pages:
        html = england.get(url).content.decode()
        assert "the Acas helpline on 0300 999 0000" in html, url
        assert "0300 123 1100" not in html, url


def test_load_content_refuses_an_unknown_fact_and_names_the_file_and_line(tmp_path):
    factories.workplace("nhs")
    (tmp_path / "guides").mkdir()
    guide = tmp_path / "guides" / "calling.md"
    guide.write_text(
        "---\ntype: guide\ntitle: Calling for help\n---\nSome words first.\n\n"
        "Call {fact:advise-helpline} today.\n"
    )
    with pytest.raises(ContentError) as caught:
        load([tmp_path])
    assert f"{guide}:7: {{fact:advise-helpline}} names no fact" in str(caught.value)


def test_load_content_reads_facts_and_nation_notes_and_exports_them_unchanged(tmp_path):
    (tmp_path / "facts.yaml").write_text(
        "- name: care-regulator\n  description: Who inspects care services\n"
        "  value: the Care Quality Commission (CQC)\n  wales: Care Inspectorate Wales (CIW)\n"
    )
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "welsh-code.md").write_text(
        "---\ntype: resource\ntitle: A Welsh code\nstatus: published\n"
        "url: https://example.org/code\nnations: [wales]\n"
        "nation_notes:\n  wales: |\n    Tell {fact:care-regulator}.\n---\n"
    )
    load([tmp_path])
    fact = Fact.objects.get(name="care-regulator")
    assert fact.value_for("wales") == "Care Inspectorate Wales (CIW)"
    assert fact.value_for("scotland") == "the Care Quality Commission (CQC)"
    from resources.models import Resource

    resource = Resource.objects.get(slug="welsh-code")
    assert resource.nation_list == ["wales"]
    assert resource.nation_notes.get().body == "Tell {fact:care-regulator}."
    out = tmp_path / "out"
    call_command("export_content", str(out), verbosity=0)
    exported = (out / "resources" / "welsh-code.md").read_text()
    assert "nations: [wales]\n" in exported
    assert "nation_notes:\n  wales: |\n    Tell {fact:care-regulator}.\n" in exported
    assert "  wales: Care Inspectorate Wales (CIW)\n" in (out / "facts.yaml").read_text()
    # Loading what was exported changes nothing.
    counts = load([out])
    assert not counts.changed


def test_an_unknown_nation_in_a_content_file_is_an_error_with_its_line(tmp_path):
    (tmp_path / "guides").mkdir()
    path = tmp_path / "guides" / "g.md"
    path.write_text(
        "---\ntype: guide\ntitle: A guide\nnation_notes:\n  wales: |\n    Fine.\n"
        "  cornwall: |\n    Not a nation.\n---\nBody.\n"
    )
    with pytest.raises(ContentError) as caught:
        load([path])
    assert f"{path}:7: unknown nation 'cornwall' in nation_notes" in str(caught.value)


def test_editors_cannot_save_a_page_that_names_an_unknown_fact(client):
    client.force_login(factories.editor())
    from tests.test_admin import guide_form

    response = client.post(
        reverse("admin:resources_guide_add"), guide_form(body="Call {fact:no-such-thing}.")
    )
    assert response.status_code == 200
    assert "{fact:no-such-thing}: no fact has this name" in response.content.decode()


# --- Resources by workplace and nation -------------------------------------------------------


@pytest.fixture
def places():
    return {
        slug: factories.workplace(slug, name=name, position=i)
        for i, (slug, name) in enumerate(
            [
                ("nhs", "NHS"),
                ("home-care", "Home care"),
                ("small-organisation", "Small organisation with no HR team"),
            ]
        )
    }


def test_a_wales_only_resource_is_under_other_nations_for_an_england_reader(places):
    factories.resource("Induction in Wales", nations="wales")
    factories.resource("Fair process everywhere")
    page = main_of(reader("england").get("/resources/"))
    elsewhere = page.index('id="other-nations-heading"')
    assert page.index("Fair process everywhere") < elsewhere < page.index("Induction in Wales")
    assert "1 resource." in page  # the count is what applies in England

    welsh = main_of(reader("wales").get("/resources/"))
    assert "Induction in Wales" in welsh and "other-nations-heading" not in welsh


def test_the_resources_list_for_each_workplace_follows_each_resources_relevance(places):
    factories.resource(
        "Attendance in the NHS",
        relevance={
            places["nhs"]: "High. Built for NHS terms.",
            places["home-care"]: "Not relevant.",
        },
    )
    factories.resource(
        "Lone working visits",
        relevance={places["nhs"]: "Low. Rarely needed.", places["home-care"]: "High. Daily use."},
    )
    factories.resource("General advice")

    def titles(response):
        page = main_of(response)
        found = [
            (page.index(t), t)
            for t in ("Attendance in the NHS", "Lone working visits", "General advice")
            if t in page
        ]
        return [t for _, t in sorted(found)]

    client = reader()
    nhs = titles(client.get("/resources/", {"setting": "nhs"}))
    home = titles(client.get("/resources/", {"setting": "home-care"}))
    assert nhs == ["Attendance in the NHS", "Lone working visits"]
    assert home == ["Lone working visits"]
    # A reader's own workplace, with no filter, puts what matters there first but hides nothing.
    mine = titles(reader(workplace="home-care").get("/resources/"))
    assert mine == ["Lone working visits", "General advice", "Attendance in the NHS"]


def test_home_and_stage_pages_put_what_fits_the_reader_first(places):
    stage = factories.stage("new-starter", name="Induction", situation="Someone new is starting")
    welsh = factories.resource(
        "Welsh induction framework", nations="wales", relevance={places["nhs"]: "High."}
    )
    general = factories.resource("Induction checklist", relevance={places["nhs"]: "Low."})
    for item in (welsh, general):
        item.stages.add(stage)
    wales_nhs = reader("wales", "nhs")
    home = main_of(wales_nhs.get("/"))
    assert home.index("Picked for you") < home.index("What is happening?")
    assert home.index("Welsh induction framework") < home.index("Induction checklist")
    assert "Picked for you" not in main_of(reader().get("/"))

    page = main_of(reader("england", "nhs").get(stage.get_absolute_url()))
    assert page.index("Induction checklist") < page.index("Resources for other nations")
    assert page.index("Resources for other nations") < page.index("Welsh induction framework")


def test_a_resource_says_which_nations_it_is_for(places):
    resource = factories.resource("Induction in Wales", nations="wales")
    assert "For Wales only." in main_of(reader().get(resource.get_absolute_url()))
    english = main_of(reader("england").get(resource.get_absolute_url()))
    assert "For Wales only.</strong> It may not apply in England." in english


def test_a_readers_workplace_note_sits_straight_after_the_summary(places):
    resource = factories.resource(
        "Sickness toolkit",
        summary="A toolkit for sickness absence.",
        relevance={places["nhs"]: "High."},
        glosses={places["home-care"]: "Phone the carer.", places["nhs"]: "Ask your HR team."},
    )
    page = main_of(reader(workplace="home-care").get(resource.get_absolute_url()))
    mine = page.index("Phone the carer.")
    assert page.index("A toolkit for sickness absence.") < mine < page.index("Go to Sickness")
    assert mine < page.index("Ask your HR team.")


# --- The organisation's own policies ---------------------------------------------------------


def test_the_policy_box_lists_the_organisations_own_policy_for_the_topic(places):
    topic = factories.topic("absence", name="Absence")
    guide = factories.guide("Short-term absence", policy_note="Check the **sickness** rules.")
    guide.topics.add(topic)
    policy = OrganisationPolicy.objects.create(
        title="Our sickness absence policy",
        url="https://intranet.example.org/policies/sickness",
        note="Use it from the first day off.",
    )
    policy.topics.add(topic)
    OrganisationPolicy.objects.create(title="Our uniform policy", url="/policies/uniform/")
    box = main_of(reader().get(guide.get_absolute_url()))
    box = box[box.index('class="panel signpost"') :]
    box = box[: box.index("</aside>")]
    assert (
        '<a href="https://intranet.example.org/policies/sickness">Our sickness absence policy</a>'
        ". Use it from the first day off." in box
    )
    assert "Our uniform policy" not in box
    assert "Ask your manager or HR" not in box
    assert "Check the <strong>sickness</strong> rules." in box


def test_with_no_policies_and_no_hr_team_the_box_says_what_a_policy_covers(places):
    guide = factories.guide("Conduct")
    small = main_of(reader("northern-ireland", "small-organisation").get(guide.get_absolute_url()))
    assert "With no HR team, you may not have a written policy yet." in small
    assert '<a href="/forms/small-provider-disciplinary-policy/">disciplinary policy</a>' in small
    assert "the Labour Relations Agency Code of Practice as the least you should do" in small
    assert "Ask your manager or HR" not in small
    nhs = main_of(reader(workplace="nhs").get(guide.get_absolute_url()))
    assert "Ask your manager or HR where to find it." in nhs
    assert "/forms/small-provider-disciplinary-policy/" not in nhs


def test_a_policy_link_must_be_a_web_address_or_a_path_on_this_site():
    from django.core.exceptions import ValidationError

    for bad in ("javascript:alert(1)", "//evil.example/x", "intranet"):
        with pytest.raises(ValidationError):
            OrganisationPolicy(title="Ours", url=bad).full_clean()
    OrganisationPolicy(title="Ours", url="/policies/ours/").full_clean()


# --- Tick boxes and feedback -----------------------------------------------------------------


def test_script_checklists_are_real_tick_boxes_with_labels(db):
    script = factories.script(parts={"before": "- Book a room.\n- Read the notes."})
    html = main_of(reader().get(script.get_absolute_url()))
    assert (
        '<input type="checkbox" id="tick-before-1"> <label for="tick-before-1">Book a room.' in html
    )
    assert '<label for="tick-before-2">Read the notes.</label>' in html


def test_feedback_is_stored_on_the_first_click_and_a_comment_can_follow(db):
    from feedback.models import Feedback

    browser = Client(enforce_csrf_checks=True)
    guide = factories.guide()
    page = browser.get(guide.get_absolute_url()).content.decode()
    assert 'action="/feedback/vote/"' in page and 'name="useful" value="no"' in page
    response = browser.post("/feedback/vote/", {"page": guide.get_absolute_url(), "useful": "no"})
    assert response.status_code == 200
    saved = Feedback.objects.get()
    assert (saved.page, saved.useful, saved.comment) == (guide.get_absolute_url(), False, "")

    form = response.content.decode()
    token = form.split('name="token" value="')[1].split('"')[0]
    csrf = browser.cookies["csrftoken"].value
    browser.post(
        "/feedback/comment/",
        {"token": token, "comment": "Too long.", "csrfmiddlewaretoken": csrf},
    )
    saved.refresh_from_db()
    assert saved.comment == "Too long."
    # The token adds one comment, once.
    again = {"token": token, "comment": "Changed.", "csrfmiddlewaretoken": csrf}
    assert browser.post("/feedback/comment/", again).status_code == 400
    assert Feedback.objects.get().comment == "Too long."


def test_a_vote_sent_from_another_site_is_refused(db):
    from feedback.models import Feedback

    response = Client().post(
        "/feedback/vote/", {"page": "/", "useful": "yes"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_every_helpline_number_typed_into_pages_is_now_a_fact():
    content = Path(__file__).resolve().parent.parent / "content"
    typed = [
        path.name
        for path in content.rglob("*")
        if path.suffix in {".md", ".yaml"}
        and path.name not in {"README.md", "facts.yaml", "glossary.yaml"}
        and "0300 123 1100" in path.read_text()
    ]
    assert typed == []


def test_load_content_command_reports_an_unknown_fact(tmp_path):
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "g.md").write_text(
        "---\ntype: guide\ntitle: A guide\n---\nCall {fact:nope}.\n"
    )
    with pytest.raises(CommandError):
        call_command("load_content", str(tmp_path), verbosity=0)


def test_search_puts_resources_for_other_nations_after_what_applies_to_the_reader(places):
    from resources.search import rebuild_index

    # A title match ranks above a summary match, so without a nation the Welsh page comes first.
    factories.resource("Induction in Wales", slug="wales-induction", nations="wales")
    factories.resource(
        "Checklist for new starters", slug="any-induction", summary="Use it during induction."
    )
    rebuild_index()

    def order(client):
        page = main_of(client.get("/search/", {"q": "induction"}))
        return sorted(
            ("wales-induction", "any-induction"), key=lambda slug: page.index(f"/{slug}/")
        )

    assert order(reader()) == ["wales-induction", "any-induction"]
    assert order(reader("wales")) == ["wales-induction", "any-induction"]
    assert order(reader("england")) == ["any-induction", "wales-induction"]


def test_facts_read_well_for_one_nation_for_all_and_at_the_start_of_a_sentence():
    from core.facts import FactTable

    table = FactTable.from_facts(
        [
            Fact(name="code", value="the Acas Code", northern_ireland="the LRA Code"),
            Fact(name="barring", value="the DBS", scotland="Disclosure Scotland"),
            Fact(name="advice", value="ask about {fact:code}"),
        ]
    )
    text = "{Fact:code} sets the minimum. Tell {fact:barring}. Then {fact:advice}."
    assert table.apply_to_text(text, "northern-ireland") == (
        "The LRA Code sets the minimum. Tell the DBS. Then ask about the LRA Code."
    )
    assert table.apply_to_text("Tell {fact:barring}.", None) == (
        "Tell the DBS (England, Wales and Northern Ireland) or Disclosure Scotland (Scotland)."
    )
    assert table.apply("<p>{fact:code} &amp; {fact:unknown}</p>", "wales") == (
        "<p>the Acas Code &amp; {fact:unknown}</p>"
    )


@pytest.mark.parametrize(
    ("nation", "team"),
    [
        ("england", "the council's adult safeguarding team"),
        ("scotland", "the council's adult protection team"),
        ("northern-ireland", "the health and social care trust's adult protection gateway team"),
    ],
)
def test_the_urgent_route_names_each_nations_safeguarding_team(starter_content, nation, team):
    page = main_of(reader(nation).get("/urgent/"))
    assert team in page.replace("&#x27;", "'").replace("&#39;", "'")
