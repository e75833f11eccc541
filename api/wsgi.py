"""WSGI entry point for production: `lianban serve` (gunicorn with api/gunicorn_conf.py), or
`gunicorn -c api/gunicorn_conf.py api.wsgi:app`; run `lianban worker` beside it for timers."""
from api import create_app

app = create_app()
