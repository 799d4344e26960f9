"""Where the hub links out: every web address in every Markdown field and link field.

Found generically, so a new kind of content is checked as soon as it exists: every concrete
model that subclasses RenderedMarkdownModel contributes its `markdown_fields` (Markdown links
and bare addresses) and its URLFields (a resource's own address). Link fields are what a page
is *about*, so for those the checker also reads the page to notice when its text changes.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_
from urllib.parse import urlsplit, urlunsplit

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from core import internal_links
from core.models import RenderedMarkdownModel

from .models import MAX_URL_LENGTH

# An address runs until whitespace or a character that cannot be part of one in Markdown
# source: <> and quotes end autolinks and titles, [] end link text, ` ends inline code.
# The one place brackets belong is around an IPv6 host: http://[::1]:8080/.
URL_IN_TEXT = re.compile(
    r"https?://(?:\[[0-9a-f:.%]+\][^\s<>\"'`\[\]]*|[^\s<>\"'`\[\]]+)", re.IGNORECASE
)
TRAILING_PUNCTUATION = ".,;:!?*_~"
# Links to something other than a web page: an inline link's destination, an autolink, or a
# reference definition whose address starts with a scheme other than http or https.
OTHER_SCHEME = re.compile(
    r"(?:\]\(\s*<?|<|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?)"
    r"(?!https?:)([a-z][a-z0-9+.\-]{1,31}:[^\s<>()\"'`]+)",
    re.IGNORECASE | re.MULTILINE,
)
TOO_LONG = "too_long"
UNSUPPORTED_SCHEME = "unsupported_scheme"


@dataclass(frozen=True, kw_only=True)
class Usage:
    """One place an address is used: which object, which field, and where to edit or see it."""

    model: str
    kind: str
    pk: int
    object: str
    field: str
    admin_url: str
    public_url: str
    is_link_field: bool = False
    # The parts of the page (#part) this place links to.
    fragments: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "kind": self.kind,
            "object": self.object,
            "pk": self.pk,
            "field": self.field,
            "admin_url": self.admin_url,
            "public_url": self.public_url,
        }


@dataclass(kw_only=True)
class SkippedLink:
    """An address found in content that the checker does not check, and why."""

    url: str
    reason: str
    used_in: list[Usage]

    @property
    def message(self) -> str:
        if self.reason == TOO_LONG:
            return (
                f"not checked: {len(self.url):,} characters long; addresses of up to "
                f"{MAX_URL_LENGTH:,} are checked"
            )
        scheme = self.url.split(":", 1)[0].lower()
        return f"not checked: a {scheme}: link; only http and https addresses are checked"

    def as_json(self) -> dict:
        return {
            "url": self.url,
            "reason": self.reason,
            "message": self.message,
            "used_in": [usage.as_dict() for usage in self.used_in],
        }


@dataclass(kw_only=True)
class FoundLinks:
    """Every address in the hub's content: those to check, with every place each is used,
    and those that are not checked, with the reason."""

    usages: dict[str, list[Usage]]
    skipped: list[SkippedLink]


def link_key(url: str) -> str:
    """The address as the checker knows it: scheme and host lower-cased, fragment dropped
    (a fragment is never sent to the server)."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def _trim(candidate: str) -> str:
    """Drop what ends a sentence or a Markdown link rather than the address: `(see x).`"""
    while candidate:
        unbalanced = candidate[-1] == ")" and candidate.count(")") > candidate.count("(")
        if candidate[-1] not in TRAILING_PUNCTUATION and not unbalanced:
            break
        candidate = candidate[:-1]
    return candidate


def _url_spans(text: str):
    for match in URL_IN_TEXT.finditer(text):
        url = _trim(match.group(0))
        if urlsplit(url).hostname:
            yield match.start(), match.start() + len(url), url


def urls_in_text(text: str) -> list[str]:
    """Every http(s) address in Markdown source: inline and reference links, autolinks, bare."""
    return [url for _, _, url in _url_spans(text or "")]


def other_links_in_text(text: str) -> list[str]:
    """Links in Markdown source to addresses that are not http or https (mailto:, ftp:...)."""
    return [_trim(match.group(1)) for match in OTHER_SCHEME.finditer(text or "")]


def replace_url_in_text(text: str, *, old_url: str, new_url: str) -> str:
    """Rewrite each use of `old_url` (any fragment kept), leaving longer addresses alone."""
    old_key = link_key(old_url)
    pieces, position = [], 0
    for start, end, url in _url_spans(text):
        if link_key(url) != old_key:
            continue
        fragment = urlsplit(url).fragment
        replacement = f"{new_url}#{fragment}" if fragment and "#" not in new_url else new_url
        pieces += [text[position:start], replacement]
        position = end
    return "".join([*pieces, text[position:]])


