"""Probes for load balancers and Kubernetes/OpenShift, outside the FHIR base: plain JSON, no auth.

/healthz (liveness) says the process answers HTTP and touches nothing else, so a slow or unreachable
database never gets a healthy worker restarted. /readyz (readiness) says this worker can answer
terminology requests: the store answers and the catalog has its headers; while it cannot, the load
balancer sends the traffic elsewhere. Neither builds an index. /readyz waits at most about a second for a
store another process has locked (requests wait much longer): a busy store is "not ready now", answered
503 before the probe's own timeout turns it into a failure.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from terminology.errors import StoreUnavailable
from terminology.versions import version_key

from .http_headers import request_id
from .outcomes import RETRY_AFTER_SECONDS

bp = Blueprint("health", __name__)
log = logging.getLogger("kodebro")
# how long the readiness probe waits for a lock held by another process (Kubernetes' default probe timeout
# is one second)
PROBE_WAIT_SECONDS = 0.5


@bp.route("/healthz", methods=["GET"])
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz", methods=["GET"])
def readyz():
    store = current_app.extensions["kodebro.store"]
    catalog = current_app.extensions["kodebro.catalog"]
    try:
        with store.short_waits(PROBE_WAIT_SECONDS):
            # headers only (reloaded when another process wrote); code system indexes stay lazy. Forced: the
            # editions listed are those of the generation named, not of one up to a second old
            catalog.refresh(force=True)
            generation = catalog.generation
            headers = catalog.headers()
    except Exception as err:     # any driver's connection error: the answer is "not ready", never a 500
        log.warning("readiness check failed [request id %s]: %s: %s", request_id(), type(err).__name__, err)
        # the store says which: a lock another process holds ("database is locked"), or an outage
        why = err.message if isinstance(err, StoreUnavailable) else type(err).__name__
        resp = jsonify(status="unavailable",
                       message=f"the terminology store cannot be reached or is busy ({why}); "
                               "this instance is not ready to answer requests")
        resp.status_code = 503
        resp.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return resp
    counts = {"CodeSystem": 0, "ValueSet": 0, "ConceptMap": 0, "NamingSystem": 0}
    editions: dict[str, list] = {}
    for h in headers:
        counts[h.type] = counts.get(h.type, 0) + 1
        if h.type == "CodeSystem" and h.url:
            editions.setdefault(h.url, []).append(h.version)
    # which editions this worker answers with (headers only): after an import, ops see it reached every worker
    editions = {url: sorted((v for v in vs if v), key=version_key) + [None] * vs.count(None)
                for url, vs in sorted(editions.items())}
    return jsonify(status="ready", generation=generation, codeSystems=counts["CodeSystem"],
                   valueSets=counts["ValueSet"], conceptMaps=counts["ConceptMap"],
                   namingSystems=counts["NamingSystem"], editions=editions)
