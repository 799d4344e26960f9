"""Where the hub links out: every web address in every Markdown field and link field.

Found generically, so a new kind of content is checked as soon as it exists: every concrete
model that subclasses RenderedMarkdownModel contributes its `markdown_fields` (Markdown links
and bare addresses) and its URLFields (a resource's own address). Link fields are what a page
is *about*, so for those the checker also reads the page to notice when its text changes.
"""

from __future__ import annotations

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

from hub.models import RenderedMarkdownModel

from .models import MAX_URL_LENGTH

# An address runs until whitespace or a character that cannot be part of one in Markdown
# source: <> and quotes end autolinks and titles, [] end link text, ` ends inline code.
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`\[\]]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?*_~"


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


def _usage(obj: models.Model, field: str, *, is_link_field: bool) -> Usage:
    opts = obj._meta
    return Usage(
        model=opts.label_lower,
        kind=str(opts.verbose_name),
        pk=obj.pk,
        object=str(obj),
        field=field,
        admin_url=admin_url(obj),
        public_url=public_url(obj),
        is_link_field=is_link_field,
    )


def objects_mentioning(model: type[models.Model], text: str = "http"):
    """Rows of `model` with `text` in any Markdown or link field, their parents joined."""
    fields = [*model.markdown_fields, *link_fields(model)]
    if not fields:
        return model.objects.none()
    condition = reduce(or_, (Q(**{f"{name}__icontains": text}) for name in fields))
    return model.objects.filter(condition).select_related().order_by("pk")


def gather_usages() -> dict[str, list[Usage]]:
    """Every distinct external address (see link_key) and every place it is used."""
    usages: dict[str, list[Usage]] = defaultdict(list)
    for model in content_models():
        url_fields = link_fields(model)
        for obj in objects_mentioning(model).iterator(chunk_size=500):
            for name in url_fields:
                value = getattr(obj, name)
                if value and urlsplit(value).scheme in {"http", "https"}:
                    usages[link_key(value)].append(_usage(obj, name, is_link_field=True))
            for name in model.markdown_fields:
                seen = set()
                for url in urls_in_text(getattr(obj, name)):
                    key = link_key(url)
                    if key not in seen and len(key) <= MAX_URL_LENGTH:
                        seen.add(key)
                        usages[key].append(_usage(obj, name, is_link_field=False))
    return dict(usages)
