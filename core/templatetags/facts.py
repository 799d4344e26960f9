"""Show stored HTML with the facts table filled in for the reader's nation (see core.facts)."""

from django import template
from django.utils.safestring import mark_safe

from core.facts import current_facts

register = template.Library()


def _nation(context) -> str | None:
    nation = context.get("current_nation")
    return getattr(nation, "value", None) or (nation if isinstance(nation, str) else None)


@register.simple_tag(takes_context=True)
def with_facts(context, html: str):
    """Sanitised HTML from a Markdown field, with each {fact:name} in the reader's version."""
    if "act:" not in (html or ""):
        return mark_safe(html or "")  # noqa: S308 (sanitised when it was saved)
    return mark_safe(current_facts().apply(html, _nation(context)))  # noqa: S308


@register.simple_tag(takes_context=True)
def fact(context, name: str) -> str:
    """One fact as plain text (escaped by the template), for the hub's own wording."""
    return current_facts().text(name, _nation(context)) or ""
