"""Line managers find the right help, tailored to where they work, on a phone or on paper."""

import datetime
from pathlib import Path

import pytest
from django.test import Client

from core import publishing
from core.models import Status
from resources.models import Guide, LinkState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {
        slug: factories.workplace(slug, name=name, position=i)
        for i, (slug, name) in enumerate(
            [
                ("nhs", "NHS"),
                ("residential-care", "Residential care"),
                ("home-care", "Home care"),
                ("small-organisation", "Small organisation with no HR team"),
            ]
        )
    }


@pytest.fixture
def absence_guide(places):
    topic = factories.topic("absence", name="Managing absence")
    stage = factories.stage("absence", name="Absence", situation="Someone is often off sick")
    guide = factories.guide(
        "When someone is often off sick",
        slug="short-term-absence",
        summary="What to do when someone keeps calling in sick.",
        body="## Talk to them\n\nHave a [[return to work meeting]] each time.",
        glosses={
            places["nhs"]: "Follow your trust's attendance policy.",
            places["home-care"]: "Phone them if you cannot meet in person.",
        },
        last_reviewed=datetime.date(2026, 3, 2),
    )
    guide.topics.add(topic)
    guide.stages.add(stage)
    return guide


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_home_page_starts_from_the_managers_situation(client, absence_guide):
    factories.topic("learning-and-development", name="Supporting learning and development")
    html = client.get("/").content.decode()
    assert "Someone is often off sick" in html
    assert 'href="/stages/absence/"' in html
    assert '<a href="/topics/learning-and-development/">Helping your team learn</a>' in html
    assert 'href="/decide/"' in html
    assert 'role="search"' in html
    assert "When someone is often off sick" in html  # recently updated


def test_every_page_shows_where_you_work_and_lets_you_change_it(client, absence_guide):
    for url in ["/", absence_guide.get_absolute_url(), "/resources/", "/glossary/", "/search/?q=x"]:
        html = client.get(url).content.decode()
        assert 'action="/where-you-work/"' in html, url
        assert "Where you work" in html, url


