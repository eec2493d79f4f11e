"""Solidaire settings: one module, driven by environment variables.

The defaults run the Capitale-Nationale demo on SQLite on a developer's
machine. Production (``DEBUG=false``) refuses to start with an unsafe
configuration. Every variable is parsed strictly: a value that cannot be read
is an error at start-up, never a silent default.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_INSECURE_KEY = "solidaire-development-key-not-for-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG=false."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host when DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # django-ninja serves its Swagger UI assets from here, not from a CDN.
    "ninja",
    # Sign-up, e-mail verification, login by e-mail or username, password
    # reset and e-mail change (templates in solidaire/templates/account/).
    "allauth",
    "allauth.account",
    # Before django_tasks_db: its `db_worker` command is Solidaire's (retries,
    # heartbeat, recovery of tasks a stopped worker left running).
    "solidaire.common",
    # The task queue's table, read by `manage.py db_worker`.
    "django_tasks_db",
    "solidaire.accounts",
    "solidaire.documents",
    "solidaire.audit",
    "solidaire.programmes",
    "solidaire.calls",
    "solidaire.ledger",
    "solidaire.applications",
    "solidaire.reviews",
    "solidaire.committee",
    "solidaire.agreements",
    "solidaire.exchanges",
    "solidaire.selection",
    "solidaire.reporting",
    "solidaire.api",
    "solidaire.demo",
]

MIDDLEWARE = [
    # First, so that its line covers every other middleware's time and answer.
    "solidaire.common.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are served by runserver while developing, by WhiteNoise
    # (from STATIC_ROOT, after collectstatic) in production.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "solidaire.common.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "solidaire.common.middleware.RefusalMiddleware",
    # A database that does not answer becomes a plain 503 page (see the module).
    "solidaire.common.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "solidaire.urls"
WSGI_APPLICATION = "solidaire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "solidaire" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "solidaire.context_processors.navigation",
            ],
            "builtins": ["solidaire.common.templatetags.solidaire"],
        },
    }
]

# SQLite by default so that one command runs everything on a fresh machine.
# IMMEDIATE transactions take the write lock at BEGIN: two requests that both
# read the ledger and then commit money cannot interleave (the SQLite
# counterpart of select_for_update on PostgreSQL).
_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# Backups serialize instants whole (Django's JSON rounds them to the millisecond).
SERIALIZATION_MODULES = {"exactjson": "solidaire.common.exactjson"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # Login by e-mail address as well as by username.
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth). A person signs up with an e-mail address that
# must be verified before the first login; login takes the address or the
# username. Login and password reset never tell whether an account exists;
# sign-up does, because a person who already has an account (created by a
# colleague or an administrator) must learn to sign in instead, and the
# sign-up rate limit bounds what a prober can learn.
ACCOUNT_ADAPTER = "solidaire.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "solidaire.accounts.forms.LoginForm",
    "signup": "solidaire.accounts.forms.SignupForm",
    "add_email": "solidaire.accounts.forms.AddEmailForm",
    "reset_password": "solidaire.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "solidaire.accounts.forms.ResetPasswordKeyForm",
    "change_password": "solidaire.accounts.forms.ChangePasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Solidaire] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's rate limits (failed logins, sign-ups, password resets, e-mails
# sent) stay on. They count in the cache: the default memory cache is per
# process, which suits one server process; several processes or servers
# need a shared cache, e.g. CACHE_TABLE=solidaire_cache (Django's database
# cache, created by `manage.py createcachetable`).
_cache_table = env_str("CACHE_TABLE", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": _cache_table}
        if _cache_table
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Django's checks of a new password: not too close to the person's name or
# address, at least 8 characters, not a common password, not only digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first; English complete. Instants are stored in UTC and shown in
# Québec's time zone.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "solidaire" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Toronto"
FORMAT_MODULE_PATH = ["solidaire.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded documents: outside every folder a web server serves (static and
# media), read back only through views that check access. An S3-compatible
# store (django-storages) replaces it by changing STORAGES["private"] only.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()) or (
    PRIVATE_MEDIA_ROOT.resolve().is_relative_to(Path(STATIC_ROOT).resolve())
):
    raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT must lie outside MEDIA_ROOT and STATIC_ROOT.")
# PRIVATE_STORAGE=s3 keeps them in a bucket of an S3-compatible store
# instead (django-storages and boto3): PRIVATE_S3_BUCKET, PRIVATE_S3_ENDPOINT_URL
# (empty for AWS), PRIVATE_S3_REGION, PRIVATE_S3_ACCESS_KEY_ID and
# PRIVATE_S3_SECRET_ACCESS_KEY (or their _FILE), PRIVATE_S3_PREFIX. Objects are
# written private (no public ACL) and every link the store could make is
# signed and short-lived; the site itself never hands one out.
_private_storage_kind = env_str("PRIVATE_STORAGE", "filesystem")
_private_storage: dict[str, object]
if _private_storage_kind == "filesystem":
    _private_storage = {
        "BACKEND": "solidaire.documents.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    }
elif _private_storage_kind == "s3":
    _bucket = env_str("PRIVATE_S3_BUCKET", "")
    if not _bucket:
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 needs PRIVATE_S3_BUCKET.")
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env_str("PRIVATE_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("PRIVATE_S3_REGION", "") or None,
            "access_key": env_str("PRIVATE_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("PRIVATE_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("PRIVATE_S3_PREFIX", "private").strip("/"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "custom_domain": None,
        },
    }
else:
    raise ImproperlyConfigured(
        f"PRIVATE_STORAGE={_private_storage_kind!r} is not filesystem or s3."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A file past UPLOAD_MAX_BYTES is dropped while it arrives, not kept whole.
FILE_UPLOAD_HANDLERS = [
    "solidaire.documents.uploadhandler.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    # A large file goes to a temporary file; a full disk there is refused
    # like any file, not answered with a server error.
    "solidaire.documents.uploadhandler.TemporaryFileOrErrorUploadHandler",
]
# Size limits of uploaded documents, in bytes: one file, and all the files
# of one proposal together.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
PROPOSAL_UPLOADS_MAX_BYTES = env_int("PROPOSAL_UPLOADS_MAX_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail. While developing, every message is printed to the console and
# written as a file under var/mail/ (a newcomer follows the verification link
# from there, without a mail server). Otherwise SMTP, from EMAIL_URL
# (smtp://user:password@host:25, smtp+tls:// for STARTTLS, smtps:// for TLS)
# or from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS and EMAIL_USE_SSL. EMAIL_BACKEND names another backend.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_DEV_EMAIL_BACKEND = "solidaire.common.mail.ConsoleAndFileEmailBackend"
_email_file_path = Path(env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail")))
_SMTP_SCHEMES = {"smtp": (False, False), "smtp+tls": (True, False), "smtps": (False, True)}


def smtp_options_from_url(url: str) -> dict[str, object]:
    """SMTP options from EMAIL_URL; anything that cannot be read is an error."""
    parts = urlsplit(url)
    if parts.scheme not in _SMTP_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtp+tls:// or smtps:// (not {parts.scheme!r})."
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from exc
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must name the SMTP host.")
    if parts.query and set(parse_qs(parts.query)) - {"timeout"}:
        raise ImproperlyConfigured("EMAIL_URL accepts only the timeout parameter.")
    use_tls, use_ssl = _SMTP_SCHEMES[parts.scheme]
    timeout_values = parse_qs(parts.query).get("timeout", ["10"])
    try:
        timeout = int(timeout_values[0])
    except ValueError as exc:
        raise ImproperlyConfigured("EMAIL_URL's timeout is not a number of seconds.") from exc
    return {
        "host": parts.hostname,
        "port": port or (465 if use_ssl else 587 if use_tls else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": timeout,
    }


def smtp_options_from_variables() -> dict[str, object]:
    use_tls = env_bool("EMAIL_USE_TLS", False)
    use_ssl = env_bool("EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
    return {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 465 if use_ssl else 587 if use_tls else 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }


_email_url = env_str("EMAIL_URL", "")
_smtp_configured = bool(_email_url or os.environ.get("EMAIL_HOST"))
_email_backend = env_str(
    "EMAIL_BACKEND", _SMTP_BACKEND if _smtp_configured or not DEBUG else _DEV_EMAIL_BACKEND
)
_email_options: dict[str, object] = {}
if _email_backend == _SMTP_BACKEND:
    _email_options = (
        smtp_options_from_url(_email_url) if _email_url else smtp_options_from_variables()
    )
elif _email_backend in (_DEV_EMAIL_BACKEND, "django.core.mail.backends.filebased.EmailBackend"):
    _email_options = {"file_path": str(_email_file_path)}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Solidaire <solidaire@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Background work (e-mails, PDFs, exports) goes through Django's tasks
# framework. TASKS_BACKEND=database (the default when DEBUG=false) keeps each
# task as a row consumed by `manage.py db_worker` (django-tasks-db): it
# outlives a restart, a failed attempt is tried again up to
# TASKS_MAX_ATTEMPTS times (waiting TASKS_RETRY_DELAY seconds, doubled at each
# attempt), and a task that failed for good stays in the admin with its error,
# ready to be retried. TASKS_BACKEND=immediate (the default while developing,
# and in the tests) runs a task inside the request that queues it.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "dummy": "django.tasks.backends.dummy.DummyBackend",
}
_tasks_backend = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={_tasks_backend!r} is not one of {', '.join(sorted(_TASK_BACKENDS))}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5)
TASKS_RETRY_DELAY = env_int("TASKS_RETRY_DELAY", 30)
if TASKS_MAX_ATTEMPTS < 1 or TASKS_RETRY_DELAY < 0:
    raise ImproperlyConfigured("TASKS_MAX_ATTEMPTS must be 1 or more, TASKS_RETRY_DELAY 0 or more.")
# The worker writes a heartbeat every WORKER_HEARTBEAT seconds; /readyz wants
# one from the last minute, and a task whose worker has been silent for
# WORKER_LOST_AFTER seconds is put back in the queue.
WORKER_HEARTBEAT = env_int("WORKER_HEARTBEAT", 10)
WORKER_LOST_AFTER = env_int("WORKER_LOST_AFTER", 60)

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Logs go to the standard error. LOG_FORMAT=json (the default when
# DEBUG=false) writes one JSON object a line, for a log collector; a line per
# request (with its X-Request-ID) and per task run comes from the loggers
# solidaire.request and solidaire.task, at INFO when ACCESS_LOG is on.
_log_format = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if _log_format not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={_log_format!r} is not json or text.")
_access_log = "INFO" if env_bool("ACCESS_LOG", not DEBUG) else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "solidaire.common.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _log_format}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "solidaire.request": {"level": _access_log},
        "solidaire.task": {"level": _access_log},
        "solidaire.worker": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
    },
}
