"""WSGI entry point for gunicorn: ``gunicorn service.platform.wsgi:app``."""

from service import create_app

app = create_app()
