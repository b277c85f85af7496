"""WSGI entry point: `flask --app wsgi run`, or `gunicorn wsgi:app` in production."""

from app import create_app, freeze_startup_objects

app = create_app()
freeze_startup_objects()  # each gunicorn worker imports this module: the freeze happens in the worker
