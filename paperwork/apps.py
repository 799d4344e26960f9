from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "paperwork"
    verbose_name = "Forms and letters"

    def ready(self):
        from . import content_io, search  # noqa: F401  (registers content/forms/*.md and search)
