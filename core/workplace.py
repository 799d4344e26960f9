"""The reader's choice of workplace, kept in a functional cookie (no account, no tracking)."""

from django.conf import settings

WORKPLACE_COOKIE = "hub_workplace"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def chosen_workplace_slug(request) -> str | None:
    value = request.COOKIES.get(WORKPLACE_COOKIE, "")
    # Slugs only: a hand-edited cookie can never reach a cache key or a template unchecked.
    if value and len(value) <= 80 and value.replace("-", "").isalnum():
        return value
    return None


def remember_workplace(response, slug: str | None) -> None:
    if slug:
        response.set_cookie(
            WORKPLACE_COOKIE,
            slug,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "HUB_WORKPLACE_COOKIE_SECURE", False),
        )
    else:
        response.delete_cookie(WORKPLACE_COOKIE, samesite="Lax")
