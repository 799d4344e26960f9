from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = "Link checks"

    def ready(self):
        from . import dashboard

        dashboard.register()
