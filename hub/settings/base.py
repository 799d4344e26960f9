"""Settings shared by every environment.

The environment is read here and only here. dev, test and prod change defaults
and check what they need; they never read os.environ themselves.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Values read from the environment -------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = os.environ.get("HUB_CACHE_DIR", "")
ADMIN_PATH = os.environ.get("HUB_ADMIN_PATH", "admin/").strip("/") + "/"
SITE_URL = os.environ.get("HUB_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CONTACT_URL = os.environ.get("HUB_CONTACT_URL", f"{SITE_URL}/about/")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()

EMAIL_URL_SETTINGS = {
    "EMAIL_HOST": os.environ.get("EMAIL_HOST", "localhost"),
    "EMAIL_PORT": env_int("EMAIL_PORT", 25),
    "EMAIL_HOST_USER": os.environ.get("EMAIL_HOST_USER", ""),
    "EMAIL_HOST_PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", False),
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = EMAIL_URL_SETTINGS["EMAIL_HOST"]
EMAIL_PORT = EMAIL_URL_SETTINGS["EMAIL_PORT"]
EMAIL_HOST_USER = EMAIL_URL_SETTINGS["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = EMAIL_URL_SETTINGS["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = EMAIL_URL_SETTINGS["EMAIL_USE_TLS"]
# The sender of password resets and digests. DEFAULT_FROM_EMAIL is still read, for old setups.
DEFAULT_FROM_EMAIL = (
    os.environ.get("HUB_FROM_EMAIL") or os.environ.get("DEFAULT_FROM_EMAIL") or "hub@localhost"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EDITOR_EMAILS = env_list("HUB_EDITOR_EMAILS")

LINKCHECK_ALLOW_PRIVATE = env_bool("LINKCHECK_ALLOW_PRIVATE", False)
LINKCHECK_PER_HOST = env_int("LINKCHECK_PER_HOST", 2)
LINKCHECK_CONCURRENCY = env_int("LINKCHECK_CONCURRENCY", 40)
LINKCHECK_TIMEOUT = env_float("LINKCHECK_TIMEOUT", 10)
LINKCHECK_DEADLINE = env_float("LINKCHECK_DEADLINE", 600)
LINKCHECK_HOST_DELAY = env_float("LINKCHECK_HOST_DELAY", 0.1)
LINKCHECK_RETRIES = env_int("LINKCHECK_RETRIES", 2)
LINKCHECK_BACKOFF = env_float("LINKCHECK_BACKOFF", 1)
LINKCHECK_RETRY_CAP = env_float("LINKCHECK_RETRY_CAP", 30)
LINKCHECK_RECHECK_DAYS = env_int("LINKCHECK_RECHECK_DAYS", 7)
# Well-known pages check_links tries first: when none answers, the machine is offline and
# the run records nothing rather than calling every link broken. Set it empty to skip this.
HUB_LINKCHECK_CANARY_URLS = env_list(
    "HUB_LINKCHECK_CANARY_URLS", "https://www.gov.uk/,https://www.acas.org.uk/,https://www.nhs.uk/"
)
HUB_LINKCHECK_CANARY_TIMEOUT = env_float("HUB_LINKCHECK_CANARY_TIMEOUT", 5)

# --- Derived settings ------------------------------------------------------------------------
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "hub.cache_backends.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hub",
        }
    }
elif CACHE_DIR:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "reversion_compare",
    "axes",
    "core",
    "hub",
    "resources",
    "decisions",
    "links",
    "plain_english",
    "feedback",
    "paperwork",
]

MIDDLEWARE = [
    # First: a cached public page is answered from one cache round trip, headers and all.
    "hub.middleware.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hub.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware: a renamed page's old address redirects to its new one.
    "hub.middleware.RenamedPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.context_processors.hub",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# django-axes: lock an account and address out after repeated failed admin logins.
AXES_FAILURE_LIMIT = env_int("HUB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"

# How long content stays current before it must be reviewed again, in months.
HUB_REVIEW_INTERVAL_MONTHS = {"guide": 12, "script": 12, "resource": 6}
HUB_PAGE_CACHE_SECONDS = env_int("HUB_PAGE_CACHE_SECONDS", 600)
# Pages each worker also keeps in its own memory, so a cached page needs no trip to the cache.
HUB_PAGE_CACHE_LOCAL_ITEMS = env_int("HUB_PAGE_CACHE_LOCAL_ITEMS", 500)
# With Redis, how often a worker reads the content generation even when told of no change.
HUB_GENERATION_RECHECK_SECONDS = env_int("HUB_GENERATION_RECHECK_SECONDS", 5)
HUB_FEEDBACK_RATE = env_int("HUB_FEEDBACK_PER_HOUR", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        # httpx logs every request at INFO; the link checker makes thousands, and cron output
        # must stay one summary line.
        "httpx": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}

HUB_SITE_NAME = "Managing people well"
