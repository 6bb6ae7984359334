"""Settings for a parent's own machine (`make run`)."""

from tonnysite.settings.base import *  # noqa: F403
from tonnysite.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# A stable key for local use only; production refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="local-only-not-secret-tonnytray-family-admin-key")  # noqa: S105
