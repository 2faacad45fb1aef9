"""Settings for Activity.Cr case desk.

One file. Every difference between a developer's laptop and production comes from the
environment (see docs/operations.md, "Configuration"); the defaults are safe for development and a
bad value stops the start-up with a message naming the variable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from activitycr.env import env_bool, env_int, env_int_list, env_list, env_str
from activitycr.security import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("ACTIVITYCR_DATA_DIR", str(BASE_DIR / "data")))

# --- Mode -------------------------------------------------------------------------------
# PRODUCTION=true is the one switch that turns on every hardening setting below.
PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG=true is not allowed with PRODUCTION=true.")
# The developer tools (demo data and logins, benchmarks, screenshots, demo_totp) are
# installed everywhere but in production, where their commands do not even exist: the demo
# logins have a public password and the benchmarks flush the data.
DEVTOOLS = env_bool("ACTIVITYCR_DEVTOOLS", not PRODUCTION)
if PRODUCTION and DEVTOOLS:
    raise ImproperlyConfigured("ACTIVITYCR_DEVTOOLS=true is not allowed with PRODUCTION=true.")

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-activitycr-0000000000000000"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production.")
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the app answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Key for the pseudonymous ids of record-level exports; separate from SECRET_KEY so that
# rotating one does not change the other.
PSEUDONYM_KEY = env_str("PSEUDONYM_KEY", SECRET_KEY)

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    "activitycr.admin_site.CaseDeskAdminConfig",  # django.contrib.admin, POST autocomplete
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "sportelli",
    "casework",
    "followup",
    "reports",
    "privacy",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "audit",
    "twofactor",
    "agenda",
    "django_tasks",
    "django_tasks_db",
    "activitycr",  # system checks of the deployment (activitycr/checks.py)
]
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "activitycr.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "twofactor.middleware.RequireTwoFactorMiddleware",
    "audit.middleware.AuditActorMiddleware",
    "audit.reads.ReadAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "twofactor.pending.PendingFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "activitycr.urls"
WSGI_APPLICATION = "activitycr.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite in ./data by default; PostgreSQL with DATABASE_URL=postgres://user@host:5432/name
_default_sqlite = f"sqlite:///{DATA_DIR / 'activitycr.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_sqlite)
if not _database_url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres://, got {_database_url.split(':')[0]}://"
    )
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # cache_size: 64 MiB of pages a connection (SQLite's default is 2 MiB), taken as
        # needed: a large import's inserts into the audit trail's indexes stay in memory.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA cache_size=-65536;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding (psycopg 3): the statement text reaches PostgreSQL with
    # $1, $2... and the values travel apart, so a statement the server logs (an error, a
    # slow query) carries no personal data (security review M9; activitycr/checks.py warns
    # when the server's own settings would still log values).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (django-tasks, the backport of Django 6's django.tasks): the queue is a
# table of the app's own database, so SQLite in development and PostgreSQL in production
# need no other service. `manage.py db_worker` runs it (`make run` starts one beside the
# web server); several workers on several machines share one PostgreSQL queue, each row
# claimed with SELECT ... FOR UPDATE SKIP LOCKED. docs/operations.md, "Background worker".
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # "imports": the background imports (casework/tasks.py); their worker reads the
        # uploaded files, so it must see IMPORT_TMP_DIR (docs/administration.md).
        "QUEUES": ["default", "imports"],
    }
}

# --- Auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after_login"  # by role: casework/views/desk.py
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an inactivity timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login protection (docs/data-protection.md). django-axes locks a username *from one
# address* after LOGIN_FAILURE_LIMIT failures, for LOGIN_COOLOFF_MINUTES: one person's typos
# do not lock a whole office, and a guesser cannot lock out someone else from elsewhere.
# On top of it (twofactor/lockout.py), LOGIN_ACCOUNT_FAILURE_LIMIT failures for one user name
# within LOGIN_ACCOUNT_WINDOW_MINUTES, from any addresses, lock that user name everywhere.
AUTHENTICATION_BACKENDS = [
    "twofactor.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "twofactor.lockout.AccountLockoutHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "activitycr.security.client_ip"
AXES_CLIENT_STR_CALLABLE = "activitycr.security.axes_client_str"
AXES_VERBOSE = False
AXES_COOLOFF_MESSAGE = _("Troppi tentativi di accesso non riusciti: riprovare più tardi.")
# One row per failed login (user name, address, time): what the per-account limit counts.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 50, minimum=1)
LOGIN_ACCOUNT_WINDOW = dt.timedelta(minutes=env_int("LOGIN_ACCOUNT_WINDOW_MINUTES", 60, minimum=1))
# The per-user cap of those rows must leave room for a whole window's failures.
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = max(1000, 2 * LOGIN_ACCOUNT_FAILURE_LIMIT)
# Behind the reverse proxy the client's address is the last X-Forwarded-For entry written by
# one of our proxies: the header counts only when the request comes from TRUSTED_PROXIES
# (addresses or networks; by default the proxy on this host, as in docs/operations.md).
BEHIND_PROXY = env_bool("BEHIND_PROXY", PRODUCTION)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as _exc:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXIES: {_exc}; list addresses or networks (10.0.0.0/8), comma-separated."
    ) from _exc
# Two-factor login (TOTP) for Ufficio di Piano staff and administrators.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
# Enrolment only with a one-time code an administrator hands out (twofactor.EnrolmentCode),
# valid for TWO_FACTOR_ENROLMENT_CODE_HOURS.
TWO_FACTOR_ENROLMENT_CODE_REQUIRED = env_bool("TWO_FACTOR_ENROLMENT_CODE_REQUIRED", False)
TWO_FACTOR_ENROLMENT_CODE_HOURS = env_int("TWO_FACTOR_ENROLMENT_CODE_HOURS", 72, minimum=1)
OTP_TOTP_ISSUER = "Activity.Cr"
# Audit trail (audit/trail.py): loading fixtures or restoring a dump is not a change made
# by a person, and must not add entries to a restored trail.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["activitycr.formats"]

# --- Static files (served by the app through WhiteNoise) --------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]  # (prefix, dir) too
_NODE = BASE_DIR / "node_modules"
for _prefix, _path in (
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/chartjs", _NODE / "chart.js" / "dist"),
    ("vendor/axe", _NODE / "axe-core"),
):
    if _path.is_dir():
        STATICFILES_DIRS.append((_prefix, _path))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Forms and imports ------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
from import_export.formats import base_formats as _formats  # noqa: E402

from activitycr import export_formats as _export_formats  # noqa: E402

IMPORT_EXPORT_USE_TRANSACTIONS = True
# No admin-log row per imported row: auditlog records each one with its actor, and the admin
# log would keep the names (security review M4; audit/adminlog.py names rows by id anyway).
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# django-import-export 4 wants the format classes themselves, not dotted paths. The xlsx
# format writes formula-like text with Excel's quote prefix; csv keeps the apostrophe.
IMPORT_EXPORT_FORMATS = [_export_formats.XLSX, _formats.CSV]
# Admin imports (casework/resources/files.py; docs/administration.md). The uploaded file
# waits for its confirmation in a private directory, and is swept after IMPORT_TMP_MAX_AGE.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 40 * 1024 * 1024, minimum=1)
IMPORT_MAX_XLSX_BYTES = env_int("IMPORT_MAX_XLSX_BYTES", 250 * 1024 * 1024, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_TMP_DIR = Path(env_str("IMPORT_TMP_DIR", str(DATA_DIR / "imports")))
IMPORT_TMP_MAX_AGE = env_int("IMPORT_TMP_MAX_AGE", 3600, minimum=60)
# An upload too large for memory (over FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) is spooled there
# too, not in the system's temporary directory, while its request runs.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "casework.resources.files.PrivateUploadHandler",
]
# A file with more rows than this is checked and imported by the background worker, with a
# progress bar, instead of inside the request (casework/importjobs.py).
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2000, minimum=0)

# --- The desks' own settings ------------------------------------------------------------
# An open case with no meeting for more than this many days is an overdue follow-up.
OVERDUE_FOLLOWUP_DAYS = env_int("OVERDUE_FOLLOWUP_DAYS", 30, minimum=1)
# GDPR retention: a person is anonymised this many years after their last case closed
# (`manage.py anonymise`); the statistics keep their figures.
RETENTION_YEARS = env_int("RETENTION_YEARS", 10, minimum=1)

# --- The follow-through: agenda, reminders ---------------------------------------------
# The clock of the agenda and the reminders (activitycr/clock.py): moved by this many days
# for a test or a demonstration; zero in production.
CLOCK_OFFSET = dt.timedelta(days=env_int("CLOCK_OFFSET_DAYS", 0))
# Reminders go out this many days before an appointment (with the person's consent), and a
# failed sending is tried again after these many minutes, one after the other.
REMINDER_DAYS_BEFORE = env_int_list("REMINDER_DAYS_BEFORE", [2, 1], minimum=1)
REMINDER_RETRY_MINUTES = env_int_list("REMINDER_RETRY_MINUTES", [5, 30, 120], minimum=1)
# SMS: a dotted path to a backend class (agenda/sms.py documents the interface). In
# development the console; the file backend writes one file per message to SMS_FILE_PATH.
SMS_BACKEND = env_str("SMS_BACKEND", "agenda.sms.ConsoleBackend")
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(DATA_DIR / "sms")))

# E-mail: real SMTP from the environment (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or EMAIL_USE_SSL). In development the messages are
# printed by the console backend unless EMAIL_BACKEND says otherwise (docs/operations.md).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Activity.Cr <activitycr@concass.it>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging: never personal data. Messages name ids, not people. -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_personal_data": {"()": "activitycr.security.PersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request errors carry the POST body and URL in their record: keep the status line only.
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["no_personal_data"],
        },
    },
}

# --- Production hardening ---------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's health check speaks plain HTTP
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
