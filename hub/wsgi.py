"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.prod")

application = get_wsgi_application()

# The plain-English checker's word lists take over a second to load: load them as each worker
# starts, not on an editor's first request.
from plain_english.checker import warm_up  # noqa: E402

warm_up()
