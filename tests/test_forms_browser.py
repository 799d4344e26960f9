"""Forms and letters in real headless Chromium: axe finds nothing, they print on at most two A4
pages, and they work without JavaScript."""

import pytest

from tests.browser import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

A4_PAGES_AT_MOST = 2


@pytest.fixture
def forms(loaded_site):
    from paperwork.models import Form

    return loaded_site.query(
        lambda: list(Form.objects.published().order_by("slug").values_list("slug", flat=True))
    )


def pdf_pages(page) -> int:
    pdf = page.pdf(format="A4")
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def fill_required(page) -> None:
    """Type into every required field, as a reader would."""
    for field in page.locator(".fill-in .form-group").all():
        label = field.locator("label.field-label, legend").first.inner_text()
        if "(optional)" in label:
            continue
        radio = field.locator("input[type=radio]")
        if radio.count():
            radio.first.check()
        elif field.locator("textarea").count():
            field.locator("textarea").first.fill("Zoë said <b>no</b> {{ x }}")
        elif field.locator("input[type=date]").count():
            field.locator("input[type=date]").first.fill("2027-03-05")
        else:
            field.locator("input[type=text]").first.fill("Zoë said <b>no</b> {{ x }}")


def test_the_forms_pages_have_no_accessibility_violations(loaded_site, page, forms):
    failures = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            failures[name] = describe(violations)

    page.goto(f"{loaded_site.url}/forms/")
    check("the list")
    for slug in ("objective-setting", "disciplinary-hearing-invitation", "absence-record"):
        page.goto(f"{loaded_site.url}/forms/{slug}/")
        check(f"{slug}, blank")
        page.click("button[value=show]")
        check(f"{slug}, with errors")
        fill_required(page)
        page.click("button[value=show]")
        assert "Your filled" in page.inner_text("main"), slug
        check(f"{slug}, filled")
    assert not failures, "\n".join(f"{name}:\n{text}" for name, text in failures.items())


def test_every_blank_form_prints_on_at_most_two_a4_pages(loaded_site, page, forms):
    too_long = {}
    for slug in forms:
        page.goto(f"{loaded_site.url}/forms/{slug}/")
        pages = pdf_pages(page)
        if not 1 <= pages <= A4_PAGES_AT_MOST:
            too_long[slug] = pages
    assert too_long == {}
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("form.fill-in").is_hidden()
    assert page.locator(".print-only .paper").is_visible()


def test_a_letter_is_filled_in_and_shown_without_javascript(loaded_site, chromium, forms):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{loaded_site.url}/forms/investigation-meeting-invitation/")
    page.click("button[value=show]")
    assert "There is a problem" in page.inner_text(".error-summary")
    fill_required(page)
    page.fill("#field-employee", "Zoë <script>x</script>")
    page.click("button[value=show]")
    letter = page.inner_text(".paper")
    assert "Dear Zoë <script>x</script>" in letter
    page.click("button[value=change]")
    assert page.input_value("#field-employee") == "Zoë <script>x</script>"
    with page.expect_download() as download:
        page.click("form.fill-in button[formaction*='/word/']")
    assert download.value.suggested_filename == "investigation-meeting-invitation.docx"
    context.close()
