"""Say which PostgreSQL the project uses (manage.py has started the embedded one if that is the one)."""

from django.core.management.base import BaseCommand
from django.db import connection

from tonnysite.env import database_source, environment


class Command(BaseCommand):
    help = "Print which PostgreSQL server the project is using and where its data lives."

    def handle(self, *args, **options):
        settings_dict = connection.settings_dict
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version'), current_setting('data_directory', true)")
            version, data_directory = cursor.fetchone()
        source = database_source(environment())
        where = settings_dict["HOST"] or "local socket"
        self.stdout.write(f"database: {source} PostgreSQL {version} at {where}, database {settings_dict['NAME']}")
        if data_directory:
            self.stdout.write(f"data: {data_directory}")
