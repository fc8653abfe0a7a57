"""Prometheus metrics at GET /metrics (outside the FHIR base, no auth, like /healthz), when KODEBRO_METRICS is on.

Off, nothing here is imported and no request pays for it. On, two request hooks count each answer by its
interaction and status and time it. Labels only take values from fixed sets (the interaction is worked out
from the route Flask matched and the operation names the server registers, never from the path), so a client
cannot grow the series by asking for made-up ids, codes or operations.

Under `kodebro serve` (gunicorn, several worker processes) prometheus_client runs in its multiprocess mode:
scripts/wsgi_server.py sets PROMETHEUS_MULTIPROC_DIR before anything imports prometheus_client, each worker
writes its numbers to its own files there, and a scrape sums them, whichever worker answers it. Without that
variable (the Flask test client, create_app in one process) the numbers are this process's own.
"""
from __future__ import annotations

import os
import time

from flask import Blueprint, Response, current_app, request

# 1 ms .. 10 s: a code lookup answers in about a millisecond, a large expansion or a batch in seconds
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# the text exposition format Prometheus scrapes by default
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_START = "kodebro.metrics.start"
EXTENSION = "kodebro.metrics"

# route endpoint -> interaction, for the routes whose interaction does not depend on the method
_BY_ENDPOINT = {
    "metadata.metadata": "metadata",
    "metadata.metadata_is_read_only": "metadata",
    "metadata.versions": "versions",
    "batch.batch": "batch",
    "resources.read": "read",
    "opdefs.read": "read",
    "resources.search": "search",
    "resources.search_by_post": "search",
    "resources.search_get_underscore": "search",
    "opdefs.search": "search",
    "resources.create": "create",
    "resources.update": "update",
    "resources.delete": "delete",
    "resources.history_not_supported": "history",
    "closure.system_level": "closure",
    "site.index": "site",
    "static": "site",
    "health.healthz": "health",
    "health.readyz": "health",
    "metrics.metrics": "metrics",
}
_BY_METHOD = {"GET": "read", "POST": "create", "PUT": "update", "DELETE": "delete"}
_OPERATION_ENDPOINTS = ("operations.type_level", "operations.instance_level", "operations.other_method")

bp = Blueprint("metrics", __name__)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """One app's metric objects; in multiprocess mode their values live in this process's files."""

    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
        # in multiprocess mode a scrape reads the files (exposition), not the objects: registering them would
        # only make a registry that nothing reads
        self.registry = CollectorRegistry()
        where = None if multiprocess_dir() else self.registry
        self.requests = Counter(
            "kodebro_http_requests", "HTTP requests answered by the app, by interaction and HTTP status.",
            ("interaction", "status"), registry=where)
        self.duration = Histogram(
            "kodebro_http_request_duration_seconds",
            "Time the app took to answer a request (its body ready), by interaction.",
            ("interaction",), buckets=DURATION_BUCKETS, registry=where)
        # a restarted worker's number is dropped (child_exit); the newest generation any live worker serves
        self.generation = Gauge(
            "kodebro_store_generation",
            "Store generation (each write, import or removal starts one) of the newest content a worker serves.",
            registry=where, multiprocess_mode="livemax")
        self.reloads = Counter(
            "kodebro_catalog_reloads",
            "Times a worker's catalog reloaded because the store changed (counted once per worker).",
            registry=where)
        # (interaction, status) -> the counter's child, and interaction -> the histogram's: labels() takes a lock
        # and builds a key on every call
        self._counted: dict = {}
        self._timed: dict = {}
        self._operations: frozenset | None = None

    def observe(self, interaction: str, status: int, seconds: float) -> None:
        key = (interaction, status)
        counter = self._counted.get(key)
        if counter is None:
            counter = self._counted[key] = self.requests.labels(interaction, str(status))
        counter.inc()
        timer = self._timed.get(interaction)
        if timer is None:
            timer = self._timed[interaction] = self.duration.labels(interaction)
        timer.observe(seconds)

    def operation_names(self) -> frozenset:
        # read once the ops_* modules have registered (create_app loads them before the first request)
        if self._operations is None:
            from .operations import OPERATIONS
            self._operations = frozenset(name for _rtype, name in OPERATIONS)
        return self._operations

    def catalog_reloaded(self, catalog, _before) -> None:
        self.reloads.inc()
        self.generation.set(catalog.generation or 0)

    def exposition(self) -> bytes:
        from prometheus_client import CollectorRegistry, generate_latest
        where = multiprocess_dir()
        if where is None:
            return generate_latest(self.registry)
        from prometheus_client.multiprocess import MultiProcessCollector
        # a new registry per scrape, as prometheus_client's multiprocess mode asks: the collector reads the
        # files of every worker, alive or gone, as they are now
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=where)
        return generate_latest(registry)


def interaction(metrics: Metrics, req) -> str:
    """The request's interaction, from the route it matched: one of a fixed set of names."""
    rule = req.url_rule
    if rule is None or req.method == "OPTIONS":     # no route matched (404, 405); a CORS preflight asks nothing
        return "other"
    endpoint = rule.endpoint
    known = _BY_ENDPOINT.get(endpoint)
    if known is not None:
        return known
    if endpoint in _OPERATION_ENDPOINTS:
        name = (req.view_args or {}).get("name")
        return name if name in metrics.operation_names() else "other"
    if endpoint == "metadata.operation_definition_is_read_only":
        return _BY_METHOD.get(req.method, "other")
    return "other"


def _started() -> None:
    request.environ[_START] = time.perf_counter()


def _answered(response):
    # the request itself, not its context-local proxy: each attribute read through the proxy looks it up again
    req = request._get_current_object()
    start = req.environ.get(_START)
    if start is not None:
        metrics = current_app.extensions[EXTENSION]
        metrics.observe(interaction(metrics, req), response.status_code, time.perf_counter() - start)
    return response


@bp.route("/metrics", methods=["GET"])
def metrics():
    return Response(current_app.extensions[EXTENSION].exposition(), content_type=CONTENT_TYPE)


def init_app(app) -> None:
    """Serve /metrics and count every request. Called only when KODEBRO_METRICS is on."""
    where = multiprocess_dir()
    if where and not os.path.isdir(where):
        # (kodebro serve makes it; a gunicorn of the operator's own does not)
        raise RuntimeError(f"PROMETHEUS_MULTIPROC_DIR={where} is not a directory: make it (empty, one per server) "
                           "before the server starts, or leave the variable unset")
    metrics = Metrics()
    app.extensions[EXTENSION] = metrics
    app.register_blueprint(bp)
    # first of the before-request hooks, so that an answer another hook gives early (a 406) is timed too; first
    # in the list of after-request hooks, which run last to first, so that the status counted is the one sent
    app.before_request_funcs.setdefault(None, []).insert(0, _started)
    app.after_request_funcs.setdefault(None, []).insert(0, _answered)
    catalog = app.extensions["kodebro.catalog"]
    metrics.generation.set(catalog.generation or 0)
    catalog.on_reload.append(metrics.catalog_reloaded)
