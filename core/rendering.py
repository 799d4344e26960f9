"""Markdown to safe HTML, in one place.

Every Markdown field in the hub is rendered here when it is saved. The source and the
rendered HTML are stored side by side, so pages never render Markdown on a request.
"""

import re
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.linkifier import Linker
from django.utils.text import slugify

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote",
        "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
        "abbr", "dl", "dt", "dd", "sup", "sub",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel", "class"], "abbr": ["title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# The longest Markdown field an editor may save: a long guide is about 15,000 characters. Past
# this, saving, opening and checking a page get slow for no reader's benefit.
MAX_MARKDOWN_CHARACTERS = 100_000

# [[capability]] or [[being absent|absence]] links a word to its glossary entry.
GLOSSARY_LINK = re.compile(r"\[\[([^\]|\n]+)(?:\|([^\]\n]+))?\]\]")

_markdown = markdown.Markdown(extensions=["tables", "sane_lists", "def_list", "abbr"])


def glossary_links(text: str) -> list[tuple[str, str]]:
    """Each [[...]] in the text, as (what the editor wrote, the glossary slug it points to)."""
    return [
        (target or shown, slugify(target or shown)) for shown, target in GLOSSARY_LINK.findall(text)
    ]


def glossary_url(slug: str) -> str:
    return f"/glossary/#{slug}"


def expand_glossary_links(text: str) -> str:
    def replace(match: re.Match) -> str:
        label = match.group(1).strip()
        slug = slugify(match.group(2) or label)
        return f"[{label}]({glossary_url(slug)})"

    return GLOSSARY_LINK.sub(replace, text)


# Bare addresses in text become links only when they start with http:// or https://, so that a
# name such as "GOV.UK" stays a word.
BARE_URL = re.compile(
    r"""\(*\b(?<![@.])https?://(?:[\w-]+\.)+[a-z]{2,}(?::[0-9]+)?(?!\.\w)\b"""
    r"""(?:[/?][^\s{}|\\^`<>"]*)?""",
    re.IGNORECASE,
)


def is_external(href: str) -> bool:
    """A link to another site, including one with no scheme such as //example.org/page."""
    parts = urlsplit(href)
    return parts.scheme in {"http", "https", ""} and bool(parts.netloc)


def _mark_external_links(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if is_external(href):
        attrs[(None, "rel")] = "noopener noreferrer"
        attrs[(None, "class")] = "external"
    else:
        attrs.pop((None, "rel"), None)
        attrs.pop((None, "class"), None)
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = Linker(
    callbacks=[_mark_external_links], skip_tags={"pre", "code"}, parse_email=False, url_re=BARE_URL
)


def render_markdown(text: str) -> str:
    """Render editor Markdown to HTML that is safe to show to anyone."""
    if not text or not text.strip():
        return ""
    _markdown.reset()
    html = _markdown.convert(expand_glossary_links(text))
    return _linker.linkify(_cleaner.clean(html)).strip()


BLOCK_END = re.compile(r"</(p|li|h\d|td|th|dd|dt|blockquote)>")


def markdown_to_text(text: str) -> str:
    """Plain text of a Markdown field, one block per line, for search and readability checks.

    Headings and list items often have no full stop; one is added so that each counts
    as its own sentence rather than running into the next.
    """
    if "act:" in (text or ""):
        # Facts read as they do for England (the first nation), so the text is a real sentence.
        from .facts import current_facts

        text = current_facts().apply_to_text(text, "england")
    html = BLOCK_END.sub(lambda m: f"</{m.group(1)}>\n", render_markdown(text))
    lines = (line.strip() for line in bleach.clean(html, tags=set(), strip=True).splitlines())
    return "\n".join(line if line[-1] in ".!?:;" else f"{line}." for line in lines if line).replace(
        "&amp;", "&"
    )
