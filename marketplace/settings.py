"""Django settings, read from the environment only.

Every variable is documented in `.env.example`. Without any variable set the
project runs on embedded defaults: SQLite, the in-memory channel layer and
Celery in eager mode. Setting DATABASE_URL, REDIS_URL and CELERY_BROKER_URL
switches to PostgreSQL, channels_redis and real workers.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from accounts.providers import social_providers_from_env

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
    "orders",
    "notifications",
    "moderation",
    "drf_spectacular_sidecar",
    "webapp",
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
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Whether the web process serves the uploaded files under MEDIA_URL itself,
# which suits development, demos and tests. In production a web server or a
# storage backend serves them.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    # The session-token class comes first: DRF takes the WWW-Authenticate
    # header from the first class, and only that header turns a rejected
    # token into 401 (anonymous requests still get 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.SessionTokenAuthentication",
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
    # Swagger UI and Redoc are served from drf-spectacular-sidecar's static
    # files, so the docs pages load nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status` field with choices of their own.
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "listings.models.Listing.Status",
        "ReportStatusEnum": "moderation.models.Report.Status",
        "OfferStatusEnum": "orders.models.Offer.Status",
        "OrderStatusEnum": "orders.models.Order.Status",
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py 8 reads with a 5 s timeout by default, and
                        # an idle consumer waits in a 5 s BZPOPMIN, so the
                        # read timed out and closed idle websockets. Reads
                        # now wait for the server, but connecting still
                        # times out after 5 s.
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                    }
                ]
            },
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
# Celery's Django fixup closes the database connection before and after
# every task, so each task would open a new one, unless the connection is
# reused this many times. marketplace/celery.py closes obsolete connections
# around each task instead, which keeps DATABASE_CONN_MAX_AGE in force.
CELERY_DB_REUSE_MAX = 1_000_000
# Periodic tasks, run by `celery -A marketplace beat`.
CELERY_BEAT_SCHEDULE = {
    "release-expired-offer-holds": {
        "task": "orders.tasks.release_expired_holds_task",
        "schedule": env.float("ORDERS_HOLD_RELEASE_INTERVAL_SECONDS", default=300.0),
    },
    "delete-stale-anonymous-carts": {
        "task": "orders.tasks.delete_stale_anonymous_carts_task",
        "schedule": 24 * 3600.0,
    },
}

# Recommender data and artifacts.
MARKETPLACE_DATA_DIR = env.path(
    "MARKETPLACE_DATA_DIR", default=BASE_DIR.parent / "shared" / "data"
)
RECOMMENDER_ARTIFACT_DIR = env.path(
    "RECOMMENDER_ARTIFACT_DIR", default=BASE_DIR / "var" / "recommender"
)
# Threads torch may use in the web process; training tasks set their own.
RECOMMENDER_SERVING_THREADS = env.int("RECOMMENDER_SERVING_THREADS", default=1)
# Freeze the heap after startup and after loading models, so that full
# garbage collections skip those objects (marketplace.gc_freeze).
FREEZE_HEAP = env.bool("FREEZE_HEAP", default=True)
RECOMMENDER_TRAINING_THREADS = env.int("RECOMMENDER_TRAINING_THREADS", default=2)
MARKETPLACE_DEFAULT_CURRENCY = env.str("MARKETPLACE_DEFAULT_CURRENCY", default="USD")
# Home feed serving (see .env.example for units).
RECOMMENDER_FEED_CANDIDATES = env.int("RECOMMENDER_FEED_CANDIDATES", default=500)
# Seconds a web process reuses a user's personalized ranking while its
# inputs are unchanged; 0 ranks on every request.
RECOMMENDER_FEED_CACHE_SECONDS = env.float(
    "RECOMMENDER_FEED_CACHE_SECONDS", default=30.0
)
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
# Exact search returns every true neighbour, and on one thread it was
# faster than HNSW at efSearch 640 up to 50,000 vectors and slower at
# 100,000 (bench/ann_exact_crossover.py).
RECOMMENDER_ANN_EXACT_BELOW = env.int("RECOMMENDER_ANN_EXACT_BELOW", default=50_000)
# At 1,000,000 synthetic listings, 500 (the feed's depth) gave recall@100
# 0.946 against exact search and 640 gave 0.963 (bench/feed_latency.py).
RECOMMENDER_ANN_EF_SEARCH = env.int("RECOMMENDER_ANN_EF_SEARCH", default=640)

# Hours an accepted price offer reserves the listing for the buyer.
ORDERS_OFFER_HOLD_HOURS = env.int("ORDERS_OFFER_HOLD_HOURS", default=24)
if ORDERS_OFFER_HOLD_HOURS < 1:
    raise ImproperlyConfigured(
        f"ORDERS_OFFER_HOLD_HOURS={ORDERS_OFFER_HOLD_HOURS} is not positive; "
        "set it to a whole number of hours, 1 or more."
    )

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
        # faiss reports at INFO each CPU build it tries before it loads.
        "faiss.loader": {"level": "WARNING"},
    },
}

# Shared cache: allauth keeps its rate-limit counters here, so with several
# web processes the limits only hold when every process uses the same Redis.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts: django-allauth with email sign-in, social providers and the
# headless API for the React app (browser client) and mobile apps (app
# client, X-Session-Token header).
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.naver",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.headless",
    "allauth.usersessions",
]
MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware"]

EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_FILE_PATH", default=""):
    # One file per message in this directory, for tests and demos.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# People sign up and sign in by email. The username is also accepted so that
# the demo accounts of seed_demo, which have no address, can sign in.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
# The username is optional: allauth derives one from the address when it
# is left blank.
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Marketplace] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Password reset mails go only to verified addresses (see the adapter).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Format "count/period/key" per allauth: period in s, m, h or d; the key is
# ip, user or key (the email address or login being tried).
ACCOUNT_RATE_LIMITS = {
    "login": env.str("ACCOUNT_RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env.str(
        "ACCOUNT_RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"
    ),
    "signup": env.str("ACCOUNT_RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": env.str(
        "ACCOUNT_RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"
    ),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": env.str("ACCOUNT_RATE_LIMIT_CONFIRM_EMAIL", default="1/3m/key"),
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}

SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = social_providers_from_env(env)

HEADLESS_CLIENTS = ("browser", "app")
HEADLESS_ONLY = False
HEADLESS_ADAPTER = "accounts.adapters.HeadlessAdapter"
# Pages of the React app that account mails link to when the request came
# from the app (allauth's browser client). Mails sent from the
# server-rendered pages or to the mobile app client link to the
# server-rendered pages (see accounts.adapters.HeadlessAdapter). A path is
# made absolute with the request's host.
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": env.str(
        "FRONTEND_URL_CONFIRM_EMAIL", default="/app/verify-email/{key}"
    ),
    "account_reset_password": env.str(
        "FRONTEND_URL_REQUEST_PASSWORD_RESET", default="/app/password/reset"
    ),
    "account_reset_password_from_key": env.str(
        "FRONTEND_URL_RESET_PASSWORD", default="/app/password/reset/{key}"
    ),
    "account_signup": env.str("FRONTEND_URL_SIGNUP", default="/app/sign-up"),
}

# Profile: neighbourhood confirmation and avatar limits.
ACCOUNTS_NEIGHBOURHOOD_RADIUS_KM = env.float(
    "ACCOUNTS_NEIGHBOURHOOD_RADIUS_KM", default=6.0
)
ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS = env.int(
    "ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS", default=30
)
ACCOUNTS_AVATAR_MAX_BYTES = env.int(
    "ACCOUNTS_AVATAR_MAX_BYTES", default=5 * 1024 * 1024
)
ACCOUNTS_AVATAR_MAX_SIDE = env.int("ACCOUNTS_AVATAR_MAX_SIDE", default=4096)

# Live session suggestions (the suggestions app).
INSTALLED_APPS += ["suggestions"]
# Minutes without a view after which a visitor's next view starts a new
# browsing session.
SUGGESTIONS_SESSION_GAP_MINUTES = env.float(
    "SUGGESTIONS_SESSION_GAP_MINUTES", default=30.0
)
# Listings sent in one suggestions message.
SUGGESTIONS_COUNT = env.int("SUGGESTIONS_COUNT", default=12)
# Positions of each TailNet suggestions list reserved for the model's best
# tail items: those outside its `head_item_share` (20% by default) most
# clicked items, by the training clicks the artifact stores. 0 is off.
SUGGESTIONS_TAIL_SLOTS = env.int("SUGGESTIONS_TAIL_SLOTS", default=0)
if not 0 <= SUGGESTIONS_TAIL_SLOTS <= SUGGESTIONS_COUNT:
    raise ImproperlyConfigured(
        f"SUGGESTIONS_TAIL_SLOTS={SUGGESTIONS_TAIL_SLOTS} is invalid; set it "
        f"from 0 to SUGGESTIONS_COUNT ({SUGGESTIONS_COUNT})."
    )
# Above 0, the tail positions go to the tail items with the best
# log-probability - penalty * log(1 + n), where n counts the lists that
# showed the item today and yesterday (UTC). They are chosen among each
# session's best 5 * SUGGESTIONS_TAIL_SLOTS + SUGGESTIONS_TAIL_DEPTH tail
# items, so the positions spread over many items. 0 is off: the best tail
# items by score.
SUGGESTIONS_EXPOSURE_PENALTY = env.float("SUGGESTIONS_EXPOSURE_PENALTY", default=0.0)
SUGGESTIONS_TAIL_DEPTH = env.int("SUGGESTIONS_TAIL_DEPTH", default=100)
if not 0 <= SUGGESTIONS_EXPOSURE_PENALTY < float("inf"):
    raise ImproperlyConfigured(
        f"SUGGESTIONS_EXPOSURE_PENALTY={SUGGESTIONS_EXPOSURE_PENALTY} is "
        "invalid; set a finite number of at least 0 (0 turns it off)."
    )
if SUGGESTIONS_EXPOSURE_PENALTY and not SUGGESTIONS_TAIL_SLOTS:
    raise ImproperlyConfigured(
        f"SUGGESTIONS_EXPOSURE_PENALTY={SUGGESTIONS_EXPOSURE_PENALTY:g} spreads "
        "the tail positions, but SUGGESTIONS_TAIL_SLOTS is 0; set "
        "SUGGESTIONS_TAIL_SLOTS above 0 or the penalty to 0."
    )
if not 1 <= SUGGESTIONS_TAIL_DEPTH <= 2000:
    # Every push ranks and reads listings for this many items per session.
    raise ImproperlyConfigured(
        f"SUGGESTIONS_TAIL_DEPTH={SUGGESTIONS_TAIL_DEPTH} is invalid; set it "
        "from 1 to 2000."
    )
# Celery queue of the suggestion pushes. A worker of its own for this queue
# (`make worker-suggestions`) keeps pushes from waiting behind training.
SUGGESTIONS_QUEUE = env.str("SUGGESTIONS_QUEUE", default="suggestions")
if not re.fullmatch(r"[A-Za-z0-9._-]+", SUGGESTIONS_QUEUE):
    raise ImproperlyConfigured(
        f"SUGGESTIONS_QUEUE={SUGGESTIONS_QUEUE!r} is invalid; use letters, "
        "digits, dots, dashes and underscores only."
    )
if SUGGESTIONS_QUEUE == "celery":
    # `celery` is Celery's default queue, which the training and index tasks
    # use, and `make worker-suggestions` would take those tasks too.
    raise ImproperlyConfigured(
        "SUGGESTIONS_QUEUE='celery' is invalid because the training and index "
        "tasks use that queue; choose another name, such as suggestions."
    )
# The queues that a worker started without --queues takes: Celery's default
# queue and the pushes' queue, whatever name .env or the environment gives.
# Each has an exchange and a routing key of its own name. With Celery's
# defaults both would bind to the key "celery", so a message sent to one
# would reach both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (CELERY_TASK_DEFAULT_QUEUE, SUGGESTIONS_QUEUE)
]
# Token bucket of each session socket: messages per second refilled, and the
# burst of messages accepted at once.
SUGGESTIONS_SOCKET_RATE_PER_SECOND = env.float(
    "SUGGESTIONS_SOCKET_RATE_PER_SECOND", default=2.0
)
SUGGESTIONS_SOCKET_BURST = env.int("SUGGESTIONS_SOCKET_BURST", default=10)
# Max waiting views a worker handles in one batch (one TailNet forward pass).
SUGGESTIONS_PUSH_BATCH = env.int("SUGGESTIONS_PUSH_BATCH", default=32)
if SUGGESTIONS_PUSH_BATCH < 1:
    raise ImproperlyConfigured(
        f"SUGGESTIONS_PUSH_BATCH must be at least 1; got {SUGGESTIONS_PUSH_BATCH}."
    )
if SUGGESTIONS_SESSION_GAP_MINUTES <= 0 or SUGGESTIONS_COUNT < 1:
    raise ImproperlyConfigured(
        "SUGGESTIONS_SESSION_GAP_MINUTES must be positive and SUGGESTIONS_COUNT "
        f"at least 1; got {SUGGESTIONS_SESSION_GAP_MINUTES} and "
        f"{SUGGESTIONS_COUNT}."
    )
if SUGGESTIONS_SOCKET_RATE_PER_SECOND <= 0 or SUGGESTIONS_SOCKET_BURST < 1:
    raise ImproperlyConfigured(
        "SUGGESTIONS_SOCKET_RATE_PER_SECOND must be positive and "
        "SUGGESTIONS_SOCKET_BURST at least 1; got "
        f"{SUGGESTIONS_SOCKET_RATE_PER_SECOND} and {SUGGESTIONS_SOCKET_BURST}."
    )
# Hours a stored session view is kept, and seconds between the beat runs
# that delete older ones. Only the current session is read, so the
# retention must be at least the session gap.
SUGGESTIONS_VIEW_RETENTION_HOURS = env.float(
    "SUGGESTIONS_VIEW_RETENTION_HOURS", default=168.0
)
SUGGESTIONS_PRUNE_INTERVAL_SECONDS = env.float(
    "SUGGESTIONS_PRUNE_INTERVAL_SECONDS", default=3600.0
)
if SUGGESTIONS_VIEW_RETENTION_HOURS * 60 < SUGGESTIONS_SESSION_GAP_MINUTES:
    raise ImproperlyConfigured(
        f"SUGGESTIONS_VIEW_RETENTION_HOURS={SUGGESTIONS_VIEW_RETENTION_HOURS} "
        "would delete views of sessions still open; set it to at least the "
        f"session gap, {SUGGESTIONS_SESSION_GAP_MINUTES / 60:g} hours."
    )
if SUGGESTIONS_PRUNE_INTERVAL_SECONDS <= 0:
    raise ImproperlyConfigured(
        "SUGGESTIONS_PRUNE_INTERVAL_SECONDS="
        f"{SUGGESTIONS_PRUNE_INTERVAL_SECONDS} is not positive; set it to the "
        "seconds between two prunings, for example 3600."
    )
CELERY_BEAT_SCHEDULE["prune-session-views"] = {
    "task": "suggestions.prune_session_views",
    "schedule": SUGGESTIONS_PRUNE_INTERVAL_SECONDS,
}
# Requests to GET /api/v1/suggestions/ allowed per user (or per address for
# anonymous visitors), as "<count>/<period>" with the period in second,
# minute, hour or day (DRF's rate format: "20/min", "600/hour").
SUGGESTIONS_HTTP_RATE = env.str("SUGGESTIONS_HTTP_RATE", default="20/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|m|h|d)[a-z]*", SUGGESTIONS_HTTP_RATE):
    raise ImproperlyConfigured(
        f"SUGGESTIONS_HTTP_RATE={SUGGESTIONS_HTTP_RATE!r} is not a rate; write "
        'a positive count, a slash and a period, such as "20/min" or "600/hour".'
    )
