from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "paperwork"
    verbose_name = "Forms and letters"

    def ready(self):
        from plain_english.reader_fields import nation_note, register_reader_fields

        from . import content_io, search  # noqa: F401  (registers content/forms/*.md and search)
        from .models import Form, FormField, FormGloss, FormNationNote

        register_reader_fields(
            Form,
            "title",
            "summary",
            "body",
            "when_to_use",
            "check_note",
            "letter",
            children=["fields", "glosses", "nation_notes"],
        )
        register_reader_fields(
            FormField, "label", "help_text", describe=lambda field, i: f"Field {i + 1}"
        )
        register_reader_fields(
            FormGloss, "body", describe=lambda g, i: f"What it means in {g.workplace.label}"
        )
        register_reader_fields(FormNationNote, "body", describe=nation_note)
