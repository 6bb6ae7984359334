"""Settings for a family server reached over HTTPS."""

from tonnysite.settings.base import *  # noqa: F403
from tonnysite.settings.base import env

DEBUG = False
TONNY_DEPLOYMENT = "server"
# No defaults here: a server must be told its key and the names it answers to.
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# A family server sends its mail (the weekly report): through the SMTP server on this machine unless
# EMAIL_URL names another; the console backend of a home install is not for a server.
if not env.str("EMAIL_URL", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25, "timeout": 20},
        }
    }
