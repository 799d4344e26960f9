"""The UK nation the reader works in, kept in a functional cookie as the workplace is.

Employment advice, regulators and barring bodies differ between England, Scotland, Wales and
Northern Ireland. A reader who has not chosen a nation sees every nation's answer.
"""

from django.conf import settings
from django.db import models

NATION_COOKIE = "hub_nation"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


NATION_NAMES = dict(Nation.choices)


def nation_name(slug: str) -> str:
    return NATION_NAMES.get(slug, slug)


def chosen_nation_slug(request) -> str | None:
    # Only the four known values: a hand-edited cookie never reaches a cache key or a template.
    value = request.COOKIES.get(NATION_COOKIE, "")
    return value if value in NATION_NAMES else None


def remember_nation(response, slug: str | None) -> None:
    if slug:
        response.set_cookie(
            NATION_COOKIE,
            slug,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "HUB_WORKPLACE_COOKIE_SECURE", False),
        )
    else:
        response.delete_cookie(NATION_COOKIE, samesite="Lax")


def list_in_words(names: list[str]) -> str:
    """England, Scotland and Wales."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def parse_nation_list(text: str) -> list[str]:
    """The nations a resource applies to, as stored: slugs separated by spaces; empty is all."""
    return [slug for slug in text.split() if slug in NATION_NAMES]


def nation_notes_first(notes, nation: str | None):
    """The reader's own nation's note, then the others in the usual order of the nations."""
    order = list(NATION_NAMES)
    notes = sorted(notes, key=lambda note: order.index(note.nation))
    mine = next((note for note in notes if note.nation == nation), None)
    return mine, [note for note in notes if note is not mine]
