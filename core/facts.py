"""Named facts that differ between the UK nations, written once and shown everywhere.

Editors write `{fact:advice-helpline}` in any Markdown field. The reference survives rendering
unchanged (Markdown and the sanitiser leave braces alone), so the stored HTML still holds it and
each page swaps in the value for the reader's nation when it is shown. A reader with no nation
chosen sees every nation's value. Editing a fact therefore changes every page that uses it, and
saving it bumps the content generation like any other public change, which clears cached pages.

A fact's value may itself refer to other facts (one level deep), so that "the Acas helpline on
0300 123 1100" is built from the adviser's name and the number, each kept once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape

from .cache import content_generation
from .nations import NATION_NAMES, list_in_words

# {fact:name}, or {Fact:name} to start a sentence with a capital letter. A name is lower-case
# letters, numbers and hyphens.
FACT_REFERENCE = re.compile(r"\{([Ff])act:([a-z0-9][a-z0-9-]*)\}")


def fact_references(text: str) -> list[str]:
    """The fact names referred to in a piece of Markdown or HTML, in order."""
    return [name for _, name in FACT_REFERENCE.findall(text or "")]


def _as_written(match: re.Match, text: str) -> str:
    """{Fact:name} starts a sentence, so its first letter is a capital."""
    return text[:1].upper() + text[1:] if match.group(1) == "F" else text


@dataclass(frozen=True)
class FactTable:
    """Every fact's value in every nation, with references inside values already resolved."""

    values: dict[str, dict[str, str]]

    @classmethod
    def from_facts(cls, facts) -> FactTable:
        raw = {
            fact.name: {nation: fact.value_for(nation) for nation in NATION_NAMES} for fact in facts
        }

        def resolve(text: str, nation: str) -> str:
            return FACT_REFERENCE.sub(
                lambda m: _as_written(m, raw[m.group(2)][nation]) if m.group(2) in raw else m[0],
                text,
            )

        return cls(
            {
                name: {nation: resolve(text, nation) for nation, text in by_nation.items()}
                for name, by_nation in raw.items()
            }
        )

    def text(self, name: str, nation: str | None) -> str | None:
        """The plain text shown for a fact: one nation's value, or every nation's when none."""
        by_nation = self.values.get(name)
        if by_nation is None:
            return None
        if nation in by_nation:
            return by_nation[nation]
        groups: dict[str, list[str]] = {}
        for slug, value in by_nation.items():
            groups.setdefault(value, []).append(NATION_NAMES[slug])
        if len(groups) == 1:
            return next(iter(groups))
        return " or ".join(f"{value} ({list_in_words(names)})" for value, names in groups.items())

    def apply(self, html: str, nation: str | None) -> str:
        """Swap every {fact:name} in sanitised HTML for its escaped text. Unknown names stay."""
        if "act:" not in (html or ""):
            return html or ""

        def replace(match: re.Match) -> str:
            text = self.text(match.group(2), nation)
            return match.group(0) if text is None else escape(_as_written(match, text))

        return FACT_REFERENCE.sub(replace, html)

    def apply_to_text(self, text: str, nation: str | None) -> str:
        """The same for plain text or Markdown: values go in unescaped."""

        def replace(match: re.Match) -> str:
            text = self.text(match.group(2), nation)
            return match.group(0) if text is None else _as_written(match, text)

        return FACT_REFERENCE.sub(replace, text)


def _load_table() -> FactTable:
    return FactTable.from_facts(apps.get_model("resources", "Fact").objects.all())


def current_facts() -> FactTable:
    """The fact table for the current content generation, cached like the workplaces list."""
    return cache.get_or_set(
        f"hub:facts:{content_generation()}", _load_table, settings.HUB_PAGE_CACHE_SECONDS or 60
    )
