"""Read, search, create, update and delete of the terminology resources: the routes and the writes (how a
resource is shown is fhir_api.resource_views)."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from terminology.errors import InvalidRequest, InvalidResource, NotFound, NotStored, TerminologyError
from terminology.loader import EditionWouldShrink, shrink_refusal
from terminology.derived import Derive, generated_rule_set
from terminology.store.base import RESOURCE_TYPES, Precondition, Stored
from terminology.validation import RESERVED_MAP_ID, id_problems, reserved_map_problems, validation_errors

from .params import parse_body, query_value
from .render import fhir_base, fhir_response
from .resource_views import (SUBSETTED, deletion_record, elements_arg, find_resource, full_resource, not_held, shape,
                             stored_body, summary_arg)
from .store import get_catalog, get_store

bp = Blueprint("resources", __name__)

TYPES = RESOURCE_TYPES


def _check_type(rtype: str) -> None:
    if rtype not in TYPES:
        raise NotFound(f"resource type '{rtype}' is not served here; this server holds {', '.join(TYPES)}")


def _require_write_access() -> None:
    key = current_app.config["KODEBRO"].get("API_KEY")
    if key and request.headers.get("Authorization", "") != f"Bearer {key}":
        from terminology.errors import TerminologyError

        class Forbidden(TerminologyError):
            issue_code, status = "security", 403
        raise Forbidden("this server needs 'Authorization: Bearer <api key>' to change content")


@bp.route("/<rtype>/<rid>", methods=["GET"])
def read(rtype: str, rid: str):
    _check_type(rtype)
    # a read by id sees every write before it, in any worker or process: its ETag is what a conditional GET
    # (304) and a PUT's If-Match are judged by (operations keep the once-a-second check)
    catalog = get_catalog(fresh=True)
    found = find_resource(catalog, rtype, rid)
    if found is None:
        raise not_held(get_store(), rtype, rid)
    h, served = found
    summary, elements = summary_arg(query_value("_summary")), elements_arg(query_value("_elements"))
    from .http_headers import not_modified, read_is_not_modified, validators_of
    validators = validators_of(h, stored_body(catalog, h) if h.pk is not None else None)
    if read_is_not_modified(validators):
        return not_modified(validators)
    # no-cache: a browser keeps the copy but asks again (cheaply, conditionally) before each use
    headers = {**validators, "Cache-Control": "no-cache"} if validators else None
    return fhir_response(shape(catalog, h, summary, elements, in_search=False, served=served), headers=headers)


@bp.route("/<rtype>", methods=["GET"])
def search(rtype: str):
    _check_type(rtype)
    from .search import search_type
    return search_type(rtype)


@bp.route("/<rtype>/_search", methods=["POST"])
def search_by_post(rtype: str):
    _check_type(rtype)
    from .search import search_type
    return search_type(rtype)


@bp.route("/<rtype>/_search", methods=["GET"])
def search_get_underscore(rtype: str):
    _check_type(rtype)
    from .search import search_get_refused
    return search_get_refused(rtype)


class PreconditionFailed(TerminologyError):
    # R4 http.html#concurrency: a version conflict is 412; IssueType `conflict` is the edit-conflict code
    issue_code, status = "conflict", 412


def _write_precondition(rtype: str, rid: str) -> Precondition | None:
    """If-Match / If-None-Match as a compare-and-set the store judges inside the write's transaction, on the
    resource as it stands under the write lock: two conditional writes with the same tag, from any processes,
    cannot both go ahead. A resource that does not exist (never, or deleted) fails If-Match, for a DELETE too:
    its DELETE without conditions succeeds (200), so the conditions count (RFC 9110 §13.2.1), and §13.1.1's
    If-Match is false when there is no current representation."""
    if "If-Match" not in request.headers and "If-None-Match" not in request.headers:
        return None
    from .http_headers import failed_write_precondition, resource_tag

    def check(current: Stored | None) -> None:
        why = failed_write_precondition(resource_tag(current.rev, current.body) if current is not None else None)
        if why:
            raise PreconditionFailed(f"{rtype}/{rid} was not changed: {why}")
    return Precondition(rtype, rid, check)


def _incoming(rtype: str, *, creating: bool = False) -> dict:
    """The request body, checked as an R4 resource of `rtype`. `creating`: R4 http.html#create, "If an id is
    provided, the server SHALL ignore it", so it is dropped before the checks: no id is a reason to refuse a
    create (the store picks one)."""
    body = parse_body()
    if body is None:
        raise InvalidRequest(f"send the {rtype} as the request body")
    if body.get("resourceType") != rtype:
        raise InvalidRequest(f"the body is a {body.get('resourceType') or 'resource without resourceType'}, "
                             f"but this URL takes a {rtype}")
    if creating:
        body.pop("id", None)
    problems = validation_errors(body)
    if problems:
        raise InvalidResource(f"the {rtype} is not valid FHIR R4: " + "; ".join(problems))
    _refuse_subsetted(rtype, body)
    return body


def _refuse_subsetted(rtype: str, body: dict) -> None:
    """A body tagged SUBSETTED is a partial read (a large code system's read leaves out its concepts): written
    back, it would replace the whole resource with that part (R4 search.html#summary: a subsetted resource is
    not to be used for an update). 422 as for any body the server's rules refuse (R4 http.html#update);
    refused whatever X-Kodebro-Replace says."""
    tags = (body.get("meta") or {}).get("tag") or ()
    if any(isinstance(t, dict) and t.get("code") == SUBSETTED["code"] and t.get("system") == SUBSETTED["system"]
           for t in tags):
        raise InvalidResource(
            f"the {rtype} was not written: its meta.tag says SUBSETTED, so it is a partial copy from a read "
            f"(a read of a large code system leaves out the concepts, as do _summary and _elements); written "
            f"back it would drop what the read left out. Read it again with _summary=false and send that, or "
            f"send the full resource without the SUBSETTED tag")


@bp.route("/<rtype>", methods=["POST"])
def create(rtype: str):
    _check_type(rtype)
    from .params import check_content_type
    check_content_type(forms=False)
    _require_write_access()
    body = _without_server_fields(_incoming(rtype, creating=True))
    if "If-None-Exist" in request.headers:
        found = _conditional_create_match(rtype, request.headers["If-None-Exist"])
        if found is not None:
            return found
    # a url+version already kept is a 409 judged in the write's transaction: a create never replaces (only_new
    # is about the body; the derived editions the write rebuilds replace theirs)
    store = get_store()
    report = store.write([body], only_new=True, derive=Derive([body]))
    catalog = get_catalog(fresh=True)
    _t, rid, _u, _v = report["added"][0]
    written, validators = _as_written(catalog, rtype, rid, body, report)
    return _write_answer(written, 201, {"Location": f"{fhir_base()}/{rtype}/{rid}", **validators},
                         f"{rtype}/{rid} created")


def _conditional_create_match(rtype: str, criteria: str):
    """http.html#ccreate: the answer when the If-None-Exist search finds the resource (200, nothing created),
    412 when it finds several; None when it finds none (the create goes ahead). The search is the type's
    search, strict: a criterion this server would ignore in a search would here let duplicates in."""
    from urllib.parse import parse_qsl

    from .search import Query
    criteria = criteria.strip().lstrip("?")
    try:
        pairs = parse_qsl(criteria, keep_blank_values=True, strict_parsing=True, max_num_fields=1000)
    except ValueError as e:
        raise InvalidRequest(f"If-None-Exist '{criteria[:200]}' is not a search query (name=value&...): {e}",
                             location="http.If-None-Exist")
    tests = [(k, v) for k, v in pairs if not k.startswith("_")]
    if not tests or len(tests) != len(pairs):
        raise InvalidRequest("If-None-Exist takes search parameters of the " + rtype + " (e.g. url=...), "
                             f"without result parameters such as _count; got '{criteria[:200]}'",
                             location="http.If-None-Exist")
    catalog = get_catalog(fresh=True)     # what other workers wrote a moment ago counts
    rows = [r for r in Query(rtype, tests, catalog, True).run()
            if r.h.pk is None or stored_body(catalog, r.h) is not None]
    if not rows:
        return None
    if len(rows) > 1:
        raise PreconditionFailed(f"the {rtype} was not created: If-None-Exist '{criteria[:200]}' matches "
                                 f"{len(rows)} resources ({', '.join(f'{rtype}/{r.h.id}' for r in rows[:5])}"
                                 f"{', ...' if len(rows) > 5 else ''}); make the criteria select one")
    h = rows[0].h
    from .http_headers import validators_of
    stored = stored_body(catalog, h) if h.pk is not None else None
    found = shape(catalog, h, None, None, in_search=False)      # as a read of it answers
    return _write_answer(found, 200, {"Location": f"{fhir_base()}/{rtype}/{h.id}",
                                      **validators_of(h, stored)},
                         f"{rtype}/{h.id} already matches If-None-Exist '{criteria[:200]}'; nothing was created")


def _without_server_fields(body: dict) -> dict:
    """http.html#create, #update: the server SHALL ignore a client's meta.versionId and meta.lastUpdated (the
    store stamps lastUpdated; there are no versions to number here: versioning is no-version)."""
    body = dict(body)
    meta = body.get("meta")
    if isinstance(meta, dict) and ("versionId" in meta or "lastUpdated" in meta):
        meta = {k: v for k, v in meta.items() if k not in ("versionId", "lastUpdated")}
        if meta:
            body["meta"] = meta
        else:
            body.pop("meta")
    return body


def _prefer_return() -> str:
    """The `return` preference of http.html#ins-return: minimal, OperationOutcome or representation."""
    for h in request.headers.getlist("Prefer"):
        for p in h.split(","):
            for part in p.split(";"):
                key, _, value = part.strip().partition("=")
                if key.strip().lower() == "return":
                    value = value.strip().strip('"')
                    if value in ("minimal", "OperationOutcome", "representation"):
                        return value
    return "representation"


