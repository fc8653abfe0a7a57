"""Production WSGI serving through gunicorn's Python API (not Flask's development server)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for k, v in self.options.items():
            self.cfg.set(k, v)

    def load(self):
        from fhir_api import create_app
        app = create_app()
        # each worker builds its indexes before it takes requests, so none waits on a build
        app.extensions["kodebro.catalog"].warm()
        return app


def run(host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "keepalive": 5,
        "timeout": 120,
        "accesslog": None,
        "loglevel": "warning",
    }).run()
