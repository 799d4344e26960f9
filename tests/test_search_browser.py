"""The search results page, with a best bet, a typo and words explained, passes axe in Chromium."""

import pytest

from resources.models import BestBet, SynonymGroup
from resources.search import rebuild_index
from tests import factories
from tests.browser import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_results_page_with_a_best_bet_a_suggestion_and_words_explained_is_accessible(
    live_server, page
):
    SynonymGroup.objects.create(words="appraisal, yearly review")
    factories.guide("Preparing for an appraisal", slug="appraisal", summary="The yearly review.")
    factories.resource("Acas on appraisals", slug="acas-appraisal", summary="Appraisal advice.")
    factories.glossary_term("Appraisal", slug="appraisal", definition="A yearly review.")
    rebuild_index()
    BestBet.objects.create(query="appraisal", kind="resource", slug="acas-appraisal")

    response = page.goto(f"{live_server.url}/search/?q=apraisal")
    assert response.status == 200
    assert page.get_by_text("Did you mean").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.goto(f"{live_server.url}/search/?q=appraisal")
    assert page.locator(".card.recommended").count() == 1
    assert page.get_by_role("heading", name="Words explained").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
