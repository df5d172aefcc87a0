"""WSGI entry point: `gunicorn wsgi:app`."""

from tumorboard import create_app

app = create_app()
