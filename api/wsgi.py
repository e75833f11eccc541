"""WSGI entry point for production: `gunicorn api.wsgi:app` (run `lianban worker` beside it)."""
from api import create_app

app = create_app()
