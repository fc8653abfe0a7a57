"""Production WSGI serving through gunicorn's Python API (not Flask's development server)."""
from __future__ import annotations

import os
import re
import socket
import time

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.sync import SyncWorker

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AccessLogger(Logger):
    """gunicorn's logger with the path written safely: `%(U)s` is the percent-decoded path, and a request for
    `/fhir/x%0a[forged line]` would otherwise write a second, forged line (or a terminal escape) into the log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", atoms.get("U") or "")
        return atoms


class OneRequestWorker(SyncWorker):
    """gunicorn's sync worker (one request per connection, then close) without work a request does not need:
    it skips two fcntl() and about one utime() per request, and sends each response in one TCP segment."""

    _notified = 0.0

    def load_wsgi(self):
        super().load_wsgi()
        # tied to this worker class, which closes every connection after one response (see corked)
        self.wsgi = corked(self.wsgi)

    def accept(self, listener):
        client, addr = listener.accept()
        client.setblocking(1)
        # (gunicorn marks the socket close-on-exec again: Python's accept() already made it non-inheritable)
        self.handle(listener, client, addr)

    def notify(self):
        # the arbiter's liveness check (120 s timeout) needs a sign of life, not one per request: the worker
        # calls this before every accept, and each is a utime() of its heartbeat file
        now = time.monotonic()
        if now - self._notified >= 1.0:
            self._notified = now
            super().notify()


_CORK = getattr(socket, "TCP_CORK", None)


def corked(wsgi_app):
    """The response's status line, headers and body leave in one TCP segment (with the FIN, as the sync worker
    closes the connection after it) rather than one segment per write: gunicorn writes the headers and the
    body separately, and with TCP_NODELAY each write is a packet the client wakes up for. Set when the response
    starts, not when the connection is accepted, so a "100 Continue" gunicorn sends before the app reads the
    body is not held back. Only for connections that close after one response: on a kept-alive one the corked
    bytes would wait for the kernel's 200 ms timer. TCP_CORK is Linux's: elsewhere responses go out as before."""
    if _CORK is None:
        return wsgi_app

    def serve(environ, start_response):
        sock = environ.get("gunicorn.socket")

        def start(status, headers, exc_info=None):
            if sock is not None:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, _CORK, 1)
                except OSError:     # not TCP (a unix socket): nothing to gather
                    pass
            return start_response(status, headers, exc_info)
        return wsgi_app(environ, start)
    return serve


# what gunicorn refuses before the app sees the request (a request line over limit_request_line, a NUL in a
# header, a broken chunk) gets its answer here: the issue code and, where the client can do better, how
_REFUSED_ISSUE = {400: "invalid", 403: "forbidden", 414: "too-long", 417: "not-supported", 431: "too-long",
                  501: "not-supported"}
_REFUSED_HINT = {414: "send the parameters in the body of a POST (a Parameters resource, or a form) instead of "
                      "the URL",
                 431: "send fewer or shorter headers"}


def write_refusal(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's util.write_error with the body every other error of this server has, an OperationOutcome, in
    place of gunicorn's HTML page: a FHIR client reads the error it caused the same way whoever refused it."""
    import json

    from fhir_api.outcomes import issue, operation_outcome
    from fhir_api.render import FHIR_JSON
    text = f"{reason}: {mesg}" if mesg else reason
    if status_int in _REFUSED_HINT:
        text += f"; {_REFUSED_HINT[status_int]}"
    outcome = operation_outcome([issue("error", _REFUSED_ISSUE.get(status_int, "exception"), text)])
    body = json.dumps(outcome).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: {FHIR_JSON}; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        # gunicorn's workers write these refusals through util.write_error (Worker.handle_error), one function
        # for every worker class; replacing it keeps gunicorn's own choice of status for each refusal
        gunicorn_util.write_error = write_refusal
        super().__init__()

    def load_config(self):
        for k, v in self.options.items():
            self.cfg.set(k, v)

    def load(self):
        from fhir_api import create_app
        app = create_app()
        # With preload_app this runs once, in the master, before the workers fork: they start with every
        # index built and share its memory pages (gc.freeze in warm() keeps the collector from dirtying them).
        catalog = app.extensions["kodebro.catalog"]
        catalog.warm()
        # what the first $translate, resource check or language tag of each worker would otherwise import or build
        # (~400 ms in all)
        from mappings.conceptmap_index import stored_maps
        from mappings.translate import load_providers
        from terminology.bcp47 import LANGUAGE_TAGS
        from terminology.validation import warm_models
        load_providers()
        stored_maps(catalog)
        warm_models()
        LANGUAGE_TAGS.find("nb-NO")     # langcodes and the CLDR language names
        log_reloads(catalog)
        # a database connection must not cross fork(); each worker opens its own on first use
        app.extensions["kodebro.store"].close()
        return app


def log_reloads(catalog) -> None:
    """One stderr line each time a worker's catalog reloads because the store changed (an import, a REST write,
    another worker or process): ops see when new content reached each worker (Catalog.on_reload)."""
    catalog.on_reload.append(_log_reload)


def _log_reload(catalog, before) -> None:
    import os
    import sys
    cs = catalog.headers("CodeSystem")
    print(f"kodebro worker {os.getpid()}: catalog reloaded, store generation {before} -> {catalog.generation}; "
          f"{len({h.url for h in cs})} code system(s), {len(cs)} edition(s), "
          f"{len(catalog.headers()) - len(cs)} other resource(s)", file=sys.stderr, flush=True)


