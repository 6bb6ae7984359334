"""Settings shared by every environment; values come from the environment (see .env.example).

Importing the settings only reads the environment: it starts no server and creates no file.
With no database configured, DATABASES describes the embedded PostgreSQL under var/ and
TONNY_EMBEDDED_VAR_DIR names that directory; the entry points that need the database
(manage.py, tonnysite.wsgi, tonnysite.asgi, the test session, bench/) start it with
`tonnysite.db.embedded_server_ensure()` before Django connects.
"""

from datetime import timedelta

from django.utils.csp import CSP

from tonnysite.env import BASE_DIR, database_settings, embedded_var_dir, environment, host_time_zone

env = environment()

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
# "home" (a parent's machine, `make run`) or "server" (production settings): commands that
# write sample or synthetic data refuse a server unless given --force.
TONNY_DEPLOYMENT = "home"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The family's zone: statistics days, limits and allowed hours are local to it. Unset, the
# host's own zone (a family's `make run` lives where its machine does), never UTC by default.
TIME_ZONE = env.str("TIME_ZONE", default="") or host_time_zone()
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True
# The family's one way of writing days and times ("Thu 3 Dec 2026, 14:05"): tonnysite/formats/en/formats.py.
# Not DATE_FORMAT here: with USE_I18N on, Django's English formats would win over it.
FORMAT_MODULE_PATH = "tonnysite.formats"

INSTALLED_APPS = [
    "tonnysite.familyadmin.apps.FamilyAdminConfig",  # django.contrib.admin with the family site
    "tonnysite.familyadmin.apps.LoginsConfig",  # django.contrib.auth, named "Logins and groups"
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "tonnysite.familyadmin.apps.SignInAttemptsConfig",  # axes, named "Sign-in attempts"
    # The family's apps, bottom to top: each imports only those above it in this list
    # (docs/architecture.md; tests/test_layers.py holds the order).
    "history",  # the change history: triggers that know the tables by name
    "profiles",  # members, roles, PINs and logins
    "telemetry",  # settings, system events, the notification queue and its delivery
    "notify",  # how members are told: their channels (Apprise addresses) and every delivery
    "activity",  # what members said and did: logs, sessions, statistics
    "quickactions",  # command macros, edited in bulk
    "parental",  # the family's rules, the policy decision, pause, calendar, asking a parent
    "dashboard",  # the family dashboard and exports
    "trayapi",  # the tray's JSON API (/api/v1/) and device tokens: translates HTTP
    "procrastinate.contrib.django",  # background jobs in PostgreSQL (operations.tasks)
    "operations",  # roles, backups, health, retention and the scheduled jobs
    "household",  # last: writes sample and synthetic data, nothing imports it
]

MIDDLEWARE = [
    # First: whatever answers an /api/ request with an error below it, the tray gets JSON.
    "tonnysite.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: changes a request makes are recorded as the signed-in login's.
    "history.middleware.ChangeActorMiddleware",
    # After authentication (its 400 page is in the admin's look), before any view reads input.
    "tonnysite.middleware.BadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Must stay last: it turns axes' lockout into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tonnysite.urls"
WSGI_APPLICATION = "tonnysite.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tonnysite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {"default": database_settings(env)}
# Where the embedded server keeps its data when it is the database in use (None otherwise).
TONNY_EMBEDDED_VAR_DIR = embedded_var_dir(env)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "tonnysite" / "static"]  # the site's own files, beside its templates
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Operations: where `tonny_backup` and the nightly backup job write, and how many nightly ones stay.
TONNY_BACKUP_DIR = env.path("TONNY_BACKUP_DIR", default=str(BASE_DIR / "var" / "backups"))
TONNY_BACKUPS_KEPT = env.int("TONNY_BACKUPS_KEPT", default=7)
# Where the nightly purge archives what it deletes (one .csv.gz per table and month); unset, it only deletes.
TONNY_PURGE_ARCHIVE_DIR = env.str("TONNY_PURGE_ARCHIVE_DIR", default="")

# Secrets at rest (notification channels' addresses): Fernet keys, the first encrypts, all decrypt
# (tonnysite.secret_box); unset, one key is derived from SECRET_KEY.
TONNY_SECRET_KEYS = env.list("TONNY_SECRET_KEYS", default=[])
# The address parents open the site at, for the links in what is sent to their phones.
TONNY_SITE_URL = env.str("TONNY_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# E-mail (the weekly report) with Django 6.1's MAILERS, from EMAIL_URL as django-environ reads it:
# smtp://host:25, smtp+tls://user:password@host:587, smtp+ssl://… or consolemail://. Unset, mail is
# printed on the console (the worker's log), so a home without a mail server loses nothing but the copy.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = {"host": "EMAIL_HOST", "port": "EMAIL_PORT", "username": "EMAIL_HOST_USER"}
_email_options |= {"password": "EMAIL_HOST_PASSWORD", "use_tls": "EMAIL_USE_TLS", "use_ssl": "EMAIL_USE_SSL"}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {option: _email[key] for option, key in _email_options.items() if _email.get(key) not in (None, "")},
    }
}
if _email["EMAIL_BACKEND"].endswith(".smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"]["timeout"] = 20  # seconds: a silent server must not hold the worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TonnyTray <tonnytray@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background jobs (Procrastinate). A worker that starts after the machine slept through a
# scheduled time still runs that task once (the latest missed time, up to a month back).
PROCRASTINATE_PERIODIC_DEFAULTS = {"max_delay": 31 * 24 * 3600}

# Login hardening: lock a username from an address out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "pin"]

# Django's built-in Content Security Policy: only our own scripts, styles and images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}, "nowhere": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Procrastinate announces every task it registers at INFO, in every manage.py command.
    # Apprise may name a channel's address (which holds its token) in what it logs: never to our
    # logs; notify.delivery captures what a send says and masks the address before keeping it.
    "loggers": {
        "axes": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        "apprise": {"handlers": ["nowhere"], "propagate": False, "level": "WARNING"},
        # urllib3 (under Apprise) names the address's path, which may hold a token, in its debug lines.
        "urllib3": {"handlers": ["nowhere"], "propagate": False, "level": "ERROR"},
    },
}
