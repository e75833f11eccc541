"""HTTP layer. `create_app` (api/app.py) builds the Flask app; it starts no threads and no scheduler.

`create_app` is loaded on first use (a module `__getattr__`): `from api import create_app` works as
before, but a part of this package that needs no Flask app (the `lianban` command line,
api.gunicorn_conf) does not import Flask, every blueprint and every schema first. Each `lianban`
command that serves nothing starts about a second and a half sooner for it (the CLI tests spawn
dozens of them); `lianban run` and `lianban serve` load the app when they build it.
"""
from __future__ import annotations

import importlib

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        return importlib.import_module("api.app").create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
