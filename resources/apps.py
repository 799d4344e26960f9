from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Guides, scripts and resources"

    def ready(self):
        from core.publishing import register_after_change
        from plain_english.reader_fields import (
            add_reader_children,
            nation_note,
            register_reader_fields,
        )

        from . import (
            content_io,  # noqa: F401  (registers the content file sections)
            search,
        )

        # The search index follows every change made through core.publishing.
        register_after_change(
            search.index_items, on_removal=search.forget_items, on_everything=search.rebuild_index
        )
        from .models import (
            Guide,
            GuideGloss,
            GuideNationNote,
            Resource,
            ResourceGloss,
            ResourceNationNote,
            ResourceRelevance,
            Script,
            ScriptGloss,
            ScriptNationNote,
            ScriptPart,
        )

        def gloss(item, index):
            return f"What it means in {item.workplace.label}"

        register_reader_fields(
            Guide, "title", "summary", "body", "policy_note", children=["glosses"]
        )
        register_reader_fields(
            Script, "title", "summary", "body", "policy_note", children=["parts", "glosses"]
        )
        register_reader_fields(ScriptPart, "body", describe=lambda part, i: part.get_kind_display())
        register_reader_fields(
            Resource, "title", "summary", "body", children=["relevance", "glosses"]
        )
        register_reader_fields(
            ResourceRelevance,
            "note",
            describe=lambda item, i: f"Why it matters in {item.workplace.label}",
        )
        for model in (GuideGloss, ScriptGloss, ResourceGloss):
            register_reader_fields(model, "body", describe=gloss)
        for model in (GuideNationNote, ScriptNationNote, ResourceNationNote):
            register_reader_fields(model, "body", describe=nation_note)
        for model in (Guide, Script, Resource):
            add_reader_children(model, "nation_notes")
