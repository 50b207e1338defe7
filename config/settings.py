"""Chanye settings: the only settings module, driven by environment variables.

SQLite (embedded, WAL) by default; PostgreSQL by setting DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("CHANYE_VAR_DIR", str(BASE_DIR / "var")))
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    # A per-installation key kept beside the embedded database, made on first start.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "chanye.core",
    "chanye.accounts",
    "chanye.audit",
    "chanye.industries",
    "chanye.organizations",
    "chanye.enterprises",
    "chanye.projects",
    "chanye.casework",
    "chanye.indicators",
    "chanye.targets",
    "chanye.economy",
    "chanye.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chanye.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chanye.accounts.middleware.SessionIdleMiddleware",
    "chanye.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "chanye.accounts.middleware.AccountPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "chanye.core.context_processors.navigation",
            ],
        },
    },
    {
        # The content of the deadline pages (chanye.core.jinja.render_page): templates/<app>/*.jinja
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "chanye.core.jinja.environment"},
    },
]

# Form widgets through Jinja2 (Django ships the same widget templates for it): a widget is a template
# render, a page has a dozen, and Jinja2 renders them at a fraction of the cost. Pages are Django templates,
# but for the deadline pages' content (the second engine above).
FORM_RENDERER = "django.forms.renderers.Jinja2"

# Databases: the embedded SQLite file unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server, and a statement a connection has run `DB_PREPARE_THRESHOLD` times
        # prepared (every page's session, user and filing reads): parsed and planned once, not per request.
        # Django leaves psycopg's preparing off for connection poolers; behind one in transaction mode
        # (PgBouncer before 1.21), set DB_PREPARE_THRESHOLD=0.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = env_bool("DB_SERVER_SIDE_BINDING", True)
        options["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 5) or None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "chanye.sqlite3")),
            # Kept open between requests, as on PostgreSQL: opening one costs its pragmas and Django's
            # forty SQL functions registered again, more than a whole /healthz.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
                # BEGIN so concurrent writers wait on busy_timeout instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL", ""),
        }
    }

# Background tasks (imports) run by `manage.py db_worker` from the project's own database; tests and
# TASKS_IMMEDIATE=1 run them in the request instead.
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Uploaded files waiting for import, and their limits.
IMPORT_DIR = VAR_DIR / "imports"
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 100) * 2**20
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_100_000)

# Accounts and the 等保2.0 level 3 policies.
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2id (Django's recommended hasher: memory-hard, 100 MiB a hash) at half the CPU of PBKDF2's
# 1.5 million rounds — at a filing deadline thousands of enterprise users sign in within minutes. Hashes
# made by the others still verify and are rehashed with Argon2id at the user's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "chanye.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {
        "NAME": "chanye.accounts.passwords.PasswordHistoryValidator",
        "OPTIONS": {"keep": PASSWORD_HISTORY},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 90)  # 0 turns expiry off
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
# Django's database sessions and model backend, each read by one fixed statement (chanye.accounts.sessions).
SESSION_ENGINE = "chanye.accounts.sessions"
AUTHENTICATION_BACKENDS = ["chanye.accounts.sessions.UserBackend"]
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
# Idle timeout: a session ends this long after the latest request, give or take SESSION_REFRESH_SECONDS
# (chanye.accounts.middleware.SessionIdleMiddleware saves it at most that often, not on every page).
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "Chanye")
AUDIT_RETENTION_DAYS = max(180, env_int("AUDIT_RETENTION_DAYS", 180))
# Mail (filing reminders): printed to the console unless EMAIL_BACKEND names a real one (SMTP: EMAIL_HOST…).
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": SMTP_OPTIONS if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "chanye@localhost")

# Internationalisation: Chinese first, English switchable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

COCKPIT_WIDGET_SECONDS = env_int("COCKPIT_WIDGET_SECONDS", 8)  # each cockpit widget's server time budget

# Static files: ours in static/, third-party assets copied from node_modules into build/vendor at set-up.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "static"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "build" / "vendor")]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "chanye.core.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["chanye.core.api.HasPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "chanye.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chanye API",
    "DESCRIPTION": "产业 — the district industrial system platform. Token auth: `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui-dist",
    "SWAGGER_UI_FAVICON_HREF": "/static/css/favicon.svg",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EnterpriseStatusEnum": "chanye.enterprises.models.Status",
        "ImportJobStatusEnum": "chanye.enterprises.models.JobStatus",
        "CaseKindEnum": "chanye.casework.models.Kind",
        "CaseCategoryEnum": "chanye.casework.models.Category",
        "CaseStatusEnum": "chanye.casework.models.Status",
        "CaseEventKindEnum": "chanye.casework.models.EventKind",
        "ProjectCategoryEnum": "chanye.projects.models.Category",
        "ProjectStageEnum": "chanye.projects.models.Stage",
        "MilestoneKindEnum": "chanye.projects.models.MilestoneKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
