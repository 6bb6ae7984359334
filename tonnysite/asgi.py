"""The ASGI entry point: starts the embedded PostgreSQL when it is the database in use, then serves."""

import os

from django.core.asgi import get_asgi_application

from tonnysite.db import embedded_server_ensure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tonnysite.settings.local")
embedded_server_ensure()
application = get_asgi_application()
