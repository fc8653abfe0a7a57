"""Kodebro's FHIR R4 API: a Flask app over the terminology engine. FHIR base: /fhir."""
from __future__ import annotations

__version__ = "0.1.0"


def create_app(config: dict | None = None):
    """Build the app. `config` overrides settings (keys as in fhir_api.settings.SETTINGS)."""
    from flask import Flask

    from . import operations, outcomes, store
    from .render import fhir_response, negotiate, unsupported_format_text
    from .settings import load_settings

    app = Flask(__name__)
    app.config["KODEBRO"] = load_settings(config)
    from .params import MAX_BODY
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY    # refused (413) before the body is read into memory
    app.json.sort_keys = False
    # a client joining a base that ends in '/' with '/metadata' sends '//': served as one slash, where werkzeug
    # would answer a 308 with an HTML page
    app.url_map.merge_slashes = False
    app.wsgi_app = _one_slash(app.wsgi_app)
    store.init_app(app)
    outcomes.init_app(app)
    _load_operation_modules()

    from .batch import bp as batch_bp
    from .metadata import bp as metadata_bp
    from .resources import bp as resources_bp
    from .site import bp as site_bp
    app.register_blueprint(metadata_bp, url_prefix="/fhir")
    app.register_blueprint(batch_bp, url_prefix="/fhir")
    app.register_blueprint(operations.bp, url_prefix="/fhir")
    app.register_blueprint(resources_bp, url_prefix="/fhir")
    from .opdefs import bp as opdefs_bp
    app.register_blueprint(opdefs_bp, url_prefix="/fhir")
    from .ops_closure import bp as closure_bp       # [base]/$closure: a system-level operation
    app.register_blueprint(closure_bp, url_prefix="/fhir")
    app.register_blueprint(site_bp)
    from .health import bp as health_bp
    app.register_blueprint(health_bp)
    _init_http_headers(app)

    from flask import request

    @app.before_request
    def _negotiate():
        if request.path.startswith("/fhir"):
            bad = negotiate()
            if bad:
                from .outcomes import issue, operation_outcome
                return fhir_response(operation_outcome([issue(
                    "error", "not-supported",
                    unsupported_format_text(bad))]), 406)
        return None

    if app.config["KODEBRO"]["METRICS"]:
        # off: prometheus_client is not imported and no hook runs
        from . import metrics
        metrics.init_app(app)
    return app


def _init_http_headers(app) -> None:
    """Request ids on every response; Allow on OPTIONS and 405; CORS only when origins are configured (no hooks
    otherwise)."""
    from .http_headers import RequestIds, init_allow, init_cors, parse_origins
    app.wsgi_app = RequestIds(app.wsgi_app)
    init_allow(app)
    origins = parse_origins(app.config["KODEBRO"].get("CORS_ORIGINS", ""))
    if origins:
        init_cors(app, origins)


def _load_operation_modules():
    import importlib
    import pkgutil
    import os
    here = os.path.dirname(__file__)
    for m in pkgutil.iter_modules([here]):
        if m.name.startswith("ops_"):
            importlib.import_module(f"{__name__}.{m.name}")


def _one_slash(wsgi_app):
    import re
    runs = re.compile(r"//+")

    def serve(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = runs.sub("/", path)
        return wsgi_app(environ, start_response)
    return serve
