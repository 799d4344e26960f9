"""What a check of one address can find. Kept out of models.py so that fetch.py, which never
touches the database, does not import the models (and models.py can name fetch.CheckResult)."""

from django.db import models

MAX_URL_LENGTH = 2000


class Outcome(models.TextChoices):
    OK = "ok", "Working"
    REDIRECTED = "redirected", "Redirected"
    BROKEN = "broken", "Broken"
    UNCERTAIN = "uncertain", "Could not tell"
    # A 200 page that says it was not found, or a deep link sent to the site's home page.
    PROBABLY_GONE = "probably_gone", "Probably gone"
    # The page works, but no part of it has the name a link's #fragment gives.
    PART_NOT_FOUND = "part_not_found", "Part of page not found"


class RedirectKind(models.TextChoices):
    PERMANENT = "permanent", "Moved permanently"
    TEMPORARY = "temporary", "Redirected for now"