def _write_answer(written: dict, status: int, headers: dict, done: str):
    prefer = _prefer_return()
    if prefer == "minimal":
        from flask import Response
        resp = Response(status=status, headers=headers)
        del resp.headers["Content-Type"]     # no body, so no type
        return resp
    if prefer == "OperationOutcome":
        from .outcomes import issue, operation_outcome
        return fhir_response(operation_outcome([issue("information", "informational", done)]), status, headers)
    return fhir_response(written, status, headers)


@bp.route("/<rtype>/<rid>", methods=["PUT"])
def update(rtype: str, rid: str):
    _check_type(rtype)
    problems = id_problems(rid) or (reserved_map_problems(rid, None) if rtype == "ConceptMap" else [])
    if problems:
        # as a bad id in a body is answered (validation_errors: 422)
        raise InvalidResource(f"the URL's {problems[0]}")
    from .params import check_content_type
    check_content_type(forms=False)
    _require_write_access()
    body = _without_server_fields(_incoming(rtype))
    if body.get("id") and body["id"] != rid:
        raise InvalidRequest(f"the body's id '{body['id']}' does not match the URL's id '{rid}'")
    body["id"] = rid
    # replacing is deleting the old one and writing the new in one transaction: whether it existed is read
    # there, not from this worker's catalog, which may be up to a second behind other workers' writes
    # keep_others: a url+version another id keeps is a 409, as for a create; replacing it would delete that
    # resource under its own clients, which no If-Match on it could have stopped
    store = get_store()
    # resources derived from what the PUT writes or replaces (NKPK editions from an NCMP/NCSP/NCRP edition)
    # follow it, built inside the write's transaction (terminology/derived.py)
    report = store.write([body], delete=[(rtype, rid)], keep_others=True,
                         precondition=_guarded(_write_precondition(rtype, rid), rtype, rid, body),
                         derive=Derive([body], [(rtype, rid)]))
    # unchanged: the body is what was stored there, which stays with its ETag
    existed = bool(report["deleted"] or report.get("unchanged"))
    catalog = get_catalog(fresh=True)
    written, validators = _as_written(catalog, rtype, rid, body, report)
    return _write_answer(written, 200 if existed else 201, validators,
                         f"{rtype}/{rid} {'updated' if existed else 'created'}")


