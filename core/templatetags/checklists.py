"""A script part's list items as real tick boxes: tickable on screen, printed as boxes."""

import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# A list item with no list inside it (nested lists keep their plain items).
LIST_ITEM = re.compile(r"<li>((?:(?!<li>|<ul|<ol).)*?)</li>", re.DOTALL)
PARAGRAPH = re.compile(r"</?p>")


@register.filter(is_safe=True)
def tick_boxes(html: str, prefix: str) -> str:
    """Give each list item a checkbox with a label (ids start with `prefix`)."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        count += 1
        # A label holds phrasing content only: a loose list's paragraphs become line breaks.
        text = PARAGRAPH.sub("", re.sub(r"</p>\s*<p>", "<br>", match.group(1).strip()))
        box = f"tick-{prefix}-{count}"
        return f'<li><input type="checkbox" id="{box}"> <label for="{box}">{text}</label></li>'

    return mark_safe(LIST_ITEM.sub(replace, html or ""))  # noqa: S308 (sanitised on save)
