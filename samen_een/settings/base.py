"""Settings shared by every environment.

Everything that differs between machines comes from the environment through the one reader in
``environment.py``; ``dev.py``/``test.py`` give it defaults before importing this module.
"""

import datetime
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .environment import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("SECRET_KEY")
# Earlier keys, still accepted for signatures (sessions, reset links) while a rotation settles.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "accounts",
    "students",
    "audit",
    "audit_trail",
    "consent",
    "suppliers",
    "privacy_requests",
    "retention",
    "registers",
    "admissions",
    "onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "kernel.middleware.NoStoreMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of the login views and answers a lockout with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samen_een.urls"
WSGI_APPLICATION = "samen_een.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
# Every request is one transaction: an audit event of an allowed action commits with the
# action. Events of denied attempts are written after the rollback (audit.middleware).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Migrations run as the owner of the tables, the portal as a role that owns nothing (README,
# "Database roles"). Where DATABASE_OWNER_URL is set, this process connects as the owner and,
# after each migration, grants DATABASE_URL's role what the application needs
# (audit.database_roles). Set it for `manage.py migrate` only: the web server and the workers
# refuse to start with it (kernel.startup).
DATABASE_AS_OWNER = bool(env("DATABASE_OWNER_URL", default=""))
DATABASE_APP_ROLE = ""
if DATABASE_AS_OWNER:
    DATABASE_APP_ROLE = DATABASES["default"].get("USER", "")
    _app_database = DATABASES["default"]
    DATABASES["default"] = env.db("DATABASE_OWNER_URL")
    for _key in ("ATOMIC_REQUESTS", "CONN_MAX_AGE"):
        DATABASES["default"][_key] = _app_database[_key]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: the web server and the worker write one file at once.
    # - WAL: readers never wait for the writer, nor the writer for readers.
    # - IMMEDIATE: a transaction takes the write lock at BEGIN, where SQLite waits for it.
    #   A deferred one that has read and then writes fails at once with "database is
    #   locked" when another connection writes meanwhile, whatever the timeout; and every
    #   request is one transaction that reads (session, user) before it writes (an audit
    #   event). The price: requests, read-only ones too, run one after another with the
    #   worker's transactions. They are short (pages take tens of milliseconds; the jobs
    #   render and build files outside their transactions), so waiting is cheap.
    # - timeout (seconds): generous, so a long request or batch delays the other side
    #   instead of failing it.
    # synchronous stays FULL: a committed audit event must survive a power cut.
    # Options given in DATABASE_URL (?timeout=5) win.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses an account that is locked out from this address before checking anything.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# ASVS 2.1: at least 12 characters, long passphrases welcome (up to 128), no composition rules,
# not a common or breached password and not (like) the person's own name or email.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
LOGIN_URL = "accounts:login"
# Reset links work for two hours and only once (the token is void once the password changes).
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Staff MFA (TOTP with backup codes). On in production; the demo and the tests turn it off
# (tests that prove it turn it on). A staff member who enrolled is asked for a code anyway.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Samen Een portal")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
MFA_BACKUP_CODES = 10

# Login protection (django-axes): after AXES_FAILURE_LIMIT failures one account is locked
# from one network address for the cool-off time. Keyed on the pair, so a school's shared
# address never locks out everyone and an attacker elsewhere cannot lock out a parent.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "kernel.net.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # the audit trail records every login already
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends when it said it would
# Reverse proxies in front of the portal (production: one); their X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sessions: a new id at login (Django), ended server-side at logout, and timed out when idle
# and after an absolute maximum; shorter for staff, who see far more than one family's data.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = {"staff": 20 * 60, "guardian": 60 * 60}
SESSION_ABSOLUTE_TIMEOUT = {"staff": 10 * 60 * 60, "guardian": 24 * 60 * 60}
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT["guardian"]
SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def _duration(name: str, default: str) -> datetime.timedelta:
    """A duration from the environment: a number with m (minutes), h (hours) or d (days)."""
    raw = env(name, default=default).strip().lower()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if len(raw) < 2 or raw[-1] not in units or not raw[:-1].isdigit() or int(raw[:-1]) < 1:
        raise ValueError(f"{name} must be a number with m, h or d (such as 8h or 30d), not {raw!r}")
    return datetime.timedelta(**{units[raw[-1]]: int(raw[:-1])})


# API tokens (Authorization: Token ...) expire: soon for staff, who see far more than one
# family's data; later for guardians. A new login gives a new token.
API_TOKEN_TTL_STAFF = _duration("API_TOKEN_TTL_STAFF", "8h")
API_TOKEN_TTL_GUARDIAN = _duration("API_TOKEN_TTL_GUARDIAN", "30d")