def test_choosing_a_workplace_puts_its_gloss_first_and_folds_the_others(client, absence_guide):
    url = absence_guide.get_absolute_url()
    response = client.get("/where-you-work/", {"workplace": "home-care", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.cookies["hub_workplace"].value == "home-care"
    assert client.cookies["hub_workplace"]["httponly"]
    html = main_of(client.get(url))
    mine = html.index("Phone them if you cannot meet in person.")
    theirs = html.index("Follow your trust's attendance policy.")
    assert mine < theirs
    assert '<div class="panel gloss-mine">' in html[:mine]
    assert "<details>" in html[mine:theirs]
    assert "Where you work: <span" in client.get("/").content.decode()


def test_without_a_choice_every_gloss_is_shown_open(client, absence_guide):
    html = main_of(client.get(absence_guide.get_absolute_url()))
    assert html.count("<details open>") == 2


def test_choosing_all_workplaces_forgets_the_choice(client, absence_guide):
    client.get("/where-you-work/", {"workplace": "nhs", "next": "/"})
    client.get("/where-you-work/", {"workplace": "", "next": "/"})
    assert client.cookies["hub_workplace"].value == ""


def test_workplace_chooser_refuses_to_redirect_off_site(client, places):
    response = client.get("/where-you-work/", {"workplace": "nhs", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_guide_page_shows_review_dates_and_the_policy_signpost(client, absence_guide):
    html = main_of(client.get(absence_guide.get_absolute_url()))
    assert 'Page last reviewed: <time datetime="2026-03-02">2 March 2026</time>' in html
    assert 'Next review due: <time datetime="2027-03-02">2 March 2027</time>' in html
    assert html.index("Next review due") > html.index("Talk to them")
    assert "Check your organisation's own policy first" in html
    assert "No policy?" in html


def test_guide_page_links_words_to_the_glossary(client, absence_guide):
    html = main_of(client.get(absence_guide.get_absolute_url()))
    assert '<a href="/glossary/#return-to-work-meeting">return to work meeting</a>' in html


def test_drafts_are_not_public(client, places):
    draft = factories.guide("Secret draft", status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get("/").content.decode()
    assert "Secret draft" not in client.get("/sitemap.xml").content.decode()
    assert "Secret draft" not in client.get("/feed/").content.decode()


def test_resource_page_says_who_made_it_and_marks_the_link_as_leaving(client, places):
    resource = factories.resource(
        "Absence from work",
        url="https://www.acas.org.uk/absence-from-work",
        publisher="Acas",
        relevance={places["nhs"]: "Useful alongside your trust's policy."},
        glosses={places["residential-care"]: "Think about night staff."},
        link_state=LinkState.OK,
        link_checked_at=datetime.datetime(2026, 11, 1, 3, 0, tzinfo=datetime.UTC),
        licence_note="Link only.",
    )
    html = main_of(client.get(resource.get_absolute_url()))
    assert "Advice page from Acas" in html
    assert "Useful alongside your trust&#x27;s policy." in html
    assert "Think about night staff." in html
    assert 'href="https://www.acas.org.uk/absence-from-work" rel="noopener noreferrer"' in html
    assert "this link leaves" in html
    assert "We last checked this link on 1 November 2026: working." in html
    assert "About other organisations' pages" in html
    assert "Page last reviewed" in html


def test_resources_can_be_filtered_by_topic_workplace_and_kind(client, places):
    absence = factories.topic("absence")
    first = factories.resource("Absence advice", kind="advice", relevance={places["nhs"]: "Yes"})
    first.topics.add(absence)
    factories.resource(
        "Care home toolkit", kind="toolkit", relevance={places["residential-care"]: "Yes"}
    )
    html = client.get("/resources/", {"topic": "absence"}).content.decode()
    assert "Absence advice" in html and "Care home toolkit" not in html
    html = client.get("/resources/", {"setting": "residential-care"}).content.decode()
    assert "Care home toolkit" in html and "Absence advice" not in html
    html = client.get("/resources/", {"kind": "toolkit"}).content.decode()
    assert "Care home toolkit" in html and "Absence advice" not in html
    html = client.get("/resources/", {"kind": "nonsense"}).content.decode()
    assert "Care home toolkit" in html and "Absence advice" in html


def test_topic_and_stage_pages_list_their_items(client, absence_guide):
    assert "When someone is often off sick" in client.get("/topics/absence/").content.decode()
    assert "When someone is often off sick" in client.get("/stages/absence/").content.decode()
    assert client.get("/topics/nothing/").status_code == 404


def test_scripts_print_as_a_checklist_with_space_for_notes(client, places):
    script = factories.script(
        "Return to work meeting",
        parts={"before": "- Read their fit note.", "opening": "- Welcome them back."},
    )
    html = client.get(f"/scripts/{script.slug}/print/").content.decode()
    assert 'class="checklist"' in html
    assert "Before the meeting" in html and "Read their fit note." in html
    assert 'class="notes-space"' in html
    assert "Next review due" in html
    css = Path("static/css/hub.css").read_text()
    assert "@media print" in css and ".notes-space { display: block;" in css


def test_scripts_show_the_policy_signpost_unless_editors_turn_it_off(client, places):
    script = factories.script("Return to work meeting")
    signpost = "Check your organisation's own policy first"
    assert signpost in client.get(script.get_absolute_url()).content.decode()
    quiet = factories.script("Welcome", check_policy_first=False)
    assert signpost not in client.get(quiet.get_absolute_url()).content.decode()


def test_glossary_lists_terms_with_anchors(client, db):
    factories.glossary_term("Fit note", slug="fit-note", definition="A note from a doctor.")
    html = client.get("/glossary/").content.decode()
    assert '<dt id="fit-note">Fit note</dt>' in html


def test_feed_sitemap_robots_and_canonical_urls(client, absence_guide):
    feed = client.get("/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "When someone is often off sick" in feed.content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/guides/short-term-absence/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    html = client.get(absence_guide.get_absolute_url()).content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/guides/short-term-absence/">' in html
    assert (
        '<meta name="description" content="What to do when someone keeps calling in sick.">' in html
    )


@pytest.mark.both_databases
def test_feedback_is_stored_with_csrf_and_asks_for_no_personal_data(places):
    from feedback.models import Feedback

    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/feedback/", {"page": "/guides/x/", "useful": "no"})
    html = form.content.decode()
    assert "email" not in html.lower() and 'name="name"' not in html
    assert browser.post("/feedback/", {"page": "/guides/x/", "useful": "no"}).status_code == 403
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/feedback/",
        {
            "page": "/guides/x/",
            "useful": "no",
            "comment": "Too long.",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    saved = Feedback.objects.get()
    assert (saved.page, saved.useful, saved.comment) == ("/guides/x/", False, "Too long.")


def test_feedback_honeypot_catches_bots_quietly(client, places):
    from feedback.models import Feedback

    response = client.post("/feedback/", {"page": "/", "useful": "yes", "website": "spam.example"})
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_feedback_is_rate_limited_per_client(client, places, settings):
    from feedback.models import Feedback

    settings.HUB_FEEDBACK_RATE = 3
    statuses = [
        client.post("/feedback/", {"page": "/", "useful": "yes"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert Feedback.objects.count() == 3
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/feedback/", {"page": "/", "useful": "yes"}).status_code == 200


def test_behind_a_proxy_the_feedback_limit_counts_each_reader_not_the_proxy(
    client, places, settings
):
    settings.HUB_FEEDBACK_RATE = 2
    settings.BEHIND_TLS_PROXY = True
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def post(forwarded_for):
        form = {"page": "/", "useful": "yes"}
        response = client.post("/feedback/", form, HTTP_X_FORWARDED_FOR=forwarded_for, **proxy)
        return response.status_code

    assert [post("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert post("198.51.100.4") == 200, "another reader behind the same proxy"
    # A reader cannot dodge the limit by sending their own X-Forwarded-For first.
    assert post("1.2.3.4, 203.0.113.7") == 429
    # Something that is not an address is ignored: the request is counted against its sender.
    assert [post("not-an-address") for _ in range(3)] == [200, 200, 429]


@pytest.mark.both_databases
def test_anonymous_pages_are_cached_and_an_editor_save_clears_them(
    client, absence_guide, django_capture_on_commit_callbacks
):
    url = absence_guide.get_absolute_url()
    first = client.get(url)
    assert first["Cache-Control"] == "max-age=0, must-revalidate"
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    Guide.objects.filter(pk=absence_guide.pk).update(title="Changed behind the cache's back")
    assert "Changed behind" not in client.get(url).content.decode()  # served from the cache
    absence_guide.refresh_from_db()
    absence_guide.title = "Saved by an editor"
    with django_capture_on_commit_callbacks(execute=True):  # the save commits, as in admin
        absence_guide.save()
        publishing.changed(absence_guide)
    assert "Saved by an editor" in client.get(url).content.decode()


def test_unchanged_pages_answer_304_to_a_matching_etag_or_date(client, absence_guide):
    url = absence_guide.get_absolute_url()
    first = client.get(url)
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert by_etag["X-Content-Type-Options"] == "nosniff"
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304


def test_head_requests_are_answered_before_and_after_a_page_is_cached(client, absence_guide):
    url = absence_guide.get_absolute_url()
    assert client.head(url).status_code == 200
    assert client.head(url).status_code == 200
    assert client.get(url).status_code == 200


def test_robots_sitemap_and_feed_use_the_public_address_whatever_the_host(client, settings, db):
    settings.ALLOWED_HOSTS = ["hub.example.org", "internal.example.org"]
    settings.SITE_URL = "https://hub.example.org"
    factories.guide(slug="a-guide")
    for path in ("/robots.txt", "/sitemap.xml", "/feed/"):
        text = client.get(path, HTTP_HOST="internal.example.org").content.decode()
        assert "https://hub.example.org/" in text, path
        assert "internal.example.org" not in text, path


def test_signed_in_editors_always_see_fresh_pages(client, absence_guide):
    client.get(absence_guide.get_absolute_url())
    Guide.objects.filter(pk=absence_guide.pk).update(title="Fresh for editors")
    client.force_login(factories.editor())
    assert "Fresh for editors" in client.get(absence_guide.get_absolute_url()).content.decode()


def test_guide_page_with_its_css_and_js_weighs_under_60_kb(client, absence_guide):
    import re
    from pathlib import Path

    html = client.get(absence_guide.get_absolute_url()).content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
    total = len(html) + sum((Path("static") / a.decode()).stat().st_size for a in assets)
    assert assets, "the page should use the hub's stylesheet"
    assert total <= 60 * 1024, f"{total} bytes"
    assert b"https://" not in re.sub(rb'href="https://[^"]*"', b"", html).split(b"<main")[0]


def _bulk(count: int, places) -> None:
    from resources.models import GuideGloss, ResourceRelevance, Script, ScriptPart

    topic = factories.topic("absence")
    stage = factories.stage("absence")
    guides = Guide.objects.bulk_create(
        Guide(title=f"Guide {i}", slug=f"bulk-guide-{i}", body="Text.", status="published",
              last_reviewed=datetime.date(2026, 1, 1), next_review_due=datetime.date(2027, 1, 1))
        for i in range(count)
    )  # fmt: skip
    GuideGloss.objects.bulk_create(
        GuideGloss(guide=g, workplace=p, body="Here.") for g in guides for p in places.values()
    )
    for guide in guides[:50]:
        guide.topics.add(topic)
        guide.stages.add(stage)
    guides[0].related_guides.add(*guides[1:count])
    scripts = Script.objects.bulk_create(
        Script(title=f"Script {i}", slug=f"bulk-script-{i}", status="published",
               last_reviewed=datetime.date(2026, 1, 1), next_review_due=datetime.date(2027, 1, 1))
        for i in range(count)
    )  # fmt: skip
    ScriptPart.objects.bulk_create(
        ScriptPart(script=s, kind=k, body="- Do it.")
        for s in scripts
        for k in ("before", "opening")
    )
    from resources.models import Resource

    resources = Resource.objects.bulk_create(
        Resource(title=f"Resource {i}", slug=f"bulk-resource-{i}", url=f"https://example.org/{i}",
                 status="published", last_reviewed=datetime.date(2026, 1, 1),
                 next_review_due=datetime.date(2026, 7, 1))
        for i in range(count)
    )  # fmt: skip
    ResourceRelevance.objects.bulk_create(
        ResourceRelevance(resource=r, workplace=places["nhs"], note="Yes") for r in resources
    )
    guides[0].related_resources.add(*resources)
    guides[0].related_scripts.add(*scripts)


@pytest.mark.both_databases
@pytest.mark.parametrize("count", [10, 500])
def test_public_pages_run_a_constant_number_of_queries(
    client, places, count, django_assert_max_num_queries
):
    from django.core.cache import cache

    from resources.search import rebuild_index

    _bulk(count, places)
    rebuild_index()
    pages = [
        "/",
        "/guides/",
        "/guides/bulk-guide-0/",
        "/scripts/",
        "/scripts/bulk-script-1/",
        "/scripts/bulk-script-1/print/",
        "/resources/",
        "/resources/?topic=absence&setting=nhs&kind=advice",
        "/resources/bulk-resource-3/",
        "/topics/absence/",
        "/stages/absence/",
        "/glossary/",
        "/feed/",
        "/sitemap.xml",
    ]
    for url in pages:
        cache.clear()
        # Guides and scripts also read their nation notes, related forms, the organisation's
        # policies and the facts table (cached per content generation, cleared here). The
        # count is the same for 10 items as for 500: one query per relation, never per item.
        with django_assert_max_num_queries(11):
            assert client.get(url).status_code == 200, url
    # A search also reads synonyms, best bets and the urgent route (cached until content
    # changes, as here after cache.clear()), looks words up for typos, ranks in at most nine
    # tiers (title, summary and body; the hub's advice, its forms, then resources), finds words
    # explained, and counts itself in the log (on PostgreSQL, with an asynchronous commit): a
    # fixed number however much content there is.
    cache.clear()
    with django_assert_max_num_queries(20):
        assert client.get("/search/?q=guide").status_code == 200


@pytest.mark.both_databases
@pytest.mark.parametrize("questions", [0, 40])
def test_decision_tool_pages_run_a_constant_number_of_queries(
    client, questions, django_assert_max_num_queries
):
    from django.core.cache import cache

    tree = factories.decision_tree("a-tool", extra_questions=questions)
    every_yes = "&".join(["a=first:1"] + [f"a=extra-{n}:1" for n in range(1, questions + 1)])
    pages = [
        "/decide/",
        tree.get_absolute_url(),
        f"{tree.get_absolute_url()}?{every_yes}",
        f"{tree.get_absolute_url()}?{every_yes}&a=second:2",
        tree.get_overview_url(),
    ]
    for url in pages:
        cache.clear()
        # The first step and the outcome also read the tool's nation notes and the facts table;
        # an outcome page also reads the outcome's workplace glosses.
        with django_assert_max_num_queries(11):
            assert client.get(url).status_code == 200, url
