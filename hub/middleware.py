"""Response headers every page needs, and a page cache for readers who are not signed in."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from core.cache import content_generation
from core.nations import chosen_nation_slug
from core.redirects import new_address
from core.workplace import chosen_workplace_slug

CACHEABLE_METHODS = {"GET", "HEAD"}
BODY_HEADERS = {"content-type", "content-length", "content-language", "content-encoding"}
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


class LocalPages:
    """Pages this worker served lately, kept in its own memory for the current generation only.

    A page found here costs no trip to the shared cache. It is a small first-in, first-out
    store: a change of generation empties it, and the oldest page goes when it is full.
    """

    def __init__(self, size: int):
        self.size = size
        self._generation = None
        self._pages: dict[str, dict] = {}

    def get(self, key: str, generation) -> dict | None:
        if generation != self._generation:
            self._generation, self._pages = generation, {}
            return None
        return self._pages.get(key)

    def put(self, key: str, stored: dict) -> None:
        if self.size <= 0 or stored["generation"] != self._generation:
            return
        if len(self._pages) >= self.size:
            self._pages.pop(next(iter(self._pages)), None)
        self._pages[key] = stored


class AnonymousPageCacheMiddleware:
    """Caches whole public pages, with all their headers, for readers who are not signed in.

    It sits first in the middleware stack. Each stored page remembers the content generation it
    was rendered in; saving anything public bumps the generation (core.signals, core.cache), so
    every worker on every app server stops serving the old page at once. A page is looked for in
    the worker's own memory first, then in the shared cache, and only then rendered. The reader's
    chosen workplace and nation, the scheme and the host name are part of the key, so nobody sees
    another reader's workplace or nation and http never gets an https page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.HUB_PAGE_CACHE_SECONDS
        self.local = LocalPages(settings.HUB_PAGE_CACHE_LOCAL_ITEMS)
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
        generation = content_generation()
        stored = self._find(key, generation)
        if stored is not None:
            response = HttpResponse(stored["content"])
            for header, value in stored["headers"]:
                response[header] = value
        else:
            response = self.get_response(request)
            if not self._cacheable_response(response):
                return response
            self._add_validators(response)
            stored = {
                "generation": generation,
                "expires": time.time() + self.timeout,
                "content": response.content,
                "headers": list(response.items()),
            }
            cache.set(key, stored, self.timeout)
            self.local.put(key, stored)
        conditional = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(response["Last-Modified"]),
            response=response,
        )
        if conditional is not response:
            # A 304 keeps the page's other headers too: security headers belong on every response.
            for header, value in response.items():
                if header not in conditional and header.lower() not in BODY_HEADERS:
                    conditional[header] = value
        return conditional

    def _find(self, key: str, generation) -> dict | None:
        stored = self.local.get(key, generation)
        if stored is None:
            stored = cache.get(key)
            if stored is None or stored["generation"] != generation:
                return None
            self.local.put(key, stored)
        if stored["expires"] <= time.time():
            return None
        return stored

    def _cacheable_request(self, request) -> bool:
        return (
            self.timeout > 0
            and request.method in CACHEABLE_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.excluded_prefixes)
        )

    @staticmethod
    def _key(request) -> str:
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        workplace = chosen_workplace_slug(request) or "all"
        nation = chosen_nation_slug(request) or "all"
        digest = hashlib.sha256(address.encode()).hexdigest()
        return f"hub:page:{workplace}:{nation}:{digest}"

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


class RenamedPagesMiddleware:
    """A page that was renamed still answers at its old address, with a permanent redirect to
    where it is now (core.redirects). Only a "not found" is looked up, so pages cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in CACHEABLE_METHODS:
            return response
        address = new_address(request.path)
        if address is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{address}?{query}" if query else address)