def content_models() -> list[type[models.Model]]:
    """Every concrete model that holds Markdown, in every installed app."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, RenderedMarkdownModel) and not model._meta.proxy
    ]


def link_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name for field in model._meta.concrete_fields if isinstance(field, models.URLField)
    ]


def admin_owner(obj: models.Model) -> models.Model | None:
    """The object editors open in admin: itself, or the parent whose page edits it inline."""
    site = admin.site
    if site.is_registered(type(obj)):
        return obj
    for field in obj._meta.concrete_fields:
        parent = field.related_model
        if not isinstance(field, models.ForeignKey) or not site.is_registered(parent):
            continue
        if any(inline.model is type(obj) for inline in site.get_model_admin(parent).inlines):
            return getattr(obj, field.name)
    return None


def admin_url(obj: models.Model) -> str:
    owner = admin_owner(obj)
    if owner is None:
        return ""
    opts = owner._meta
    try:
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[owner.pk])
    except NoReverseMatch:
        return ""
    return f"{settings.SITE_URL}{path}"


def public_url(obj: models.Model) -> str:
    for candidate in (obj, admin_owner(obj)):
        if candidate is not None and hasattr(candidate, "get_absolute_url"):
            return f"{settings.SITE_URL}{candidate.get_absolute_url()}"
    return ""


def _describe(obj: models.Model) -> Usage:
    """Which object, where to edit it and where to see it; `_usage` adds the field."""
    opts = obj._meta
    return Usage(
        model=opts.label_lower,
        kind=str(opts.verbose_name),
        pk=obj.pk,
        object=str(obj),
        field="",
        admin_url=admin_url(obj),
        public_url=public_url(obj),
    )


def _usage(
    described: Usage, field: str, *, is_link_field: bool, fragments: tuple[str, ...] = ()
) -> Usage:
    return dataclasses.replace(
        described, field=field, is_link_field=is_link_field, fragments=fragments
    )


def objects_mentioning(model: type[models.Model], text: str = ":"):
    """Rows of `model` with `text` in any Markdown or link field, their parents joined."""
    fields = [*model.markdown_fields, *link_fields(model)]
    if not fields:
        return model.objects.none()
    condition = reduce(or_, (Q(**{f"{name}__icontains": text}) for name in fields))
    return model.objects.filter(condition).select_related().order_by("pk")


def find_links() -> FoundLinks:
    """Every distinct external address (see link_key) and every place it is used; and every
    link that is not checked (longer than MAX_URL_LENGTH, or not http or https)."""
    usages: dict[str, list[Usage]] = defaultdict(list)
    skipped: dict[str, SkippedLink] = {}

    def skip(url: str, reason: str, described: Usage, name: str, *, is_link_field: bool) -> None:
        if url not in skipped:
            skipped[url] = SkippedLink(url=url, reason=reason, used_in=[])
        usage = _usage(described, name, is_link_field=is_link_field)
        if usage not in skipped[url].used_in:
            skipped[url].used_in.append(usage)

    for model in content_models():
        url_fields = link_fields(model)
        for obj in objects_mentioning(model).iterator(chunk_size=500):
            # An object with many links is described once.
            described = _describe(obj)
            for name in url_fields:
                value = (getattr(obj, name) or "").strip()
                if not value:
                    continue
                if urlsplit(value).scheme.lower() not in {"http", "https"}:
                    skip(value, UNSUPPORTED_SCHEME, described, name, is_link_field=True)
                    continue
                fragment = urlsplit(value).fragment
                usages[link_key(value)].append(
                    _usage(
                        described,
                        name,
                        is_link_field=True,
                        fragments=(fragment,) if fragment else (),
                    )
                )
            for name in model.markdown_fields:
                text = getattr(obj, name)
                fragments: dict[str, list[str]] = {}
                for url in urls_in_text(text):
                    key = link_key(url)
                    if len(key) > MAX_URL_LENGTH:
                        skip(url, TOO_LONG, described, name, is_link_field=False)
                        continue
                    parts = fragments.setdefault(key, [])
                    fragment = urlsplit(url).fragment
                    if fragment and fragment not in parts:
                        parts.append(fragment)
                for key, parts in fragments.items():
                    usages[key].append(
                        _usage(described, name, is_link_field=False, fragments=tuple(parts))
                    )
                for url in other_links_in_text(text):
                    skip(url, UNSUPPORTED_SCHEME, described, name, is_link_field=False)
    return FoundLinks(usages=dict(usages), skipped=list(skipped.values()))


def gather_usages() -> dict[str, list[Usage]]:
    """Every distinct external address (see link_key) and every place it is used."""
    return find_links().usages


# --- Links from one hub page to another -----------------------------------------------------


def find_internal_links() -> dict[str, list[Usage]]:
    """Every hub address (`/guides/x/`) linked to in Markdown, and every place it is used."""
    usages: dict[str, list[Usage]] = defaultdict(list)
    for model in content_models():
        if not model.markdown_fields:
            continue
        for obj in objects_mentioning(model, "/").iterator(chunk_size=500):
            described = None
            for name in model.markdown_fields:
                for address in internal_links.links_in(getattr(obj, name)):
                    described = described or _describe(obj)
                    usages[address].append(_usage(described, name, is_link_field=False))
    return dict(usages)


INTERNAL_OUTCOMES = (internal_links.OK, internal_links.MISSING, internal_links.NOT_LIVE)


def internal_report() -> dict:
    """Each hub address linked to, with its `outcome`: "ok", "missing" (no such page) or
    "not_live" (a page readers cannot see), and where it is used. No request is made: the
    database says which pages exist."""
    known = internal_links.pages()
    results = [
        {
            "url": address,
            "outcome": internal_links.outcome(address, known),
            "used_in": [usage.as_dict() for usage in used],
        }
        for address, used in sorted(find_internal_links().items())
    ]
    counts = dict.fromkeys(INTERNAL_OUTCOMES, 0)
    for result in results:
        counts[result["outcome"]] += 1
    return {"checked": len(results), **counts, "results": results}
