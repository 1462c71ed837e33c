"""The benchmarks' throwaway database: shared by the scripts in this folder."""

import os
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit


def prepare_database(name):
    """Point DATABASE_URL at a throwaway database ``name`` (PostgreSQL) or a temporary SQLite file.

    Call before ``django.setup()``; returns (description, cleanup).
    """
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import psycopg2

        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))

        def run(sql):
            connection = psycopg2.connect(admin_url)
            connection.autocommit = True
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql)
            finally:
                connection.close()

        run(f'DROP DATABASE IF EXISTS "{name}"')
        run(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

        def cleanup():
            from django.db import connections

            connections.close_all()
            run(f'DROP DATABASE IF EXISTS "{name}"')

        return f"PostgreSQL ({parts.hostname}, Datenbank {name})", cleanup
    if url and not url.startswith("sqlite"):
        sys.exit(f"DATABASE_URL wird nicht unterstützt: {url.split(':', 1)[0]} (nur SQLite und PostgreSQL)")
    directory = tempfile.TemporaryDirectory(prefix="foerderportal-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory.name}/bench.sqlite3"

    def cleanup():
        from django.db import connections

        connections.close_all()
        directory.cleanup()

    return "SQLite (temporäre Datei)", cleanup
