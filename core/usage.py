"""Where an item is used: which pages would lose something if it were deleted, taken off the
site or renamed.

Found generically, from each model's metadata, so a new kind of content counts at once:

- Markdown links to the item's address, in any Markdown field of any model (a guide's body, a
  workplace gloss, a nation note, a script part, a decision outcome...);
- `[[word]]` glossary links, when the item is a glossary word;
- many-to-many lists pointing at the item's model (a guide's related guides, an outcome's
  guides...).

Apps may add other ways with `register_source`. Each place is reported as the page editors
open (a decision tool, not its outcome), saying how it uses the item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from .internal_links import HUB_LINK
from .models import RenderedMarkdownModel, ReviewedContent, Status
from .rendering import glossary_links

Source = Callable[[models.Model], Iterable[tuple[models.Model, str]]]
_sources: list[Source] = []


def register_source(source: Source) -> Source:
    """Another way items use each other: `source(item)` yields (object using it, how)."""
    _sources.append(source)
    return source


@dataclass
class Use:
    """One page that uses the item, and how (a page may use it in several ways)."""

    page: models.Model
    ways: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return str(getattr(self.page, "kind_label", "") or self.page._meta.verbose_name)

    @property
    def is_live(self) -> bool:
        return getattr(self.page, "status", Status.PUBLISHED) == Status.PUBLISHED

    @property
    def admin_url(self) -> str:
        opts = self.page._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.page.pk])
        except NoReverseMatch:
            return ""

    def describe(self) -> str:
        """One plain line: 'Guide “Giving feedback” (live): links to it in its text.'"""
        state = "live" if self.is_live else "not live"
        return f"{self.kind} “{self.page}” ({state}): {'; '.join(self.ways)}."


def where_used(item: models.Model) -> list[Use]:
    """Every page that uses `item`, live or not, in a steady order (kind, then title)."""
    if item is None or item.pk is None:
        return []
    found: dict[tuple[str, object], Use] = {}
    for source in (_markdown_links, _glossary_links, _listed_in, *_sources):
        for obj, how in source(item):
            page = page_of(obj)
            if _same(page, item):
                continue
            if obj is not page:
                how = f"{how} (in its {obj._meta.verbose_name} “{obj}”)"
            key = (page._meta.label_lower, page.pk)
            use = found.setdefault(key, Use(page))
            if how not in use.ways:
                use.ways.append(how)
    return sorted(found.values(), key=lambda use: (use.kind, str(use.page).lower(), use.page.pk))


def describe(uses: list[Use]) -> str:
    return " ".join(use.describe() for use in uses)


def as_html(uses: list[Use]) -> str:
    """A list of the pages, each linking to its admin page."""
    return format_html(
        '<ul class="hub-used-in">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}">{} “{}”</a> ({}): {}.</li>',
            (
                (
                    use.admin_url,
                    use.kind,
                    use.page,
                    "live" if use.is_live else "not live",
                    "; ".join(use.ways),
                )
                for use in uses
            ),
        ),
    )


# --- Where an object belongs --------------------------------------------------------------------


def _same(one: models.Model, other: models.Model) -> bool:
    return one._meta.concrete_model is other._meta.concrete_model and one.pk == other.pk


def page_of(obj: models.Model) -> models.Model:
    """The page editors open to change `obj`: itself for a page, or the page it is part of (a
    gloss's guide, an outcome's decision tool), found by following its foreign keys up."""
    seen = 0
    while not isinstance(obj, ReviewedContent) and seen < 5:
        parent = next(
            (
                f
                for f in obj._meta.concrete_fields
                if f.many_to_one and issubclass(f.related_model, RenderedMarkdownModel)
            ),
            None,
        )
        if parent is None:
            break
        above = getattr(obj, parent.name)
        if above is None:
            break
        obj, seen = above, seen + 1
    return obj


def markdown_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, RenderedMarkdownModel) and model.markdown_fields
    ]


def _containing(model: type[models.Model], text: str):
    condition = reduce(or_, (Q(**{f"{name}__contains": text}) for name in model.markdown_fields))
    return model._default_manager.filter(condition).order_by("pk")


# --- The ways one item uses another --------------------------------------------------------------


def _split(address: str) -> tuple[str, str]:
    """(path, fragment) of a hub address, the query left out."""
    before, _, fragment = address.partition("#")
    return before.split("?")[0], fragment


def links_to(text: str, address: str) -> bool:
    """Does Markdown `text` link to `address` (any part of it, unless `address` names one)?"""
    path, fragment = _split(address)
    for match in HUB_LINK.finditer(text or ""):
        found_path, found_fragment = _split(match.group(1) or match.group(2))
        if found_path == path and (not fragment or found_fragment == fragment):
            return True
    return False


def _markdown_links(item: models.Model):
    if not hasattr(item, "get_absolute_url"):
        return
    address = item.get_absolute_url()
    path, _ = _split(address)
    for model in markdown_models():
        for obj in _containing(model, path):
            if any(links_to(getattr(obj, name), address) for name in model.markdown_fields):
                yield obj, "links to it in its text"


def _glossary_model():
    try:
        return apps.get_model("resources", "GlossaryTerm")
    except LookupError:
        return None


def _glossary_links(item: models.Model):
    glossary = _glossary_model()
    if glossary is None or not isinstance(item, glossary):
        return
    for model in markdown_models():
        for obj in _containing(model, "[["):
            if any(
                slug == item.slug
                for name in model.markdown_fields
                for _, slug in glossary_links(getattr(obj, name) or "")
            ):
                yield obj, f"links to the glossary word “{item}”"


def _listed_in(item: models.Model):
    for model in apps.get_models():
        if not issubclass(model, RenderedMarkdownModel):
            continue
        for relation in model._meta.many_to_many:
            target = relation.remote_field.model
            if not (isinstance(target, type) and isinstance(item, target)):
                continue
            for obj in model._default_manager.filter(**{relation.name: item.pk}).order_by("pk"):
                yield obj, f"lists it in “{relation.verbose_name}”"