GUARD_MIN_CODES = 100
REPLACE_HEADER = "X-Kodebro-Replace"


def _replace_opted_in() -> bool:
    return request.headers.get(REPLACE_HEADER, "").strip().lower() == "true"


def _guarded(precondition: Precondition | None, rtype: str, rid: str, body: dict) -> Precondition | None:
    """`precondition`, plus, for a CodeSystem, a refusal of a PUT that would remove more than
    loader.REPLACE_LIMIT of a stored edition's codes (a one-concept body sent to an imported ICD-10-NO edition
    wipes it for every client), by the rule `kodebro import` applies (loader.shrink_refusal); a code system
    of at most GUARD_MIN_CODES codes (hand-authored) is edited freely. Judged inside the write's transaction,
    on the codes stored then, so nothing is written when it refuses."""
    if rtype != "CodeSystem" or _replace_opted_in():
        return precondition
    from terminology.codesystem import flatten_concepts
    concepts = list(flatten_concepts(body.get("concept")))
    new = {c.get("code") for c in concepts}
    store = get_store()

    def check(current: Stored | None) -> None:
        if precondition is not None:
            precondition.check(current)
        if current is None:
            return
        # the write's own connection (thread-local), so this reads the transaction's view
        h = store.header("CodeSystem", rid)
        if h is None or h.concept_count <= GUARD_MIN_CODES:
            return
        why = shrink_refusal(current.body, store.codes(h.pk), new, len(concepts))
        if why:
            raise EditionWouldShrink(
                f"CodeSystem/{rid} was not changed: {why}. A code system this large usually comes from an "
                f"import: replace it with `kodebro import --replace FILE`, or send the PUT again with the "
                f"header '{REPLACE_HEADER}: true' to replace it deliberately")
    return Precondition(rtype, rid, check)


