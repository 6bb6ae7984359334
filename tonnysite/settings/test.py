"""Settings for the test suite: fast hashing, a small pool, the same PostgreSQL."""

from tonnysite.settings.base import *  # noqa: F403
from tonnysite.settings.base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105  (tests only)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["OPTIONS"]["pool"].update(min_size=1, max_size=20)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 3

# Parallel workers on one server each need their own test database.
DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME", default=None)
# Serve static files from the finders; the suite never runs collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
