"""One settings module, configured by the environment.

Defaults are safe for production (DEBUG off, secure cookies, a secret key required); `make demo`
and the tests switch on LIUYAN_DEBUG for local use.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("LIUYAN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("LIUYAN_DEBUG")

SECRET_KEY = os.environ.get("LIUYAN_SECRET_KEY", "")
# Set by liuyan/__main__.py for the commands that neither serve pages nor sign or encrypt
# anything (`liuyan help`, `check`, `insight …`), and removed for every other command.
SECRET_KEY_NOT_NEEDED = env_bool("LIUYAN_SECRET_KEY_NOT_NEEDED")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-LIUYAN_DEBUG"  # noqa: S105
    elif not SECRET_KEY_NOT_NEEDED:
        raise ImproperlyConfigured(
            "LIUYAN_SECRET_KEY is not set. Set it to a long random string in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set LIUYAN_DEBUG=1 for local development."
        )
    # Otherwise it stays empty, with no stand-in key: Django refuses every use of an empty
    # SECRET_KEY (sessions, signing), there is no field key to read or write personal data
    # with, and the deployment check liuyan.ops.E004 stops a web process from starting.

ALLOWED_HOSTS = env_list("LIUYAN_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("LIUYAN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "liuyan.accounts",
    "liuyan.directory",
    "liuyan.board",
    "liuyan.notifications",
    "liuyan.portal",
    "liuyan.desk",
    "liuyan.reports",
    "liuyan.channels",
    "liuyan.campaigns",
    # The demo world and load-test generator (commands only, no models).
    "liuyan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "liuyan.locale_middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: end idle staff sessions, insist on the second factor, then audit
    # what staff change (in that order, so a timed-out request is not audited as the user).
    "liuyan.accounts.middleware.StaffIdleTimeoutMiddleware",
    "liuyan.accounts.middleware.SecondFactorMiddleware",
    "liuyan.accounts.audit.AuditMiddleware",
]

ROOT_URLCONF = "liuyan.urls"
WSGI_APPLICATION = "liuyan.wsgi.application"

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
                "liuyan.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL 15 in production through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'liuyan.sqlite3'}",
        conn_max_age=int(os.environ.get("LIUYAN_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE makes writers queue for the
        # lock up front instead of failing halfway through a transaction. 8 kB pages (as in
        # PostgreSQL) only take effect when the file is created: with SQLite's default 4 kB a
        # message row (~2.5 kB with its search text) had a page nearly to itself, a third of
        # board_message was empty space, and a 50,000-message load wrote 13% more.
        "init_command": (
            "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("TEST", {})
    # CJK trigrams are empty unless the database ctype is UTF-8 (see DESIGN.md).
    DATABASES["default"]["TEST"].update({"TEMPLATE": "template0", "CHARSET": "UTF8"})

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering indexes' INCLUDE columns are a PostgreSQL speed-up; SQLite keeps the index
# without them, which is all it needs, so its warning (models.W040, printed by every migrate
# of a laptop install) says nothing an administrator can act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True  # stored in UTC, shown in Asia/Shanghai

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SESSION_COOKIE_SECURE = env_bool("LIUYAN_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("LIUYAN_SESSION_SECONDS", str(8 * 3600)))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("LIUYAN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("LIUYAN_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LIUYAN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = os.environ.get(
    "LIUYAN_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("LIUYAN_FROM_EMAIL", "liuyan@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIUYAN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives its logger a console handler too; without this every
        # line would print twice (once there, once through the root).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Where trained insight artefacts live (versioned files, loaded lazily).
LIUYAN_MODELS_DIR = Path(os.environ.get("LIUYAN_MODELS_DIR", VAR_DIR / "models"))

# --- sign-in and staff security (liuyan.accounts) -----------------------------------------
# Where SMS codes go: a dotted path to a class with send(phone, text) (see liuyan/accounts/sms.py).
# Development writes them to the log and var/sms-outbox.log; production must name a real
# gateway, otherwise sending fails loudly instead of pretending.
LIUYAN_SMS_BACKEND = os.environ.get(
    "LIUYAN_SMS_BACKEND",
    "liuyan.accounts.sms.DevelopmentSMSBackend"
    if DEBUG
    else "liuyan.accounts.sms.UnconfiguredSMSBackend",
)
# Staff sessions end after this many idle minutes; citizens keep SESSION_COOKIE_AGE.
LIUYAN_STAFF_IDLE_MINUTES = int(os.environ.get("LIUYAN_STAFF_IDLE_MINUTES", "30"))
# The header a trusted reverse proxy sets to the client address (e.g. X-Forwarded-For or
# X-Real-IP). Empty: use the socket address, since clients can forge any header.
LIUYAN_TRUSTED_PROXY_HEADER = os.environ.get("LIUYAN_TRUSTED_PROXY_HEADER", "")
# The name authenticator apps show next to the account.
LIUYAN_OTP_ISSUER = os.environ.get("LIUYAN_OTP_ISSUER", "liuyan")
# Failed sign-ins allowed per account AND address pair before that pair is locked for a while
# (see also the accounts block at the end: per account from unknown addresses, per address).
LIUYAN_SIGNIN_MAX_FAILURES = int(os.environ.get("LIUYAN_SIGNIN_MAX_FAILURES", "5"))
# Failures from one address (all accounts) after which it is slowed down, not blocked: an office
# or carrier NAT is one address for hundreds of people.
LIUYAN_SIGNIN_MAX_FAILURES_PER_IP = int(os.environ.get("LIUYAN_SIGNIN_MAX_FAILURES_PER_IP", "100"))
LIUYAN_SIGNIN_LOCK_MINUTES = int(os.environ.get("LIUYAN_SIGNIN_LOCK_MINUTES", "15"))
# SMS code requests allowed per IP address per hour (per number: 1 a minute, 10 a day).
LIUYAN_CODE_REQUESTS_PER_IP_HOUR = int(os.environ.get("LIUYAN_CODE_REQUESTS_PER_IP_HOUR", "20"))

# The public address of the site, for links in e-mails (e.g. https://liuyan.example.gov.cn).
# Mailbox intake (liuyan.channels.mailbox): the IMAP mailbox that `liuyan mailbox imap` and the
# read_mailbox task read, over TLS; mail larger than LIUYAN_MAILBOX_MAX_BYTES is quarantined unread.
LIUYAN_MAILBOX_HOST = os.environ.get("LIUYAN_MAILBOX_HOST", "")
LIUYAN_MAILBOX_PORT = int(os.environ.get("LIUYAN_MAILBOX_PORT", "993"))
LIUYAN_MAILBOX_USER = os.environ.get("LIUYAN_MAILBOX_USER", "")
LIUYAN_MAILBOX_PASSWORD = os.environ.get("LIUYAN_MAILBOX_PASSWORD", "")
LIUYAN_MAILBOX_FOLDER = os.environ.get("LIUYAN_MAILBOX_FOLDER", "INBOX")
LIUYAN_MAILBOX_CAFILE = os.environ.get("LIUYAN_MAILBOX_CAFILE", "")
LIUYAN_MAILBOX_MAX_BYTES = int(os.environ.get("LIUYAN_MAILBOX_MAX_BYTES", str(10 * 1024 * 1024)))

LIUYAN_SITE_URL = os.environ.get("LIUYAN_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# --- faults: outgoing mail server and delivery leases ---
# The SMTP server e-mail notifications go to (production), from the environment.
EMAIL_HOST = os.environ.get("LIUYAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("LIUYAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("LIUYAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LIUYAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LIUYAN_EMAIL_USE_TLS", False)
# Seconds a mail server may keep one connection step waiting. Django's default waits forever,
# and a worker stuck on a silent server would hold its deliveries until someone killed it.
EMAIL_TIMEOUT = int(os.environ.get("LIUYAN_EMAIL_TIMEOUT", "60"))
# A worker that claims a delivery holds it this long; past it, `liuyan tick` takes the delivery
# back (the worker is presumed dead) and sends it again. Keep it well above EMAIL_TIMEOUT so a
# slow but live worker is never doubled.
LIUYAN_DELIVERY_LEASE_SECONDS = int(os.environ.get("LIUYAN_DELIVERY_LEASE_SECONDS", "300"))
# Attempts per delivery (each claim is one); after the last one it is marked failed for good.
LIUYAN_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("LIUYAN_DELIVERY_MAX_ATTEMPTS", "3"))

# --- prod: production server, connection pool, operations app -----------------------------
# serve-prod, backup, restore and the start-up checks live in liuyan.ops.
INSTALLED_APPS += ["liuyan.ops"]


def postgres_pool_options() -> dict:
    """psycopg's pool, bounded per process: PostgreSQL sees at most processes x max_size.

    Each gunicorn worker, task worker and `liuyan tick` run is one process with its own pool; a
    request waits up to `timeout` seconds for a free connection instead of opening one more and
    running PostgreSQL out of connection slots (see docs/production.md, "Database connections").
    """
    return {
        "min_size": int(os.environ.get("LIUYAN_DB_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("LIUYAN_DB_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("LIUYAN_DB_POOL_TIMEOUT", "10")),
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "LIUYAN_DB_POOL", True
):
    # A pooled connection goes back to the pool at the end of each request; Django refuses a
    # pool with persistent connections, so a non-zero LIUYAN_CONN_MAX_AGE is a mistake to say.
    if int(os.environ.get("LIUYAN_CONN_MAX_AGE", "0")):
        raise ImproperlyConfigured(
            "LIUYAN_CONN_MAX_AGE must be 0 or unset while the PostgreSQL pool is on; "
            "set LIUYAN_DB_POOL=0 to use persistent connections (e.g. behind pgbouncer) instead."
        )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = postgres_pool_options()

# No JIT compilation: a page's queries are short, and any plan estimated above jit_above_cost
# paid about 112 ms of compiling (seen at 1M messages on the leader's overview), more than the
# query itself. LIUYAN_PG_JIT=1 turns it back on.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "LIUYAN_PG_JIT", False
):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

# --- accounts: lock-outs, field encryption, retention ---------------------------------------
# Failures of one account from all addresses it never signed in from, after which only its
# known addresses (a successful sign-in before) may still try: strangers cannot lock staff out.
LIUYAN_SIGNIN_MAX_FAILURES_PER_ACCOUNT = int(
    os.environ.get("LIUYAN_SIGNIN_MAX_FAILURES_PER_ACCOUNT", "20")
)
# A slowed address waits 1, 2, 4 … seconds after its last failure, at most this long.
LIUYAN_SIGNIN_SLOWDOWN_MAX_SECONDS = int(os.environ.get("LIUYAN_SIGNIN_SLOWDOWN_MAX_SECONDS", "60"))
# Keys for personal data at rest (TOTP secrets, phone numbers, names, contact details): key
# materials, newest first, comma-separated. Unset, SECRET_KEY is the one key: then changing
# SECRET_KEY makes the data unreadable, so production should set LIUYAN_FIELD_KEY explicitly.
# Rotate: put the new key first, run `liuyan reencrypt-fields`, then drop the old one.
# (No SECRET_KEY, for a command that needs none: no key at all, so encryption fails loudly.)
LIUYAN_FIELD_KEYS = [
    key.strip() for key in os.environ.get("LIUYAN_FIELD_KEY", "").split(",") if key.strip()
] or ([SECRET_KEY] if SECRET_KEY else [])
# Key material for the look-up hashes (HMAC-SHA256) of phone numbers; unset: the newest field
# key. `liuyan reencrypt-fields` recomputes the hashes after a change.
LIUYAN_FIELD_HASH_KEY = os.environ.get("LIUYAN_FIELD_HASH_KEY", "") or next(
    iter(LIUYAN_FIELD_KEYS), ""
)
# How long `liuyan tick` keeps things, in days. The audit trail is kept at least 183 days (six
# months); a smaller value stops start-up (system check accounts.E001).
LIUYAN_RETENTION_NOTIFICATION_DAYS = int(
    os.environ.get("LIUYAN_RETENTION_NOTIFICATION_DAYS", "180")
)
LIUYAN_RETENTION_SIGN_IN_DAYS = int(os.environ.get("LIUYAN_RETENTION_SIGN_IN_DAYS", "90"))
LIUYAN_RETENTION_DRAFT_DAYS = int(os.environ.get("LIUYAN_RETENTION_DRAFT_DAYS", "1"))
LIUYAN_RETENTION_AUDIT_DAYS = int(os.environ.get("LIUYAN_RETENTION_AUDIT_DAYS", "365"))

# --- intake: write-form tokens ---
# A write form (and its draft images) stays valid this long after it was shown; a resent form
# answers with its message for as long. `liuyan tick` deletes older tokens.
LIUYAN_FORM_TOKEN_HOURS = int(os.environ.get("LIUYAN_FORM_TOKEN_HOURS", "24"))

# --- inputs: ids kept within the database's range, and the Content-Security-Policy ---------
# liuyan.web's ready() makes `IN` lookups drop integers no column can hold (see
# liuyan/web/inputs.py); csp adds django-csp's system checks.
INSTALLED_APPS += ["liuyan.web", "csp"]
# Right after SecurityMiddleware, so every answer (redirects and errors too) carries the header;
# then requests with a NUL character are refused with 400 (PostgreSQL cannot store U+0000).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "liuyan.web.middleware.RejectNullCharactersMiddleware",
)
# Every script and style is a file under /static/: no inline <script>, no on*= handlers, no
# <style> or style="" (htmx's injected indicator style is off, see base.html; the leader chart's
# ECharts tooltip is drawn on the canvas, since its HTML tooltip writes style attributes). Chart
# data travels in json_script's application/json blocks, which never run.
# tests/inputs/test_csp_browser.py loads every page type in Chromium and finds no violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- api: REST (Django REST framework + drf-spectacular) and Open311 -------------------------
INSTALLED_APPS += [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from the package (no CDN)
    "liuyan.api",
]
REST_FRAMEWORK = {
    # JSON only: DRF's browsable pages carry inline scripts the site's CSP refuses; the docs
    # page (Swagger UI) is the interactive view.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "liuyan.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["liuyan.api.auth.ScopeRequired"],
    "DEFAULT_THROTTLE_CLASSES": ["liuyan.api.throttling.KeyOrAddressThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "liuyan.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "liuyan API",
    "DESCRIPTION": (
        "Public read of messages (masked), replies, timelines, boards, units, regions, domains "
        "and figures; filing with Idempotency-Key; unit workflow and moderation with scoped "
        "keys. Errors are RFC 9457 problem details. See docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "liuyan.api.schema.add_problem_responses",
    ],
}
# Requests a minute: per API key, and per client address for callers without a key.
# Outside the NUL guard and CSRF, so that their refusals of an /api/ request become problems.
MIDDLEWARE.insert(
    MIDDLEWARE.index("liuyan.web.middleware.RejectNullCharactersMiddleware"),
    "liuyan.api.middleware.ApiProblemMiddleware",
)
LIUYAN_API_RATE_PER_KEY = int(os.environ.get("LIUYAN_API_RATE_PER_KEY", "600"))
LIUYAN_API_RATE_PER_ADDRESS = int(os.environ.get("LIUYAN_API_RATE_PER_ADDRESS", "120"))
# --- replicas: streaming read replicas for public pages, search and reports ----------------
# LIUYAN_REPLICA_URLS: comma-separated database URLs of PostgreSQL streaming replicas of the
# primary (DATABASE_URL). Each becomes an alias replica1 … replicaN; liuyan.web.dbrouter sends
# the reads of the pages in REPLICA_READ_VIEWS there, for the models of REPLICA_SAFE_APPS, and
# everything else to the primary. Unset (the default): everything on `default`.
REPLICA_URLS = env_list("LIUYAN_REPLICA_URLS")
# A replica further behind than this is skipped until it catches up.
LIUYAN_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("LIUYAN_REPLICA_MAX_LAG_SECONDS", "10"))
# Each process asks each replica for its lag at most this often (the answer is cached).
LIUYAN_REPLICA_CHECK_SECONDS = float(os.environ.get("LIUYAN_REPLICA_CHECK_SECONDS", "5"))
# The lag question gives up on a replica that does not answer within this many seconds.
LIUYAN_REPLICA_CONNECT_TIMEOUT = int(os.environ.get("LIUYAN_REPLICA_CONNECT_TIMEOUT", "2"))
# After a write (any request but GET/HEAD/OPTIONS) a browser reads only from the primary for
# this long: read-your-own-writes. Keep it above the largest lag you allow.
LIUYAN_REPLICA_STICKY_SECONDS = int(os.environ.get("LIUYAN_REPLICA_STICKY_SECONDS", "30"))
# Read-only pages whose reads may come from a replica (URL names). Public pages, search and the
# public reports only: staff desks, the write form and "my messages" read the primary.
REPLICA_READ_VIEWS = frozenset(
    {
        "portal:home",
        "portal:boards",
        "portal:board",
        "portal:board_feed",
        "portal:search",
        "portal:message",
        "reports:hot_public",
    }
)
# Apps whose tables those pages may read from a replica. Sessions, users and sign-in state,
# tasks and everything else stay on the primary (a session created a moment ago must be found).
REPLICA_SAFE_APPS = frozenset({"board", "directory", "reports"})
if REPLICA_URLS:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("LIUYAN_REPLICA_URLS needs a PostgreSQL DATABASE_URL.")
    for number, url in enumerate(REPLICA_URLS, start=1):
        replica = dj_database_url.parse(url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
        replica["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            **replica.get("OPTIONS", {}),
        }
        if "pool" in replica["OPTIONS"]:
            # A page waits at most this long for a replica connection before it fails over.
            replica["OPTIONS"]["pool"] = {
                **replica["OPTIONS"]["pool"],
                "timeout": LIUYAN_REPLICA_CONNECT_TIMEOUT,
            }
        # Tests create no database for a replica: it reads the test database.
        replica["TEST"] = {"MIRROR": "default"}
        DATABASES[f"replica{number}"] = replica
    DATABASE_ROUTERS = ["liuyan.web.dbrouter.ReplicaRouter"]
    # After authentication and its middleware, so they read sessions and users from the primary.
    MIDDLEWARE.append("liuyan.web.dbrouter.ReplicaReadMiddleware")