def _as_written(catalog, rtype: str, rid: str, body: dict, report: dict) -> tuple[dict, dict[str, str]]:
    """The resource just written, read back, and its validators. When another request changed or deleted it
    since, what this request wrote, tagged as written: a reply carrying the other writer's ETag would let
    the client's next If-Match overwrite a change it never saw."""
    header = catalog.header_by_id(rtype, rid)
    stored = stored_body(catalog, header) if header is not None and header.rev == report["rev"] else None
    if stored is not None:
        from .http_headers import validators_of
        written = full_resource(catalog, header, stored)
        return written, validators_of(header, written)
    from .http_headers import written_validators
    written = {**body, "meta": {**(body.get("meta") or {}), "lastUpdated": report["lastUpdated"]}}
    return written, written_validators(report["rev"], written)


@bp.route("/<rtype>/<rid>", methods=["DELETE"])
def delete(rtype: str, rid: str):
    _check_type(rtype)
    problems = id_problems(rid)
    if problems:
        # nothing can be held under it (a DELETE of it succeeding would say otherwise); '_search' is none
        raise InvalidRequest(f"the URL's {problems[0]}")
    _require_write_access()
    _refuse_unstored(rtype, rid)
    store = get_store()
    # resources derived from the deleted one (NKPK editions from an NCMP/NCSP/NCRP edition) are rebuilt from
    # what remains, or deleted, inside the write's transaction (terminology/derived.py). The store keeps a
    # deletion record of (rtype, rid) in the same transaction, so a read of it answers 410
    derive = Derive((), [(rtype, rid)])
    report = store.write((), delete=[(rtype, rid)], precondition=_write_precondition(rtype, rid), derive=derive)
    from .outcomes import issue, operation_outcome
    if (rtype, rid) not in report["deleted"]:
        return fhir_response(operation_outcome([_nothing_deleted(rtype, rid)]))
    get_catalog(fresh=True)
    issues = [issue("information", "informational", f"{rtype}/{rid} deleted")]
    issues += [_successor_issue(rtype, rid, *s) for s in derive.successors]
    return fhir_response(operation_outcome(issues))


