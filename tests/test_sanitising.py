"""Whatever an editor types, the Markdown a reader's browser gets is safe."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.rendering import render_markdown
from tests import factories

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2Zy8+)",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "[x](  javascript:alert(1)  )",
    '<base href="javascript:/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '[[x" onmouseover="alert(1)]]',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "style",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "img",
    "svg",
}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    collector = _Collector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name} survived in {html!r}"
            assert name != "style", f"style survived in {html!r}"
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)
                if len(scheme) == 2 and "/" not in scheme[0]:
                    assert scheme[0] in {"http", "https", "mailto"}, f"{value!r} in {html!r}"


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_known_attacks_are_neutralised(vector):
    assert_safe(render_markdown(vector))
    assert_safe(render_markdown(f"Some text.\n\n{vector}\n\n- a list {vector}"))


markdown_pieces = st.sampled_from(
    [
        "<", ">", '"', "'", "=", "/", ":", "(", ")", "[", "]", "!", "&", "#", ";", "\n", " ",
        "script", "iframe", "style", "on", "onerror", "onclick", "javascript", "data", "href",
        "src", "img", "a", "svg", "**", "_", "`", "- ", "1. ", "# ", "## ", "> ", "[[", "]]",
        "http://x.example", "JaVaScRiPt", "&#x6A;", "\t", "\x00", "base64,", "text/html",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(markdown_pieces, st.text(max_size=5)), max_size=40).map("".join))
def test_generated_markdown_and_html_never_survives_as_active_content(text):
    assert_safe(render_markdown(text))


@pytest.mark.django_db
def test_a_hostile_guide_renders_safely_on_its_public_page(client):
    body = "\n\n".join(XSS_VECTORS)
    nhs = factories.workplace("nhs")
    guide = factories.guide(body=body, policy_note=body, glosses={nhs: body})
    guide.nation_notes.create(nation="wales", body=body)
    html = client.get(guide.get_absolute_url()).content.decode()
    # Everything editors wrote is in the article (the page's own feedback form follows it).
    article = html[html.index("<article") : html.index("</article>")]
    assert "Where the nations differ" in article
    assert_safe(article)
    assert "alert(1)</script>" not in article


def test_external_links_get_noopener_noreferrer_and_internal_links_do_not():
    html = render_markdown("[Acas](https://www.acas.org.uk/) and [a guide](/guides/x/)")
    assert 'href="https://www.acas.org.uk/" rel="noopener noreferrer" class="external"' in html
    assert '<a href="/guides/x/">a guide</a>' in html


def test_glossary_shorthand_links_to_the_glossary():
    html = render_markdown("Ask for a [[fit note]] or talk about [[being off|absence]].")
    assert '<a href="/glossary/#fit-note">fit note</a>' in html
    assert '<a href="/glossary/#absence">being off</a>' in html


def test_a_link_without_a_scheme_to_another_site_is_marked_external():
    html = render_markdown("[x](//elsewhere.example/path)")
    assert 'href="//elsewhere.example/path" rel="noopener noreferrer" class="external"' in html


def test_names_that_look_like_addresses_stay_words():
    html = render_markdown("Read GOV.UK and acas.org.uk, or https://www.gov.uk/sick-pay today.")
    assert "<p>Read GOV.UK and acas.org.uk, or <a " in html
    assert html.count("<a ") == 1
    assert 'href="https://www.gov.uk/sick-pay"' in html
