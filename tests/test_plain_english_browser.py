"""Real headless Chromium: the plain-English report follows an editor as they type."""

import pytest

from tests import factories
from tests.test_plain_english import PLAIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_report_follows_the_editor_as_they_type_and_saves_nothing(loaded_site, page):
    guide = factories.guide(status="draft", body=PLAIN)
    factories.superuser()
    page.goto(f"{loaded_site.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "a-long-test-password-1")
    page.click("input[type=submit]")
    page.goto(f"{loaded_site.url}/admin/resources/guide/{guide.pk}/change/")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    assert page.inner_text("#plain-english-body") == ""

    page.fill("#id_body", "You can utilise the rota.")
    page.wait_for_selector("#plain-english-body li", timeout=10_000)
    assert "“utilise”: say “use” instead" in page.inner_text("#plain-english-body")
    assert "You can utilise the rota." in page.inner_text("#plain-english-summary")

    page.fill("#id_body", PLAIN)
    page.locator("#plain-english-body li").wait_for(state="detached", timeout=10_000)
    assert errors == []
    guide.refresh_from_db()
    assert guide.body == PLAIN


def test_the_dashboard_and_the_publishing_panel_pass_axe_and_show_focus(loaded_site, page):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser import AXE_OPTIONS, describe

    guide = factories.guide(body=PLAIN)
    factories.superuser()
    page.goto(f"{loaded_site.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "a-long-test-password-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    ours = {"include": [["#hub-dashboard"]]}
    violations = Axe().run(page, context=ours, options=AXE_OPTIONS).response["violations"]
    assert violations == [], describe(violations)

    page.goto(f"{loaded_site.url}/admin/resources/guide/{guide.pk}/change/")
    ours = {"include": [[".hub-drafting"]]}
    violations = Axe().run(page, context=ours, options=AXE_OPTIONS).response["violations"]
    assert violations == [], describe(violations)
    page.focus("input[value='Save the schedule']")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button must show where the focus is"
