"""Which fields of which models readers see, so that the plain-English checker reads every one.

A page is a model registered with its own reader-facing fields and the related parts that belong
to it (glosses, script parts, questions...); each part is registered the same way. To check a new
kind of content, register it once, for example in its app's `ready()`:

    register_reader_fields(NationNote, "body", describe=lambda note, i: f"Note for {note.nation}")
    register_reader_fields(Guide, ..., children=["glosses", "nation_notes"])

Texts can be read from a saved item (for the command and the publishing gate) or from an admin
form and its inline formsets as the editor posted them (for the live check, nothing saved).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME

from .checker import ReaderText

Describe = Callable[[models.Model, int], str]


@dataclass(frozen=True)
class ReaderFields:
    fields: tuple[str, ...]
    children: tuple[str, ...]
    describe: Describe | None


_registry: dict[type[models.Model], ReaderFields] = {}


def register_reader_fields(
    model: type[models.Model],
    *fields: str,
    children: tuple[str, ...] | list[str] = (),
    describe: Describe | None = None,
) -> None:
    """Readers see `fields` of `model`; the items in each of its `children` (related names) are
    part of the same page. `describe(item, index)` names one item in the report, e.g. "In the NHS".
    Registering a model again replaces its entry, so an app can add a child to another's page."""
    _registry[model] = ReaderFields(tuple(fields), tuple(children), describe)


def add_reader_children(model: type[models.Model], *children: str) -> None:
    """Add parts to a registered page, e.g. `add_reader_children(Guide, "nation_notes")`."""
    spec = _registry[model]
    _registry[model] = ReaderFields(spec.fields, (*spec.children, *children), spec.describe)


def reader_fields(model: type[models.Model]) -> ReaderFields | None:
    return _registry.get(model)


def registered_models() -> list[type[models.Model]]:
    return list(_registry)


def _field_label(model: type[models.Model], name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:  # a property rather than a field
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _is_markdown(model: type[models.Model], name: str) -> bool:
    """Markdown fields, and fields written in the same blocks (headings, paragraphs) though the
    model renders them itself, such as a letter's text: read block by block, not as one line."""
    blocks = (*getattr(model, "markdown_fields", ()), *getattr(model, "written_in_blocks", ()))
    return name in blocks


def _describe(item: models.Model, index: int, spec: ReaderFields) -> str:
    if spec.describe is not None:
        try:
            return spec.describe(item, index)
        except (ObjectDoesNotExist, AttributeError, ValueError):
            pass  # an unsaved part without its workplace yet: fall back to its number
    return f"{str(item._meta.verbose_name).capitalize()} {index + 1}"


def _text(model: type[models.Model], name: str, value, *, key: str, context: str) -> ReaderText:
    label = _field_label(model, name)
    if context:
        label = f"{context}: {label[:1].lower() + label[1:]}"
    markdown = _is_markdown(model, name)
    return ReaderText(key=key, label=label, text=str(value or ""), markdown=markdown)


def texts_of(item: models.Model, *, prefix: str = "", context: str = "") -> list[ReaderText]:
    """Every reader-facing text of a saved item and of its registered parts."""
    spec = reader_fields(type(item))
    if spec is None:
        return []
    texts = [
        _text(type(item), name, getattr(item, name, ""), key=prefix + name, context=context)
        for name in spec.fields
    ]
    if item.pk:
        for accessor in spec.children:
            texts += _texts_of_children(item, accessor, prefix=prefix, context=context)
    return texts


def _texts_of_children(item, accessor: str, *, prefix: str, context: str) -> list[ReaderText]:
    texts = []
    for index, child in enumerate(getattr(item, accessor).all()):
        child_spec = reader_fields(type(child))
        if child_spec is None:
            continue
        name = _describe(child, index, child_spec)
        texts += texts_of(
            child,
            prefix=f"{prefix}{accessor}-{index}-",
            context=f"{context} › {name}" if context else name,
        )
    return texts


def texts_of_form(form, formsets) -> list[ReaderText]:
    """Every reader-facing text of an admin change form as posted (or as shown, when unbound):
    the page's fields from the form, its parts from the inline formsets, and any part the form
    does not show (an answer of a decision-tool question) from the database."""
    model = form._meta.model
    spec = reader_fields(model)
    if spec is None:
        return []
    texts = _texts_of_bound_form(form, spec, context="")
    by_prefix = {formset.prefix: formset for formset in formsets}
    for accessor in spec.children:
        formset = by_prefix.get(accessor)
        if formset is None:
            if form.instance.pk:
                texts += _texts_of_children(form.instance, accessor, prefix="", context="")
            continue
        formset.is_valid()  # builds each part from what was posted, so it can be described
        _validate_again_later(formset)
        for index, child_form in enumerate(formset.forms):
            if _is_deleted(child_form) or (
                not child_form.instance.pk and not child_form.has_changed()
            ):
                continue
            child_spec = reader_fields(child_form._meta.model)
            if child_spec is None:
                continue
            name = _describe(child_form.instance, index, child_spec)
            texts += _texts_of_bound_form(child_form, child_spec, context=name)
            if child_form.instance.pk:
                for nested in child_spec.children:
                    texts += _texts_of_children(
                        child_form.instance,
                        nested,
                        prefix=child_form.add_prefix(""),
                        context=name,
                    )
    return texts


def _validate_again_later(formset) -> None:
    """This check runs inside the page form's own validation, before the page's posted values
    reach its instance. A formset whose rules read the page (a letter's placeholders must name
    its fields) is validated again when the admin saves, against the page as posted."""
    formset._errors = None
    formset._non_form_errors = None
    for child_form in formset.forms:
        child_form._errors = None


def _is_deleted(form) -> bool:
    return DELETION_FIELD_NAME in form.fields and bool(form[DELETION_FIELD_NAME].value())


def _texts_of_bound_form(form, spec: ReaderFields, *, context: str) -> list[ReaderText]:
    model = form._meta.model
    texts = []
    for name in spec.fields:
        shown = name in form.fields
        value = form[name].value() if shown else getattr(form.instance, name, "")
        texts.append(_text(model, name, value, key=form.add_prefix(name), context=context))
    return texts


def nation_note(item, index) -> str:
    return f"What is different in {item.get_nation_display()}"
