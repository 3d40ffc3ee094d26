"""Django settings, read from the environment only.

Every variable is documented in `.env.example`. Without any variable set the
project runs on embedded defaults: SQLite, the in-memory channel layer and
Celery in eager mode. Setting DATABASE_URL, REDIS_URL and CELERY_BROKER_URL
switches to PostgreSQL, channels_redis and real workers.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A development key is used only with DEBUG on; production must set its own.
_DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment or in .env, "
        "or set DEBUG=true for local development."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "channels",
    "accounts",
    "listings",
    "recommender",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "marketplace.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite waits this many seconds for a lock held by another process
    # (the eager Celery tasks and the web server share one file).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Marketplace API",
    "DESCRIPTION": "Used-electronics marketplace with a personalized feed.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in the calling process and raise their errors;
# the in-memory transport only keeps Celery from looking for a server.
CELERY_TASK_ALWAYS_EAGER = not _BROKER_URL
CELERY_BROKER_URL = _BROKER_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Recommender data and artifacts.
MARKETPLACE_DATA_DIR = env.path(
    "MARKETPLACE_DATA_DIR", default=BASE_DIR.parent / "shared" / "data"
)
RECOMMENDER_ARTIFACT_DIR = env.path(
    "RECOMMENDER_ARTIFACT_DIR", default=BASE_DIR / "var" / "recommender"
)
# Threads torch may use in the web process; training tasks set their own.
RECOMMENDER_SERVING_THREADS = env.int("RECOMMENDER_SERVING_THREADS", default=1)
RECOMMENDER_TRAINING_THREADS = env.int("RECOMMENDER_TRAINING_THREADS", default=2)
MARKETPLACE_DEFAULT_CURRENCY = env.str("MARKETPLACE_DEFAULT_CURRENCY", default="USD")
# Home feed serving (see .env.example for units).
RECOMMENDER_FEED_CANDIDATES = env.int("RECOMMENDER_FEED_CANDIDATES", default=500)
RECOMMENDER_PERSONAL_MIN_ITEMS = env.int("RECOMMENDER_PERSONAL_MIN_ITEMS", default=3)
RECOMMENDER_FRESHNESS_WEIGHT = env.float("RECOMMENDER_FRESHNESS_WEIGHT", default=0.5)
RECOMMENDER_FRESHNESS_HALF_LIFE_HOURS = env.float(
    "RECOMMENDER_FRESHNESS_HALF_LIFE_HOURS", default=72.0
)
RECOMMENDER_DIVERSITY_WINDOW = env.int("RECOMMENDER_DIVERSITY_WINDOW", default=20)
RECOMMENDER_CATEGORY_CAP = env.int("RECOMMENDER_CATEGORY_CAP", default=6)
RECOMMENDER_SELLER_CAP = env.int("RECOMMENDER_SELLER_CAP", default=4)
RECOMMENDER_NEARBY_KM = env.float("RECOMMENDER_NEARBY_KM", default=5.0)
RECOMMENDER_INDEX_CHECK_SECONDS = env.float(
    "RECOMMENDER_INDEX_CHECK_SECONDS", default=5.0
)
RECOMMENDER_ANN_EXACT_BELOW = env.int("RECOMMENDER_ANN_EXACT_BELOW", default=10_000)
RECOMMENDER_ANN_EF_SEARCH = env.int("RECOMMENDER_ANN_EF_SEARCH", default=256)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
