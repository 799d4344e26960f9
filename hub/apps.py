from django.apps import AppConfig


class HubConfig(AppConfig):
    """The project: settings, addresses, middleware and the site-wide pages."""

    name = "hub"
    verbose_name = "Hub"
