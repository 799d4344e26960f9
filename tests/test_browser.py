"""Real headless Chromium: the pages pass axe-core, and work with a keyboard alone."""

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def first_slug(model):
    return model.objects.published().order_by("slug").values_list("slug", flat=True).first()


def first_answers_to_an_outcome(slug: str) -> list[str]:
    """The answer codes of the path that always takes the first answer."""
    from decisions.models import DecisionTree

    tree = DecisionTree.objects.get(slug=slug)
    question, codes = tree.start_question, []
    while question is not None:
        answer = question.answers.first()
        codes.append(f"{question.slug}:1")
        question = answer.next_question
    return codes


@pytest.fixture(scope="module")
def pages(loaded_site):
    return loaded_site.query(pages_to_check)


def pages_to_check() -> dict[str, str]:
    from resources.models import Guide, Script

    to_outcome = "&".join(f"a={code}" for code in first_answers_to_an_outcome("formal-action"))
    return {
        "home page": "/",
        "the urgent route": "/urgent/",
        "the list of guides": "/guides/",
        "the list of scripts": "/scripts/",
        "a topic": "/topics/absence/",
        "a stage": "/stages/poor-performance/",
        "a guide": f"/guides/{first_slug(Guide)}/",
        "a script": f"/scripts/{first_slug(Script)}/",
        "a script's print view": f"/scripts/{first_slug(Script)}/print/",
        "the resources list with a filter": "/resources/?topic=absence&setting=nhs",
        "search results": "/search/?q=sick",
        "a search with no results": "/search/?q=zzzzqx",
        "the glossary": "/glossary/",
        "a resource": "/resources/acas-code-of-practice/",
        "the decision tool's first question": "/decide/formal-action/",
        "a decision question with the answers so far": (
            f"/decide/formal-action/?{to_outcome.rsplit('&', 1)[0]}"
        ),
        "a decision outcome": f"/decide/formal-action/?{to_outcome}",
        "the decision tool's flow chart": "/decide/formal-action/overview/",
    }


def test_pages_have_no_accessibility_violations(loaded_site, page, pages):
    failures = {}
    for name, path in pages.items():
        response = page.goto(loaded_site.url + path)
        assert response.status == 200, path
        violations = axe_violations(page)
        if violations:
            failures[name] = describe(violations)
    assert not failures, "\n".join(f"{name}:\n{text}" for name, text in failures.items())


def test_pages_pass_axe_with_a_workplace_chosen_on_a_phone(loaded_site, chromium, pages):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{loaded_site.url}/where-you-work/?workplace=home-care&next=/")
    for name in ("a guide", "a script", "the resources list with a filter"):
        page.goto(loaded_site.url + pages[name])
        assert "Where you work: " in page.inner_text("header + .site-tools")
        violations = axe_violations(page)
        assert not violations, f"{name}: {describe(violations)}"
    context.close()


def test_a_keyboard_user_goes_from_the_home_page_to_a_script_and_its_print_view(loaded_site, page):
    page.goto(loaded_site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")

    def tab_to(predicate_js: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate_js):
                return
        raise AssertionError(f"never reached: {predicate_js}")

    tab_to("document.activeElement.getAttribute('href') === '/stages/supervision/'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stages/supervision/")
    tab_to("/^[/]scripts[/][^/]+[/]$/.test(document.activeElement.getAttribute('href') || '')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/scripts/*/")
    tab_to("(document.activeElement.getAttribute('href') || '').endsWith('/print/')")
    focused = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' '"
        " + getComputedStyle(document.activeElement).backgroundColor"
    )
    assert focused != "none rgba(0, 0, 0, 0)", "the focused link must be visible"
    page.keyboard.press("Enter")
    page.wait_for_url("**/print/")
    assert page.locator(".checklist li").count() >= 6
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".notes-space").is_visible()


def test_every_script_prints_on_one_or_two_pages_from_either_page(loaded_site, page):
    from resources.models import Script

    slugs = loaded_site.query(
        lambda: list(Script.objects.published().values_list("slug", flat=True))
    )
    for place in ["", "nhs", "residential-care", "home-care", "small-organisation"]:
        page.goto(f"{loaded_site.url}/where-you-work/?workplace={place}&next=/")
        for path in [f"/scripts/{slug}/{view}" for slug in slugs for view in ("", "print/")]:
            page.goto(loaded_site.url + path)
            pdf = page.pdf(format="A4")
            pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            assert 1 <= pages <= 2, f"{path} for {place or 'all'} prints on {pages} pages"
            page.emulate_media(media="print")
            assert page.locator(".notes-space").is_visible(), path
            assert page.locator(".review-dates").is_visible(), path
            page.emulate_media(media=None)


def test_pages_make_no_requests_to_other_sites(loaded_site, page, pages):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for path in pages.values():
        page.goto(loaded_site.url + path)
    outside = [url for url in requested if not url.startswith(loaded_site.url)]
    assert outside == []


def test_the_site_works_without_javascript(loaded_site, chromium):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(loaded_site.url + "/")
    page.select_option("#workplace-choice", "nhs")
    page.click("form[action='/where-you-work/'] button")
    # Without JavaScript each click loads a new page: wait for it rather than read the old one.
    expect(page.locator(".site-tools")).to_contain_text("Where you work: ")
    page.fill("#site-search", "off sick")
    page.click("form[role=search] button")
    page.wait_for_url("**/search/?q=off+sick")
    expect(page.locator("main ol.card-list li").first).to_be_visible()
    context.close()


def test_a_decision_outcome_and_the_flow_chart_print_cleanly(loaded_site, page, pages):
    most_pages = {"a decision outcome": 1, "the decision tool's flow chart": 6}
    for name, most in most_pages.items():
        page.goto(loaded_site.url + pages[name])
        page.emulate_media(media="print")
        assert page.locator(".site-header").is_hidden(), name
        assert page.locator("main h1").is_visible(), name
        assert all(not link.is_visible() for link in page.locator("main .no-print").all()), name
        pdf = page.pdf(format="A4")
        assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") <= most, name
        page.emulate_media(media=None)


def test_a_manager_walks_the_decision_tool_with_the_keyboard_and_goes_back(loaded_site, page):
    page.goto(loaded_site.url + "/decide/formal-action/")
    first_url = page.url
    page.keyboard.press("Tab")
    for _ in range(60):
        if page.evaluate("document.activeElement.type === 'radio'"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("never reached an answer")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "a=anyone-at-risk" in url)
    assert "Your answers" in page.inner_text("main")
    page.go_back()
    assert page.url == first_url
