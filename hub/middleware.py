"""Response headers every page needs, and a page cache for readers who are not signed in."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .cache import GENERATION_KEY, content_generation
from .workplace import chosen_workplace_slug

CACHEABLE_METHODS = {"GET", "HEAD"}
UNCACHEABLE_CONTROL = ("private", "no-store", "no-cache")


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class AnonymousPageCacheMiddleware:
    """Caches whole public pages, with all their headers, for readers who are not signed in.

    It sits first in the middleware stack, so a cached page costs one cache round trip and
    nothing else. Each stored page remembers the content generation it was rendered in; saving
    anything public bumps the generation (hub.signals), so every app server sharing the cache
    stops serving the old page at once. The reader's chosen workplace and the scheme are part of
    the key, so nobody sees another reader's workplace and http never gets an https page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.HUB_PAGE_CACHE_SECONDS
        self.excluded_prefixes = (
            f"/{settings.ADMIN_PATH}",
            "/healthz",
            "/feedback/",
            settings.STATIC_URL,
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        request.get_host()  # refuse hosts not in ALLOWED_HOSTS before serving anything
        key = self._key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or content_generation()
        stored = found.get(key)
        if stored is not None and stored["generation"] == generation:
            response = HttpResponse(stored["content"])
            for header, value in stored["headers"]:
                response[header] = value
        else:
            response = self.get_response(request)
            if not self._cacheable_response(response):
                return response
            self._add_validators(response)
            cache.set(
                key,
                {
                    "generation": generation,
                    "content": response.content,
                    "headers": list(response.items()),
                },
                self.timeout,
            )
        return get_conditional_response(request, etag=response["ETag"], response=response)

    def _cacheable_request(self, request) -> bool:
        return (
            self.timeout > 0
            and request.method in CACHEABLE_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.excluded_prefixes)
        )

    @staticmethod
    def _key(request) -> str:
        path_hash = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        workplace = chosen_workplace_slug(request) or "all"
        return f"hub:page:{request.scheme}:{workplace}:{path_hash}"

    @staticmethod
    def _cacheable_response(response) -> bool:
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in control for word in UNCACHEABLE_CONTROL)
        )

    @staticmethod
    def _add_validators(response) -> None:
        if hasattr(response, "render"):
            response.render()
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
        response["Last-Modified"] = http_date()
        response["Cache-Control"] = "max-age=0, must-revalidate"
        response["Vary"] = "Cookie"
