"""Search finds pages whether the manager uses everyday words or HR words, on either database."""

import pytest

from core import publishing
from resources.models import SynonymGroup
from resources.search import rebuild_index, search, term_groups
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

SYNONYM_PAIRS = [
    ("sick", "absence"),
    ("sacked", "dismissal"),
    ("yearly review", "appraisal"),
    ("improvement plan", "PIP"),
    ("telling off", "disciplinary"),
    ("late", "timekeeping"),
]


@pytest.fixture
def little_hub(db):
    for words in [
        "sick, off sick, absence",
        "sacked, dismissal",
        "yearly review, appraisal",
        "improvement plan, pip",
        "telling off, disciplinary",
        "late, timekeeping",
    ]:
        SynonymGroup.objects.create(words=words)
    factories.guide("Managing absence", summary="When someone is away.", body="Talk to them.")
    factories.guide("Timekeeping problems", summary="Arriving on time.", body="Set clear rules.")
    factories.guide("Preparing for an appraisal", summary="The review.", body="Gather evidence.")
    factories.guide("Dismissal", summary="The last step.", body="Follow a fair process.")
    factories.guide("Disciplinary meetings", summary="Formal steps.", body="Be fair.")
    factories.guide("Writing a PIP", summary="Agree goals.", body="Set a review date.")
    factories.guide("Listening well", summary="Feedback.", body="Someone may feel sick with worry.")
    factories.glossary_term("Gross misconduct", slug="gross-misconduct", definition="Very serious.")
    rebuild_index()


def top(query):
    results = search(query)
    return results.hits[0].title if results.hits else None


@pytest.mark.parametrize(("everyday", "hr_word"), SYNONYM_PAIRS)
def test_each_synonym_pair_finds_the_same_top_result_either_way_round(
    little_hub, everyday, hr_word
):
    assert top(everyday) is not None
    assert top(everyday) == top(hr_word)


def test_a_title_match_ranks_above_a_body_match(little_hub):
    SynonymGroup.objects.all().delete()
    titles = [hit.title for hit in search("sick").hits] + [
        hit.title for hit in search("absence").hits
    ]
    assert "Managing absence" in titles
    assert search("absence").hits[0].title == "Managing absence"


def test_summary_match_ranks_above_body_match(db):
    factories.guide("First", summary="Nothing here.", body="Rota changes explained.")
    factories.guide("Second", summary="All about rota changes.", body="Nothing here.")
    rebuild_index()
    assert [hit.title for hit in search("rota").hits] == ["Second", "First"]


def test_glossary_terms_are_found_apart_and_resources_after_the_hubs_pages(little_hub):
    factories.resource("Acas on absence from work", summary="Advice on absence.")
    rebuild_index()
    kinds = [hit.kind for hit in search("absence").hits]
    assert kinds[0] == "guide"
    assert kinds[-1] == "resource"
    results = search("misconduct")
    assert results.hits == []
    assert [hit.title for hit in results.glossary] == ["Gross misconduct"]


def test_drafts_are_never_found(db):
    factories.guide("Hidden rota plan", status="draft")
    rebuild_index()
    assert search("rota").hits == []


def test_saving_a_page_updates_the_index(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        guide = factories.guide("Night shifts")
    assert top("night") == "Night shifts"
    with django_capture_on_commit_callbacks(execute=True):
        guide.status = "draft"
        guide.save()
        publishing.changed(guide)
    assert top("night") is None


def test_a_renamed_page_is_found_at_its_new_address_only(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        guide = factories.guide("Night shifts", slug="night-shifts")
    with django_capture_on_commit_callbacks(execute=True):
        guide.slug = "working-nights"
        guide.save()
        publishing.changed(guide)
    assert [hit.url for hit in search("night").hits] == ["/guides/working-nights/"]


def test_nothing_found_page_suggests_topics_and_shows_the_synonyms_tried(client, little_hub):
    factories.topic("absence", name="Managing absence")
    html = client.get("/search/", {"q": "sacked zebra"}).content.decode()
    assert "Dismissal" in html  # broadened: a page with some of the words
    html = client.get("/search/", {"q": "zebra crossing"}).content.decode()
    assert "Nothing matched" in html
    assert 'href="/topics/absence/"' in html
    html = client.get("/search/", {"q": "yearly review zebra crossing"}).content.decode()
    assert "yearly review, appraisal" in html


def test_search_words_cannot_break_the_query(little_hub):
    for nasty in [
        '"',
        "'",
        "AND OR NOT",
        "NEAR(",
        "*",
        "a:b",
        "); DROP TABLE x; --",
        "\\",
        "!!&&||",
    ]:
        search(nasty)  # must not raise


def test_phrases_are_matched_before_single_words():
    groups, used = term_groups("yearly review for nurse", [["yearly review", "appraisal"]])
    assert groups == [["yearly review", "appraisal"], ["nurse"]]
    assert used == [["yearly review", "appraisal"]]


def test_starter_content_synonyms_work_both_ways(starter_content):
    for everyday, hr_word in SYNONYM_PAIRS:
        assert top(everyday) is not None, everyday
        assert top(everyday) == top(hr_word), (everyday, hr_word)