def _nothing_deleted(rtype: str, rid: str) -> dict:
    """The issue of a DELETE that found nothing. R4 http.html#delete answers it as a success (200: a DELETE
    repeated after a lost answer must not fail); a warning, not information, so a mistyped id is not taken
    for a deletion by a client that reads the outcome."""
    from .outcomes import issue
    record = deletion_record(get_store(), rtype, rid)
    if record is not None:
        return issue("warning", "deleted", f"{rtype}/{rid} was already deleted at {record.at}; nothing was "
                                           "deleted now")
    return issue("warning", "not-found", f"no {rtype}/{rid} exists on this server, so nothing was deleted; "
                                         f"check the id (search {rtype} to list what is held)")


def _successor_issue(rtype: str, rid: str, h, res: dict, note: str) -> dict:
    """The warning of a DELETE after which a derived resource answers the deleted one's url|version: a read of the
    id (or of the url|version) gives that one, not 410, which a client that deleted it would not expect."""
    from .outcomes import issue
    where = f"{rtype}/{res.get('id') or rid}"
    return issue("warning", "informational",
                 f"{h.url}|{h.version} is still served: the server derives it from other editions ({note}), and "
                 f"that derived one took the deleted one's place as {where}, so a read of {where} now answers 200 "
                 f"with it. To be rid of it as well, remove the editions it is built from")


def _refuse_unstored(rtype: str, rid: str) -> None:
    """A DELETE of a ConceptMap the server serves but does not store (a SNOMED CT implicit map's reserved id, a
    map derived between two editions), or of a rule value set generated with an ICD-10-NO edition, refused,
    rather than answered as if something had gone (or, for the rule set, as `kodebro remove` refuses it)."""
    if rtype == "ValueSet":
        h = get_store().header(rtype, rid)
        if h is not None and generated_rule_set(get_store(), h):
            raise NotStored(f"ValueSet/{rid} ({h.url}|{h.version}) is generated from ICD-10-NO {h.version} and goes "
                            f"with that edition: removed alone, a check dated in {h.version} would fall back to an "
                            f"older edition's rules. Remove the edition (`kodebro remove --system ICD-10-NO "
                            f"--edition {h.version}`), or write the edition again to rebuild it")
    if rtype != "ConceptMap":
        return
    if rid.startswith(RESERVED_MAP_ID):
        raise NotStored(f"ConceptMap/{rid} is not stored, so it cannot be deleted: ids starting "
                        f"'{RESERVED_MAP_ID}' are SNOMED CT implicit ConceptMaps, derived from the loaded SNOMED CT "
                        "editions (they go with the edition: `kodebro remove --system 'SNOMED CT' --edition ...`)")
    found = find_resource(get_catalog(), rtype, rid)
    if found is not None and found[0].pk is None:
        raise NotStored(f"ConceptMap/{rid} is derived, not stored, so it cannot be deleted: the server builds it "
                        "from two adjacent editions of a code system, and it goes when one of them is removed")


@bp.route("/_history", methods=["GET"])
@bp.route("/<rtype>/_history", methods=["GET"])
@bp.route("/<rtype>/<rid>/_history", methods=["GET"])
@bp.route("/<rtype>/<rid>/_history/<vid>", methods=["GET"])
def history_not_supported(rtype: str | None = None, rid: str | None = None, vid: str | None = None):
    """http.html#history and #vread: not offered (the CapabilityStatement lists no history-* or vread
    interaction and declares versioning no-version: a write replaces, no earlier version is kept). Said so,
    rather than the 404 "type not served" / "not known" the generic routes would give these paths. Still a 404:
    nothing is served at these addresses (the probe tests pin 404 for vread and type history), with the issue
    code not-supported saying why."""
    if rtype is not None:
        _check_type(rtype)
    what = "vread" if vid is not None else "history"
    raise HistoryNotSupported(f"the {what} interaction is not supported: this server keeps no resource history "
                              f"(versioning no-version, see {fhir_base()}/metadata); read the current resource "
                              "instead")


class HistoryNotSupported(NotFound):
    issue_code = "not-supported"
