"""Real headless Chromium: focus is visible and readable everywhere, tick boxes tick on a phone,
feedback is one click, and the pages a chosen nation and workplace change pass axe-core."""

import pytest

from tests.browser import AXE_OPTIONS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# WCAG 2.2 contrast for text, computed in the page from the colours the browser really uses.
CONTRAST_OF_FOCUSED = """() => {
  const el = document.activeElement;
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let node = el, background = null;
  while (node && node.nodeType === 1) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    const opaque = colour.length === 3 || (colour.length === 4 && colour[3] > 0);
    if (opaque) { background = colour; break; }
    node = node.parentElement;
  }
  background = background || [255, 255, 255];
  const style = getComputedStyle(el);
  const [a, b] = [luminance(rgb(style.color)), luminance(background)].sort((x, y) => y - x);
  const marked = style.outlineStyle !== "none" || style.boxShadow !== "none";
  return {
    ratio: (a + 0.05) / (b + 0.05),
    marked: marked,
    what: el.tagName + " " + (el.getAttribute("href") || el.id || el.textContent.slice(0, 30)),
  };
}"""


def axe_on_focused_element(page) -> list[dict]:
    """axe-core on the focused element as it is drawn now, with its focus style."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate("document.activeElement.setAttribute('data-focus-check', '')")
    try:
        results = Axe().run(page, context="[data-focus-check]", options=AXE_OPTIONS)
    finally:
        page.evaluate(
            "document.querySelectorAll('[data-focus-check]')"
            ".forEach((el) => el.removeAttribute('data-focus-check'))"
        )
    return results.response["violations"]


def test_tabbing_through_the_header_and_the_decision_tool_every_focus_is_readable(
    loaded_site, page
):
    page.goto(f"{loaded_site.url}/decide/formal-action/")
    failures, seen = [], []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        focused = page.evaluate(CONTRAST_OF_FOCUSED)
        seen.append(focused["what"])
        if not focused["marked"] and focused["ratio"] < 4.5:
            failures.append(f"{focused['what']}: no visible focus")
        if focused["ratio"] < 4.5:
            failures.append(f"{focused['what']}: text contrast {focused['ratio']:.2f}:1")
        violations = axe_on_focused_element(page)
        if violations:
            failures.append(f"{focused['what']}: {describe(violations)}")
        if page.evaluate("document.activeElement.type === 'submit'") and "Continue" in (
            page.evaluate("document.activeElement.textContent")
        ):
            break
    assert any("/guides/" in what for what in seen), "the header links were reached"
    assert any(what.startswith("INPUT answer-") for what in seen), "the answers were reached"
    assert not failures, "\n".join(failures)


def test_a_manager_ticks_the_checklist_on_a_phone_and_it_still_prints_as_boxes(
    loaded_site, chromium
):
    from resources.models import Script

    slug = loaded_site.query(
        lambda: Script.objects.published().order_by("slug").values_list("slug", flat=True).first()
    )
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{loaded_site.url}/scripts/{slug}/")
    # A label with no link in it: tapping a glossary link opens the glossary instead.
    label = page.locator(".checklist label").filter(has_not=page.locator("a")).first
    box = page.locator(f"#{label.get_attribute('for')}")
    size = box.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24, "big enough for a finger"
    label.tap()
    assert box.is_checked()
    box.tap()
    assert not box.is_checked()
    page.emulate_media(media="print")
    assert box.is_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.checklist input')).borderTopStyle")
        == "solid"
    )
    context.close()


def test_one_click_on_yes_records_the_answer(loaded_site, page):
    from feedback.models import Feedback

    page.goto(f"{loaded_site.url}/guides/conduct-problems/")
    page.click(".feedback button[value=yes]")
    page.wait_for_url("**/feedback/vote/")
    assert "We have your answer." in page.inner_text("main")
    saved = loaded_site.query(Feedback.objects.get)
    assert (saved.page, saved.useful, saved.comment) == ("/guides/conduct-problems/", True, "")
    page.fill("textarea[name=comment]", "Clear, thank you.")
    page.click("main form button[type=submit]")
    assert "We have your comment too." in page.inner_text("main")
    assert loaded_site.query(Feedback.objects.get).comment == "Clear, thank you."


def test_pages_for_a_chosen_nation_and_workplace_pass_axe(loaded_site, page):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{loaded_site.url}/where-you-work/?workplace=small-organisation&nation=wales&next=/")
    assert "Nation: " in page.inner_text(".site-tools")
    failures = {}
    for path in [
        "/",
        "/guides/conduct-problems/",
        "/resources/",
        "/resources/?setting=nhs",
        "/stages/poor-conduct/",
        "/resources/cqc-regulation-18/",
        "/decide/formal-action/",
    ]:
        assert page.goto(loaded_site.url + path).status == 200, path
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            failures[path] = describe(violations)
    page.goto(f"{loaded_site.url}/guides/conduct-problems/")
    page.click(".feedback button[value=no]")
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    if violations:
        failures["feedback thanks"] = describe(violations)
    assert not failures, "\n".join(f"{path}:\n{text}" for path, text in failures.items())
