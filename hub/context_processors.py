from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from core.cache import content_generation
from core.nations import Nation, chosen_nation_slug
from core.workplace import chosen_workplace_slug


def _workplaces():
    from resources.models import Workplace

    return cache.get_or_set(
        f"hub:workplaces:{content_generation()}",
        lambda: list(Workplace.objects.all()),
        settings.HUB_PAGE_CACHE_SECONDS or 60,
    )


def hub(request):
    """Site-wide names, and the choices for "Where you work" (read only if shown)."""
    chosen = chosen_workplace_slug(request)
    nation = chosen_nation_slug(request)
    workplaces = SimpleLazyObject(_workplaces)
    return {
        "site_name": settings.HUB_SITE_NAME,
        "site_url": settings.SITE_URL,
        "workplaces": workplaces,
        "current_workplace": SimpleLazyObject(
            lambda: next((w for w in workplaces if w.slug == chosen), None)
        ),
        "nations": Nation,
        "current_nation": Nation(nation) if nation else None,
    }
