"""The home configuration (`make run`): a parent's own machine, plain HTTP on localhost.

DEBUG is off unless asked for (`DEBUG=1 make run`): an error shows the admin-styled error
page, never Django's debug page with local variables. Static files come from whitenoise.
"""

from tonnysite.settings.base import *  # noqa: F403
from tonnysite.settings.base import env

DEBUG = env.bool("DEBUG", default=False)
# A stable key for local use only; production refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="local-only-not-secret-tonnytray-family-admin-key")  # noqa: S105