# one line a request: when, client, method, path, status, duration, and the request id the app answered with
# (the X-Request-Id response header: the client's own id when it sent one), so a support desk can find it
ACCESS_LOG_FORMAT = '%(t)s %(h)s "%(m)s %(U)s" %(s)s %(M)sms rid=%({x-request-id}o)s'


def try_bind(host: str, port: int) -> None:
    """Bind (and let go of) the address gunicorn will listen on, with the SO_REUSEADDR gunicorn sets, so a port in
    use raises OSError (EADDRINUSE) before anything claims to serve; gunicorn would retry for five seconds and
    then exit 1 after the start-up line."""
    import socket
    # (gunicorn takes an IPv6 address in brackets, getaddrinfo without)
    family, kind, proto, _name, where = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                                                           flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(where)


def address(host: str, port: int) -> str:
    """host:port as gunicorn's bind and a URL take it: an IPv6 address in brackets ([::1]:8080), given with them
    or not (gunicorn reads ::1:8080 as host '' and port '')."""
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def prepare_metrics_dir() -> tuple[str, bool]:
    """The directory prometheus_client's multiprocess mode keeps each worker's numbers in, empty, named in
    PROMETHEUS_MULTIPROC_DIR before anything imports prometheus_client (it picks its mode on import): the one the
    operator named (a volume of its own, say), emptied of the files of an earlier run, whose counts would
    otherwise be added to this one's; else a new temporary one. Returns it and whether it was made here."""
    import sys
    import tempfile
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its multiprocess directory was set")
    where = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not where:
        # in memory where there is /dev/shm (as gunicorn advises for its own worker files in containers): each
        # request writes to these files, and on a disk the kernel would keep writing them back
        shm = "/dev/shm"
        under = shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
        where = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kodebro-metrics-", dir=under)
        return where, True
    os.makedirs(where, exist_ok=True)
    others = sorted(f for f in os.listdir(where) if f.endswith(".db") and not _METRICS_FILE.match(f))
    if others:
        # prometheus_client reads every .db file there as its own (a scrape would fail on an SQLite store), and
        # clearing the directory must not touch them
        raise SystemExit(f"Error: PROMETHEUS_MULTIPROC_DIR={where} holds other .db files ({', '.join(others[:3])}): "
                         "give the metrics a directory of their own")
    _hold_metrics_dir(where)
    for stale in metrics_files(where):
        os.remove(stale)
    return where, False


# the files prometheus_client's multiprocess mode writes: counter_<pid>.db, gauge_livemax_<pid>.db, histogram_<pid>.db
_METRICS_FILE = re.compile(r"(counter|gauge_[a-z]+|histogram|summary)_\d+\.db\Z")
_LOCK_NAME = ".kodebro-metrics.lock"
_held: list = []        # the lock's open file, for the life of the process


def metrics_files(where: str) -> list[str]:
    """prometheus_client's own files in `where`, and no other: the directory may be the store's own, whose
    kodebro.db is a .db file too."""
    return [os.path.join(where, f) for f in sorted(os.listdir(where)) if _METRICS_FILE.match(f)]


def _hold_metrics_dir(where: str) -> None:
    """Hold the directory for this server while it runs: a second server started on it would wipe the first one's
    numbers and add its own to them. A lock, not the pids in the file names, which a restarted container reuses;
    the kernel lets it go when the process ends, however it ends."""
    import fcntl
    lock = open(os.path.join(where, _LOCK_NAME), "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise SystemExit(f"Error: PROMETHEUS_MULTIPROC_DIR={where} is in use by another running server: give each "
                         "server a directory of its own")
    _held.append(lock)


def _worker_gone(_arbiter, worker) -> None:
    # a gone worker's counts stay in the sums (counters never go down); its gauge (the generation it served) not
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


def _remove_dir(where: str):
    def on_exit(_arbiter) -> None:
        import shutil
        shutil.rmtree(where, ignore_errors=True)
    return on_exit


def metrics_hooks() -> dict:
    """The metrics directory made ready (prepare_metrics_dir), and the gunicorn hooks that keep it: called before
    the server says it is serving, so that a directory it cannot use stops the start first."""
    try:
        where, made = prepare_metrics_dir()
    except OSError as err:      # a PROMETHEUS_MULTIPROC_DIR the operator named that cannot be written
        raise SystemExit(f"Error: PROMETHEUS_MULTIPROC_DIR={err.filename}: cannot keep the metrics there: "
                         f"{err.strerror}")
    hooks = {"child_exit": _worker_gone}
    if made:
        hooks["on_exit"] = _remove_dir(where)
    return hooks


def run(host: str, port: int, workers: int, threads: int, access_log: str | None = None,
        hooks: dict | None = None) -> None:
    _Gunicorn({
        **(hooks or {}),
        "bind": address(host, port),
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else OneRequestWorker,
        "preload_app": True,
        "keepalive": 5,
        "timeout": 120,
        # GET searches and operations carry value sets, ECL and code lists in the query: 4,094 bytes (gunicorn's
        # default) answers long but valid requests with an HTML 414; 0 would remove the limit altogether
        "limit_request_line": 8190,
        "accesslog": access_log or None,      # "-" is stdout; off by default: every request is a line
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": AccessLogger,
        "loglevel": "warning",
    }).run()