# django-guardian: no anonymous user row, direct foreign-key permission tables only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Every private file (access packages, exports, uploads, agreements) is encrypted with
    # FIELD_ENCRYPTION_KEYS before it reaches the "default" storage, whatever that backend is.
    "sealed": {
        "BACKEND": "kernel.sealed_files.SealedStorage",
        "OPTIONS": {"inner": "default"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Sealed fields (BSN, care data, religion): MultiFernet keys, newest first, comma separated.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
# Key for the keyed hash that lets the sealed BSN be looked up; never rotated with the above.
FIELD_HASH_KEY = env("FIELD_HASH_KEY")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@samen-een.example")
# The portal's own address, for links in emails sent by background jobs (invitations).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# An official newer EDEXML.types.variabel.xsd (the school years), used in place of the portal's
# update of it in students/edexml/schema/; empty: the shipped one.
EDEXML_VARIABLE_TYPES_FILE = env("EDEXML_VARIABLE_TYPES_FILE", default="")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kernel.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_email": env("LOGIN_THROTTLE_RATE", default="10/minute"),
        "login_address": env("LOGIN_ADDRESS_THROTTLE_RATE", default="600/minute"),
        "request_submit": env("REQUEST_SUBMIT_THROTTLE_RATE", default="10/hour"),
        "export": env("EXPORT_THROTTLE_RATE", default="20/hour"),
    },
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samen Een portal API",
    "DESCRIPTION": "Pupil administration with scoped access and an audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    # Every morning at 06:30 the board's privacy officer gets yesterday's denied access
    # attempts per school and role, so possible misuse is seen within a day.
    "audit-denied-digest": {
        "task": "audit_trail.tasks.denied_digest_send_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # Every afternoon guardians who have not answered this year's consent campaign get a
    # reminder, on the campaign's rhythm (every N days) and never after its lock date.
    "consent-campaign-reminders": {
        "task": "consent.tasks.campaign_reminders_task",
        "schedule": crontab(hour=16, minute=0),
    },
    # Monday morning the directors hear which processing agreements expire within 60 days.
    "suppliers-agreements-expiring": {
        "task": "suppliers.tasks.agreements_expiring_task",
        "schedule": crontab(day_of_week=1, hour=7, minute=0),
    },
    # Every working morning the school's handlers hear which privacy requests are overdue or
    # due within a week, so no request passes its legal deadline unnoticed.
    "privacy-requests-due-soon": {
        "task": "privacy_requests.tasks.requests_due_soon_task",
        "schedule": crontab(day_of_week="1-5", hour=7, minute=15),
    },
    # Every night just after midnight a scheduled school year is applied (from 1 August) and
    # teachers' periods are kept: substitutes' access ends by itself after their last day.
    "students-rollover-scheduled": {
        "task": "students.tasks.rollover_scheduled_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "students-teacher-periods": {
        "task": "students.tasks.teacher_periods_sync_task",
        "schedule": crontab(hour=0, minute=15),
    },
    # Every quarter of an hour: a reminder at 24 and 48 hours to decide on an open data
    # breach, so the 72-hour deadline to notify the Autoriteit Persoonsgegevens is kept.
    "registers-breach-reminders": {
        "task": "registers.tasks.breach_reminders_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every minute new access events are linked into the hash chain (audit.chain), in the
    # background so that recording a read never waits for a board-wide lock.
    "audit-seal": {
        "task": "audit.tasks.audit_seal_task",
        "schedule": crontab(minute="*"),
    },
    # Every night at 02:30 the enabled retention rules of each school run: data past its
    # period is deleted or anonymised, pupils under a legal hold are left alone.
    "retention-nightly": {
        "task": "retention.tasks.retention_nightly_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every hour the stored files of access packages and exports whose download period has
    # ended are deleted (the rows and their evidence stay), and so are EDEXML uploads that
    # waited more than a day for a confirmation that never came.
    "retention-stored-files-expire": {
        "task": "retention.tasks.stored_files_expire_task",
        "schedule": crontab(minute=20),
    },
    # Every hour the online applications whose e-mail address was not confirmed within the
    # link's 48 hours are deleted: they never counted, so the school keeps nothing of them.
    "admissions-unconfirmed-applications": {
        "task": "admissions.tasks.applications_unconfirmed_delete_task",
        "schedule": crontab(minute=40),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every attempt; the audit trail records them already.
    "loggers": {"axes": {"level": "ERROR"}},
}

# Headers: a strict Content-Security-Policy (no inline script or style anywhere), framing
# refused, no sniffing, the referrer kept in the house. HSTS and secure cookies: production.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        "manifest-src": [SELF],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "samen_een.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
