"""Borough settings: every value comes from the environment (see docs/configuring.md).

BOROUGH_MODE selects the safety checks: "development" (the default, used by
`make run`), "production" (used by `borough serve`) or "test".
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from borough import env

BASE_DIR = Path(__file__).resolve().parent
MODE = env.get_str("BOROUGH_MODE", "development")
if MODE not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"BOROUGH_MODE must be development, production or test, not {MODE!r}."
    )
PRODUCTION = MODE == "production"

# Everything Borough writes at run time (SQLite database, attachments, collected
# static files) lives under one directory outside the package and the web root.
DATA_DIR = Path(env.get_str("BOROUGH_DATA_DIR", str(Path.cwd() / "var"))).resolve()

INSECURE_SECRET_KEY = "borough-development-only-not-secret"  # noqa: S105
SECRET_KEY = env.get_str("SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env.get_bool("DEBUG", MODE == "development")
ALLOWED_HOSTS = env.get_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])


def production_problems() -> list[str]:
    """What stops the production server from starting, in words an operator can act on."""
    problems = []
    if SECRET_KEY in {"", INSECURE_SECRET_KEY} or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY is missing, the development default, or under 32 characters")
    if DEBUG:
        problems.append("DEBUG is on")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty")
    return problems


if PRODUCTION and (_problems := production_problems()):
    raise ImproperlyConfigured(
        "Borough will not start in production mode: " + "; ".join(_problems) + "."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "csp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "borough.core",
    "borough.frontend",
    "borough.organisation",
    "borough.accounts",
    "borough.cmdb",
    "borough.catalogue",
    "borough.library",
    "borough.commercial",
    "borough.licences",
    "borough.servicedesk",
    "borough.status",
    "borough.changes",
    "borough.releases",
    "borough.knowledge",
    "borough.problems",
    "borough.availability",
    "borough.continuity",
    "borough.finance",
    "borough.capacity",
    "borough.mail",
    "borough.standards",
    "borough.procurement",
    "borough.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "borough.accounts.middleware.ActiveOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "borough.core.middleware.SecurityHeadersMiddleware",
    "borough.core.middleware.IntegrityConflictMiddleware",
    "borough.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "borough.urls"
WSGI_APPLICATION = "borough.wsgi.application"
ASGI_APPLICATION = "borough.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "borough.core.context_processors.navigation",
                "borough.accounts.context_processors.memberships",
            ],
        },
    }
]
FORM_RENDERER = "borough.core.forms.GovukFormRenderer"

# --- Database -----------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
# A persistent connection (CONN_MAX_AGE > 0) stays with the thread that opened it. gunicorn's
# threads are a fixed pool, so `borough serve` (which sets 60) keeps at most workers x
# threads; the development server starts a thread per client connection, and 20 browsers
# held 20 idle PostgreSQL connections and more until max_connections ran out. Hence 0 by
# default: each request closes its connection (docs/configuring.md).
DATABASES = {
    "default": dj_database_url.parse(
        env.get_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'borough.sqlite3'}"),
        conn_max_age=env.get_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if MODE == "test" else 60
    # The ticket queue's covering index (INCLUDE columns) is a PostgreSQL speed device;
    # SQLite builds it without them, harmlessly, so its warning would only alarm.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# PostgreSQL prepared statements (server-side binding; psycopg prepares a statement once
# it has run `prepare_threshold` times on a persistent connection) are off by default:
# after five executions PostgreSQL may switch to a generic plan, and a generic plan
# cannot use a partial index whose condition is a parameter — the queue's
# `status IN (...)` then walked every ticket (1 ms became 65 ms at 100k tickets; see
# docs/performance.md). DATABASE_PREPARED_STATEMENTS=true turns them on; never
# behind a transaction-pooling PgBouncer.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.get_bool(
    "DATABASE_PREPARED_STATEMENTS", False
):
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("server_side_binding", True)
    _pg_options.setdefault("prepare_threshold", env.get_int("DATABASE_PREPARE_THRESHOLD", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
BOROUGH_ORGANISATION_MODEL = "organisation.Organisation"
# Core shares saved list views with teams without importing the organisation app.
BOROUGH_TEAM_MODEL = "organisation.Team"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "borough.accounts.backends.OrganisationRoleBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour (SECURITY.md rule 16)
# Reset links asked for, per email address typed and per client address, in a window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.get_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
PASSWORD_RESET_LIMIT_PER_IP = env.get_int("PASSWORD_RESET_LIMIT_PER_IP", 20)
PASSWORD_RESET_LIMIT_WINDOW = env.get_int("PASSWORD_RESET_LIMIT_WINDOW", 60 * 60)
# Email-change confirmation links: valid one hour; requests per user per hour.
EMAIL_CHANGE_TIMEOUT = 60 * 60
EMAIL_CHANGE_LIMIT_PER_USER = env.get_int("EMAIL_CHANGE_LIMIT_PER_USER", 5)
SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", PRODUCTION)
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
if env.get_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Brute-force lockout: 10 failures in 5 minutes per account and address.
AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 5 / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy, count failures per client address, not per proxy.
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Content Security Policy: no inline script anywhere (SECURITY.md rule 12) -----
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.get_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# --- Static files and uploads ---------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Attachments sit outside the web root and are served only through a
# permission-checked view (SECURITY.md rule 19). MEDIA_URL is deliberately unset.
ATTACHMENTS_ROOT = Path(env.get_str("ATTACHMENTS_ROOT", str(DATA_DIR / "attachments")))
ATTACHMENT_MAX_BYTES = env.get_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_BYTES_PER_RECORD = env.get_int("ATTACHMENT_MAX_BYTES_PER_RECORD", 50 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = env.get_list(
    "ATTACHMENT_ALLOWED_TYPES",
    [
        "application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "message/rfc822",
    ],
)
# Office files are ZIP archives: limits checked from the central directory before
# anything unpacks an upload or an imported workbook (core/archives.py, rule 19).
ARCHIVE_MAX_MEMBERS = env.get_int("ARCHIVE_MAX_MEMBERS", 1000)
ARCHIVE_MAX_UNPACKED_BYTES = env.get_int("ARCHIVE_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
ARCHIVE_MAX_RATIO = env.get_int("ARCHIVE_MAX_RATIO", 100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Capacity (docs/capacity.md) --------------------------------------------------
# Days raw measurements are kept; hourly and daily rollups are kept for good.
CAPACITY_RAW_RETENTION_DAYS = env.get_int("CAPACITY_RAW_RETENTION_DAYS", 35)
# Pushed series no metric names become unmapped metrics, up to this many per organisation.
CAPACITY_MAX_UNMAPPED = env.get_int("CAPACITY_MAX_UNMAPPED", 1000)
# The largest line protocol body taken in one request, after gzip is undone.
CAPACITY_MAX_WRITE_BYTES = env.get_int("CAPACITY_MAX_WRITE_BYTES", 32 * 1024 * 1024)

# --- Email ----------------------------------------------------------------------
EMAIL_HOST = env.get_str("EMAIL_HOST", "")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "Borough <borough@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Email in and out (borough.mail). The address links in emails start with; the domain
# of the Message-IDs Borough makes.
BOROUGH_BASE_URL = env.get_str("BOROUGH_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
MAIL_DOMAIN = env.get_str("MAIL_DOMAIN", "") or (
    DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost")
# Mail larger than this goes to the quarantine whole; the gateway refuses at twice it.
MAIL_MAX_BYTES = env.get_int("MAIL_MAX_BYTES", 25 * 1024 * 1024)
# More messages than this from one address in an hour is a loop: the rest are cut.
MAIL_LOOP_LIMIT = env.get_int("MAIL_LOOP_LIMIT", 30)
MAILGATE_HOST = env.get_str("MAILGATE_HOST", "127.0.0.1")
MAILGATE_PORT = env.get_int("MAILGATE_PORT", 2525)

# --- Background jobs ------------------------------------------------------------
CELERY_BROKER_URL = env.get_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env.get_str("CELERY_RESULT_BACKEND", "") or None
# Without a broker, tasks run inline; `borough worker` runs the periodic jobs itself.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "max_retries": 1}
# One-off background tasks people start (core.background: a big import). "celery" with a
# broker; without one "thread" runs each in a thread of the web process that queued it
# (so `make run` needs nothing more), and "worker" leaves it for `borough worker`, which
# also picks up any task left waiting. Empty: celery with a broker, else thread.
BACKGROUND_TASK_RUNNER = env.get_str("BACKGROUND_TASK_RUNNER", "")

# --- Spreadsheet imports (core.imports) -------------------------------------------
# Rows in one file; a file above IMPORT_BACKGROUND_ROWS is checked and imported as a
# background task with its progress shown. Uploads not imported are deleted after
# IMPORT_UPLOAD_HOURS.
IMPORT_MAX_ROWS = env.get_int("IMPORT_MAX_ROWS", 20000)
IMPORT_BACKGROUND_ROWS = env.get_int("IMPORT_BACKGROUND_ROWS", 2000)
IMPORT_UPLOAD_HOURS = env.get_int("IMPORT_UPLOAD_HOURS", 24)

# --- API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "borough.accounts.api_auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["borough.core.api.permissions.ModelRolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "borough.core.api.filters.AllowlistedOrderingFilter",
    ],
    # JSON with limits on size and depth; forms and files as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "borough.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "borough.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, declaring the error responses every operation can give.
    "DEFAULT_SCHEMA_CLASS": "borough.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "borough.core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Borough API",
    "DESCRIPTION": "ICT service management for local government.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"LevelEnum": "borough.servicedesk.models.Level",
                            # A ticket's priority (P1 to P5); a problem's is a Level.
                            "PriorityEnum": "borough.servicedesk.models.Priority",
                            "LinkKindEnum": "borough.servicedesk.models.LinkKind",
                            "EntryKindEnum": "borough.servicedesk.models.EntryKind",
                            "TicketStatusEnum": "borough.servicedesk.models.Status",
                            "ResolutionCodeEnum": "borough.servicedesk.models.ResolutionCode",
                            "ActionStatusEnum": "borough.standards.models.ActionStatus",
                            "RatingLevelEnum": "borough.standards.assessments.forms.LEVEL_CHOICES",
                            "ServiceStatusEnum": "borough.catalogue.models.ServiceStatus",
                            "AgreementStatusEnum": "borough.catalogue.models.AgreementStatus",
                            # A CI's data classification and a library document's.
                            "DataClassificationEnum": "borough.cmdb.models.DataClassification",
                            # A contract's kind, and the one "Create the contract" takes.
                            "ContractKindEnum": "borough.commercial.models.ContractKind",
                            # A change's outcome, and the one "Record the outcome" takes.
                            "ChangeOutcomeEnum": "borough.changes.models.Outcome",
                            # A change's risk and impact, a template's risk, a question's.
                            "ChangeLevelEnum": "borough.changes.models.Level",
                            # A CAB vote's decision, and a release's go/no-go.
                            "DecisionEnum": "borough.changes.models.VoteDecision",
                            "ReleaseDecisionEnum": "borough.releases.models.Decision",
                            # A release's test result, and the one "Record the test" takes.
                            "TestResultEnum": "borough.releases.models.TestResult",
                            # A business impact analysis's four impact levels.
                            "ImpactLevelEnum": "borough.continuity.models.Level"},
}

# --- Tables ---------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "borough/table.html"
DJANGO_TABLES2_PAGE_RANGE = 7

# --- Caches ---------------------------------------------------------------------
# Throttles (password-reset and email-change requests) count in the cache. The default,
# in-process memory, counts per server process; with several processes set CACHE_URL
# to a Redis database (Django's own Redis backend; redis-py is already installed).
CACHE_URL = env.get_str("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL, "KEY_PREFIX": "borough"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Demo -----------------------------------------------------------------------
BOROUGH_DEMO_PASSWORD = env.get_str("BOROUGH_DEMO_PASSWORD", "")
# Where people report an accessibility problem (the statement at /accessibility/).
ACCESSIBILITY_CONTACT = env.get_str("ACCESSIBILITY_CONTACT", "")

# --- LDAP / Active Directory (optional) -------------------------------------------
from borough.accounts.ldap_settings import configure as _configure_ldap  # noqa: E402

_configure_ldap(globals())

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": env.get_str("AXES_LOG_LEVEL", "WARNING")},
    },
}
